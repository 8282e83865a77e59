package dev.kindling.internal;

import dev.kindling.Tensor;

/** Formats tensors like PyTorch's repr (placeholder: values and shape). */
public final class TensorFormatter {
  private TensorFormatter() {}

  public static String format(Tensor t) {
    return "tensor(" + java.util.Arrays.toString(t.toDoubleArray()) + ", shape=" + java.util.Arrays.toString(t.shape()) + ", dtype=" + t.dtype() + ")";
  }
}
