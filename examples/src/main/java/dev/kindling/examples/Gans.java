package dev.kindling.examples;

import dev.kindling.Autograd;
import dev.kindling.Tensor;
import dev.kindling.data.DataLoader;
import dev.kindling.data.FashionMNIST;
import dev.kindling.data.LabeledImage;
import dev.kindling.data.Normalize;
import dev.kindling.examples.common.History;
import dev.kindling.examples.common.ImageGrid;
import dev.kindling.examples.common.LinePlot;
import dev.kindling.nn.BatchNormBase;
import dev.kindling.nn.Module;
import java.nio.file.Path;

/** What the DCGAN and WGAN examples share: weight init, the data, the pictures. */
final class Gans {
  private Gans() {}

  /**
   * DCGAN's {@code weights_init}, chosen by class name as the PyTorch example does:
   * <pre>
   * classname = m.__class__.__name__
   * if classname.find('Conv') != -1:        m.weight.data.normal_(0.0, 0.02)
   * elif classname.find('BatchNorm') != -1: m.weight.data.normal_(1.0, 0.02); m.bias.data.fill_(0)
   * </pre>
   */
  static void weightsInit(Module m) {
    String classname = m.getClass().getSimpleName();
    if (classname.contains("Conv")) {
      // m.weight of any convolution (Conv1d, Conv2d, ConvTranspose2d): its own parameter "weight"
      try (Tensor w = m.namedParameters().get("weight").data()) {
        w.normal_(0.0, 0.02);
      }
    } else if (classname.contains("BatchNorm")) {
      BatchNormBase bn = (BatchNormBase) m;
      try (Tensor w = bn.weight().data(); Tensor b = bn.bias().data()) {
        w.normal_(1.0, 0.02);
        b.fill_(0);
      }
    }
  }

  /** Fashion-MNIST training images scaled to [-1, 1] (the generator's Tanh range), shuffled. */
  static DataLoader<LabeledImage> loader(Path data, int batchSize, long seed) {
    FashionMNIST train = FashionMNIST.train(data).withTransform(new Normalize(0.5, 0.5));
    return DataLoader.builder(train, LabeledImage::collate).batchSize(batchSize).shuffle(true).dropLast(true).seed(seed).build();
  }

  /**
   * The generator's images for the fixed noise, as an 8-per-row grid PNG. The generator runs as
   * in the training loop (train mode, so BatchNorm uses the batch's statistics, as the PyTorch
   * example does when it draws {@code netG(fixed_noise)}), without autograd.
   */
  static Path saveSamples(Module netG, Tensor fixedNoise, Path path) {
    try (var noGrad = Autograd.noGrad(); Tensor fake = netG.call(fixedNoise)) {
      return ImageGrid.save(fake, path, 8, -1, 1, 3);
    }
  }

  /** Loss curves per iteration. */
  static Path saveLosses(String title, History h, String[] curves, Path path) {
    LinePlot plot = new LinePlot(title, "iteration", "loss");
    for (String c : curves) plot.add(c, h.get("iteration"), h.get(c));
    return plot.save(path);
  }
}
