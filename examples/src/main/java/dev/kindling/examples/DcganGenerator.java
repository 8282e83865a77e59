package dev.kindling.examples;

import dev.kindling.Tensor;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.ConvTranspose2d;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.Tanh;

/**
 * DCGAN's generator for 28×28 grey images, as in PyTorch's DCGAN example scaled to MNIST's size:
 * a latent vector [N, nz, 1, 1] goes through transposed convolutions 1 → 7 → 14 → 28 pixels, each
 * but the last followed by BatchNorm and ReLU, and a Tanh that puts pixels in [-1, 1]. One child,
 * {@code main}, as in the example ({@code main.0.weight}, …).
 */
public final class DcganGenerator extends Module {
  public final Sequential main;
  private final int nz;

  public DcganGenerator(int nz, int ngf) {
    this.nz = nz;
    main = register("main", new Sequential(
        new ConvTranspose2d(nz, ngf * 4, 7, 1, 0, false), new BatchNorm2d(ngf * 4), new ReLU(),        // 7×7
        new ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, false), new BatchNorm2d(ngf * 2), new ReLU(),   // 14×14
        new ConvTranspose2d(ngf * 2, 1, 4, 2, 1, false), new Tanh()));                                 // 28×28
  }

  /** The length of the latent vector. */
  public int nz() {
    return nz;
  }

  @Override
  public Tensor forward(Tensor z) {
    return main.call(z);
  }
}
