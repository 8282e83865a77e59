package dev.kindling.cuda;

import static dev.kindling.cuda.CudaAssume.GPU;
import static dev.kindling.cuda.CudaAssume.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.Cuda;
import dev.kindling.DType;
import dev.kindling.Device;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.F;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tensors on a GPU: moving there and back, creation on the device, printing, ops giving the CPU's
 * results, gradients crossing devices, and a clear error for mixed devices. Skipped without a GPU.
 */
@Tag("cuda")
class CudaTensorTest {
  @BeforeEach
  void needsCuda() {
    CudaAssume.cudaOrSkip();
  }

  @Test
  void valuesOfEveryDtypeSurviveTheRoundTripExactly() {
    try (Scope s = Kindling.scope()) {
      Tensor[] host = {
          Tensor.of(1.5f, -2.25f, Float.MAX_VALUE, Float.MIN_VALUE, Float.NaN),
          Tensor.of(Math.PI, -1e300, 0.0, -0.0),
          Tensor.of(Long.MAX_VALUE, Long.MIN_VALUE, 0L, 42L),
          Tensor.of(true, false, true)};
      for (Tensor h : host) {
        Tensor d = h.cuda();
        assertTrue(d.isCuda());
        assertEquals(GPU, d.device());
        assertEquals(0, d.device().index());
        assertFalse(d.sharesStorageWith(h));
        assertSame(h.dtype(), d.dtype());
        Tensor back = d.cpu();
        assertEquals(Device.CPU, back.device());
        switch (h.dtype()) {
          case FLOAT32 -> assertArrayEquals(h.toFloatArray(), back.toFloatArray());
          case FLOAT64 -> assertArrayEquals(h.toDoubleArray(), back.toDoubleArray());
          case INT64 -> assertArrayEquals(h.toLongArray(), back.toLongArray());
          case BOOL -> assertArrayEquals(h.toBooleanArray(), back.toBooleanArray());
        }
        // Reading a CUDA tensor's values directly copies them to the host first.
        assertArrayEquals(h.toDoubleArray(), d.toDoubleArray());
      }
      assertEquals(3.5, Tensor.of(3.5f).cuda().item());
      assertEquals(7L, Tensor.scalar(7L).cuda().itemLong());
    }
  }

  @Test
  void stridedViewsMoveAsTheirValues() {
    try (Scope s = Kindling.scope()) {
      Tensor m = Tensor.arange(0, 12, 1, DType.FLOAT32).view(3, 4);
      Tensor t = m.t();
      assertArrayEquals(t.contiguous().toFloatArray(), t.cuda().cpu().toFloatArray());
      Tensor slice = m.cuda().narrow(1, 1, 2);
      assertArrayEquals(m.narrow(1, 1, 2).contiguous().toFloatArray(), slice.cpu().toFloatArray());
    }
  }

  @Test
  void toTheDeviceItIsOnIsTheSameTensor() {
    try (Scope s = Kindling.scope()) {
      Tensor d = Tensor.ones(3).cuda();
      Tensor again = d.to(GPU);
      assertNotSame(d, again);
      assertTrue(again.sharesStorageWith(d));
      assertNull(again.gradFn());
      Tensor conv = d.to(GPU, DType.FLOAT64);
      assertTrue(conv.isCuda());
      assertSame(DType.FLOAT64, conv.dtype());
      Tensor both = Tensor.of(1, 2).to(GPU, DType.FLOAT32);
      assertTrue(both.isCuda());
      assertArrayEquals(new float[] {1, 2}, both.toFloatArray());
    }
  }

  @Test
  void creationFunctionsMakeTensorsOnTheDevice() {
    try (Scope s = Kindling.scope()) {
      Tensor z = Tensor.zeros(new long[] {2, 3}, GPU);
      assertEquals(GPU, z.device());
      assertArrayEquals(new float[6], z.toFloatArray());
      assertArrayEquals(new double[] {1, 1}, Tensor.ones(new long[] {2}, DType.FLOAT64, GPU).toDoubleArray());
      assertArrayEquals(new long[] {-3, -3}, Tensor.full(new long[] {2}, -3, DType.INT64, GPU).toLongArray());
      assertTrue(Tensor.empty(new long[] {4, 5}, GPU).isCuda());
      assertTrue(Tensor.arange(0, 4, 1, DType.FLOAT32, GPU).isCuda());
      assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2, 2, DType.FLOAT32, GPU).toFloatArray());
      assertArrayEquals(new float[] {0, 0.5f, 1}, Tensor.linspace(0, 1, 3, DType.FLOAT32, GPU).toFloatArray());
      assertArrayEquals(new float[] {4, 5}, Tensor.fromArray(new float[] {4, 5}, new long[] {2}, GPU).toFloatArray());
      assertEquals(2.0, Tensor.scalar(2.0, DType.FLOAT32, GPU).item());

