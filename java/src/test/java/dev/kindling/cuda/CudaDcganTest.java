package dev.kindling.cuda;

import static dev.kindling.cuda.CudaAssume.GPU;
import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.BCELoss;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.BatchNormBase;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.ConvTranspose2d;
import dev.kindling.nn.LeakyReLU;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.Sigmoid;
import dev.kindling.nn.Tanh;
import dev.kindling.optim.Adam;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Three DCGAN training steps on the GPU, written as the examples' Dcgan (28×28 images): the
 * generator's transposed convolutions with BatchNorm, ReLU and Tanh, the discriminator's strided
 * convolutions with LeakyReLU, BatchNorm and Sigmoid, BCE losses, Adam, and {@code fake.detach()}
 * for the discriminator's update. The losses must be finite, every parameter must move, and the
 * first losses (before any update) must be the CPU's. Skipped without a GPU.
 */
@Tag("cuda")
class CudaDcganTest {
  static final int NZ = 16, NGF = 8, NDF = 8, BATCH = 8;

  @BeforeEach
  void needsCuda() {
    CudaAssume.cudaOrSkip();
  }

  static Sequential generator() {
    return new Sequential(
        new ConvTranspose2d(NZ, NGF * 4, 7, 1, 0, false), new BatchNorm2d(NGF * 4), new ReLU(),
        new ConvTranspose2d(NGF * 4, NGF * 2, 4, 2, 1, false), new BatchNorm2d(NGF * 2), new ReLU(),
        new ConvTranspose2d(NGF * 2, 1, 4, 2, 1, false), new Tanh());
  }

  static Sequential discriminator() {
    return new Sequential(
        new Conv2d(1, NDF, 4, 2, 1, false), new LeakyReLU(0.2),
        new Conv2d(NDF, NDF * 2, 4, 2, 1, false), new BatchNorm2d(NDF * 2), new LeakyReLU(0.2),
        new Conv2d(NDF * 2, 1, 7, 1, 0, false), new Sigmoid());
  }

  /** DCGAN's weights_init, run where the parameters are (on the GPU: the CUDA generator). */
  static void weightsInit(Module m) {
    if (m instanceof Conv2d || m instanceof ConvTranspose2d) {
      try (Tensor w = m.namedParameters().get("weight").data()) {
        w.normal_(0.0, 0.02);
      }
    } else if (m instanceof BatchNormBase bn) {
      try (Tensor w = bn.weight().data(); Tensor b = bn.bias().data()) {
        w.normal_(1.0, 0.02);
        b.fill_(0);
      }
    }
  }

  /** The losses of one step: errD_real, errD_fake, errG. */
  static double[] step(Module netG, Module netD, Adam optD, Adam optG, BCELoss criterion, Tensor real, Tensor noise) {
    try (Scope s = Kindling.scope()) {
      netD.zeroGrad();
      Tensor label = Tensor.full(new long[] {BATCH}, 1.0, real.device());
      Tensor errDReal = criterion.call(netD.call(real).view(-1), label);
      errDReal.backward();
      Tensor fake = netG.call(noise);
      label.fill_(0.0);
      Tensor errDFake = criterion.call(netD.call(fake.detach()).view(-1), label);
      errDFake.backward();
      optD.step();

      netG.zeroGrad();
      label.fill_(1.0);
      Tensor errG = criterion.call(netD.call(fake).view(-1), label);
      errG.backward();
      optG.step();
      return new double[] {errDReal.item(), errDFake.item(), errG.item()};
    }
  }

  @Test
  void threeDcganStepsOnCudaTrainWithFiniteLossesAndStartAsOnTheCpu() {
    long live = Kindling.liveTensors();
    Kindling.manualSeed(2024);
    try (Sequential cpuG = generator(); Sequential cpuD = discriminator();
        Sequential netG = generator(); Sequential netD = discriminator(); BCELoss criterion = new BCELoss()) {
      // Initialise on the GPU (the seed's weights_init loop on CUDA parameters), then give the CPU
      // twins the same weights.
      netG.cuda();
      netD.to(GPU);
      netG.apply(CudaDcganTest::weightsInit);
      netD.apply(CudaDcganTest::weightsInit);
      try (Scope s = Kindling.scope()) {
        cpuG.loadStateDict(netG.stateDict());
        cpuD.loadStateDict(netD.stateDict());
      }
      for (Tensor p : netG.parameters()) assertTrue(p.isCuda());
      for (Tensor b : netD.buffers()) assertTrue(b.isCuda());
      List<float[]> before = new ArrayList<>();
      for (Tensor p : netG.parameters()) before.add(p.toFloatArray());
      for (Tensor p : netD.parameters()) before.add(p.toFloatArray());

      try (Adam optD = new Adam(netD.parameters(), Adam.options().lr(2e-4).betas(0.5, 0.999));
          Adam optG = new Adam(netG.parameters(), Adam.options().lr(2e-4).betas(0.5, 0.999));
          Adam cpuOptD = new Adam(cpuD.parameters(), Adam.options().lr(2e-4).betas(0.5, 0.999));
          Adam cpuOptG = new Adam(cpuG.parameters(), Adam.options().lr(2e-4).betas(0.5, 0.999))) {
        for (int i = 0; i < 3; i++) {
          try (Scope s = Kindling.scope()) {
            Tensor real = Tensor.rand(BATCH, 1, 28, 28).mul(2.0).sub(1.0);
            Tensor noise = Tensor.randn(BATCH, NZ, 1, 1);
            double[] gpu = step(netG, netD, optD, optG, criterion, real.cuda(), noise.cuda());
            double[] cpu = step(cpuG, cpuD, cpuOptD, cpuOptG, criterion, real, noise);
            for (int k = 0; k < 3; k++) assertTrue(Double.isFinite(gpu[k]), "loss " + k + " at step " + i + ": " + gpu[k]);
            if (i == 0) {
              // errD_real and errD_fake come before any update: the same weights and inputs.
              assertEquals(cpu[0], gpu[0], 1e-4 * Math.abs(cpu[0]), "errD_real");
              assertEquals(cpu[1], gpu[1], 1e-4 * Math.abs(cpu[1]), "errD_fake");
            }
          }
        }
      }
      int k = 0;
      for (Module net : new Module[] {netG, netD}) {
        for (Tensor p : net.parameters()) {
          assertTrue(p.isCuda());
          float[] now = p.toFloatArray(), was = before.get(k++);
          boolean changed = false;
          for (int j = 0; j < now.length; j++) {
            assertTrue(Float.isFinite(now[j]));
            changed |= now[j] != was[j];
          }
          assertTrue(changed, "parameter " + (k - 1) + " changed");
        }
      }
    }
    LeakCheck.assertNotAbove(live, "DCGAN steps on cuda");
  }
}
