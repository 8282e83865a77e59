package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Negative log likelihood on log-probabilities, like {@code torch.nn.NLLLoss}; see
 * {@link F#nllLoss}. The class weight is a buffer, as in PyTorch.
 */
public class NLLLoss extends Loss {
  private final Tensor weight;
  private final long ignoreIndex;

  public NLLLoss() {
    this(null, -100, Reduction.MEAN);
  }

  /** weight (may be null) rescales each class; targets equal to ignoreIndex contribute nothing. */
  public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
    super(reduction);
    this.weight = registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
  }

  public Tensor weight() {
    return weight;
  }

  public long ignoreIndex() {
    return ignoreIndex;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.nllLoss(input, target, weight, ignoreIndex, reduction());
  }
}
