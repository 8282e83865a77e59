package dev.kindling.io;

import static dev.kindling.io.IoFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.Sequential;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Files written by PyTorch's torch.save (gen_io.py): a state dict loads into the matching Java
 * model with PyTorch's values; views keep sharing storage; every storage type loads or converts;
 * containers come back as Java values; anything beyond tensors and plain containers — os.system,
 * builtins.eval, INST, BUILD on a list, torch.device, the legacy format, compressed entries — is
 * refused without running it, naming what was refused, and the model stays untouched.
 */
class TorchFilesTest {
  @Test
  void stateDictLoadsIntoTheMatchingModel() {
    JsonObject g = json().getAsJsonObject("small_state");
    try (Scope s = Kindling.scope(); Sequential m = small()) {
      Map<String, Tensor> sd = TorchFiles.loadStateDict(golden("small_state.pt"));
      assertEquals(List.copyOf(g.keySet()), List.copyOf(sd.keySet()));
      assertEquals(DType.INT64, sd.get("1.num_batches_tracked").dtype());
      m.loadStateDict(sd);
      for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) assertTensor(g.getAsJsonObject(e.getKey()), e.getValue(), e.getKey());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void viewsDtypesAndContainersLikeTorchLoad() {
    JsonObject g = json().getAsJsonObject("views");
    for (String file : List.of("views.pt", "views_p4.pt")) {
      try (Scope s = Kindling.scope()) {
        Map<Object, Object> root = (Map<Object, Object>) TorchFiles.load(golden(file));
        Map<Object, Object> ts = (Map<Object, Object>) root.get("tensors");
        for (String k : g.keySet()) assertTensor(g.getAsJsonObject(k), (Tensor) ts.get(k), file + " " + k);
        Tensor base = (Tensor) ts.get("base"), col = (Tensor) ts.get("col"), t = (Tensor) ts.get("t");
        assertTrue(base.sharesStorageWith(col) && base.sharesStorageWith(t), "views share storage as in torch");
        assertEquals(1, col.storageOffset());
        assertArrayEquals(new long[] {4}, col.stride());
        assertFalse(t.isContiguous());
        base.add_(100.0);  // one storage: the views see it
        assertArrayEquals(new double[] {101, 105, 109}, col.toDoubleArray());

        List<Object> list = (List<Object>) root.get("list");
        assertEquals(1L, list.get(0));
        assertEquals(-2L, list.get(1));
        assertEquals(1L << 40, list.get(2));
        assertEquals(1.25, list.get(3));
        assertTrue(Double.isNaN((Double) list.get(4)));
        assertEquals(Double.NEGATIVE_INFINITY, list.get(5));
        assertNull(list.get(6));
        assertEquals(List.of(true, false, "héllo ✓"), list.subList(7, 10));
        assertEquals(List.of(3L, "x"), root.get("tuple"));
        Map<Object, Object> intKeys = (Map<Object, Object>) root.get("int_keys");
        assertEquals("a", intKeys.get(1L));
        assertArrayEquals(new float[] {9f}, ((Tensor) ((List<Object>) intKeys.get(2L)).get(0)).toFloatArray());
        assertEquals(Map.of("b", Map.of("c", 1L)), ((Map<Object, Object>) root.get("nested")).get("a"));
      }
    }
  }

  @Test
  void aSavedParameterLoadsAsItsData() {
    try (Scope s = Kindling.scope()) {
      assertArrayEquals(new float[] {1f, 2f}, TorchFiles.loadStateDict(golden("param.pt")).get("w").toFloatArray());
    }
  }

  @Test
  void checkpointDictIsNotAPlainStateDict() {
    var e = assertThrows(IllegalArgumentException.class, () -> TorchFiles.loadStateDict(golden("checkpoint.pth.tar")));
    assertTrue(e.getMessage().contains("'epoch' holds a int, not a tensor") && e.getMessage().contains("Checkpoint.load"), e.getMessage());
  }

  @Test
  void forbiddenContentIsRefusedAndTheModelStaysUntouched() {
    Map<String, String> cases = Map.of(
        "evil_global.pt", "refusing to load global 'os.system'",
        "evil_stack_global.pt", "refusing to load global 'builtins.eval'",
        "evil_inst.pt", "pickle opcode INST (builds an arbitrary object) is not allowed",
        "evil_build.pt", "BUILD on a list is not allowed",
        "device.pt", "refusing to load global 'torch.device'");
    try (Scope s = Kindling.scope(); Sequential m = small()) {
      m.loadStateDict(TorchFiles.loadStateDict(golden("small_state.pt")));
      var before = snapshot(m);
      for (Map.Entry<String, String> c : cases.entrySet()) {
        var e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(TorchFiles.loadStateDict(golden(c.getKey()))));
        assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + ": " + e.getMessage());
      }
      var legacy = assertThrows(UnsupportedOperationException.class, () -> TorchFiles.load(golden("legacy.pt")));
      assertTrue(legacy.getMessage().contains("legacy torch.save format"), legacy.getMessage());
      var zipped = assertThrows(UnsupportedOperationException.class, () -> TorchFiles.load(golden("compressed.pt")));
      assertTrue(zipped.getMessage().contains("compressed (method 8)"), zipped.getMessage());
      var notTorch = assertThrows(IllegalArgumentException.class, () -> TorchFiles.load(golden("dtypes.safetensors")));
      assertTrue(notTorch.getMessage().contains("not a torch.save file"), notTorch.getMessage());
      assertSameSnapshot(before, snapshot(m));
    }
  }

  @Test
  void aModelOfOtherShapesOrDtypeRefusesTheFileAndStaysUntouched() {
    try (Scope s = Kindling.scope();
        Sequential wider = new Sequential(new dev.kindling.nn.Conv2d(1, 2, 3), new dev.kindling.nn.BatchNorm2d(2),
            new dev.kindling.nn.ReLU(), new dev.kindling.nn.Flatten(), new dev.kindling.nn.Linear(8, 4));
        Sequential dbl = small()) {
      var before = snapshot(wider);
      var e = assertThrows(IllegalArgumentException.class, () -> wider.loadStateDict(TorchFiles.loadStateDict(golden("small_state.pt"))));
      assertEquals("Error(s) in loading state_dict for Sequential:\n"
          + "\tsize mismatch for 4.weight: copying a param with shape [3, 8] from checkpoint, the shape in current model is [4, 8].\n"
          + "\tsize mismatch for 4.bias: copying a param with shape [3] from checkpoint, the shape in current model is [4].", e.getMessage());
      assertSameSnapshot(before, snapshot(wider));
      dbl.toDouble();
      var beforeD = snapshot(dbl);
      var d = assertThrows(IllegalArgumentException.class, () -> dbl.loadStateDict(TorchFiles.loadStateDict(golden("small_state.pt"))));
      assertTrue(d.getMessage().contains("dtype mismatch for 0.weight: copying a param with dtype torch.float32 from checkpoint, "
          + "the dtype in current model is torch.float64."), d.getMessage());
      assertSameSnapshot(beforeD, snapshot(dbl));
    }
  }

  @Test
  void truncatedTorchFilesAreRefused() throws Exception {
    byte[] good = bytes("small_state.pt");
    java.nio.file.Path tmp = java.nio.file.Files.createTempFile("kd-trunc", ".pt");
    try (Scope s = Kindling.scope(); Sequential m = small()) {
      var before = snapshot(m);
      for (int n = 0; n < good.length; n += 13) {
        java.nio.file.Files.write(tmp, Arrays.copyOf(good, n));
        assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(TorchFiles.loadStateDict(tmp)), "cut at " + n);
      }
      assertSameSnapshot(before, snapshot(m));
    } finally {
      java.nio.file.Files.deleteIfExists(tmp);
    }
  }

  @Test
  void nothingLeaks() {
    long before = Kindling.liveTensors();
    for (int i = 0; i < 10; i++) {
      try (Scope s = Kindling.scope()) {
        TorchFiles.load(golden("views.pt"));
        assertThrows(IllegalArgumentException.class, () -> TorchFiles.loadStateDict(golden("checkpoint.pth.tar")));
      }
    }
    LeakCheck.assertNotAbove(before, "torch file reads");
  }
}
