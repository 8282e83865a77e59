package dev.kindling.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.Tensor;
import dev.kindling.io.Checkpoint;
import dev.kindling.optim.OptimizerStateDict;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fashion-classifier on the tiny fixture: it trains, tests, plots and checkpoints each epoch, and
 * a run interrupted after epoch 1 and resumed ends with exactly the parameters, buffers, optimizer
 * state and learning rate of an uninterrupted run (the same shuffles, flips and dropout masks).
 */
class FashionClassifierTest {
  @TempDir static Path tmp;
  static Path data;

  @BeforeAll
  static void fixture() {
    data = ExampleRun.fixture(tmp.resolve("data"));
  }

  static String[] args(Path out, int epochs, String... more) {
    List<String> a = new java.util.ArrayList<>(List.of("fashion-classifier", "--data", data.toString(), "--out", out.toString(),
        "--epochs", String.valueOf(epochs), "--batch-size", "16", "--test-batch-size", "16", "--seed", "7", "--no-progress"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void trainsTestsPlotsAndCheckpointsEachEpoch() {
    Path out = tmp.resolve("plain");
    ExampleRun run = ExampleRun.run(args(out, 2)).assertOk();
    assertTrue(run.out().contains("epoch  1/2") && run.out().contains("epoch  2/2"), run.out());
    assertTrue(run.out().contains("FashionNet("), "prints the model");
    ExampleRun.assertPicture(out.resolve("fashion-classifier.png"), 600, 400);
    Path csv = out.resolve("metrics.csv");
    List<double[]> rows = ExampleRun.readCsv(csv);
    assertEquals(2, rows.size());
    int acc = ExampleRun.column(csv, "test_accuracy"), loss = ExampleRun.column(csv, "train_loss");
    for (double[] r : rows) {
      assertTrue(r[acc] >= 0 && r[acc] <= 1, "accuracy in [0, 1]");
      assertTrue(r[loss] > 0 && r[loss] < 10, "a sane cross-entropy: " + r[loss]);
    }
    try (Checkpoint c = Checkpoint.load(out.resolve("checkpoint.safetensors"))) {
      assertEquals(2, c.getInt("epoch"));
      assertTrue(c.stateDict("state_dict").containsKey("conv1.1.running_mean"));
      assertEquals(2, c.tensor("history").size(0));
    }
  }

  @Test
  void resumingAfterOneEpochEndsExactlyWhereAnUninterruptedRunEnds() {
    Path straight = tmp.resolve("straight"), resumed = tmp.resolve("resumed");
    // --augment makes the flip generator's state part of what must come back
    ExampleRun.run(args(straight, 2, "--augment", "--limit-batches", "3")).assertOk();
    ExampleRun first = ExampleRun.run(args(resumed, 2, "--augment", "--limit-batches", "3", "--stop-after", "1")).assertOk();
    assertTrue(!first.out().contains("epoch  2/2"), "stopped after epoch 1");
    ExampleRun second = ExampleRun.run(args(resumed, 2, "--augment", "--limit-batches", "3", "--resume")).assertOk();
    assertTrue(second.out().contains("=> loaded checkpoint"), second.out());
    assertTrue(!second.out().contains("epoch  1/2"), "epoch 1 is not trained again");

    try (Checkpoint a = Checkpoint.load(straight.resolve("checkpoint.safetensors"));
        Checkpoint b = Checkpoint.load(resumed.resolve("checkpoint.safetensors"))) {
      Map<String, Tensor> sa = a.stateDict("state_dict"), sb = b.stateDict("state_dict");
      assertEquals(sa.keySet(), sb.keySet());
      for (String k : sa.keySet()) assertArrayEquals(sa.get(k).toDoubleArray(), sb.get(k).toDoubleArray(), 0.0, k);
      OptimizerStateDict oa = a.optimizerState("optimizer"), ob = b.optimizerState("optimizer");
      assertEquals(oa.state().keySet(), ob.state().keySet());
      for (Integer i : oa.state().keySet()) {
        for (Map.Entry<String, Object> e : oa.state().get(i).entrySet()) {
          Object va = e.getValue(), vb = ob.state().get(i).get(e.getKey());
          if (va instanceof Tensor ta) assertArrayEquals(ta.toDoubleArray(), ((Tensor) vb).toDoubleArray(), 0.0, i + "." + e.getKey());
          else assertEquals(va, vb, i + "." + e.getKey());
        }
      }
      assertEquals(oa.paramGroups().get(0).get("lr"), ob.paramGroups().get(0).get("lr"), "the cosine schedule's lr");
      assertEquals(a.getMap("lr_scheduler"), b.getMap("lr_scheduler"));
      assertEquals(2L, b.getMap("lr_scheduler").get("last_epoch"));
      assertArrayEquals(a.bytes("shuffle_rng_state"), b.bytes("shuffle_rng_state"));
      assertArrayEquals(a.bytes("flip_rng_state"), b.bytes("flip_rng_state"));
      assertArrayEquals(a.rngState(), b.rngState());
      assertArrayEquals(a.tensor("history").select(1, 1).toDoubleArray(), b.tensor("history").select(1, 1).toDoubleArray(), 0.0,
          "the same training losses epoch by epoch");
    }
  }

  @Test
  void resumeWithoutACheckpointSaysSo() {
    ExampleRun run = ExampleRun.run(args(tmp.resolve("nothing"), 1, "--resume"));
    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("--resume: no checkpoint at"), run.err());
  }
}
