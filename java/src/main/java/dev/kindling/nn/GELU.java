package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * GELU, like {@code torch.nn.GELU}. Only {@code approximate = "tanh"} exists for now: the core
 * has no erf op, so PyTorch's default exact form would silently give different numbers; asking
 * for it fails loudly instead.
 */
public class GELU extends Module {
  private final String approximate;

  /** PyTorch's default, exact (erf) GELU: not available yet. */
  public GELU() {
    this("none");
  }

  public GELU(String approximate) {
    if ("none".equals(approximate))
      throw new UnsupportedOperationException("GELU: the exact (erf) form, approximate='none', is not available yet "
          + "because the core has no erf op; use new GELU(\"tanh\")");
    if (!"tanh".equals(approximate))
      throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
    this.approximate = approximate;
  }

  public String approximate() {
    return approximate;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.geluTanh(input);
  }

  @Override
  public String extraRepr() {
    return "approximate='" + approximate + "'";
  }
}
