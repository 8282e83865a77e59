package dev.kindling.data;

import dev.kindling.Tensor;
import java.util.Objects;

/**
 * One batch from a {@link DataLoader}: the inputs and, for labelled data, the targets (else
 * null), PyTorch's {@code (x, y)} pair. The tensors are the receiver's: they belong to the scope
 * that was open on the receiving thread when the batch was handed over, and {@link #close()}
 * frees them at once (closing twice is harmless), so either
 * {@code try (batch) { … }} or a scope around the step keeps memory flat.
 */
public record Batch(Tensor inputs, Tensor targets) implements AutoCloseable {
  /**
   * A batch of inputs and, for labelled data, targets; {@link #close()} frees both.
   *
   * @param inputs the batch's inputs, first dim N
   * @param targets the batch's targets, or null for unlabelled data
   */
  public Batch {
    Objects.requireNonNull(inputs, "Batch: inputs is null");
  }

  /**
   * An unlabelled batch.
   *
   * @param inputs the batch's inputs, first dim N
   */
  public Batch(Tensor inputs) {
    this(inputs, null);
  }

  /**
   * The number of samples (the inputs' first dim).
   *
   * @return N
   */
  public long size() {
    return inputs.size(0);
  }

  @Override
  public void close() {
    inputs.close();
    if (targets != null) targets.close();
  }
}
