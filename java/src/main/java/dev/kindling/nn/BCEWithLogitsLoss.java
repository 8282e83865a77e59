package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Sigmoid plus binary cross entropy in one numerically stable step, like
 * {@code torch.nn.BCEWithLogitsLoss}; see {@link F#binaryCrossEntropyWithLogits}. weight and
 * pos_weight are buffers, as in PyTorch.
 */
public class BCEWithLogitsLoss extends Loss {
  private final Tensor weight;
  private final Tensor posWeight;

  /** {@code nn.BCEWithLogitsLoss()}: no weights, mean reduction. */
  public BCEWithLogitsLoss() {
    this(null, Reduction.MEAN, null);
  }

  /**
   * weight and posWeight may be null.
   *
   * @param weight a rescaling weight broadcastable to the input, or null
   * @param reduction NONE, MEAN or SUM
   * @param posWeight a weight on the positive term, broadcastable along the class dim, or null
   */
  public BCEWithLogitsLoss(Tensor weight, Reduction reduction, Tensor posWeight) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
    this.posWeight = registerBuffer("pos_weight", posWeight);
  }

  /**
   * The rescaling weight (a buffer), or null.
   *
   * @return the weight
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The positive-term weight ({@code pos_weight}, a buffer), or null.
   *
   * @return the weight
   */
  public Tensor posWeight() {
    return posWeight;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.binaryCrossEntropyWithLogits(input, target, weight, posWeight, reduction());
  }
}
