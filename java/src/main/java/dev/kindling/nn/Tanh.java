package dev.kindling.nn;

import dev.kindling.Tensor;

/** tanh elementwise, like {@code torch.nn.Tanh}. */
public class Tanh extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return input.tanh();
  }
}
