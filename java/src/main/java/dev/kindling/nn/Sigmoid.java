package dev.kindling.nn;

import dev.kindling.Tensor;

/** 1 / (1 + e^−x) elementwise, like {@code torch.nn.Sigmoid}. */
public class Sigmoid extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return input.sigmoid();
  }
}
