package dev.kindling.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.Tensor;
import dev.kindling.io.Checkpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * wgan on the tiny fixture: weight clipping keeps the critic's weights near [-c, c] (each critic
 * step starts from clipped weights), and --gp trains with a finite, positive gradient penalty.
 */
class WganTest {
  @TempDir Path tmp;

  private ExampleRun run(Path out, String... more) {
    Path data = ExampleRun.fixture(tmp.resolve("data"));
    List<String> a = new java.util.ArrayList<>(List.of("wgan", "--data", data.toString(), "--out", out.toString(), "--epochs", "1",
        "--batch-size", "16", "--limit-batches", "4", "--n-critic", "2", "--nz", "16", "--ngf", "8", "--ndf", "8", "--no-progress"));
    a.addAll(List.of(more));
    return ExampleRun.run(a.toArray(String[]::new)).assertOk();
  }

  @Test
  void weightClippingLoop() {
    Path out = tmp.resolve("clip");
    ExampleRun r = run(out);
    assertTrue(r.out().contains("RMSprop(lr 5.0E-5)") && r.out().contains("weights clipped to ±0.01"), r.out());
    assertTrue(r.out().contains("generator iterations 2"), "4 batches, 2 critic iterations each: 2 generator iterations\n" + r.out());
    ExampleRun.assertPicture(out.resolve("fake_samples.png"), 726, 726);
    ExampleRun.assertPicture(out.resolve("losses.png"), 600, 400);
    assertEquals(2, ExampleRun.readCsv(out.resolve("metrics.csv")).size());
    try (Checkpoint c = Checkpoint.load(out.resolve("checkpoint.safetensors"))) {
      Map<String, Tensor> netD = c.stateDict("netD");
      assertTrue(netD.containsKey("main.3.weight"), "the clipping critic has BatchNorm");
      // one RMSprop step of lr 5e-5 moves a weight by at most about 10 * lr from its clipped value
      for (String k : List.of("main.0.weight", "main.2.weight", "main.3.weight", "main.3.bias", "main.5.weight"))
        for (double v : netD.get(k).toDoubleArray()) assertTrue(Math.abs(v) <= 0.01 + 1e-3, k + " = " + v);
    }
  }

  @Test
  void gradientPenaltyLoop() {
    Path out = tmp.resolve("gp");
    ExampleRun r = run(out, "--gp");
    assertTrue(r.out().contains("Adam(lr 1.0E-4)") && r.out().contains("gradient penalty λ = 10.0"), r.out());
    Path csv = out.resolve("metrics.csv");
    List<double[]> rows = ExampleRun.readCsv(csv);
    assertEquals(2, rows.size());
    int penalty = ExampleRun.column(csv, "penalty");
    for (double[] row : rows) assertTrue(row[penalty] > 0, "a positive gradient penalty: " + row[penalty]);
    try (Checkpoint c = Checkpoint.load(out.resolve("checkpoint.safetensors"))) {
      assertTrue(c.getBoolean("gp"));
      assertTrue(c.stateDict("netD").keySet().stream().noneMatch(k -> k.contains("running")), "no BatchNorm in the GP critic");
    }
    ExampleRun.assertPicture(out.resolve("fake_samples.png"), 726, 726);
  }
}
