package dev.kindling.nn;

import dev.kindling.Tensor;

/** x·sigmoid(x), like {@code torch.nn.SiLU}. */
public class SiLU extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return F.silu(input);
  }
}
