package dev.kindling;

/** The (values, indices) pair returned by {@code max(dim)} and {@code min(dim)}, as in PyTorch. */
public record ValuesIndices(Tensor values, Tensor indices) implements AutoCloseable {
  @Override
  public void close() {
    values.close();
    indices.close();
  }
}
