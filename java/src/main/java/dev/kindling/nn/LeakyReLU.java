package dev.kindling.nn;

import dev.kindling.Tensor;

/** x for x ≥ 0, negativeSlope · x otherwise, like {@code torch.nn.LeakyReLU} (default 0.01). */
public class LeakyReLU extends Module {
  private final double negativeSlope;

  public LeakyReLU() {
    this(0.01);
  }

  public LeakyReLU(double negativeSlope) {
    this.negativeSlope = negativeSlope;
  }

  public double negativeSlope() {
    return negativeSlope;
  }

  @Override
  public Tensor forward(Tensor input) {
    return input.leakyRelu(negativeSlope);
  }

  @Override
  public String extraRepr() {
    return "negative_slope=" + pyFloat(negativeSlope);
  }
}
