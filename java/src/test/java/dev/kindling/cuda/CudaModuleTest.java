package dev.kindling.cuda;

import static dev.kindling.cuda.CudaAssume.GPU;
import static dev.kindling.cuda.CudaAssume.assertClose;
import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Device;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.CrossEntropyLoss;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MaxPool2d;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.optim.Adam;
import dev.kindling.optim.OptimizerStateDict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code module.to(cuda)} moves parameters, buffers and gradients in place, and training on the
 * GPU follows the CPU: a few Adam steps of a small conv net give the same parameters within float
 * tolerance. Skipped without a GPU.
 */
@Tag("cuda")
class CudaModuleTest {
  @BeforeEach
  void needsCuda() {
    CudaAssume.cudaOrSkip();
  }

  /**
   * Conv + BatchNorm + ReLU + pool + Linear: every kind of parameter and buffer. The first conv has
   * no bias, as in DCGAN: before BatchNorm its gradient is zero up to rounding, and Adam would turn
   * that rounding noise into full-size steps of either sign.
   */
  static Sequential convNet(long seed) {
    Kindling.manualSeed(seed);
    return new Sequential(new Conv2d(1, 4, 3, 1, 1, false), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
        new Conv2d(4, 6, 3), new ReLU(), new Flatten(), new Linear(6 * 2 * 2, 3));
  }

  @Test
  void toCudaMovesParametersBuffersAndGradientsInPlace() {
    try (Sequential net = convNet(1); Scope s = Kindling.scope()) {
      net.call(Tensor.randn(2, 1, 8, 8)).sum().backward();
      List<Tensor> params = net.parameters();
      List<Tensor> buffers = net.buffers();
      Map<String, Tensor> cpuState = new java.util.LinkedHashMap<>();
      net.stateDict().forEach((k, v) -> cpuState.put(k, v.clone()));
      Tensor grad0 = params.get(0).grad().clone();

      assertSame(net, net.cuda());
      assertEquals(params, net.parameters());
      for (int i = 0; i < params.size(); i++) {
        Tensor p = net.parameters().get(i);
        assertSame(params.get(i), p, "the same Java Parameter");
        assertEquals(GPU, p.device());
        assertTrue(p.requiresGrad());
        assertTrue(p.isLeaf());
        assertEquals(GPU, p.grad().device(), "the gradient moved with its parameter");
      }
      for (int i = 0; i < buffers.size(); i++) {
        assertSame(buffers.get(i), net.buffers().get(i));
        assertEquals(GPU, buffers.get(i).device());
      }
      net.stateDict().forEach((k, v) -> assertClose(cpuState.get(k), v, 0, 0, k));
      assertClose(grad0, params.get(0).grad(), 0, 0, "grad of " + "0.weight");

      // A forward and backward on the device accumulate into the moved gradients.
      net.call(Tensor.randn(new long[] {2, 1, 8, 8}, GPU)).sum().backward();
      assertTrue(params.get(0).grad().isCuda());

      assertSame(net, net.cpu());
      for (Tensor p : net.parameters()) {
        assertEquals(Device.CPU, p.device());
        assertEquals(Device.CPU, p.grad().device());
      }
      assertSame(params.get(0), net.parameters().get(0));
    }
  }

  @Test
  void adamStepsOfAConvNetOnCudaMatchTheSameStepsOnTheCpu() {
    try (Sequential cpu = convNet(7); Sequential gpu = convNet(7); Scope s = Kindling.scope()) {
      gpu.to(GPU);
      Adam cpuOpt = new Adam(cpu.parameters(), Adam.options().lr(1e-2));
      Adam gpuOpt = new Adam(gpu.parameters(), Adam.options().lr(1e-2));
      CrossEntropyLoss loss = new CrossEntropyLoss();
      Kindling.manualSeed(11);
      for (int step = 0; step < 4; step++) {
        try (Scope stepScope = Kindling.scope()) {
          Tensor x = Tensor.randn(8, 1, 8, 8);
          Tensor y = Tensor.randint(0, 3, 8);
          cpuOpt.zeroGrad();
          Tensor lc = loss.call(cpu.call(x), y);
          lc.backward();
          cpuOpt.step();
          gpuOpt.zeroGrad();
          Tensor lg = loss.call(gpu.call(x.cuda()), y.cuda());
          assertTrue(lg.isCuda());
          lg.backward();
          gpuOpt.step();
          assertEquals(lc.item(), lg.item(), 1e-4 * Math.max(1, Math.abs(lc.item())), "loss at step " + step);
        }
      }
      Map<String, Tensor> gs = gpu.stateDict();
      cpu.stateDict().forEach((k, v) -> assertClose(v, gs.get(k), 1e-3, 1e-4, k));
      // Adam's state was made on the parameters' device.
      OptimizerStateDict sd = gpuOpt.stateDict();
      for (Map<String, Object> st : sd.state().values())
        for (Object v : st.values()) if (v instanceof Tensor t) assertTrue(t.isCuda(), "state on cuda: " + t.device());
      cpuOpt.close();
      gpuOpt.close();
    }
  }

  @Test
  void optimizerStateLoadedFromTheCpuFollowsCudaParameters() {
    try (Linear cpuNet = new Linear(3, 2); Linear gpuNet = new Linear(3, 2); Scope s = Kindling.scope()) {
      Adam cpuOpt = new Adam(cpuNet.parameters());
      cpuNet.call(Tensor.randn(4, 3)).sum().backward();
      cpuOpt.step();
      gpuNet.loadStateDict(cpuNet.stateDict());
      gpuNet.to(GPU);
      Adam gpuOpt = new Adam(gpuNet.parameters());
      gpuOpt.loadStateDict(cpuOpt.stateDict());
      for (Map<String, Object> st : gpuOpt.stateDict().state().values())
        for (Object v : st.values()) if (v instanceof Tensor t) assertEquals(GPU, t.device());
      Tensor x = Tensor.randn(4, 3);
      cpuOpt.zeroGrad();  // the first step's gradient must not accumulate into the second
      cpuNet.call(x).sum().backward();
      cpuOpt.step();
      gpuNet.call(x.cuda()).sum().backward();
      gpuOpt.step();
      assertClose(cpuNet.parameters().get(0), gpuNet.parameters().get(0), 1e-4, 1e-6, "weight after a resumed step");
      cpuOpt.close();
      gpuOpt.close();
    }
  }

  @Test
  void aCudaModulesStateDictIsSavedFromHostCopiesAndLoadsBack(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    try (Sequential gpu = convNet(5); Sequential cpu = convNet(6); Scope s = Kindling.scope()) {
      gpu.to(GPU);
      java.nio.file.Path file = dir.resolve("net.safetensors");
      dev.kindling.io.SafeTensors.write(file, gpu.stateDict());
      cpu.loadStateDict(dev.kindling.io.SafeTensors.load(file));
      Map<String, Tensor> gs = gpu.stateDict();
      cpu.stateDict().forEach((k, v) -> assertClose(v, gs.get(k), 0, 0, k));
    }
  }

  @Test
  void frozenParametersStayFrozenOnCuda() {
    try (Sequential net = convNet(3); Scope s = Kindling.scope()) {
      Module first = net.child("0");
      first.requiresGrad_(false);
      net.to(GPU);
      net.call(Tensor.randn(new long[] {2, 1, 8, 8}, GPU)).sum().backward();
      for (Tensor p : first.parameters()) {
        assertFalse(p.requiresGrad());
        assertNull(p.grad());
      }
      assertNotNull(net.parameters().get(net.parameters().size() - 1).grad());
    }
  }
}
