package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.autograd.RemovableHandle;
import dev.kindling.data.Batch;
import dev.kindling.data.BatchIterator;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Dataset;
import dev.kindling.data.TensorDataset;
import dev.kindling.io.Checkpoint;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerStateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exception thrown by user code during training — a tensor hook during backward, a Dataset on
 * the DataLoader's prefetch thread, a loss function — reaches the caller with the original
 * exception, and leaves everything consistent (issue 9, item 5): the parameters and the
 * optimizer's state are exactly as before the failed step, a checkpoint saved before still loads
 * and holds what was saved, training can go on and then gives exactly what an undisturbed run
 * gives, and no native tensor leaks.
 */
class TrainingFailureConsistencyTest {
  @TempDir Path dir;

  /** A small classifier, its Adam optimizer and a fixed batch, seeded so two runs agree. */
  static final class Run implements AutoCloseable {
    final Sequential model;
    final Adam optimizer;
    final Tensor x;
    final Tensor y;

    Run() {
      Kindling.manualSeed(7);
      model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
      optimizer = new Adam(model.parameters(), Adam.options().lr(0.01));
      x = Scope.escape(Tensor.randn(6, 4));
      y = Scope.escape(Tensor.of(new long[] {0, 1, 2, 2, 1, 0}));
    }

    /** One ordinary step: zero the grads, forward, loss, backward, update. */
    void step(Tensor input, Tensor target) {
      try (Scope s = Kindling.scope()) {
        optimizer.zeroGrad();
        new CrossEntropyLoss().call(model.call(input), target).backward();
        optimizer.step();
      }
    }

    void step() {
      step(x, y);
    }

    @Override
    public void close() {
      optimizer.close();
      model.close();
      x.close();
      y.close();
    }
  }

  /** Every parameter's values, exactly. */
  static List<float[]> params(Module m) {
    List<float[]> out = new ArrayList<>();
    for (Tensor p : m.parameters()) out.add(p.toFloatArray());
    return out;
  }

