package dev.kindling.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.io.Checkpoint;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dcgan on the tiny fixture: a few iterations give sample grids, loss curves and a checkpoint. */
class DcganTest {
  @TempDir Path tmp;

  @Test
  void trainsAFewIterationsAndDrawsSamplesAndLosses() {
    Path data = ExampleRun.fixture(tmp.resolve("data")), out = tmp.resolve("out");
    ExampleRun run = ExampleRun.run("dcgan", "--data", data.toString(), "--out", out.toString(), "--epochs", "2", "--batch-size", "16",
        "--limit-batches", "2", "--nz", "16", "--ngf", "8", "--ndf", "8", "--no-progress").assertOk();
    assertTrue(run.out().contains("DcganGenerator(") && run.out().contains("ConvTranspose2d("), "prints the networks");
    assertTrue(run.out().contains("[2/2] 2 iterations"), run.out());
    // 64 samples in an 8 x 8 grid of 28-pixel images with 2-pixel borders, drawn 3x: 3 * (8 * 30 + 2) = 726
    BufferedImage grid = ExampleRun.assertPicture(out.resolve("fake_samples_epoch_002.png"), 726, 726);
    assertEquals(726, grid.getWidth());
    ExampleRun.assertPicture(out.resolve("fake_samples_epoch_001.png"), 726, 726);
    ExampleRun.assertPicture(out.resolve("fake_samples.png"), 726, 726);
    ExampleRun.assertPicture(out.resolve("real_samples.png"), 100, 100);
    ExampleRun.assertPicture(out.resolve("losses.png"), 600, 400);
    Path csv = out.resolve("metrics.csv");
    List<double[]> rows = ExampleRun.readCsv(csv);
    assertEquals(4, rows.size(), "2 epochs x 2 iterations");
    int dx = ExampleRun.column(csv, "D_x"), lossD = ExampleRun.column(csv, "Loss_D");
    for (double[] r : rows) {
      assertTrue(r[dx] > 0 && r[dx] < 1, "D(x) is a probability");
      assertTrue(r[lossD] > 0, "BCE losses are positive");
    }
    try (Checkpoint c = Checkpoint.load(out.resolve("checkpoint.safetensors"))) {
      assertEquals(2, c.getInt("epoch"));
      assertTrue(c.stateDict("netG").containsKey("main.0.weight"));
      assertTrue(c.stateDict("netD").containsKey("main.3.running_var"));
    }
  }
}
