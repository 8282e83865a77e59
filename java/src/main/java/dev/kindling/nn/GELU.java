package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * GELU, like {@code torch.nn.GELU}: {@code approximate = "none"} (the default) is the exact erf
 * form {@link F#gelu}, {@code "tanh"} the tanh approximation {@link F#geluTanh}. Any other value
 * is refused when the module is built, so a typo cannot silently pick a form.
 */
public class GELU extends Module {
  private final String approximate;

  /** PyTorch's default, exact (erf) GELU. */
  public GELU() {
    this("none");
  }

  /**
   * {@code nn.GELU(approximate=...)}.
   *
   * @param approximate "none" (exact erf form) or "tanh"
   * @throws IllegalArgumentException for any other value
   */
  public GELU(String approximate) {
    if (!"none".equals(approximate) && !"tanh".equals(approximate))
      throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
    this.approximate = approximate;
  }

  /**
   * The form in use.
   *
   * @return "none" or "tanh"
   */
  public String approximate() {
    return approximate;
  }

  @Override
  public Tensor forward(Tensor input) {
    return "tanh".equals(approximate) ? F.geluTanh(input) : F.gelu(input);
  }

  @Override
  public String extraRepr() {
    return "approximate='" + approximate + "'";
  }
}
