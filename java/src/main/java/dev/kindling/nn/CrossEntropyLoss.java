package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * log_softmax plus negative log likelihood, like {@code torch.nn.CrossEntropyLoss}; see
 * {@link F#crossEntropy} (class-index or probability targets, label smoothing). The class
 * weight is a buffer, as in PyTorch.
 */
public class CrossEntropyLoss extends Loss {
  private final Tensor weight;
  private final long ignoreIndex;
  private final double labelSmoothing;

  /**
   * {@code nn.CrossEntropyLoss()}: no weight, ignore_index -100, mean reduction, no label
   * smoothing.
   */
  public CrossEntropyLoss() {
    this(null, -100, Reduction.MEAN, 0.0);
  }

  /**
   * weight may be null; targets equal to ignoreIndex contribute nothing; labelSmoothing in [0, 1].
   *
   * @param weight a per-class weight of shape (C), or null
   * @param ignoreIndex a class-index target that contributes nothing
   * @param reduction NONE, MEAN or SUM
   * @param labelSmoothing the share of target mass spread over the classes
   */
  public CrossEntropyLoss(Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
    super(reduction);
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
      throw new IllegalArgumentException("CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0, got " + labelSmoothing);
    this.weight = registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
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

  /**
   * The label smoothing amount, in [0, 1].
   *
   * @return the amount
   */
  public double labelSmoothing() {
    return labelSmoothing;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.crossEntropy(input, target, weight, ignoreIndex, reduction(), labelSmoothing);
  }
}
