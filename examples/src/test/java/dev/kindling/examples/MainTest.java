package dev.kindling.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher: every example by name, help, and clear messages for bad usage or missing data. */
class MainTest {
  @Test
  void helpListsEveryExample() {
    ExampleRun r = ExampleRun.run("--help").assertOk();
    for (String name : new String[] {"fashion-classifier", "dcgan", "wgan", "finetune", "autograd-tour", "linear-regression"})
      assertTrue(r.out().contains(name), name + " in\n" + r.out());
  }

  @Test
  void anExampleListsItsOptions() {
    ExampleRun r = ExampleRun.run("fashion-classifier", "--help").assertOk();
    for (String opt : new String[] {"--epochs", "--batch-size", "--lr", "--data", "--out", "--resume", "--limit-batches", "--seed"})
      assertTrue(r.out().contains(opt), opt + " in\n" + r.out());
  }

  @Test
  void unknownExampleIsAUsageError() {
    ExampleRun r = ExampleRun.run("no-such-example");
    assertNotEquals(0, r.exitCode());
    assertTrue(r.err().contains("no-such-example"), r.err());
  }

  @Test
  void missingDataSaysHowToGetIt(@TempDir Path empty) {
    ExampleRun r = ExampleRun.run("fashion-classifier", "--data", empty.toString(), "--out", empty.resolve("out").toString(), "--epochs", "1");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("Fashion-MNIST not found") && r.err().contains("--data DIR"), r.err());
  }

  @Test
  void noNameRunsTheQuickstartAndListsTheExamples() {
    ExampleRun r = ExampleRun.run().assertOk();
    assertTrue(r.out().contains("learned w = "), r.out());
    assertTrue(r.out().contains("More examples") && r.out().contains("dcgan"), r.out());
  }
}
