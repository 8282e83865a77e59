package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Returns its input, like {@code torch.nn.Identity}: a placeholder where a layer is switched off
 * (e.g. a replaced classifier head). The result is a new handle to the same tensor, so a scope
 * may close it without closing the caller's input.
 */
public class Identity extends Module {
  @Override
  public Tensor forward(Tensor input) {
    return input.alias();
  }
}
