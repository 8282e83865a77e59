package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * In training, zeroes each element with probability p and scales the rest by 1/(1−p) so the
 * expected value is unchanged; in eval it is the identity. Like {@code torch.nn.Dropout(p)}.
 */
public class Dropout extends Module {
  private final double p;

  /** {@code nn.Dropout()}: p = 0.5. */
  public Dropout() {
    this(0.5);
  }

  /**
   * {@code nn.Dropout(p)}: in training, zeroes each element with probability p and scales the rest
   * by 1/(1-p).
   *
   * @param p the drop probability, in [0, 1]
   * @throws IllegalArgumentException if p is outside [0, 1]
   */
  public Dropout(double p) {
    if (!(p >= 0 && p <= 1))
      throw new IllegalArgumentException(getClass().getSimpleName()
          + ": dropout probability has to be between 0 and 1, but got " + p);
    this.p = p;
  }

  /**
   * The drop probability.
   *
   * @return p
   */
  public double p() {
    return p;
  }

  @Override
  public Tensor forward(Tensor input) {
    if (!isTraining() || p == 0) return input.alias();
    if (p == 1) return input.mul(0.0);
    Tensor mask = Tensor.empty(maskShape(input), input.dtype()).bernoulli_(1 - p).div_(1 - p);
    try {
      return input.mul(mask);
    } finally {
      mask.close();
    }
  }

  /** The shape of the random mask: the input's own (one draw per element). */
  long[] maskShape(Tensor input) {
    return input.shape();
  }

  @Override
  public String extraRepr() {
    return "p=" + pyFloat(p) + ", inplace=False";
  }
}
