package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.DType;
import dev.kindling.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code p.data = x} and {@code module.double()/float()/to(dtype)}: conversion in place. */
class ModuleDtypeTest {
  @Test
  void setDataKeepsTheObjectAndItsAutogradStateButTakesNewDataShapeAndDtype() {
    try (Tensor p = Tensor.zeros(2, 3).requiresGrad_(); Tensor src = Tensor.of(1.0, 2.0, 3.0, 4.0)) {
      p.sum().backward();
      assertNotNull(p.grad());
      p.setData(src);
      assertSame(DType.FLOAT64, p.dtype());
      assertArrayEquals(new long[] {4}, p.shape());
      assertArrayEquals(new double[] {1, 2, 3, 4}, p.toDoubleArray());
      assertTrue(p.requiresGrad());
      assertTrue(p.isLeaf());
      assertNull(p.grad(), "a grad of the old dtype/shape is cleared");
      // shares storage with src
      try (Tensor d = src.data()) {
        d.fill_(7.0);
      }
      assertEquals(7.0, p.toDoubleArray()[0]);
      p.mul(2.0).sum().backward();
      assertArrayEquals(new double[] {2, 2, 2, 2}, p.grad().toDoubleArray());
    }
  }

  @Test
  void toDoubleConvertsFloatParametersAndBuffersInPlaceAndLeavesIntBuffers() {
    try (Sequential net = new Sequential(new Linear(3, 2), new BatchNorm1d(2))) {
      List<Tensor> before = net.parameters();
      List<Tensor> buffersBefore = net.buffers();
      float[] w = before.get(0).toFloatArray();
      assertSame(net, net.toDouble());
      List<Tensor> after = net.parameters();
      for (int i = 0; i < before.size(); i++) {
        assertSame(before.get(i), after.get(i));
        assertSame(DType.FLOAT64, after.get(i).dtype());
        assertTrue(after.get(i).requiresGrad());
      }
      double[] wd = after.get(0).toDoubleArray();
      for (int i = 0; i < w.length; i++) assertEquals(w[i], wd[i], 0.0);
      for (Tensor b : net.buffers()) {
        if (b == net.namedBuffers().get("1.num_batches_tracked")) assertSame(DType.INT64, b.dtype());
        else assertSame(DType.FLOAT64, b.dtype());
      }
      assertSame(buffersBefore.get(0), net.buffers().get(0));
      try (Tensor x = Tensor.randn(new long[] {4, 3}, DType.FLOAT64); Tensor y = net.call(x)) {
        assertSame(DType.FLOAT64, y.dtype());
        y.sum().backward();
        assertSame(DType.FLOAT64, before.get(0).grad().dtype());
      }
      net.toFloat();
      for (Tensor p : net.parameters()) assertSame(DType.FLOAT32, p.dtype());
      assertNull(before.get(0).grad(), "float64 grad no longer matches and is cleared");
      assertThrows(IllegalArgumentException.class, () -> net.to(DType.INT64));
    }
  }
}
