package dev.kindling.nn;

import dev.kindling.Tensor;

/** x for x ≥ 0, negativeSlope · x otherwise, like {@code torch.nn.LeakyReLU} (default 0.01). */
public class LeakyReLU extends Module {
  private final double negativeSlope;

  /** {@code nn.LeakyReLU()}: negative slope 0.01. */
  public LeakyReLU() {
    this(0.01);
  }

  /**
   * {@code nn.LeakyReLU(negative_slope)}.
   *
   * @param negativeSlope the factor for negative inputs
   */
  public LeakyReLU(double negativeSlope) {
    this.negativeSlope = negativeSlope;
  }

  /**
   * The factor for negative inputs.
   *
   * @return negative_slope
   */
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
