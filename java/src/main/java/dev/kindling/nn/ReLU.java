package dev.kindling.nn;

import dev.kindling.Tensor;

/** max(0, x) elementwise, like {@code torch.nn.ReLU}. */
public class ReLU extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return input.relu();
  }
}