      Tensor like = Tensor.zerosLike(z);
      assertEquals(GPU, like.device(), "zerosLike follows its tensor to the GPU");
      for (Tensor l : new Tensor[] {Tensor.emptyLike(z), Tensor.onesLike(z), Tensor.fullLike(z, 2), Tensor.randLike(z), Tensor.randnLike(z)})
        assertEquals(GPU, l.device());

      Kindling.manualSeed(123);
      Tensor u = Tensor.rand(new long[] {20000}, GPU);
      Tensor n = Tensor.randn(new long[] {20000}, DType.FLOAT64, GPU);
      assertTrue(u.isCuda() && n.isCuda());
      double[] uv = u.toDoubleArray();
      for (double v : uv) assertTrue(v >= 0 && v < 1, "rand in [0, 1): " + v);
      assertEquals(0.5, u.mean().item(), 0.02);
      assertEquals(0.0, n.mean().item(), 0.03);
      assertEquals(1.0, n.std().item(), 0.03);
      Kindling.manualSeed(123);
      assertArrayEquals(uv, Tensor.rand(new long[] {20000}, GPU).toDoubleArray(), "manualSeed seeds the CUDA generator");
    }
  }

  @Test
  void printsTheDeviceLikePyTorch() {
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.of(1f, 2f).cuda();
      assertEquals("tensor([1., 2.], device='cuda:0')", x.toString());
      assertEquals("tensor([1., 2.], device='cuda:0', dtype=torch.float64)", x.toDouble().toString());
      assertEquals("tensor([1, 2], device='cuda:0')", Tensor.of(1L, 2L).cuda().toString());
      Tensor leaf = Tensor.of(1f, 2f).cuda().requiresGrad_();
      assertEquals("tensor([1., 2.], device='cuda:0', requires_grad=True)", leaf.toString());
      assertEquals("tensor([2., 4.], device='cuda:0', grad_fn=<MulBackward0>)", leaf.mul(2.0).toString());
      assertEquals("tensor([1., 2.], device='cuda:0', grad_fn=<ToCopyBackward0>)",
          Tensor.of(1f, 2f).requiresGrad_().cuda().toString());
      assertEquals("tensor([], device='cuda:0', size=(0, 2))", Tensor.zeros(new long[] {0, 2}, GPU).toString());
    }
  }

  @Test
  void elementwiseOpsMatchTheCpu() {
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(1);
      Tensor a = Tensor.randn(4, 5), b = Tensor.randn(4, 5), row = Tensor.randn(5), pos = Tensor.rand(4, 5).add(0.1);
      Tensor ga = a.cuda(), gb = b.cuda(), grow = row.cuda(), gpos = pos.cuda();
      assertClose(a.add(b), ga.add(gb), 0, 0, "add");
      assertClose(a.sub(row), ga.sub(grow), 0, 0, "sub broadcast");
      assertClose(a.mul(b), ga.mul(gb), 0, 0, "mul");
      assertClose(a.div(pos), ga.div(gpos), 1e-6, 0, "div");
      assertClose(a.add(b, 0.5), ga.add(gb, 0.5), 1e-6, 1e-7, "add alpha");
      assertClose(a.mul(3.0).add(1.0), ga.mul(3.0).add(1.0), 0, 0, "scalar ops");
      assertClose(a.exp(), ga.exp(), 1e-6, 0, "exp");
      assertClose(pos.log(), gpos.log(), 1e-6, 1e-7, "log");
      assertClose(pos.sqrt(), gpos.sqrt(), 1e-6, 0, "sqrt");
      assertClose(pos.pow(1.7), gpos.pow(1.7), 1e-5, 0, "pow");
      assertClose(a.sigmoid(), ga.sigmoid(), 1e-6, 1e-7, "sigmoid");
      assertClose(a.tanh(), ga.tanh(), 1e-6, 1e-7, "tanh");
      assertClose(a.relu(), ga.relu(), 0, 0, "relu");
      assertClose(a.abs(), ga.abs(), 0, 0, "abs");
      assertClose(F.leakyRelu(a, 0.2), F.leakyRelu(ga, 0.2), 0, 0, "leaky_relu");
      assertClose(a.clamp(-0.5, 0.5), ga.clamp(-0.5, 0.5), 0, 0, "clamp");
      assertClose(a.gt(b), ga.gt(gb), 0, 0, "gt");
      assertClose(a.maximum(b), ga.maximum(gb), 0, 0, "maximum");
      assertClose(a.where(a.gt(0.0), b), ga.where(ga.gt(0.0), gb), 0, 0, "where");
      assertClose(a.toDouble().mul(b.toDouble()).exp(), ga.toDouble().mul(gb.toDouble()).exp(), 1e-12, 0, "float64 exp");
      assertClose(a.to(DType.INT64), ga.to(DType.INT64), 0, 0, "to int64");
    }
  }

  @Test
  void matmulReductionsAndSoftmaxMatchTheCpu() {
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(2);
      Tensor a = Tensor.randn(33, 70), b = Tensor.randn(70, 17), bat = Tensor.randn(3, 5, 6), bat2 = Tensor.randn(3, 6, 4);
      assertClose(a.matmul(b), a.cuda().matmul(b.cuda()), "matmul");
      assertClose(a.t().t().matmul(b.t().contiguous().t()), a.cuda().matmul(b.t().contiguous().cuda().t()), "matmul transposed operand");
      assertClose(bat.matmul(bat2), bat.cuda().matmul(bat2.cuda()), "batched matmul");
      assertClose(a.toDouble().matmul(b.toDouble()), a.toDouble().cuda().matmul(b.toDouble().cuda()), 1e-12, 1e-12, "float64 matmul");
      Tensor ga = a.cuda();
      assertClose(a.sum(), ga.sum(), "sum");
      assertClose(a.mean(1), ga.mean(1), "mean(1)");
      assertClose(a.sum(0, true), ga.sum(0, true), "sum(0, keepdim)");
      assertClose(a.amax(new int[] {1}, false), ga.amax(new int[] {1}, false), 0, 0, "amax");
      assertClose(a.var(1), ga.var(1), "var");
      assertClose(a.argmax(1), ga.argmax(1), 0, 0, "argmax");
      assertClose(a.softmax(1), ga.softmax(1), 1e-5, 1e-7, "softmax");
      assertClose(a.logSoftmax(0), ga.logSoftmax(0), 1e-5, 1e-6, "log_softmax");
    }
  }

  @Test
  void convolutionPoolingAndBatchNormMatchTheCpu() {
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(3);
      Tensor x = Tensor.randn(2, 3, 9, 9), w = Tensor.randn(4, 3, 3, 3), bias = Tensor.randn(4);
      Tensor gx = x.cuda(), gw = w.cuda(), gb = bias.cuda();
      assertClose(F.conv2d(x, w, bias, 2, 1, 1, 1), F.conv2d(gx, gw, gb, 2, 1, 1, 1), "conv2d");
      Tensor wt = Tensor.randn(3, 2, 4, 4);
      assertClose(F.convTranspose2d(x, wt, null, 2, 1, 0, 1, 1), F.convTranspose2d(gx, wt.cuda(), null, 2, 1, 0, 1, 1), "conv_transpose2d");
      assertClose(F.maxPool2d(x, 2), F.maxPool2d(gx, 2), 0, 0, "max_pool2d");
      assertClose(F.avgPool2d(x, 3), F.avgPool2d(gx, 3), 1e-6, 1e-7, "avg_pool2d");
      Tensor rm = Tensor.zeros(3), rv = Tensor.ones(3), grm = rm.cuda(), grv = rv.cuda();
      Tensor bw = Tensor.rand(3), bb = Tensor.randn(3);
      assertClose(F.batchNorm(x, rm, rv, bw, bb, true, 0.1, 1e-5), F.batchNorm(gx, grm, grv, bw.cuda(), bb.cuda(), true, 0.1, 1e-5), "batch_norm training");
      assertClose(rm, grm, "running_mean");
      assertClose(rv, grv, "running_var");
      assertClose(F.batchNorm(x, rm, rv, bw, bb, false, 0.1, 1e-5), F.batchNorm(gx, grm, grv, bw.cuda(), bb.cuda(), false, 0.1, 1e-5), "batch_norm eval");
    }
  }

  @Test
  void opsOnTwoDevicesFailWithPyTorchsMessage() {
    try (Scope s = Kindling.scope()) {
      Tensor c = Tensor.ones(3), g = Tensor.ones(3).cuda();
      for (Function<Tensor, Tensor> op : java.util.List.<Function<Tensor, Tensor>>of(g::add, g::mul, g::matmul)) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.apply(c));
        assertTrue(e.getMessage().contains("Expected all tensors to be on the same device, but found at least two devices"), e.getMessage());
        assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("cpu"), e.getMessage());
      }
      assertThrows(IllegalArgumentException.class, () -> c.add(g));
    }
  }

  @Test
  void backwardThroughCudaGivesTheCpuGradientOnTheCpuLeaf() {
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(4);
      Tensor x = Tensor.randn(3, 4).requiresGrad_();
      Tensor w = Tensor.randn(4, 2);
      Tensor y = x.cuda();
      assertEquals("ToCopyBackward0", y.gradFn().name());
      y.matmul(w.cuda()).tanh().sum().backward();
      Tensor gpuGrad = x.grad();
      assertEquals(Device.CPU, gpuGrad.device(), "the gradient comes back to the leaf's device");
      float[] viaGpu = gpuGrad.toFloatArray();
      x.setGrad(null);
      x.matmul(w).tanh().sum().backward();
      float[] viaCpu = x.grad().toFloatArray();
      for (int i = 0; i < viaCpu.length; i++) assertEquals(viaCpu[i], viaGpu[i], 1e-5, "grad " + i);

      // and the other way: a CUDA leaf through .cpu()
      Tensor g = Tensor.of(1.0, 2.0, 3.0).cuda().requiresGrad_();
      g.cpu().pow(2.0).sum().backward();
      assertTrue(g.grad().isCuda());
      assertArrayEquals(new double[] {2, 4, 6}, g.grad().toDoubleArray());
    }
  }

  @Test
  void theSeedsAutogradIdiomsWorkOnCuda() {
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.of(1f, -2f, 3f).cuda().requiresGrad_();
      assertTrue(x.isLeaf());

      Tensor d = x.mul(2.0).detach();
      assertFalse(d.requiresGrad());
      assertTrue(d.isCuda());

      try (var ng = Autograd.noGrad()) {
        Tensor n = x.mul(3.0);
        assertFalse(n.requiresGrad());
        assertTrue(n.isCuda());
      }

      Tensor mid = x.mul(x).retainGrad();
      double[] seen = new double[3];
      x.registerHook(grad -> {
        assertTrue(grad.isCuda(), "a hook sees the CUDA gradient");
        System.arraycopy(grad.toDoubleArray(), 0, seen, 0, 3);
        return grad.mul(10.0);
      });
      mid.sum().backward();
      assertArrayEquals(new double[] {1, 1, 1}, mid.grad().toDoubleArray(), "retained grad of x*x");
      assertArrayEquals(new double[] {2, -4, 6}, seen);
      assertArrayEquals(new double[] {20, -40, 60}, x.grad().toDoubleArray(), "the hook's result is accumulated");
      assertTrue(x.grad().isCuda());

      Tensor frozen = Tensor.ones(3).cuda().requiresGrad_().requiresGrad_(false);
      Tensor live = Tensor.ones(3).cuda().requiresGrad_();
      frozen.mul(live).sum().backward();
      assertNull(frozen.grad());
      assertArrayEquals(new float[] {1, 1, 1}, live.grad().toFloatArray());
    }
  }

  @Test
  void memoryStatisticsFollowTensorsAndTheCache() {
    Cuda.synchronize();
    long live = Kindling.liveTensors();
    long before = Cuda.memoryAllocated();
    Tensor big = Tensor.zeros(new long[] {1 << 20}, GPU);
    long during = Cuda.memoryAllocated();
    assertTrue(during - before >= 4L << 20, "4 MiB more in use: " + before + " -> " + during);
    assertTrue(Cuda.memoryReserved() >= during);
    big.close();
    // (The cleaner thread may free other tests' forgotten tensors meanwhile: only bounds are exact.)
    assertTrue(Cuda.memoryAllocated() <= during - (4L << 20), "released");
    assertTrue(Cuda.memoryReserved() - Cuda.memoryAllocated() >= 4L << 20, "kept for reuse");
    Cuda.emptyCache();
    assertTrue(Cuda.memoryReserved() - Cuda.memoryAllocated() < 4L << 20, "empty_cache returns free blocks");
    assertTrue(Cuda.memoryCached() >= Cuda.memoryAllocated(), "memory_cached is memory_reserved");
    assertTrue(Cuda.isBuilt());
    assertNotEquals("none", Cuda.gemmBackend());
    LeakCheck.assertNotAbove(live, "memory statistics");
  }
}
