package dev.kindling.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kindling.Device;
import dev.kindling.Tensor;

/**
 * Shared by the CUDA-tagged tests: skip (never fail) where no GPU can be used, and compare a
 * CUDA result with the CPU one element by element.
 */
final class CudaAssume {
  static final Device GPU = Device.cuda(0);

  private CudaAssume() {}

  /** Skips the calling test (from a @BeforeEach: each test is reported skipped) unless a CUDA device can be used. */
  static void cudaOrSkip() {
    assumeTrue(Device.cudaAvailable(), () -> "no CUDA device: " + Device.cudaUnavailableReason());
  }

  /** gpu (on CUDA) equals cpu (on the CPU) within atol + rtol * |cpu| everywhere, same shape. */
  static void assertClose(Tensor cpu, Tensor gpu, double rtol, double atol, String what) {
    assertTrue(gpu.isCuda(), what + ": expected a CUDA result, got " + gpu.device());
    assertEquals(Device.CPU, cpu.device(), what);
    assertArrayEquals(cpu.shape(), gpu.shape(), what + ": shape");
    assertEquals(cpu.dtype(), gpu.dtype(), what + ": dtype");
    double[] c = cpu.toDoubleArray();
    double[] g;
    try (Tensor back = gpu.cpu()) {
      g = back.toDoubleArray();
    }
    for (int i = 0; i < c.length; i++) {
      boolean ok = Double.compare(c[i], g[i]) == 0 || Math.abs(c[i] - g[i]) <= atol + rtol * Math.abs(c[i]);
      if (!ok) throw new AssertionError(what + ": element " + i + " is " + g[i] + " on cuda, " + c[i] + " on cpu");
    }
  }

  /** float32 tolerance for results that add many terms (matmul, convolution, reductions). */
  static void assertClose(Tensor cpu, Tensor gpu, String what) {
    assertClose(cpu, gpu, 1e-4, 1e-5, what);
  }
}
