package dev.kindling.nn;

import java.util.List;

/**
 * What {@link Module#loadStateDict} did not match, like PyTorch's {@code _IncompatibleKeys}:
 * model keys absent from the checkpoint, and checkpoint keys the model has no place for (these
 * are reported in both modes; only strict mode raises on them, as in PyTorch).
 */
public record IncompatibleKeys(List<String> missingKeys, List<String> unexpectedKeys) {
  /**
   * Makes unmodifiable copies of both lists.
   *
   * @param missingKeys model keys absent from the state dict
   * @param unexpectedKeys state dict keys the model has no place for
   */
  public IncompatibleKeys {
    missingKeys = List.copyOf(missingKeys);
    unexpectedKeys = List.copyOf(unexpectedKeys);
  }
}
