package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A training loop with autograd runs at flat native memory when each step is a scope: the graph,
 * the saved tensors and every temporary are freed with the step; only the parameters and their
 * .grad survive.
 */
class TrainingLoopMemoryTest {
  @Test
  void thousandsOfStepsAtFlatMemoryAndTheLossFalls() {
    Kindling.manualSeed(3);
    long live0 = Kindling.liveTensors();
    Tensor x = Tensor.randn(64, 5);
    Tensor trueW = Tensor.of(new float[][] {{1}, {-2}, {0.5f}, {3}, {0}});
    Tensor y = Kindling.scoped(() -> x.matmul(trueW).add(0.25));
    Tensor w = Tensor.zeros(5, 1).requiresGrad_();
    Tensor b = Tensor.zeros(1).requiresGrad_();
    double first = 0, last = 0;
    long liveAfterWarmup = -1, bytesAfterWarmup = -1;
    for (int step = 0; step < 3000; step++) {
      try (Scope s = Kindling.scope()) {
        Tensor loss = x.matmul(w).add(b).sub(y).pow(2.0).mean();
        loss.backward();
        try (var g = Autograd.noGrad()) {
          w.sub_(w.grad().mul(0.05));
          b.sub_(b.grad().mul(0.05));
        }
        w.setGrad(null);
        b.setGrad(null);
        if (step == 0) first = loss.item();
        last = loss.item();
      }
      if (step == 100) {
        liveAfterWarmup = Kindling.liveTensors();
        bytesAfterWarmup = Kindling.liveBytes();
      } else if (step > 100) {
        // (<=: the cleaner may free other tests' forgotten tensors meanwhile; growth is the failure)
        assertTrue(Kindling.liveTensors() <= liveAfterWarmup, "live tensors grew at step " + step);
        assertTrue(Kindling.liveBytes() <= bytesAfterWarmup, "native bytes grew at step " + step);
      }
    }
    assertTrue(last < first * 1e-3, "loss fell from " + first + " to " + last);
    try (Tensor learned = w.detach()) {
      assertArrayEquals(new float[] {1, -2, 0.5f, 3, 0}, learned.toFloatArray(), 1e-3f);
    }
    for (Tensor t : new Tensor[] {x, trueW, y, w, b}) t.close();
    assertTrue(Kindling.liveTensors() <= live0, "tensors left: " + (Kindling.liveTensors() - live0));
  }
}