  static void assertSameParams(List<float[]> expected, Module m, String what) {
    List<float[]> actual = params(m);
    assertEquals(expected.size(), actual.size(), what);
    for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), what + ": parameter " + i);
  }

  /** The optimizer's state dict as text with every tensor's exact values (bits, not rounded). */
  static String state(Optimizer o) {
    try (Scope s = Kindling.scope()) {
      return describe(o.stateDict());
    }
  }

  static String describe(OptimizerStateDict sd) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<Integer, Map<String, Object>> e : new TreeMap<>(sd.state()).entrySet()) {
      b.append(e.getKey()).append(':');
      for (Map.Entry<String, Object> kv : new TreeMap<>(e.getValue()).entrySet()) {
        Object v = kv.getValue();
        b.append(kv.getKey()).append('=').append(v instanceof Tensor t ? Arrays.toString(t.toDoubleArray()) : String.valueOf(v)).append(';');
      }
      b.append('\n');
    }
    return b.append(sd.paramGroups()).toString();
  }

  /** Saves the run's model and optimizer to a checkpoint file. */
  static Path save(Run r, Path file) {
    try (Scope s = Kindling.scope()) {
      Checkpoint.save(file, Checkpoint.entries().with("model", r.model.stateDict()).with("optimizer", r.optimizer.stateDict()));
    }
    return file;
  }

  /** The checkpoint loads and holds exactly the given parameters and optimizer state. */
  static void assertCheckpointHolds(Path file, List<float[]> params, String optimizerState) {
    try (Checkpoint c = Checkpoint.load(file)) {
      List<Tensor> saved = new ArrayList<>(c.stateDict("model").values());
      assertEquals(params.size(), saved.size());
      for (int i = 0; i < params.size(); i++) assertArrayEquals(params.get(i), saved.get(i).toFloatArray(), "checkpoint parameter " + i);
      assertEquals(optimizerState, describe(c.optimizerState("optimizer")), "checkpoint optimizer state");
    }
  }

  /** The parameters after two steps of a run nothing disturbs, for comparison. */
  static List<float[]> twoUndisturbedSteps() {
    try (Run ref = new Run()) {
      ref.step();
      ref.step();
      return params(ref.model);
    }
  }

  /** The original exception is the thrown one or in its cause chain. */
  static void assertCausedBy(Throwable thrown, Throwable original) {
    for (Throwable t = thrown; t != null; t = t.getCause())
      if (t == original) return;
    fail("the original exception is not among the causes of " + thrown, thrown);
  }

  @Test
  void aHookThatThrowsDuringBackwardLeavesTheModelAndOptimizerConsistent() {
    long live = Kindling.liveTensors();
    List<float[]> expected = twoUndisturbedSteps();
    try (Run run = new Run()) {
      run.step();
      List<float[]> before = params(run.model);
      String stateBefore = state(run.optimizer);
      Path ckpt = save(run, dir.resolve("before.ckpt"));

      RuntimeException boom = new RuntimeException("the hook failed on purpose");
      Tensor firstWeight = run.model.parameters().get(0);
      RemovableHandle h = firstWeight.registerHook(g -> {
        throw boom;
      });
      RuntimeException thrown = assertThrows(RuntimeException.class, () -> run.step());
      assertCausedBy(thrown, boom);
      assertTrue(thrown.getMessage().contains("hook"), thrown.getMessage());

      assertSameParams(before, run.model, "after the failed backward");
      assertEquals(stateBefore, state(run.optimizer), "optimizer state after the failed backward");
      assertCheckpointHolds(ckpt, before, stateBefore);

      // Training goes on and lands exactly where the undisturbed run did.
      h.remove();
      run.step();
      assertSameParams(expected, run.model, "the step after the failure");
    }
    LeakCheck.assertNotAbove(live, "a throwing hook");
  }

  /** A dataset that fails once, on one index, when armed. */
  static final class Flaky implements Dataset<TensorDataset.Row> {
    final TensorDataset inner;
    final int failAt;
    final RuntimeException error = new IllegalStateException("sample could not be read (on purpose)");
    volatile boolean armed;

    Flaky(TensorDataset inner, int failAt) {
      this.inner = inner;
      this.failAt = failAt;
    }

    @Override
    public int size() {
      return inner.size();
    }

    @Override
    public TensorDataset.Row get(int index) {
      if (armed && index == failAt) {
        armed = false;
        throw error;
      }
      return inner.get(index);
    }
  }

  /** Trains on every batch of one epoch, or on the first {@code limit}. */
  static void epoch(Run run, DataLoader<TensorDataset.Row> loader, int limit) {
    try (BatchIterator it = loader.iterator()) {
      for (int b = 0; b < limit && it.hasNext(); b++) {
        try (Batch batch = it.next()) {
          run.step(batch.inputs(), batch.targets());
        }
      }
    }
  }

  @Test
  void aDatasetThatThrowsOnThePrefetchThreadMidEpochLeavesTrainingConsistent() {
    long live = Kindling.liveTensors();
    List<float[]> expected;
    Kindling.manualSeed(11);
    TensorDataset data = new TensorDataset(Scope.escape(Tensor.randn(40, 4)), Scope.escape(Tensor.randint(0, 3, new long[] {40})));
    try {
      // Undisturbed: the first 2 batches of an epoch (what the failing epoch gets through), then a full epoch.
      try (Run ref = new Run();
          DataLoader<TensorDataset.Row> loader = DataLoader.builder((Dataset<TensorDataset.Row>) data, TensorDataset::collate).batchSize(8).prefetch(2).build()) {
        epoch(ref, loader, 2);
        epoch(ref, loader, Integer.MAX_VALUE);
        expected = params(ref.model);
      }
      // Index 20 is in the third batch of 8.
      Flaky flaky = new Flaky(data, 20);
      try (Run run = new Run();
          DataLoader<TensorDataset.Row> loader = DataLoader.builder((Dataset<TensorDataset.Row>) flaky, TensorDataset::collate).batchSize(8).prefetch(2).build()) {
        List<float[]> atStart = params(run.model);
        String stateAtStart = state(run.optimizer);
        Path ckpt = save(run, dir.resolve("start.ckpt"));
        List<float[]> lastGood = new ArrayList<>();
        String[] lastGoodState = {null};
        flaky.armed = true;
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> {
          try (BatchIterator it = loader.iterator()) {
            while (it.hasNext()) {
              try (Batch batch = it.next()) {
                run.step(batch.inputs(), batch.targets());
                lastGood.clear();
                lastGood.addAll(params(run.model));
                lastGoodState[0] = state(run.optimizer);
              }
            }
          }
        });
        assertCausedBy(thrown, flaky.error);
        assertFalse(flaky.armed, "the dataset was never asked for the failing index");
        assertSameParams(lastGood, run.model, "after the failed batch");
        assertEquals(lastGoodState[0], state(run.optimizer), "optimizer state after the failed batch");
        assertCheckpointHolds(ckpt, atStart, stateAtStart);

        epoch(run, loader, Integer.MAX_VALUE);
        assertSameParams(expected, run.model, "a full epoch after the failed one");
      }
    } finally {
      data.inputs().close();
      data.targets().close();
    }
    LeakCheck.assertNotAbove(live, "a throwing dataset");
  }

  @Test
  void aLossThatThrowsLeavesTheModelAndOptimizerConsistent() {
    long live = Kindling.liveTensors();
    List<float[]> expected = twoUndisturbedSteps();
    try (Run run = new Run()) {
      run.step();
      List<float[]> before = params(run.model);
      String stateBefore = state(run.optimizer);
      Path ckpt = save(run, dir.resolve("before.ckpt"));

      // A custom loss that computes part of its graph and then fails (say, on a label it cannot handle).
      ArithmeticException bad = new ArithmeticException("the loss failed on purpose");
      BiFunction<Tensor, Tensor, Tensor> loss = (out, target) -> {
        Tensor partial = out.logSoftmax(1).mean();
        if (partial.requiresGrad()) throw bad;
        return partial;
      };
      // The closure form of step: zero, forward, loss, backward — the update must not happen.
      ArithmeticException thrown = assertThrows(ArithmeticException.class, () -> {
        try (Scope s = Kindling.scope()) {
          run.optimizer.step(() -> {
            run.optimizer.zeroGrad();
            Tensor l = loss.apply(run.model.call(run.x), run.y);
            l.backward();
            return l;
          });
        }
      });
      assertCausedBy(thrown, bad);
      assertSameParams(before, run.model, "after the failed loss");
      assertEquals(stateBefore, state(run.optimizer), "optimizer state after the failed loss");
      assertCheckpointHolds(ckpt, before, stateBefore);

      // A failure after backward but before step leaves accumulated grads that the next zeroGrad clears.
      assertThrows(ArithmeticException.class, () -> {
        try (Scope s = Kindling.scope()) {
          new CrossEntropyLoss().call(run.model.call(run.x), run.y).mul(100.0).backward();
          throw bad;
        }
      });
      assertSameParams(before, run.model, "after a failure between backward and step");
      assertEquals(stateBefore, state(run.optimizer));

      run.step();
      assertSameParams(expected, run.model, "the step after the failures");
    }
    LeakCheck.assertNotAbove(live, "a throwing loss");
  }

  @Test
  void aCheckpointFileIsUntouchedByASaveThatFailsHalfway() throws IOException {
    long live = Kindling.liveTensors();
    try (Run run = new Run()) {
      run.step();
      List<float[]> before = params(run.model);
      String stateBefore = state(run.optimizer);
      Path ckpt = save(run, dir.resolve("model.ckpt"));
      byte[] bytes = Files.readAllBytes(ckpt);
      // A save that fails while it is building its entries (an unsupported value after the tensors).
      assertThrows(IllegalArgumentException.class, () -> {
        try (Scope s = Kindling.scope()) {
          Checkpoint.save(ckpt, Checkpoint.entries().with("model", run.model.stateDict()).with("bad", new Object()));
        }
      });
      assertArrayEquals(bytes, Files.readAllBytes(ckpt));
      assertCheckpointHolds(ckpt, before, stateBefore);
    }
    LeakCheck.assertNotAbove(live, "a failed save");
  }
}
