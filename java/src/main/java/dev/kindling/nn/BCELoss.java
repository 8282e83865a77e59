package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Binary cross entropy on probabilities, like {@code torch.nn.BCELoss}; see
 * {@link F#binaryCrossEntropy}. The optional weight is a buffer, as in PyTorch.
 */
public class BCELoss extends Loss {
  private final Tensor weight;

  /** {@code nn.BCELoss()}: no weight, mean reduction. */
  public BCELoss() {
    this(null, Reduction.MEAN);
  }

  /**
   * weight (may be null) rescales each element's loss.
   *
   * @param weight a rescaling weight broadcastable to the input, or null
   * @param reduction NONE, MEAN or SUM
   */
  public BCELoss(Tensor weight, Reduction reduction) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
  }

  /**
   * The rescaling weight (a buffer), or null.
   *
   * @return the weight
   */
  public Tensor weight() {
    return weight;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.binaryCrossEntropy(input, target, weight, reduction());
  }
}
