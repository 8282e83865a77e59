package dev.kindling.examples;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.data.Batch;
import dev.kindling.data.BatchIterator;
import dev.kindling.data.DataLoader;
import dev.kindling.data.LabeledImage;
import dev.kindling.examples.common.CommonOptions;
import dev.kindling.examples.common.History;
import dev.kindling.examples.common.ImageGrid;
import dev.kindling.examples.common.Progress;
import dev.kindling.io.Checkpoint;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.RMSprop;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The WGAN training loop of the paper's code, on Fashion-MNIST: for every generator iteration the
 * critic takes {@code --n-critic} steps, its weights clipped to [-c, c] with {@code clamp_} before
 * each, {@code errD_real.backward(one)} and {@code errD_fake.backward(mone)}; then the critic's
 * parameters stop requiring grad while the generator steps through it ({@code errG.backward(one)}),
 * and require it again. RMSprop(5e-5) for both.
 *
 * <p>{@code --gp} switches to WGAN-GP: no clipping and no BatchNorm in the critic, a gradient
 * penalty λ·(‖∇D(x̂)‖₂ − 1)² on random interpolates x̂ of real and fake images, computed with
 * {@code Autograd.grad(…, createGraph = true)} so that it can itself be differentiated, and
 * Adam(1e-4, betas 0.5, 0.9).
 *
 * <p>Output in {@code --out} (default {@code runs/wgan} or {@code runs/wgan-gp}): {@code
 * real_samples.png}, {@code fake_samples_epoch_NNN.png} and {@code fake_samples.png}, {@code
 * losses.png}, {@code metrics.csv}, {@code checkpoint.safetensors}.
 */
@Command(name = "wgan", mixinStandardHelpOptions = true,
    description = "Train a Wasserstein GAN on Fashion-MNIST: weight clipping, or a gradient penalty with --gp.")
public final class Wgan implements Callable<Integer> {
  public static final String NAME = "wgan";

  @Mixin CommonOptions common = new CommonOptions();

  @Option(names = "--gp", description = "WGAN-GP: gradient penalty instead of weight clipping")
  boolean gp;

  @Option(names = "--epochs", description = "Epochs (default: ${DEFAULT-VALUE})", defaultValue = "5")
  int epochs;

