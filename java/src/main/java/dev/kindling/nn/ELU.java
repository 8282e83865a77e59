package dev.kindling.nn;

import dev.kindling.Tensor;

/** x for x &gt; 0, alpha·(exp(x) − 1) otherwise, like {@code torch.nn.ELU} (default alpha 1). */
public class ELU extends Module {
  private final double alpha;

  /** {@code nn.ELU()}: alpha = 1. */
  public ELU() {
    this(1.0);
  }

  /**
   * {@code nn.ELU(alpha)}.
   *
   * @param alpha the scale of the negative branch
   */
  public ELU(double alpha) {
    this.alpha = alpha;
  }

  /**
   * The scale of the negative branch.
   *
   * @return alpha
   */
  public double alpha() {
    return alpha;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.elu(input, alpha);
  }

  @Override
  public String extraRepr() {
    return "alpha=" + pyFloat(alpha);
  }
}
