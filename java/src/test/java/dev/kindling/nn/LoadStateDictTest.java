package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code load_state_dict} is all or nothing: every key, shape and dtype is checked before the
 * first value is copied, so a state dict with one bad entry leaves the whole model as it was. A
 * dtype that differs from the model's is refused (PyTorch converts silently; a checkpoint in the
 * wrong precision is more often a mistake than an intent).
 */
class LoadStateDictTest {
  private static Map<String, double[]> values(Module m) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) out.put(e.getKey(), e.getValue().toDoubleArray());
    return out;
  }

  @Test
  void oneBadEntryLeavesEveryParameterUntouched() {
    try (Scope s = Kindling.scope(); Sequential m = new Sequential(new Linear(2, 3), new BatchNorm1d(3), new Linear(3, 1))) {
      Map<String, double[]> before = values(m);
      Map<String, Tensor> sd = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) sd.put(e.getKey(), e.getValue().clone().fill_(7.0));
      sd.put("2.bias", Tensor.zeros(2));  // the last entry has the wrong shape
      var e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(sd));
      assertEquals("Error(s) in loading state_dict for Sequential:\n\tsize mismatch for 2.bias: copying a param with shape [2] "
          + "from checkpoint, the shape in current model is [1].", e.getMessage());
      Map<String, double[]> after = values(m);
      for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), k);
    }
  }

  @Test
  void aDifferentDtypeIsAClearErrorAndChangesNothing() {
    try (Scope s = Kindling.scope(); Linear lin = new Linear(2, 2)) {
      Map<String, double[]> before = values(lin);
      Map<String, Tensor> sd = new LinkedHashMap<>();
      sd.put("weight", Tensor.zeros(new long[] {2, 2}, DType.FLOAT32));
      sd.put("bias", Tensor.zeros(new long[] {2}, DType.FLOAT64));
      var e = assertThrows(IllegalArgumentException.class, () -> lin.loadStateDict(sd));
      assertEquals("Error(s) in loading state_dict for Linear:\n\tdtype mismatch for bias: copying a param with dtype "
          + "torch.float64 from checkpoint, the dtype in current model is torch.float32.", e.getMessage());
      assertArrayEquals(before.get("weight"), values(lin).get("weight"));
      lin.toDouble();
      lin.loadStateDict(Map.of("weight", Tensor.zeros(new long[] {2, 2}, DType.FLOAT64), "bias", sd.get("bias")));
      assertArrayEquals(new double[4], lin.weight().toDoubleArray());
    }
  }

  @Test
  void missingKeysAndClosedTensorsChangeNothing() {
    try (Scope s = Kindling.scope(); Linear lin = new Linear(2, 2)) {
      Map<String, double[]> before = values(lin);
      Tensor closed = Tensor.zeros(2);
      closed.close();
      var e = assertThrows(IllegalArgumentException.class, () -> lin.loadStateDict(Map.of("weight", Tensor.zeros(2, 2))));
      assertTrue(e.getMessage().contains("Missing key(s) in state_dict: \"bias\"."), e.getMessage());
      var c = assertThrows(IllegalArgumentException.class,
          () -> lin.loadStateDict(Map.of("weight", Tensor.zeros(2, 2), "bias", closed)));
      assertTrue(c.getMessage().contains("the tensor in the state_dict has been closed"), c.getMessage());
      Map<String, double[]> after = values(lin);
      for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), k);
    }
  }
}
