package dev.kindling.examples;

import dev.kindling.Tensor;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.LeakyReLU;
import dev.kindling.nn.Module;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.Sigmoid;

/**
 * DCGAN's discriminator for 28×28 grey images: strided convolutions 28 → 14 → 7 → 1 with
 * LeakyReLU(0.2), BatchNorm on the middle one, and a Sigmoid giving the probability that each image
 * is real; the output is [N]. For WGAN it is the critic: no Sigmoid (an unbounded score), and no
 * BatchNorm when a gradient penalty is used (the penalty is per sample, which batch statistics
 * would mix up).
 */
public final class DcganDiscriminator extends Module {
  public final Sequential main;

  /** The DCGAN discriminator (BatchNorm, Sigmoid). */
  public DcganDiscriminator(int ndf) {
    this(ndf, true, true);
  }

  public DcganDiscriminator(int ndf, boolean batchNorm, boolean sigmoid) {
    main = register("main", new Sequential(new Conv2d(1, ndf, 4, 2, 1, false), new LeakyReLU(0.2)));  // 14×14
    main.add(new Conv2d(ndf, ndf * 2, 4, 2, 1, false));                                              // 7×7
    if (batchNorm) main.add(new BatchNorm2d(ndf * 2));
    main.add(new LeakyReLU(0.2));
    main.add(new Conv2d(ndf * 2, 1, 7, 1, 0, false));                                                 // 1×1
    if (sigmoid) main.add(new Sigmoid());
  }

  @Override
  public Tensor forward(Tensor x) {
    return main.call(x).view(-1);
  }
}
