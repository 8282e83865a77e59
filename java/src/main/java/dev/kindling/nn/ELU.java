package dev.kindling.nn;

import dev.kindling.Tensor;

/** x for x &gt; 0, alpha·(exp(x) − 1) otherwise, like {@code torch.nn.ELU} (default alpha 1). */
public class ELU extends Module {
  private final double alpha;

  public ELU() {
    this(1.0);
  }

  public ELU(double alpha) {
    this.alpha = alpha;
  }

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
