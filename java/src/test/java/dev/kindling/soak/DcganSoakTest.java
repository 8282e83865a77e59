package dev.kindling.soak;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.BCELoss;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.ConvTranspose2d;
import dev.kindling.nn.LeakyReLU;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.Sigmoid;
import dev.kindling.nn.Tanh;
import dev.kindling.optim.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Soak: the DCGAN training loop of the examples (and of PyTorch's example) runs for thousands of
 * steps with one scope per step, and memory stays flat once warmed up — resident memory of the
 * process, the native bytes held by tensors and the native allocator's cache. Every tensor is
 * closed at the end and the native live-tensor counter is back at its baseline. The networks are
 * the examples' shapes scaled down (16×16 images) so that the run is short on two cores.
 */
class DcganSoakTest {
  static final int STEPS = 5000;
  // Warm-up: the JIT compiler's arenas and the C library's per-thread malloc arenas settle over the
  // first ~2,000 steps (RSS moved 212 -> 227 -> 233 -> 222 -> 232 MB there in one run, then stayed
  // flat); memory is judged from then on.
  static final int WARMUP = 2000;
  static final int SAMPLE_EVERY = 250;
  static final int BATCH = 8;
  static final int NZ = 8;
  static final int NGF = 8;
  static final int NDF = 8;

  /** Generator: [N, nz, 1, 1] → 4×4 → 8×8 → 16×16, BatchNorm + ReLU between, Tanh at the end. */
  static Module generator() {
    return new Sequential(
        new ConvTranspose2d(NZ, NGF * 2, 4, 1, 0, false), new BatchNorm2d(NGF * 2), new ReLU(),
        new ConvTranspose2d(NGF * 2, NGF, 4, 2, 1, false), new BatchNorm2d(NGF), new ReLU(),
        new ConvTranspose2d(NGF, 1, 4, 2, 1, false), new Tanh());
  }

  /** Discriminator: 16×16 → 8×8 → 4×4 → 1×1, LeakyReLU(0.2), BatchNorm in the middle, Sigmoid. */
  static Module discriminator() {
    return new Sequential(
        new Conv2d(1, NDF, 4, 2, 1, false), new LeakyReLU(0.2),
        new Conv2d(NDF, NDF * 2, 4, 2, 1, false), new BatchNorm2d(NDF * 2), new LeakyReLU(0.2),
        new Conv2d(NDF * 2, 1, 4, 1, 0, false), new Sigmoid());
  }

  /** Resident set size of this process in bytes (VmRSS of /proc/self/status), -1 if unknown. */
  static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.trim().split("\\s+");
          return Long.parseLong(parts[1]) * 1024;  // reported in kB
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Native bytes in use: tensor storage plus the blocks the allocator keeps for reuse. */
  static long nativeBytes() {
    return Kindling.liveBytes() + Kindling.cachedBytes();
  }

  /** Live tensors once the cleaner has freed what earlier tests in this JVM forgot. */
  static long settledLiveTensors() throws InterruptedException {
    long prev;
    int rounds = 0;
    do {
      prev = Kindling.liveTensors();
      System.gc();
      Thread.sleep(30);
    } while ((Kindling.liveTensors() < prev || rounds++ < 2) && rounds < 50);
    return Kindling.liveTensors();
  }

  @Test
  void dcganTrainsFiveThousandStepsAtFlatMemoryAndLeavesNoTensorBehind() throws InterruptedException {
    long tensors0 = settledLiveTensors();
    Kindling.manualSeed(9);
    long t0 = System.nanoTime();
    List<Long> rss = new ArrayList<>();
    List<Long> nat = new ArrayList<>();
    List<Long> heap = new ArrayList<>();
    double firstLossD = Double.NaN, lastLossD = Double.NaN, lastLossG = Double.NaN;

    try (Module netG = generator();
        Module netD = discriminator();
        BCELoss criterion = new BCELoss();
        // "real" images: a fixed pool in [-1, 1], batches taken from it in turn
        Tensor pool = Kindling.scoped(() -> Tensor.randn(64, 1, 16, 16).mul(2.0).tanh())) {
      for (Module m : List.of(netG, netD)) {
        m.apply(DcganSoakTest::weightsInit);
      }
      try (Adam optimizerD = new Adam(netD.parameters(), Adam.options().lr(2e-4).betas(0.5, 0.999));
          Adam optimizerG = new Adam(netG.parameters(), Adam.options().lr(2e-4).betas(0.5, 0.999))) {
        for (int step = 1; step <= STEPS; step++) {
          try (Scope s = Kindling.scope()) {
            // (1) D: real batch labelled 1, fake.detach() labelled 0
            netD.zeroGrad();
            Tensor real = pool.narrow(0, (step * BATCH) % 64, BATCH);
            Tensor label = Tensor.full(new long[] {BATCH}, 1.0);
            Tensor output = netD.call(real).view(-1);
            Tensor errDReal = criterion.call(output, label);
            errDReal.backward();
            Tensor noise = Tensor.randn(BATCH, NZ, 1, 1);
            Tensor fake = netG.call(noise);
            label.fill_(0.0);
            output = netD.call(fake.detach()).view(-1);
            Tensor errDFake = criterion.call(output, label);
            errDFake.backward();
            Tensor errD = errDReal.add(errDFake);
            optimizerD.step();
            // (2) G: through D, labelled 1
            netG.zeroGrad();
            label.fill_(1.0);
            output = netD.call(fake).view(-1);
            Tensor errG = criterion.call(output, label);
            errG.backward();
            optimizerG.step();
            if (step == 1) firstLossD = errD.item();
            if (step == STEPS) {
              lastLossD = errD.item();
              lastLossG = errG.item();
            }
          }
          if (step >= WARMUP && (step - WARMUP) % SAMPLE_EVERY == 0) {
            // A full collection first, so that the Java garbage of the steps (Tensor and Scope
            // objects) is not counted against the native side.
            System.gc();
            rss.add(residentBytes());
            heap.add(Runtime.getRuntime().totalMemory());
            nat.add(nativeBytes());
          }
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(Double.isFinite(lastLossD) && Double.isFinite(lastLossG),
        "losses stay finite: Loss_D " + lastLossD + ", Loss_G " + lastLossG);
    assertNotEquals(firstLossD, lastLossD, "training moved the discriminator's loss");

    long rssFirst = rss.get(0);
    long rssPeak = rss.stream().mapToLong(Long::longValue).max().getAsLong();
    long natFirst = nat.get(0);
    long natPeak = nat.stream().mapToLong(Long::longValue).max().getAsLong();
    long natLast = nat.get(nat.size() - 1);
    LeakCheck.assertNotAbove(tensors0, "after closing the networks, optimizers and data");
    long tensorsEnd = Kindling.liveTensors();
    System.out.printf(Locale.ROOT,
        "SOAK: steps=%d seconds=%.1f samples=%d rss_first_mb=%.1f rss_peak_mb=%.1f native_first_bytes=%d"
            + " native_peak_bytes=%d native_last_bytes=%d live_tensors_baseline=%d live_tensors_end=%d%n",
        STEPS, seconds, rss.size(), rssFirst / 1048576.0, rssPeak / 1048576.0, natFirst, natPeak, natLast,
        tensors0, tensorsEnd);

    // Native bytes are exact counters of this process's tensors and cache: 5 % is the whole slack.
    assertTrue(natPeak <= natFirst * 1.05,
        "native bytes grew from " + natFirst + " to " + natPeak + " after warm-up: " + nat);
    // Resident memory also holds what the JVM and the C library malloc and free; after the
    // warm-up it must stay within the same 5 % (the JVM's heap is fixed and pre-touched: java/pom.xml
    // runs this test so). 5 % of ~230 MB still fails on a leak of ~4 kB a step, and the native
    // counters above catch a leaked tensor exactly.
    if (rssFirst > 0) {
      assertTrue(rssPeak <= rssFirst * 1.05,
          "resident memory grew from " + rssFirst + " to " + rssPeak + " bytes after warm-up: " + rss
              + "; JVM heap committed meanwhile: " + heap);
    }
  }

  /** DCGAN's weights_init: convolution weights N(0, 0.02); BatchNorm weight N(1, 0.02), bias 0. */
  static void weightsInit(Module m) {
    String name = m.getClass().getSimpleName();
    if (name.contains("Conv")) {
      try (Tensor w = m.namedParameters().get("weight").data()) {
        w.normal_(0.0, 0.02);
      }
    } else if (name.contains("BatchNorm")) {
      try (Tensor w = m.namedParameters().get("weight").data(); Tensor b = m.namedParameters().get("bias").data()) {
        w.normal_(1.0, 0.02);
        b.fill_(0);
      }
    }
  }
}
