package dev.kindling.data;

import java.util.Objects;
import java.util.function.Function;

/**
 * A map-style dataset, PyTorch's {@code torch.utils.data.Dataset}: a fixed number of samples,
 * each read by index. A {@link DataLoader} reads them in batches, possibly on its prefetch thread,
 * so {@link #get} must be safe to call from a thread other than the one that made the dataset
 * (reading immutable data is).
 *
 * @param <T> the sample type, e.g. {@link LabeledImage}
 */
public interface Dataset<T> {
  /**
   * The number of samples, like {@code len(dataset)}.
   *
   * @return the sample count
   */
  int size();

  /**
   * Sample index, for 0 ≤ index &lt; size(), like {@code dataset[index]}.
   *
   * @param index the sample index
   * @return the sample
   */
  T get(int index);

  /**
   * A view of this dataset whose samples are f applied to this one's, computed on each get.
   *
   * @param <U> the mapped sample type
   * @param f the function applied to each sample
   * @return a lazy view
   */
  default <U> Dataset<U> map(Function<? super T, ? extends U> f) {
    Objects.requireNonNull(f, "Dataset.map: function is null");
    Dataset<T> source = this;
    return new Dataset<>() {
      @Override
      public int size() {
        return source.size();
      }

      @Override
      public U get(int index) {
        return f.apply(source.get(index));
      }
    };
  }

  /**
   * Checks index against size, with PyTorch-like wording; for implementations.
   *
   * @param index the index asked for
   * @param size the dataset's size
   * @param what the caller, for the message
   * @throws IndexOutOfBoundsException if index is outside [0, size)
   */
  static void checkIndex(int index, int size, String what) {
    if (index < 0 || index >= size)
      throw new IndexOutOfBoundsException(what + ": index " + index + " is out of range for a dataset of " + size + " samples");
  }
}
