package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kindling.Device;
import dev.kindling.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code module.to(device)} / {@code cpu()} / {@code cuda()} on every machine: in place (the same
 * Java objects), returning the module, and refusing a CUDA device that cannot be used before
 * anything moved. The moves to a GPU are in {@code dev.kindling.cuda.CudaModuleTest}.
 */
class ModuleDeviceTest {
  static Sequential net() {
    return new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU(), new Flatten(), new Linear(2 * 2 * 2, 1));
  }

  @Test
  void toCpuKeepsEveryParameterBufferAndGradient() {
    try (Sequential m = net(); Tensor x = Tensor.randn(2, 1, 4, 4)) {
      try (Tensor y = m.call(x); Tensor s = y.sum()) {
        s.backward();
      }
      List<Tensor> params = m.parameters();
      List<Tensor> buffers = m.buffers();
      Map<String, double[]> values = SeedIdiomsTest.snapshot(m);
      float[] grad0 = params.get(0).grad().toFloatArray();

      assertSame(m, m.to(Device.CPU));
      assertSame(m, m.cpu());

      List<Tensor> after = m.parameters();
      for (int i = 0; i < params.size(); i++) {
        assertSame(params.get(i), after.get(i), "the same Parameter object");
        assertEquals(Device.CPU, after.get(i).device());
        assertTrue(after.get(i).requiresGrad());
        assertNotNull(after.get(i).grad(), "gradients stay");
      }
      for (int i = 0; i < buffers.size(); i++) assertSame(buffers.get(i), m.buffers().get(i));
      assertEquals(values.keySet(), SeedIdiomsTest.snapshot(m).keySet());
      values.forEach((k, v) -> assertArrayEquals(v, SeedIdiomsTest.snapshot(m).get(k), k));
      assertArrayEquals(grad0, params.get(0).grad().toFloatArray());
    }
  }

  @Test
  void toRejectsANullDevice() {
    try (Linear l = new Linear(2, 2)) {
      assertThrows(NullPointerException.class, () -> l.to((Device) null));
    }
  }

  @Test
  void cudaWithoutAGpuThrowsAndMovesNothing() {
    assumeFalse(Device.cudaAvailable(), "this machine has a GPU");
    try (Sequential m = net()) {
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, m::cuda);
      assertTrue(e.getMessage().contains(Device.cudaUnavailableReason()), e.getMessage());
      assertTrue(e.getMessage().contains("cuda:0"), e.getMessage());
      assertThrows(UnsupportedOperationException.class, () -> m.to(Device.parse("cuda:1")));
      for (Tensor p : m.parameters()) assertEquals(Device.CPU, p.device());
      for (Tensor b : m.buffers()) assertEquals(Device.CPU, b.device());
    }
  }
}
