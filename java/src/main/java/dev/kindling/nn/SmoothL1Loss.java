package dev.kindling.nn;

import dev.kindling.Tensor;

/** Huber-like smooth L1 loss, like {@code torch.nn.SmoothL1Loss}; see {@link F#smoothL1Loss}. */
public class SmoothL1Loss extends Loss {
  private final double beta;

  /** {@code nn.SmoothL1Loss()}: mean reduction, beta 1. */
  public SmoothL1Loss() {
    this(Reduction.MEAN, 1.0);
  }

  /**
   * {@code nn.SmoothL1Loss(reduction, beta)}.
   *
   * @param reduction NONE, MEAN or SUM
   * @param beta the switch point between the quadratic and linear parts, at least 0
   * @throws IllegalArgumentException if beta is negative
   */
  public SmoothL1Loss(Reduction reduction, double beta) {
    super(reduction);
    if (!(beta >= 0)) throw new IllegalArgumentException("SmoothL1Loss: beta must be non-negative, got " + beta);
    this.beta = beta;
  }

  /**
   * The switch point between the quadratic and linear parts.
   *
   * @return beta
   */
  public double beta() {
    return beta;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.smoothL1Loss(input, target, reduction(), beta);
  }
}
