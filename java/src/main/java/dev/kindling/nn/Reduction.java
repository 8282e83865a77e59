package dev.kindling.nn;

/**
 * How a loss folds its per-element values into its result, PyTorch's {@code reduction=} string as
 * an enum. {@link #BATCHMEAN} exists only for {@link F#klDiv}, where PyTorch defines it.
 */
public enum Reduction {
  /** Per-element losses, shaped like the batch. */
  NONE("none"),
  /** The (weighted) mean. */
  MEAN("mean"),
  /** The sum. */
  SUM("sum"),
  /** kl_div only: the sum divided by the batch size (size of dim 0). */
  BATCHMEAN("batchmean");

  private final String pytorchName;

  Reduction(String pytorchName) {
    this.pytorchName = pytorchName;
  }

  /**
   * PyTorch's spelling ("none", "mean", "sum", "batchmean").
   *
   * @return the name
   */
  public String pytorchName() {
    return pytorchName;
  }

  /**
   * Parses PyTorch's spelling.
   *
   * @param name "none", "mean", "sum" or "batchmean"
   * @return the constant
   * @throws IllegalArgumentException for another name
   */
  public static Reduction of(String name) {
    for (Reduction r : values()) if (r.pytorchName.equals(name)) return r;
    throw new IllegalArgumentException(name + " is not a valid value for reduction");
  }
}
