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

  public CrossEntropyLoss() {
    this(null, -100, Reduction.MEAN, 0.0);
  }

  /** weight may be null; targets equal to ignoreIndex contribute nothing; labelSmoothing in [0, 1]. */
  public CrossEntropyLoss(Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
    super(reduction);
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
      throw new IllegalArgumentException("CrossEntropyLoss: label_smoothing must be between 0.0 and 1.0, got " + labelSmoothing);
    this.weight = registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
    this.labelSmoothing = labelSmoothing;
  }

  public Tensor weight() {
    return weight;
  }

  public long ignoreIndex() {
    return ignoreIndex;
  }

  public double labelSmoothing() {
    return labelSmoothing;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.crossEntropy(input, target, weight, ignoreIndex, reduction(), labelSmoothing);
  }
}
