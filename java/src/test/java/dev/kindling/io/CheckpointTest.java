package dev.kindling.io;

import static dev.kindling.io.IoFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.OptimizerStateDict;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's checkpoint idiom:
 * <pre>
 * torch.save({'epoch': epoch + 1, 'arch': args.arch, 'state_dict': model.state_dict(),
 *             'best_prec1': best_prec1, 'optimizer': optimizer.state_dict()}, filename)
 * checkpoint = torch.load(args.resume); model.load_state_dict(checkpoint['state_dict']) …
 * </pre>
 * in one safetensors file: every entry kind round-trips with its type, the file is plain
 * safetensors with readable names and JSON metadata, resuming reproduces an uninterrupted run bit
 * for bit, torch.save checkpoints load through the same getters, and the resume helper prints the
 * seed's messages.
 */
class CheckpointTest {
  @TempDir Path dir;

  private static void train(Sequential m, TestSgd opt, int steps) {
    for (int i = 0; i < steps; i++) {
      try (Scope s = Kindling.scope()) {
        Tensor x = Tensor.randn(4, 1, 4, 4);  // drawn from Kindling's generator: resume must restore it
        Tensor loss = m.forward(x).pow(2).mean();
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
    }
  }

  private static List<float[]> params(Sequential m) {
    List<float[]> out = new ArrayList<>();
    for (Tensor p : m.parameters()) out.add(p.toFloatArray());
    return out;
  }

  @Test
  void resumingReproducesTheUninterruptedRunBitForBit() {
    Path path = dir.resolve("checkpoint.safetensors");
    List<float[]> uninterrupted;
    Kindling.manualSeed(11);
    try (Sequential m = small(); TestSgd opt = new TestSgd(m.parameters(), 0.05, 0.9)) {
      train(m, opt, 3);
      try (Scope s = Kindling.scope()) {
        Checkpoint.save(path, Checkpoint.entries().with("epoch", 3).with("arch", "small")
            .with("state_dict", m.stateDict()).with("optimizer", opt.stateDict()).withRngState());
      }
      train(m, opt, 4);
      uninterrupted = params(m);
    }
    Kindling.manualSeed(999);  // a fresh process would start elsewhere
    try (Sequential m = small(); TestSgd opt = new TestSgd(m.parameters(), 0.5, 0.1)) {
      ByteArrayOutputStream log = new ByteArrayOutputStream();
      try (Checkpoint c = Checkpoint.resume(path.toString(), m, opt, new PrintStream(log, true, StandardCharsets.UTF_8))) {
        assertEquals(3, c.getInt("epoch"));
      }
      assertEquals("=> loading checkpoint '" + path + "'\n=> loaded checkpoint '" + path + "' (epoch 3)\n",
          log.toString(StandardCharsets.UTF_8));
      assertEquals(0.05, opt.paramGroups().get(0).lr());
      train(m, opt, 4);
      List<float[]> resumed = params(m);
      for (int i = 0; i < resumed.size(); i++) assertArrayEquals(uninterrupted.get(i), resumed.get(i), "parameter " + i);
    }
  }

  @Test
  void resumeWithoutAFilePrintsTheSeedsMessage() {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    String missing = dir.resolve("none.pth").toString();
    assertNull(Checkpoint.resume(missing, null, null, new PrintStream(log, true, StandardCharsets.UTF_8)));
    assertEquals("=> no checkpoint found at '" + missing + "'\n", log.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyEntryKindRoundTripsWithItsType() {
    Path path = dir.resolve("all.safetensors");
    byte[] bytes = {0, 1, -128, 127, 42};
    try (Scope s = Kindling.scope(); Sequential m = small(); TestSgd opt = new TestSgd(m.parameters(), 0.1, 0.9)) {
      train(m, opt, 2);
      Checkpoint.save(path, Checkpoint.entries()
          .with("epoch", 12).with("step", 1L << 40).with("best_prec1", 0.625).with("loss", Double.NaN)
          .with("arch", "résnet \"18\" ✓").with("pretrained", true).with("note", null)
          .with("milestones", List.of(30, 60, List.of(1.5, "x", false)))
          .with("blob", bytes).with("noise", Tensor.of(new float[][] {{1, 2}, {3, 4}}).t())
          .with("state_dict", m.stateDict()).with("optimizer", opt.stateDict()));
      OptimizerStateDict saved = opt.stateDict();
      try (Checkpoint c = Checkpoint.load(path)) {
        assertEquals(List.of("epoch", "step", "best_prec1", "loss", "arch", "pretrained", "note", "milestones", "blob", "noise",
            "state_dict", "optimizer"), List.copyOf(c.keys()));
        assertEquals(12, c.getInt("epoch"));
        assertEquals(1L << 40, c.getLong("step"));
        assertEquals(0.625, c.getDouble("best_prec1"));
        assertEquals(12.0, c.getDouble("epoch"));
        assertTrue(Double.isNaN(c.getDouble("loss")));
        assertEquals("résnet \"18\" ✓", c.getString("arch"));
        assertTrue(c.getBoolean("pretrained"));
        assertTrue(c.has("note"));
        assertNull(c.get("note"));
        assertEquals(List.of(30L, 60L, List.of(1.5, "x", false)), c.getList("milestones"));
        assertArrayEquals(bytes, c.bytes("blob"));
        assertArrayEquals(new float[] {1, 3, 2, 4}, c.tensor("noise").toFloatArray());
        Map<String, Tensor> sd = c.stateDict("state_dict");
        assertEquals(List.copyOf(m.stateDict().keySet()), List.copyOf(sd.keySet()));
        for (Map.Entry<String, Tensor> e : m.stateDict().entrySet())
          assertArrayEquals(e.getValue().toDoubleArray(), sd.get(e.getKey()).toDoubleArray(), e.getKey());
        OptimizerStateDict o = c.optimizerState("optimizer");
        assertEquals(saved.paramGroups(), o.paramGroups());
        assertEquals(saved.state().keySet(), o.state().keySet());
        for (Integer k : saved.state().keySet()) {
          assertEquals(2L, o.state().get(k).get("step"));
          assertArrayEquals(((Tensor) saved.state().get(k).get("momentum_buffer")).toFloatArray(),
              ((Tensor) o.state().get(k).get("momentum_buffer")).toFloatArray());
        }
        // Typed getters say what is wrong.
        assertThrows(NoSuchElementException.class, () -> c.getInt("epochs"));
        var e = assertThrows(IllegalArgumentException.class, () -> c.getInt("arch"));
        assertTrue(e.getMessage().contains("'arch' is a str"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.getLong("best_prec1"));
        assertThrows(IllegalArgumentException.class, () -> c.stateDict("optimizer"));
        assertThrows(IllegalArgumentException.class, () -> c.optimizerState("state_dict"));
      }
    }
  }

  @Test
  void theFileIsPlainSafetensorsWithReadableNamesAndJsonMetadata() {
    Path path = dir.resolve("plain.safetensors");
    try (Scope s = Kindling.scope(); Sequential m = small(); TestSgd opt = new TestSgd(m.parameters(), 0.1, 0.9)) {
      train(m, opt, 1);
      Checkpoint.save(path, Checkpoint.entries().with("epoch", 12).with("arch", "small").with("best_prec1", 0.5)
          .with("state_dict", m.stateDict()).with("optimizer", opt.stateDict()));
      var c = SafeTensors.read(path);
      assertTrue(c.tensors().containsKey("state_dict.0.weight"));
      assertTrue(c.tensors().containsKey("state_dict.1.num_batches_tracked"));
      assertTrue(c.tensors().containsKey("optimizer.state.0.momentum_buffer"));
      assertEquals("12", c.metadata().get("epoch"));
      assertEquals("\"small\"", c.metadata().get("arch"));
      assertEquals("0.5", c.metadata().get("best_prec1"));
      assertEquals("{\"version\":1,\"entries\":[\"epoch\",\"arch\",\"best_prec1\",\"state_dict\",\"optimizer\"]}",
          c.metadata().get(Checkpoint.FORMAT_KEY));
      assertTrue(c.metadata().get("optimizer").startsWith(
          "{\"$optimizer\":{\"state\":{\"0\":{\"momentum_buffer\":{\"$tensor\":\"optimizer.state.0.momentum_buffer\"},\"step\":1}"),
          c.metadata().get("optimizer"));
    }
  }

  @Test
  void torchSaveCheckpointsLoadThroughTheSameGetters() {
    JsonObject g = json();
    try (Scope s = Kindling.scope(); Sequential m = small(); TestSgd opt = new TestSgd(m.parameters(), 1.0, 0.0);
        Checkpoint c = Checkpoint.load(golden("checkpoint.pth.tar"))) {
      assertEquals(7, c.getInt("epoch"));
      assertEquals("small", c.getString("arch"));
      assertEquals(0.625, c.getDouble("best_prec1"));
      m.loadStateDict(c.stateDict("state_dict"));
      JsonObject sd = g.getAsJsonObject("small_state");
      for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) assertTensor(sd.getAsJsonObject(e.getKey()), e.getValue(), e.getKey());
      OptimizerStateDict o = c.optimizerState("optimizer");
      assertEquals(0.1, o.paramGroups().get(0).get("lr"));
      assertEquals(0.9, o.paramGroups().get(0).get("momentum"));
      assertEquals(List.of(0, 1, 2, 3, 4, 5), o.paramGroups().get(0).get("params"));
      JsonObject gs = g.getAsJsonObject("checkpoint_optimizer").getAsJsonObject("state");
      for (String k : gs.keySet())
        assertTensor(gs.getAsJsonObject(k).getAsJsonObject("momentum_buffer"), (Tensor) o.state().get(Integer.parseInt(k)).get("momentum_buffer"), k);
      // PyTorch's optimizer state goes into a Java optimizer over the same parameters.
      opt.loadStateDict(o);
      assertEquals(0.9, opt.paramGroups().get(0).momentum());
      assertEquals(0.1, opt.paramGroups().get(0).lr());
      assertEquals(List.of(0, 1, 2, 3, 4, 5), opt.stateDict().paramGroups().get(0).get("params"));
    }
  }

  @Test
  void badCheckpointsAreRefusedAndNothingChanges() throws Exception {
    Path path = dir.resolve("c.safetensors");
    try (Scope s = Kindling.scope(); Sequential m = small(); TestSgd opt = new TestSgd(m.parameters(), 0.1, 0.9)) {
      train(m, opt, 1);
      Checkpoint.save(path, Checkpoint.entries().with("epoch", 1).with("state_dict", m.stateDict()).with("optimizer", opt.stateDict()));
      byte[] good = Files.readAllBytes(path);
      // Invalid entries: nothing written.
      assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(path, Checkpoint.entries().with("a.b", 1)));
      var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(path, Checkpoint.entries().with("x", new Object())));
      assertTrue(e.getMessage().contains("unsupported type java.lang.Object"), e.getMessage());
      assertArrayEquals(good, Files.readAllBytes(path));
      // A plain safetensors file is not a checkpoint.
      var plain = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(golden("dtypes.safetensors")));
      assertTrue(plain.getMessage().contains("not a Kindling checkpoint"), plain.getMessage());
      // A checkpoint of another model: refused by the model, which stays as it was.
      try (Sequential other = new Sequential(new dev.kindling.nn.Linear(3, 3))) {
        var before = snapshot(other);
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.resume(path.toString(), other, null, new PrintStream(new ByteArrayOutputStream())));
        assertSameSnapshot(before, snapshot(other));
      }
      // Truncations of a checkpoint: refused, model untouched.
      var before = snapshot(m);
      for (int n = 0; n < good.length; n += 11) {
        Files.write(path, Arrays.copyOf(good, n));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.resume(path.toString(), m, opt, new PrintStream(new ByteArrayOutputStream())));
      }
      assertSameSnapshot(before, snapshot(m));
    }
  }

  @Test
  void aResumeThatTheModelRefusesLeavesTheOptimizerAsItWas() {
    Path path = dir.resolve("r.safetensors");
    try (Scope s = Kindling.scope(); Sequential m = small(); TestSgd opt = new TestSgd(m.parameters(), 0.1, 0.9)) {
      train(m, opt, 2);
      Checkpoint.save(path, Checkpoint.entries().with("epoch", 2).with("state_dict", m.stateDict()).with("optimizer", opt.stateDict()));
    }
    // Same parameter shapes (the optimizer state fits), other key names (the model refuses).
    try (Scope s = Kindling.scope();
        Sequential other = new Sequential(new dev.kindling.nn.Conv2d(1, 2, 3), new dev.kindling.nn.BatchNorm2d(2),
            new dev.kindling.nn.Flatten(), new dev.kindling.nn.Linear(8, 3));
        TestSgd opt = new TestSgd(other.parameters(), 0.7, 0.3)) {
      train(other, opt, 1);
      var model = snapshot(other);
      OptimizerStateDict before = opt.stateDict();
      var e = assertThrows(IllegalArgumentException.class,
          () -> Checkpoint.resume(path.toString(), other, opt, new PrintStream(new ByteArrayOutputStream())));
      assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"3.weight\""), e.getMessage());
      assertSameSnapshot(model, snapshot(other));
      OptimizerStateDict after = opt.stateDict();
      assertEquals(before.paramGroups(), after.paramGroups());
      for (Integer k : before.state().keySet()) {
        assertEquals(1L, after.state().get(k).get("step"));
        assertArrayEquals(((Tensor) before.state().get(k).get("momentum_buffer")).toFloatArray(),
            ((Tensor) after.state().get(k).get("momentum_buffer")).toFloatArray());
      }
    }
  }

  @Test
  void aLoadedCheckpointOwnsItsTensorsUntilClosed() {
    Path path = dir.resolve("own.safetensors");
    long before = Kindling.liveTensors();
    try (Scope s = Kindling.scope(); Sequential m = small()) {
      Checkpoint.save(path, Checkpoint.entries().with("state_dict", m.stateDict()));
    }
    Checkpoint c;
    try (Scope s = Kindling.scope()) {
      c = Checkpoint.load(path);
    }
    assertFalse(c.stateDict("state_dict").get("0.weight").isClosed(), "a scope does not close a checkpoint's tensors");
    c.close();
    assertThrows(IllegalStateException.class, () -> c.get("state_dict"));
    try (Checkpoint t = Checkpoint.load(golden("checkpoint.pth.tar"))) {
      assertEquals(7L, t.getLong("epoch"));
    }
    LeakCheck.assertNotAbove(before, "checkpoint load/close");
  }
}