  @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE})", defaultValue = "64")
  int batchSize;

  @Option(names = "--lr", description = "Learning rate (default: 5e-5 with RMSprop, 1e-4 with Adam for --gp)")
  Double lr;

  @Option(names = "--n-critic", description = "Critic iterations per generator iteration (default: ${DEFAULT-VALUE})", defaultValue = "5")
  int nCritic;

  @Option(names = "--critic-warmup", paramLabel = "N",
      description = "Run 100 critic iterations for each of the first N generator iterations and every 500th, as the paper's code does (default: ${DEFAULT-VALUE})",
      defaultValue = "0")
  int criticWarmup;

  @Option(names = "--clip", description = "Weight clipping bound c (default: ${DEFAULT-VALUE})", defaultValue = "0.01")
  double clip;

  @Option(names = "--lambda", description = "Gradient penalty weight for --gp (default: ${DEFAULT-VALUE})", defaultValue = "10")
  double lambda;

  @Option(names = "--nz", description = "Size of the latent vector (default: ${DEFAULT-VALUE})", defaultValue = "100")
  int nz;

  @Option(names = "--ngf", description = "Generator width (default: ${DEFAULT-VALUE}; PyTorch's example uses 64)", defaultValue = "32")
  int ngf;

  @Option(names = "--ndf", description = "Critic width (default: ${DEFAULT-VALUE}; the paper's code uses 64)", defaultValue = "32")
  int ndf;

  static final String[] COLUMNS = {"iteration", "Loss_D", "Loss_G", "Loss_D_real", "Loss_D_fake", "penalty"};

  @Override
  public Integer call() {
    String name = gp ? "wgan-gp" : NAME;
    Path out = common.outDir(name);
    Kindling.manualSeed(common.seed);
    History history = new History(COLUMNS);

    try (DataLoader<LabeledImage> loader = Gans.loader(common.data, batchSize, common.seed);
        DcganGenerator netG = new DcganGenerator(nz, ngf);
        DcganDiscriminator netD = new DcganDiscriminator(ndf, !gp, false);
        Tensor fixedNoise = Tensor.randn(64, nz, 1, 1);
        Tensor one = Tensor.of(1f);
        Tensor mone = one.mul(-1)) {
      netG.apply(Gans::weightsInit);
      netD.apply(Gans::weightsInit);
      System.out.println(netG);
      System.out.println(netD);
      try (Optimizer optimizerD = optimizer(netD.parameters()); Optimizer optimizerG = optimizer(netG.parameters())) {
        System.out.printf(Locale.ROOT, "%s: %s, %d critic iterations per generator iteration, %s%n", name,
            optimizerD.getClass().getSimpleName() + "(lr " + optimizerD.paramGroups().get(0).lr() + ")", nCritic,
            gp ? "gradient penalty λ = " + lambda : "weights clipped to ±" + clip);
        try (Scope s = Kindling.scope(); BatchIterator it = loader.iterator()) {
          Tensor real = it.next().inputs();
          ImageGrid.save(real.narrow(0, 0, Math.min(64, real.size(0))), out.resolve("real_samples.png"), 8, -1, 1, 3);
        }
        int genIterations = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
          int batches = common.batchesPerEpoch(loader.size());
          int firstRow = history.size();
          try (Progress progress = Progress.start("epoch " + epoch + "/" + epochs, (long) batches * batchSize, "img", common.progress);
              BatchIterator dataIter = loader.iterator()) {
            int i = 0;
            while (i < batches) {
              // (1) Update the critic
              for (Tensor p : netD.parameters()) p.requiresGrad_(true);  // they are set to false below in netG update
              int dIters = criticWarmup > 0 && (genIterations < criticWarmup || genIterations % 500 == 0) ? 100 : nCritic;
              double errDReal = 0, errDFake = 0, errD = 0, penalty = 0;
              int j = 0;
              while (j < dIters && i < batches && dataIter.hasNext()) {
                j++;
                if (!gp) {
                  // clamp parameters to a cube
                  for (Tensor p : netD.parameters()) try (Tensor d = p.data()) { d.clamp_(-clip, clip); }
                }
                try (Batch data = dataIter.next(); Scope s = Kindling.scope()) {
                  i++;
                  netD.zeroGrad();
                  Tensor real = data.inputs();
                  long b = real.size(0);
                  Tensor dReal = netD.call(real).mean().view(1);
                  Tensor noise = Tensor.randn(b, nz, 1, 1);
                  Tensor fake;
                  try (var noGrad = Autograd.noGrad()) {
                    fake = netG.call(noise);  // totally freeze netG
                  }
                  Tensor dFake = netD.call(fake).mean().view(1);
                  if (!gp) {
                    dReal.backward(one);
                    dFake.backward(mone);
                    errD = dReal.sub(dFake).item();
                  } else {
                    dReal.backward(mone);
                    dFake.backward(one);
                    Tensor gradientPenalty = gradientPenalty(netD, real, fake);
                    gradientPenalty.backward();
                    penalty = gradientPenalty.item();
                    errD = dFake.sub(dReal).item() + penalty;
                  }
                  errDReal = dReal.item();
                  errDFake = dFake.item();
                  optimizerD.step();
                  progress.step(b, String.format(Locale.ROOT, "Loss_D %.4f Loss_G %.4f", errD, history.last("Loss_G")));
                }
              }
              // (2) Update the generator
              for (Tensor p : netD.parameters()) p.requiresGrad_(false);  // to avoid computation
              double errG;
              try (Scope s = Kindling.scope()) {
                netG.zeroGrad();
                Tensor noise = Tensor.randn(batchSize, nz, 1, 1);
                Tensor fake = netG.call(noise);
                Tensor g = netD.call(fake).mean().view(1);
                if (!gp) {
                  g.backward(one);
                  errG = g.item();
                } else {
                  g.backward(mone);
                  errG = -g.item();
                }
                optimizerG.step();
              }
              genIterations++;
              history.add(genIterations, errD, errG, errDReal, errDFake, penalty);
            }
            for (Tensor p : netD.parameters()) p.requiresGrad_(true);
          }
          int rows = history.size() - firstRow;
          System.out.printf(Locale.ROOT, "[%d/%d] generator iterations %d  Loss_D %.4f  Loss_G %.4f  Loss_D_real %.4f  Loss_D_fake %.4f%s%n", epoch,
              epochs, genIterations, mean(history.get("Loss_D"), firstRow), mean(history.get("Loss_G"), firstRow),
              mean(history.get("Loss_D_real"), firstRow), mean(history.get("Loss_D_fake"), firstRow),
              gp ? String.format(Locale.ROOT, "  penalty %.4f", mean(history.get("penalty"), firstRow)) : "");
          if (rows == 0) System.out.println("(no generator iteration this epoch: fewer batches than critic iterations)");
          Path grid = Gans.saveSamples(netG, fixedNoise, out.resolve(String.format(Locale.ROOT, "fake_samples_epoch_%03d.png", epoch)));
          Gans.saveSamples(netG, fixedNoise, out.resolve("fake_samples.png"));
          Gans.saveLosses((gp ? "WGAN-GP" : "WGAN") + " on Fashion-MNIST (Kindling)", history, new String[] {"Loss_D", "Loss_G"},
              out.resolve("losses.png"));
          history.writeCsv(out.resolve("metrics.csv"));
          try (Scope s = Kindling.scope()) {
            Checkpoint.save(out.resolve("checkpoint.safetensors"), Checkpoint.entries().with("epoch", epoch)
                .with("gen_iterations", genIterations).with("gp", gp)
                .with("netG", netG.stateDict()).with("netD", netD.stateDict())
                .with("optimizerG", optimizerG.stateDict()).with("optimizerD", optimizerD.stateDict()).withRngState());
          }
          System.out.println("samples: " + grid);
        }
      }
    }
    System.out.println("pictures: " + out.resolve("fake_samples.png") + ", " + out.resolve("losses.png"));
    return 0;
  }

  private Optimizer optimizer(List<Tensor> params) {
    if (gp) return new Adam(params, Adam.options().lr(lr != null ? lr : 1e-4).betas(0.5, 0.9));
    return new RMSprop(params, RMSprop.options().lr(lr != null ? lr : 5e-5));
  }

  /**
   * WGAN-GP's penalty: λ·mean((‖∂D(x̂)/∂x̂‖₂ − 1)²) at x̂ = α·real + (1 − α)·fake, α ~ U[0, 1] per
   * sample. The gradient is taken with createGraph, so the penalty's backward reaches the critic's
   * parameters through it (a double backward).
   */
  Tensor gradientPenalty(DcganDiscriminator netD, Tensor real, Tensor fake) {
    long b = real.size(0);
    Tensor alpha = Tensor.rand(b, 1, 1, 1);
    Tensor interpolates = alpha.mul(real).add(alpha.rsub(1).mul(fake)).detach().requiresGrad_();
    Tensor disc = netD.call(interpolates);
    Tensor gradients = Autograd.grad(List.of(disc), List.of(interpolates), List.of(Tensor.onesLike(disc)), true, true, false).get(0);
    return gradients.view(b, -1).pow(2).sum(1).sqrt().sub(1).pow(2).mean().mul(lambda);
  }

  private static double mean(List<Double> values, int from) {
    double s = 0;
    int n = 0;
    for (int k = from; k < values.size(); k++, n++) s += values.get(k);
    return n == 0 ? Double.NaN : s / n;
  }
}
