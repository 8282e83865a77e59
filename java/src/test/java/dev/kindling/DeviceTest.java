package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;

/**
 * The device API as it behaves on every machine: naming and parsing devices, {@code to(cpu)}
 * returning the tensor itself, creation with {@code Device.CPU}, and, where no GPU can be used,
 * a clear {@link UnsupportedOperationException} that says why. The GPU side is in
 * {@code dev.kindling.cuda} (tagged "cuda", skipped here without a GPU).
 */
class DeviceTest {
  // ---- naming devices

  @Test
  void devicesAreValuesNamedLikeTorchDevice() {
    assertEquals(Device.cuda(1), Device.cuda(1));
    assertEquals(Device.cuda(1).hashCode(), Device.cuda(1).hashCode());
    assertNotEquals(Device.cuda(0), Device.cuda(1));
    assertNotEquals(Device.CPU, Device.cuda(0));
    assertEquals(Device.cuda(0), Device.cuda());
    assertEquals("cpu", Device.CPU.toString());
    assertEquals("cuda:3", Device.cuda(3).toString());
    assertTrue(Device.CPU.isCpu());
    assertFalse(Device.CPU.isCuda());
    assertTrue(Device.cuda(2).isCuda());
    assertEquals(2, Device.cuda(2).index());
    assertEquals(-1, Device.CPU.index());
    assertSame(Device.Type.CUDA, Device.cuda(0).type());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
    assertTrue(e.getMessage().contains("must not be negative"), e.getMessage());
  }

  @Test
  void parseReadsTheStringsTorchDeviceAccepts() {
    assertSame(Device.CPU, Device.parse("cpu"));
    assertSame(Device.CPU, Device.parse("cpu:0"));
    assertEquals(Device.cuda(0), Device.parse("cuda"));
    assertEquals(Device.cuda(1), Device.parse("cuda:1"));
    assertEquals(Device.cuda(12), Device.parse("cuda:12"));
    for (Device d : new Device[] {Device.CPU, Device.cuda(0), Device.cuda(7)})
      assertEquals(d, Device.parse(d.toString()), "round trip of " + d);
  }

