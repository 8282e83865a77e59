package dev.kindling.examples;

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
import dev.kindling.nn.BCELoss;
import dev.kindling.optim.Adam;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The DCGAN training loop of PyTorch's example, line for line, on Fashion-MNIST: each iteration
 * updates the discriminator on a real batch (label 1) and on {@code fake.detach()} (label 0), then
 * the generator through the discriminator (label 1), with BCE losses and Adam(2e-4, betas 0.5,
 * 0.999); weights initialised by class name ({@code weights_init}).
 *
 * <p>Output in {@code --out} (default {@code runs/dcgan}): {@code real_samples.png}, {@code
 * fake_samples_epoch_NNN.png} (the fixed noise through the generator after each epoch, also
 * copied to {@code fake_samples.png}), {@code losses.png} (Loss_D and Loss_G per iteration),
 * {@code metrics.csv} and {@code checkpoint.safetensors} (both networks and optimizers).
 */
@Command(name = "dcgan", mixinStandardHelpOptions = true,
    description = "Train a DCGAN on Fashion-MNIST; sample grids each epoch and the loss curves as PNGs.")
public final class Dcgan implements Callable<Integer> {
  public static final String NAME = "dcgan";

  @Mixin CommonOptions common = new CommonOptions();

  @Option(names = "--epochs", description = "Epochs (default: ${DEFAULT-VALUE})", defaultValue = "5")
  int epochs;

  @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE})", defaultValue = "64")
  int batchSize;

  @Option(names = "--lr", description = "Adam's learning rate for both networks (default: ${DEFAULT-VALUE})", defaultValue = "2e-4")
  double lr;

  @Option(names = "--beta1", description = "Adam's beta1 (default: ${DEFAULT-VALUE})", defaultValue = "0.5")
  double beta1;

  @Option(names = "--nz", description = "Size of the latent vector (default: ${DEFAULT-VALUE})", defaultValue = "100")
  int nz;

  @Option(names = "--ngf", description = "Generator width (default: ${DEFAULT-VALUE}; PyTorch's example uses 64)", defaultValue = "32")
  int ngf;

  @Option(names = "--ndf", description = "Discriminator width (default: ${DEFAULT-VALUE}; PyTorch's example uses 64)", defaultValue = "32")
  int ndf;

  static final String[] COLUMNS = {"iteration", "Loss_D", "Loss_G", "D_x", "D_G_z1", "D_G_z2"};

  @Override
  public Integer call() {
    Path out = common.outDir(NAME);
    Kindling.manualSeed(common.seed);
    History history = new History(COLUMNS);
    final double realLabel = 1, fakeLabel = 0;

    try (DataLoader<LabeledImage> loader = Gans.loader(common.data, batchSize, common.seed);
        DcganGenerator netG = new DcganGenerator(nz, ngf);
        DcganDiscriminator netD = new DcganDiscriminator(ndf);
        BCELoss criterion = new BCELoss();
        Tensor fixedNoise = Scope.escape(Tensor.randn(64, nz, 1, 1))) {
      netG.apply(Gans::weightsInit);
      netD.apply(Gans::weightsInit);
      System.out.println(netG);
      System.out.println(netD);
      try (Adam optimizerD = new Adam(netD.parameters(), Adam.options().lr(lr).betas(beta1, 0.999));
          Adam optimizerG = new Adam(netG.parameters(), Adam.options().lr(lr).betas(beta1, 0.999))) {
        try (Scope s = Kindling.scope(); BatchIterator it = loader.iterator()) {
          Tensor real = it.next().inputs();
          ImageGrid.save(real.narrow(0, 0, Math.min(64, real.size(0))), out.resolve("real_samples.png"), 8, -1, 1, 3);
        }
        int iteration = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
          int batches = common.batchesPerEpoch(loader.size());
          double[] sums = new double[COLUMNS.length];
          try (Progress progress = Progress.start("epoch " + epoch + "/" + epochs, (long) batches * batchSize, "img", common.progress);
              BatchIterator it = loader.iterator()) {
            for (int i = 0; i < batches && it.hasNext(); i++) {
              try (Batch data = it.next(); Scope s = Kindling.scope()) {
                // (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
                netD.zeroGrad();
                Tensor real = data.inputs();
                long b = real.size(0);
                Tensor label = Tensor.full(new long[] {b}, realLabel);
                Tensor output = netD.call(real).view(-1);
                Tensor errDReal = criterion.call(output, label);
                errDReal.backward();
                double dX = output.mean().item();

                Tensor noise = Tensor.randn(b, nz, 1, 1);
                Tensor fake = netG.call(noise);
                label.fill_(fakeLabel);
                output = netD.call(fake.detach()).view(-1);
                Tensor errDFake = criterion.call(output, label);
                errDFake.backward();
                double dGz1 = output.mean().item();
                Tensor errD = errDReal.add(errDFake);
                optimizerD.step();

                // (2) Update G: maximize log(D(G(z)))
                netG.zeroGrad();
                label.fill_(realLabel);  // fake labels are real for the generator cost
                output = netD.call(fake).view(-1);
                Tensor errG = criterion.call(output, label);
                errG.backward();
                double dGz2 = output.mean().item();
                optimizerG.step();

                double[] row = {++iteration, errD.item(), errG.item(), dX, dGz1, dGz2};
                history.add(row);
                for (int k = 1; k < row.length; k++) sums[k] += row[k];
                sums[0]++;
                progress.step(b, String.format(Locale.ROOT, "Loss_D %.3f Loss_G %.3f D(x) %.3f D(G(z)) %.3f / %.3f", row[1], row[2], dX,
                    dGz1, dGz2));
              }
            }
          }
          double n = Math.max(1, sums[0]);
          System.out.printf(Locale.ROOT, "[%d/%d] %d iterations  Loss_D %.4f  Loss_G %.4f  D(x) %.4f  D(G(z)) %.4f / %.4f%n", epoch,
              epochs, (int) sums[0], sums[1] / n, sums[2] / n, sums[3] / n, sums[4] / n, sums[5] / n);
          Path grid = Gans.saveSamples(netG, fixedNoise, out.resolve(String.format(Locale.ROOT, "fake_samples_epoch_%03d.png", epoch)));
          Gans.saveSamples(netG, fixedNoise, out.resolve("fake_samples.png"));
          Gans.saveLosses("DCGAN on Fashion-MNIST (Kindling)", history, new String[] {"Loss_D", "Loss_G"}, out.resolve("losses.png"));
          history.writeCsv(out.resolve("metrics.csv"));
          try (Scope s = Kindling.scope()) {
            Checkpoint.save(out.resolve("checkpoint.safetensors"), Checkpoint.entries().with("epoch", epoch)
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
}
