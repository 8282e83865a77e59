package dev.kindling.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The samples of a dataset at given indices, PyTorch's {@code torch.utils.data.Subset}, and
 * {@link #randomSplit} ({@code random_split}) to cut a dataset into non-overlapping parts, e.g.
 * a training and a validation set.
 */
public final class Subset<T> implements Dataset<T> {
  private final Dataset<T> dataset;
  private final int[] indices;

  /**
   * {@code torch.utils.data.Subset(dataset, indices)}: sample i is {@code dataset[indices[i]]}.
   *
   * @param dataset the underlying dataset
   * @param indices the indices into it (copied)
   */
  public Subset(Dataset<T> dataset, int[] indices) {
    this.dataset = Objects.requireNonNull(dataset, "Subset: dataset is null");
    this.indices = Objects.requireNonNull(indices, "Subset: indices is null").clone();
    int n = dataset.size();
    for (int i : this.indices) Dataset.checkIndex(i, n, "Subset");
  }

  /**
   * The underlying dataset.
   *
   * @return the dataset
   */
  public Dataset<T> dataset() {
    return dataset;
  }

  /**
   * The indices into {@link #dataset()} (a copy).
   *
   * @return a copy of the indices
   */
  public int[] indices() {
    return indices.clone();
  }

  @Override
  public int size() {
    return indices.length;
  }

  @Override
  public T get(int index) {
    Dataset.checkIndex(index, indices.length, "Subset.get");
    return dataset.get(indices[index]);
  }

  /**
   * Splits dataset into parts of the given lengths, drawn by one permutation of all indices
   * ({@code random_split(dataset, lengths, generator)}): the same generator state gives the same
   * parts as PyTorch.
   *
   * @param <T> the sample type
   * @param dataset the dataset to split
   * @param lengths the parts' sizes, summing to the dataset's size
   * @param generator the generator of the permutation
   * @return the parts, in order
   */
  public static <T> List<Subset<T>> randomSplit(Dataset<T> dataset, int[] lengths, Generator generator) {
    Objects.requireNonNull(dataset, "randomSplit: dataset is null");
    Objects.requireNonNull(lengths, "randomSplit: lengths is null");
    Objects.requireNonNull(generator, "randomSplit: generator is null");
    long total = 0;
    for (int l : lengths) {
      if (l < 0) throw new IllegalArgumentException("randomSplit: negative length " + l + " in " + Arrays.toString(lengths));
      total += l;
    }
    if (total != dataset.size())
      throw new IllegalArgumentException("randomSplit: sum of input lengths " + Arrays.toString(lengths) + " = " + total
          + " does not equal the length of the input dataset (" + dataset.size() + ")");
    int[] perm = generator.randperm((int) total);
    List<Subset<T>> parts = new ArrayList<>(lengths.length);
    int offset = 0;
    for (int l : lengths) {
      parts.add(new Subset<>(dataset, Arrays.copyOfRange(perm, offset, offset + l)));
      offset += l;
    }
    return parts;
  }
}