  @Test
  void parseRejectsWhatTorchDeviceRejects() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu")).getMessage()
        .contains("device type at start of device string: gpu"));
    assertThrows(IllegalArgumentException.class, () -> Device.parse("CUDA"));
    for (String bad : new String[] {"cuda:", "cuda:x", "cuda:-1", "cuda:1:2", "cuda:01", "cuda: 1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad), bad);
      assertTrue(e.getMessage().contains(bad), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> Device.parse("cpu:1"));
    assertThrows(NullPointerException.class, () -> Device.parse(null));
  }

  @Test
  void cudaAvailabilityComesFromTheNativeLibraryAndIsConsistent() {
    int n = Device.cudaDeviceCount();
    assertTrue(n >= 0);
    assertEquals(n > 0, Device.cudaAvailable());
    assertEquals(Device.cudaAvailable(), Cuda.isAvailable());
    assertEquals(n, Cuda.deviceCount());
    assertEquals(n > 0, Device.cudaUnavailableReason().isEmpty(), "a reason exactly when there is no device");
    if (n > 0) assertTrue(Cuda.isBuilt(), "devices are only seen by a CUDA build");
    String gemm = Cuda.gemmBackend();
    assertTrue(gemm.equals("cublas") || gemm.equals("in-house") || gemm.equals("none"), gemm);
    if (!Cuda.isBuilt()) assertEquals("none", gemm);
  }

  // ---- tensors and devices on the CPU

  @Test
  void aNewTensorLivesOnTheCpu() {
    try (Tensor t = Tensor.ones(2, 3)) {
      assertEquals(Device.CPU, t.device());
      assertTrue(t.isCpu());
      assertFalse(t.isCuda());
      assertEquals("tensor([[1., 1., 1.],\n        [1., 1., 1.]])", t.toString(), "no device suffix on the CPU");
    }
  }

  @Test
  void toTheSameDeviceIsTheSameTensorUnderANewHandle() {
    long live = Kindling.liveTensors();
    try (Tensor x = Tensor.of(1f, 2f, 3f)) {
      try (Tensor y = x.to(Device.CPU); Tensor z = x.cpu()) {
        assertNotSame(x, y, "a new Java object owning its own handle");
        assertTrue(y.sharesStorageWith(x));
        assertEquals(x.storageOffset(), y.storageOffset());
        // Same native tensor, as torch's to() returning self: autograd state is shared too.
        y.requiresGrad_(true);
        assertTrue(x.requiresGrad());
        assertTrue(z.requiresGrad());
        assertTrue(y.isLeaf());
        assertNull(y.gradFn(), "no copy node: nothing was copied");
        try (Tensor s = y.mul(2.0).sum()) {
          s.backward();
        }
        assertArrayEquals(new float[] {2, 2, 2}, x.grad().toFloatArray());
      }
      assertFalse(x.isClosed(), "closing the other handles leaves x valid");
      assertArrayEquals(new float[] {1, 2, 3}, x.toFloatArray());
    }
    LeakCheck.assertNotAbove(live, "to(cpu)");
  }

  @Test
  void toDeviceAndDtypeConvertsOnTheCpuAndGradientsFlowBack() {
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad_();
      Tensor y = x.to(Device.CPU, DType.FLOAT64);
      assertSame(DType.FLOAT64, y.dtype());
      assertEquals(Device.CPU, y.device());
      y.mul(y).sum().backward();
      assertSame(DType.FLOAT32, x.grad().dtype());
      assertArrayEquals(new float[] {2, 4, 6}, x.grad().toFloatArray());
      Tensor same = x.to(Device.CPU, DType.FLOAT32);
      assertTrue(same.sharesStorageWith(x));
      assertTrue(same.isLeaf());
    }
  }

  @Test
  void creationOnTheCpuDeviceMatchesCreationWithoutOne() {
    try (Scope s = Kindling.scope()) {
      Tensor z = Tensor.zeros(new long[] {2, 3}, Device.CPU);
      assertArrayEquals(new long[] {2, 3}, z.shape());
      assertSame(DType.FLOAT32, z.dtype());
      assertEquals(Device.CPU, z.device());
      assertArrayEquals(new float[6], z.toFloatArray());
      assertArrayEquals(new double[] {1, 1}, Tensor.ones(new long[] {2}, DType.FLOAT64, Device.CPU).toDoubleArray());
      assertArrayEquals(new long[] {7, 7, 7}, Tensor.full(new long[] {3}, 7, DType.INT64, Device.CPU).toLongArray());
      assertArrayEquals(new float[] {2.5f}, Tensor.full(new long[] {1}, 2.5, Device.CPU).toFloatArray());
      assertArrayEquals(new long[] {4, 0, 2}, Tensor.empty(new long[] {4, 0, 2}, DType.BOOL, Device.CPU).shape());
      assertArrayEquals(new long[] {3}, Tensor.empty(new long[] {3}, Device.CPU).shape());
      assertEquals(4.0, Tensor.scalar(4.0, DType.FLOAT64, Device.CPU).item());
      assertEquals(0, Tensor.scalar(4.0, DType.FLOAT64, Device.CPU).dim());

      // The CPU generator's stream, as without a device (PyTorch's CPU numbers).
      Kindling.manualSeed(5);
      float[] r1 = Tensor.rand(new long[] {5}).toFloatArray();
      float[] n1 = Tensor.randn(new long[] {5}).toFloatArray();
      Kindling.manualSeed(5);
      assertArrayEquals(r1, Tensor.rand(new long[] {5}, Device.CPU).toFloatArray());
      assertArrayEquals(n1, Tensor.randn(new long[] {5}, DType.FLOAT32, Device.CPU).toFloatArray());

      assertArrayEquals(Tensor.arange(0, 1, 0.25, DType.FLOAT64).toDoubleArray(),
          Tensor.arange(0, 1, 0.25, DType.FLOAT64, Device.CPU).toDoubleArray());
      assertArrayEquals(Tensor.linspace(-1, 1, 5, DType.FLOAT32).toFloatArray(),
          Tensor.linspace(-1, 1, 5, DType.FLOAT32, Device.CPU).toFloatArray());
      assertArrayEquals(Tensor.eye(2, 3, DType.FLOAT32).toFloatArray(), Tensor.eye(2, 3, DType.FLOAT32, Device.CPU).toFloatArray());
      assertArrayEquals(new float[] {1, 2, 3, 4}, Tensor.fromArray(new float[] {1, 2, 3, 4}, new long[] {2, 2}, Device.CPU).toFloatArray());
      assertArrayEquals(new long[] {5, 6}, Tensor.fromArray(new long[] {5, 6}, new long[] {2}, Device.CPU).toLongArray());
      Kindling.manualSeed(9);
      long[] ri = Tensor.randint(0, 10, new long[] {6}, DType.INT64).toLongArray();
      Kindling.manualSeed(9);
      assertArrayEquals(ri, Tensor.randint(0, 10, new long[] {6}, DType.INT64, Device.CPU).toLongArray());
    }
  }

  @Test
  void likeFunctionsFollowTheirTensorsDevice() {
    try (Scope s = Kindling.scope()) {
      Tensor t = Tensor.ones(new long[] {2, 2}, DType.FLOAT64);
      for (Tensor like : new Tensor[] {Tensor.emptyLike(t), Tensor.zerosLike(t), Tensor.onesLike(t),
          Tensor.fullLike(t, 3), Tensor.randLike(t), Tensor.randnLike(t)}) {
        assertEquals(t.device(), like.device());
        assertSame(DType.FLOAT64, like.dtype());
        assertArrayEquals(new long[] {2, 2}, like.shape());
      }
      assertArrayEquals(new double[] {3, 3, 3, 3}, Tensor.fullLike(t, 3).toDoubleArray());
    }
  }

  @Test
  void creationRejectsANullDevice() {
    assertThrows(NullPointerException.class, () -> Tensor.zeros(new long[] {2}, (Device) null));
    try (Tensor t = Tensor.ones(2)) {
      assertThrows(NullPointerException.class, () -> t.to((Device) null));
    }
  }

  // ---- asking for CUDA where there is none

  @Test
  void askingForCudaWithoutAGpuSaysWhy() {
    assumeFalse(Device.cudaAvailable(), "this machine has a GPU");
    String reason = Device.cudaUnavailableReason();
    assertFalse(reason.isEmpty());
    long live = Kindling.liveTensors();
    try (Tensor t = Tensor.ones(3)) {
      for (org.junit.jupiter.api.function.Executable call : new org.junit.jupiter.api.function.Executable[] {
          () -> t.cuda(), () -> t.cuda(1), () -> t.to(Device.cuda(0)), () -> t.to(Device.parse("cuda"), DType.FLOAT64)}) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, call);
        assertTrue(e.getMessage().startsWith("to: "), e.getMessage());
        assertTrue(e.getMessage().contains("cuda:"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
      }
      String[] ops = {"zeros", "ones", "full", "empty", "rand", "randn", "arange", "eye", "fromArray"};
      org.junit.jupiter.api.function.Executable[] creations = {
          () -> Tensor.zeros(new long[] {2}, Device.cuda()),
          () -> Tensor.ones(new long[] {2}, DType.FLOAT64, Device.cuda()),
          () -> Tensor.full(new long[] {2}, 1.0, Device.cuda()),
          () -> Tensor.empty(new long[] {2}, Device.cuda()),
          () -> Tensor.rand(new long[] {2}, Device.cuda()),
          () -> Tensor.randn(new long[] {2}, Device.cuda()),
          () -> Tensor.arange(0, 3, 1, DType.FLOAT32, Device.cuda()),
          () -> Tensor.eye(2, 2, DType.FLOAT32, Device.cuda()),
          () -> Tensor.fromArray(new float[] {1}, new long[] {1}, Device.cuda())};
      for (int i = 0; i < ops.length; i++) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, creations[i], ops[i]);
        assertTrue(e.getMessage().startsWith(ops[i] + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
      }
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, Cuda::synchronize);
      assertTrue(e.getMessage().contains(reason), e.getMessage());
      assertThrows(UnsupportedOperationException.class, () -> Cuda.memoryAllocated());
      assertThrows(UnsupportedOperationException.class, () -> Cuda.memoryReserved(0));
      Cuda.emptyCache();  // nothing to free: a no-op, like torch.cuda.empty_cache()
    }
    LeakCheck.assertNotAbove(live, "failed cuda requests");
  }

  @Test
  void aCudaDeviceBeyondTheLastIsRefusedOnEveryMachine() {
    int n = Device.cudaDeviceCount();
    try (Tensor t = Tensor.ones(1)) {
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> t.to(Device.cuda(n)));
      assertTrue(e.getMessage().contains("cuda:" + n), e.getMessage());
    }
  }
}
