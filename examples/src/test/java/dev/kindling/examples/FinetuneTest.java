package dev.kindling.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * finetune on the tiny fixture: without a pretrained checkpoint it pretrains briefly, puts a new
 * 4-class head on, freezes the first k children, prints which parameters train and which are
 * frozen, and trains with one param group per trainable child (the head at 10x).
 */
class FinetuneTest {
  @TempDir Path tmp;

  @Test
  void freezesTheFirstChildrenAndTrainsTheRestWithPerLayerLearningRates() {
    Path data = ExampleRun.fixture(tmp.resolve("data")), out = tmp.resolve("out");
    ExampleRun r = ExampleRun.run("finetune", "--data", data.toString(), "--out", out.toString(), "--pretrained",
        tmp.resolve("none.safetensors").toString(), "--pretrain-batches", "2", "--batch-size", "16", "--limit-batches", "2",
        "--freeze", "2", "--lr", "0.01", "--no-progress").assertOk();
    String o = r.out();
    assertTrue(o.contains("pretraining for 2 batches"), o);
    String trains = o.substring(o.indexOf("parameters that train"), o.indexOf("frozen parameters"));
    String frozen = o.substring(o.indexOf("frozen parameters"), o.indexOf("param group 0"));
    assertTrue(trains.startsWith("parameters that train (4 tensors, " + (3136 * 128 + 128 + 128 * 4 + 4) + " values)"), trains);
    assertTrue(trains.matches("(?s).*classifier\\.2\\.weight +\\[128, 3136\\].*") && trains.matches("(?s).*fc\\.weight +\\[4, 128\\].*"), trains);
    assertTrue(frozen.startsWith("frozen parameters (8 tensors,"), frozen);
    for (String p : new String[] {"conv1.0.weight", "conv1.1.bias", "conv2.0.weight", "conv2.1.weight"})
      assertTrue(frozen.contains(p), p + " is frozen:\n" + frozen);
    assertTrue(o.matches("(?s).*param group 0: classifier +2 tensors, lr 0\\.01\n.*"), o);
    assertTrue(o.matches("(?s).*param group 1: fc +2 tensors, lr 0\\.1\n.*"), o);
    ExampleRun.assertPicture(out.resolve("finetune.png"), 600, 400);
    assertEquals(2, ExampleRun.readCsv(out.resolve("metrics.csv")).size());
  }
}
