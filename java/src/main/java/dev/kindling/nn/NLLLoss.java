package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Negative log likelihood on log-probabilities, like {@code torch.nn.NLLLoss}; see
 * {@link F#nllLoss}. The class weight is a buffer, as in PyTorch.
 */
public class NLLLoss extends Loss {
  private final Tensor weight;
  private final long ignoreIndex;

  /** {@code nn.NLLLoss()}: no weight, ignore_index -100, mean reduction. */
  public NLLLoss() {
    this(null, -100, Reduction.MEAN);
  }

  /**
   * weight (may be null) rescales each class; targets equal to ignoreIndex contribute nothing.
   *
   * @param weight a per-class weight of shape (C), or null
   * @param ignoreIndex a target value that contributes nothing
   * @param reduction NONE, MEAN or SUM
   */
  public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
  }

  /**
   * The per-class weight (a buffer), or null.
   *
   * @return the weight
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The target value that is ignored ({@code ignore_index}).
   *
   * @return the index
   */
  public long ignoreIndex() {
    return ignoreIndex;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.nllLoss(input, target, weight, ignoreIndex, reduction());
  }
}
