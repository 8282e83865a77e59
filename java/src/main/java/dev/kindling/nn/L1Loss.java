package dev.kindling.nn;

import dev.kindling.Tensor;

/** Mean absolute error, like {@code torch.nn.L1Loss}; see {@link F#l1Loss}. */
public class L1Loss extends Loss {
  /** {@code nn.L1Loss()}: mean reduction. */
  public L1Loss() {
    this(Reduction.MEAN);
  }

  /**
   * {@code nn.L1Loss(reduction)}.
   *
   * @param reduction NONE, MEAN or SUM
   */
  public L1Loss(Reduction reduction) {
    super(reduction);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.l1Loss(input, target, reduction());
  }
}
