package dev.kindling.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.BatchNorm1d;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.Dropout;
import dev.kindling.nn.Linear;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.Adam;
import dev.kindling.optim.AdamW;
import dev.kindling.optim.LRScheduler;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.RMSprop;
import dev.kindling.optim.SGD;
import dev.kindling.optim.StepLR;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's resume criterion with the real optimizers: train N steps, save model, optimizer,
 * scheduler, RNG state and epoch in one checkpoint, load everything into fresh objects in a
 * "new process" (another seed), train M more, and get parameters and BatchNorm running stats
 * bit-identical to N + M uninterrupted steps. Dropout and the data draw from the RNG, BatchNorm
 * keeps running stats, the scheduler changes lr on the way.
 */
class ResumeWithRealOptimizersTest {
  @TempDir Path dir;

  static Sequential model() {
    return new Sequential(new Linear(6, 16), new BatchNorm1d(16), new ReLU(), new Dropout(0.3), new Linear(16, 3));
  }

  static void train(Sequential m, Optimizer opt, LRScheduler sched, int steps) {
    CrossEntropyLoss lossFn = new CrossEntropyLoss();
    for (int i = 0; i < steps; i++) {
      try (Scope s = Kindling.scope()) {
        Tensor x = Tensor.randn(8, 6);
        Tensor y = Tensor.randint(0, 3, 8);
        Tensor loss = lossFn.forward(m.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        sched.step();
      }
    }
  }

  static List<float[]> state(Sequential m) {
    List<float[]> out = new ArrayList<>();
    try (Scope s = Kindling.scope()) {
      for (Tensor t : m.stateDict().values()) out.add(t.to(dev.kindling.DType.FLOAT32).toFloatArray());
    }
    return out;
  }

  void check(Function<List<Tensor>, Optimizer> make) {
    Path path = dir.resolve("ck.safetensors");
    List<float[]> uninterrupted;
    Kindling.manualSeed(5);
    try (Sequential m = model(); Optimizer opt = make.apply(m.parameters())) {
      LRScheduler sched = new StepLR(opt, 3, 0.5);
      train(m, opt, sched, 7);
      try (Scope s = Kindling.scope()) {
        Checkpoint.save(path, Checkpoint.entries().with("epoch", 7).with("state_dict", m.stateDict())
            .with("optimizer", opt.stateDict()).with("scheduler", sched.stateDict()).withRngState());
      }
      train(m, opt, sched, 6);
      uninterrupted = state(m);
    }
    Kindling.manualSeed(1234);
    try (Sequential m = model(); Optimizer opt = make.apply(m.parameters())) {
      LRScheduler sched = new StepLR(opt, 3, 0.5);
      try (Checkpoint c = Checkpoint.resume(path.toString(), m, opt, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))) {
        assertEquals(7, c.getInt("epoch"));
        sched.loadStateDict(c.getMap("scheduler"));
      }
      train(m, opt, sched, 6);
      List<float[]> resumed = state(m);
      assertEquals(uninterrupted.size(), resumed.size());
      for (int i = 0; i < resumed.size(); i++) assertArrayEquals(uninterrupted.get(i), resumed.get(i), opt.name() + " state " + i);
    }
  }

  @Test
  void sgdWithMomentumAndNesterov() {
    check(ps -> new SGD(ps, SGD.options().lr(0.1).momentum(0.9).nesterov(true).weightDecay(1e-4)));
  }

  @Test
  void adamWithAmsgrad() {
    check(ps -> new Adam(ps, Adam.options().lr(1e-2).amsgrad(true)));
  }

  @Test
  void adamW() {
    check(ps -> new AdamW(ps, AdamW.options().lr(1e-2)));
  }

  @Test
  void rmspropCenteredWithMomentum() {
    check(ps -> new RMSprop(ps, RMSprop.options().lr(1e-2).momentum(0.5).centered(true)));
  }
}
