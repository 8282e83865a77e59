package dev.kindling.data;

import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An in-memory dataset over tensors whose first dim indexes the samples, PyTorch's
 * {@code TensorDataset(inputs, targets)}. The dataset does not own the tensors: they must stay
 * open while it is used.
 *
 * <p>A sample is a light {@link Row} (the dataset and an index) rather than two tensors, so that
 * {@link #collate} builds a batch with one {@code indexSelect} per tensor instead of a tensor per
 * sample and a stack; {@link Row#input()} and {@link Row#target()} give the sample's tensors when
 * they are wanted one by one.
 */
public final class TensorDataset implements Dataset<TensorDataset.Row> {
  private final Tensor inputs;
  private final Tensor targets;
  private final int size;

  /**
   * Sample i is (inputs[i], targets[i]); targets may be null for unlabelled data.
   *
   * @param inputs the inputs, first dim N
   * @param targets the targets, first dim N, or null
   */
  public TensorDataset(Tensor inputs, Tensor targets) {
    Objects.requireNonNull(inputs, "TensorDataset: inputs is null");
    if (inputs.dim() == 0) throw new IllegalArgumentException("TensorDataset: inputs must have at least one dim, got a scalar");
    long n = inputs.size(0);
    if (targets != null) {
      if (targets.dim() == 0) throw new IllegalArgumentException("TensorDataset: targets must have at least one dim, got a scalar");
      if (targets.size(0) != n)
        throw new IllegalArgumentException("TensorDataset: size mismatch between tensors: inputs " + Arrays.toString(inputs.shape())
            + " and targets " + Arrays.toString(targets.shape()) + " differ in their first dim");
    }
    if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("TensorDataset: " + n + " samples do not fit an int index");
    this.inputs = inputs;
    this.targets = targets;
    this.size = (int) n;
  }

  /**
   * An unlabelled dataset: sample i is inputs[i].
   *
   * @param inputs the inputs, first dim N
   */
  public TensorDataset(Tensor inputs) {
    this(inputs, null);
  }

  /**
   * The inputs tensor.
   *
   * @return the inputs
   */
  public Tensor inputs() {
    return inputs;
  }

  /**
   * The targets, or null.
   *
   * @return the targets
   */
  public Tensor targets() {
    return targets;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Row get(int index) {
    Dataset.checkIndex(index, size, "TensorDataset.get");
    return new Row(this, index);
  }

  /** Sample index of a TensorDataset. */
  public record Row(TensorDataset dataset, int index) {
    /**
     * inputs[index], a view the caller owns.
     *
     * @return the input
     */
    public Tensor input() {
      return dataset.inputs.select(0, index);
    }

    /**
     * targets[index], a view the caller owns, or null for unlabelled data.
     *
     * @return the target, or null
     */
    public Tensor target() {
      return dataset.targets == null ? null : dataset.targets.select(0, index);
    }
  }

  /**
   * The batch of rows: inputs[indices] and targets[indices] by {@code indexSelect}, or, for rows
   * of several datasets, their tensors stacked.
   *
   * @param rows the samples, at least one
   * @return the batch
   */
  public static Batch collate(List<Row> rows) {
    if (rows.isEmpty()) throw new IllegalArgumentException("TensorDataset.collate: no samples");
    TensorDataset ds = rows.get(0).dataset();
    long[] idx = new long[rows.size()];
    boolean one = true;
    for (int i = 0; i < idx.length; i++) {
      Row r = rows.get(i);
      idx[i] = r.index();
      one &= r.dataset() == ds;
    }
    if (one) {
      Tensor index = Tensor.fromArray(idx, idx.length);
      Tensor x = ds.inputs.indexSelect(0, index);
      Tensor y = ds.targets == null ? null : ds.targets.indexSelect(0, index);
      return new Batch(x, y);
    }
    List<Tensor> xs = new ArrayList<>(rows.size()), ys = new ArrayList<>(rows.size());
    boolean labelled = ds.targets != null;
    for (Row r : rows) {
      if ((r.dataset().targets != null) != labelled)
        throw new IllegalArgumentException("TensorDataset.collate: rows with and without targets cannot be batched together");
      xs.add(r.input());
      if (labelled) ys.add(r.target());
    }
    return new Batch(Tensor.stack(xs), labelled ? Tensor.stack(ys) : null);
  }
}
