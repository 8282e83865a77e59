package dev.kindling.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kindling.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The schedulers' golden tests drive a recording optimizer; these tie them to the real ones:
 * OneCycleLR cycles SGD's {@code momentum} and Adam's {@code betas[0]} (torch 1.13 values for
 * max_lr 0.1, total_steps 10, defaults elsewhere), and a scheduled lr reaches the update.
 */
class SchedulerOnRealOptimizersTest {

  // Numbers printed by torch 1.13 for OneCycleLR(SGD([p], lr=0.1, momentum=0.9), max_lr=0.1,
  // total_steps=10) and the same on Adam([p], lr=0.1), stepping optimizer then scheduler.
  @Test
  void oneCycleCyclesSgdMomentumAndAdamBeta1() {
    try (Tensor p = Tensor.zeros(3).requiresGrad_();
         SGD sgd = new SGD(List.of(p), SGD.options().lr(0.1).momentum(0.9))) {
      OneCycleLR s = OneCycleLR.builder(sgd, 0.1).totalSteps(10).build();
      ParamGroup g = sgd.paramGroups().get(0);
      assertEquals(0.0040000000000000036, g.lr(), 0.0);
      assertEquals(0.95, g.momentum(), 0.0);
      double[] lr = {0.052000000000000005, 0.1, 0.09504846320134738};
      double[] mom = {0.8999999999999999, 0.85, 0.854951556604879};
      for (int i = 0; i < 3; i++) {
        sgd.step();
        s.step();
        assertEquals(lr[i], g.lr(), 0.0);
        assertEquals(mom[i], g.momentum(), 0.0);
      }
    }
    try (Tensor p = Tensor.zeros(3).requiresGrad_();
         Adam adam = new Adam(List.of(p), Adam.options().lr(0.1))) {
      OneCycleLR s = OneCycleLR.builder(adam, 0.1).totalSteps(10).build();
      ParamGroup g = adam.paramGroups().get(0);
      assertEquals(0.95, g.betas()[0], 0.0);
      double[] beta1 = {0.8999999999999999, 0.85, 0.854951556604879};
      for (int i = 0; i < 3; i++) {
        adam.step();
        s.step();
        assertEquals(beta1[i], g.betas()[0], 0.0);
        assertEquals(0.999, g.betas()[1], 0.0);
      }
    }
  }

  @Test
  void stepLrChangesTheUpdateSize() {
    try (Tensor p = Tensor.zeros(1).requiresGrad_();
         SGD sgd = new SGD(List.of(p), SGD.options().lr(1.0))) {
      StepLR sched = new StepLR(sgd, 1, 0.5);
      double[] moved = new double[3];
      for (int epoch = 0; epoch < 3; epoch++) {
        double before = p.item();
        p.setGrad(Tensor.ones(1));
        sgd.step();
        moved[epoch] = before - p.item();
        sched.step();
      }
      assertEquals(1.0, moved[0], 0.0);
      assertEquals(0.5, moved[1], 0.0);
      assertEquals(0.25, moved[2], 0.0);
      assertNotEquals(moved[0], moved[1]);
    }
  }
}
