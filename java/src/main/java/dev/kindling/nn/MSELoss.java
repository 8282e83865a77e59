package dev.kindling.nn;

import dev.kindling.Tensor;

/** Mean squared error, like {@code torch.nn.MSELoss}; see {@link F#mseLoss}. */
public class MSELoss extends Loss {
  /** {@code nn.MSELoss()}: mean reduction. */
  public MSELoss() {
    this(Reduction.MEAN);
  }

  /**
   * {@code nn.MSELoss(reduction)}.
   *
   * @param reduction NONE, MEAN or SUM
   */
  public MSELoss(Reduction reduction) {
    super(reduction);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.mseLoss(input, target, reduction());
  }
}
