package dev.kindling.data;

import java.util.List;

/**
 * Merges the samples of one batch into a {@link Batch}, PyTorch's {@code collate_fn}. It runs on
 * the DataLoader's prefetch thread (or the caller's when prefetch is 0) inside a scope of its own:
 * tensors it makes on the way are freed after it returns, and the batch's two tensors are handed
 * to the consumer. So it must return new tensors, never ones owned elsewhere.
 * {@link LabeledImage#collate} and {@link TensorDataset#collate} are the ready-made ones.
 */
@FunctionalInterface
public interface Collate<T> {
  /**
   * Merges one batch's samples.
   *
   * @param samples the samples, in loader order
   * @return a batch of new tensors
   */
  Batch apply(List<T> samples);
}
