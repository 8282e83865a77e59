package dev.kindling.data;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Batches of a dataset, PyTorch's {@code torch.utils.data.DataLoader}: batching, seeded
 * shuffling, {@code dropLast}, and a background thread that prepares the next batches while the
 * current one trains.
 *
 * <pre>{@code
 * var train = FashionMNIST.train(dataDir).withTransform(new Normalize(0.2860, 0.3530));
 * try (var loader = DataLoader.builder(train, LabeledImage::collate)
 *     .batchSize(64).shuffle(true).seed(42).build()) {
 *   for (int epoch = 0; epoch < epochs; epoch++) {
 *     for (Batch b : loader) {
 *       try (b; var s = Kindling.scope()) {
 *         Tensor loss = F.crossEntropy(model.forward(b.inputs()), b.targets());
 *         ...
 *       }
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p><b>Shuffling.</b> With {@code shuffle(true)} every epoch (every {@link #iterator()}) visits
 * each index exactly once in a new order, drawn from one {@link Generator} seeded once when the
 * loader is built: a run is reproducible, and, for the same seed, the orders are those of PyTorch's
 * {@code DataLoader(…, shuffle=True, generator=torch.Generator().manual_seed(seed))} epoch after
 * epoch. Without a seed, the seed is drawn from Kindling's global generator, so
 * {@code Kindling.manualSeed} fixes it. Saving {@code generator().getState()} with a checkpoint and
 * restoring it resumes the same sequence of orders.
 *
 * <p><b>Prefetching.</b> With {@code prefetch(k)}, k &gt; 0 (the default is 2), one background
 * thread reads and collates up to k batches ahead into a bounded queue; with 0 everything runs
 * on the caller's thread. Both give the same batches. The thread stops when the epoch ends, when
 * the iterator or the loader is closed, when a new epoch starts (one epoch runs at a time), or, as
 * a backstop, when an abandoned iterator is garbage collected; batches it made and nobody took are
 * freed then. An exception thrown by the dataset or the collate function reaches the consumer
 * from {@code next()}: the same exception object, after which the epoch is over.
 *
 * <p><b>Ownership.</b> Each batch is made inside a scope of its own (temporaries are freed) and its
 * two tensors are handed to the consumer: they join the scope open on the consumer's thread when
 * {@code next()} returns, or, with none open, are the consumer's to close ({@link Batch#close()}).
 */
public final class DataLoader<T> implements Iterable<Batch>, AutoCloseable {
  private final Dataset<T> dataset;
  private final Collate<? super T> collate;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean dropLast;
  private final int prefetch;
  private final Generator generator;
  private BatchIterator.State current;
  private boolean closed;

  private DataLoader(Builder<T> b) {
    this.dataset = b.dataset;
    this.collate = b.collate;
    this.batchSize = b.batchSize;
    this.shuffle = b.shuffle;
    this.dropLast = b.dropLast;
    this.prefetch = b.prefetch;
    if (b.generator != null) this.generator = b.generator;
    else if (b.seed != null) this.generator = new Generator(b.seed);
    else this.generator = shuffle ? new Generator(seedFromGlobal()) : null;
  }

  /**
   * Starts a loader over dataset whose batches collate makes (e.g. {@code LabeledImage::collate}).
   *
   * @param <T> the dataset's sample type
   * @param dataset the samples
   * @param collate merges a list of samples into one batch
   * @return a new builder (batch size 1, no shuffling, 2 batches prefetched)
   */
  public static <T> Builder<T> builder(Dataset<T> dataset, Collate<? super T> collate) {
    return new Builder<>(dataset, collate);
  }

  /** Options of a DataLoader, with PyTorch's defaults except prefetch (2: a background thread). */
  public static final class Builder<T> {
    private final Dataset<T> dataset;
    private final Collate<? super T> collate;
    private int batchSize = 1;
    private boolean shuffle;
    private boolean dropLast;
    private int prefetch = 2;
    private Long seed;
    private Generator generator;

    private Builder(Dataset<T> dataset, Collate<? super T> collate) {
      this.dataset = Objects.requireNonNull(dataset, "DataLoader: dataset is null");
      this.collate = Objects.requireNonNull(collate, "DataLoader: collate is null");
    }

    /**
     * {@code batch_size}: samples per batch (default 1).
     *
     * @param batchSize a positive count
     * @return this builder
     * @throws IllegalArgumentException if batchSize is not positive
     */
    public Builder<T> batchSize(int batchSize) {
      if (batchSize <= 0)
        throw new IllegalArgumentException("DataLoader: batch_size should be a positive integer value, but got batch_size=" + batchSize);
      this.batchSize = batchSize;
      return this;
    }

    /**
     * {@code shuffle}: a new random order every epoch (default false).
     *
     * @param shuffle whether to shuffle
     * @return this builder
     */
    public Builder<T> shuffle(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /**
     * Seeds the loader's own generator (like {@code
     * generator=torch.Generator().manual_seed(seed)}).
     *
     * @param seed the generator seed
     * @return this builder
     */
    public Builder<T> seed(long seed) {
      this.seed = seed;
      this.generator = null;
      return this;
    }

    /**
     * Uses this generator for shuffling (it is advanced by every epoch).
     *
     * @param generator the generator to use
     * @return this builder
     */
    public Builder<T> generator(Generator generator) {
      this.generator = Objects.requireNonNull(generator, "DataLoader: generator is null");
      this.seed = null;
      return this;
    }

    /**
     * Drops the last batch when it would be smaller than batchSize.
     *
     * @param dropLast whether to drop an incomplete last batch
     * @return this builder
     */
    public Builder<T> dropLast(boolean dropLast) {
      this.dropLast = dropLast;
      return this;
    }

    /**
     * Batches prepared ahead on a background thread; 0 prepares each on the caller's thread.
     *
     * @param batches how many batches to prepare ahead, 0 or more
     * @return this builder
     */
    public Builder<T> prefetch(int batches) {
      if (batches < 0) throw new IllegalArgumentException("DataLoader: prefetch must be 0 or more, got " + batches);
      this.prefetch = batches;
      return this;
    }

    /**
     * Makes the loader.
     *
     * @return a new DataLoader
     */
    public DataLoader<T> build() {
      return new DataLoader<>(this);
    }
  }

  private static long seedFromGlobal() {
    try (Scope s = Kindling.scope()) {
      return Tensor.randint(0, Long.MAX_VALUE, 1).itemLong();
    }
  }

  /**
   * The dataset this loader reads.
   *
   * @return the dataset
   */
  public Dataset<T> dataset() {
    return dataset;
  }

  /**
   * Samples per batch ({@code loader.batch_size}).
   *
   * @return the batch size
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * Whether every epoch visits the samples in a new random order.
   *
   * @return true when shuffling
   */
  public boolean shuffle() {
    return shuffle;
  }

  /**
   * Whether an incomplete last batch is dropped ({@code loader.drop_last}).
   *
   * @return the setting
   */
  public boolean dropLast() {
    return dropLast;
  }

  /**
   * Batches prepared ahead on a background thread (0: on the caller's thread).
   *
   * @return the prefetch count
   */
  public int prefetch() {
    return prefetch;
  }

  /**
   * The generator that shuffles (null when not shuffling and none was given).
   *
   * @return the generator, or null
   */
  public Generator generator() {
    return generator;
  }

  /**
   * Batches per epoch, like {@code len(loader)}.
   *
   * @return the number of batches
   */
  public int size() {
    int n = dataset.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /**
   * Starts an epoch: its order is drawn now (so the generator moves on by exactly one epoch),
   * and the prefetch thread, if any, starts. An epoch still running on this loader is closed
   * first; using its iterator afterwards throws IllegalStateException.
   */
  @Override
  public synchronized BatchIterator iterator() {
    if (closed) throw new IllegalStateException("DataLoader: the loader has been closed");
    if (current != null) current.close(true);
    BatchIterator it = new BatchIterator(plan(), this::fetch, prefetch);
    current = it.state();
    return it;
  }

  /** The index batches of the next epoch, drawn as PyTorch's loader and sampler draw them. */
  private int[][] plan() {
    int n = dataset.size();
    int[] order;
    if (shuffle) {
      generator.random64();  // the iterator's base seed (_base_seed), drawn first
      order = generator.randperm(n);
      // RandomSampler draws one more permutation (and takes none of it) when the epoch runs out
      if (n > 0) generator.randperm(n);
    } else {
      order = new int[n];
      for (int i = 0; i < n; i++) order[i] = i;
    }
    int batches = size();
    int[][] plan = new int[batches][];
    for (int b = 0; b < batches; b++) plan[b] = Arrays.copyOfRange(order, b * batchSize, Math.min(n, (b + 1) * batchSize));
    return plan;
  }

  /** Reads and collates one batch in a scope of its own; its two tensors leave it owned by nobody. */
  private Batch fetch(int[] indices) {
    try (Scope s = Kindling.scope()) {
      List<T> samples = new ArrayList<>(indices.length);
      for (int i : indices) samples.add(dataset.get(i));
      @SuppressWarnings("unchecked")
      Collate<T> c = (Collate<T>) collate;
      Batch b = c.apply(samples);
      if (b == null) throw new NullPointerException("DataLoader: the collate function returned null");
      Scope.escape(b.inputs());
      Scope.escape(b.targets());
      return b;
    }
  }

  /** Ends the running epoch, if any; the loader cannot be iterated afterwards. */
  @Override
  public synchronized void close() {
    closed = true;
    if (current != null) {
      current.close(false);
      current = null;
    }
  }

  @Override
  public String toString() {
    return "DataLoader(dataset size=" + dataset.size() + ", batchSize=" + batchSize + ", shuffle=" + shuffle
        + ", dropLast=" + dropLast + ", prefetch=" + prefetch + ")";
  }
}
