package dev.kindling.nn;

import dev.kindling.Tensor;

/** Huber-like smooth L1 loss, like {@code torch.nn.SmoothL1Loss}; see {@link F#smoothL1Loss}. */
public class SmoothL1Loss extends Loss {
  private final double beta;

  public SmoothL1Loss() {
    this(Reduction.MEAN, 1.0);
  }

  public SmoothL1Loss(Reduction reduction, double beta) {
    super(reduction);
    if (!(beta >= 0)) throw new IllegalArgumentException("SmoothL1Loss: beta must be non-negative, got " + beta);
    this.beta = beta;
  }

  public double beta() {
    return beta;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.smoothL1Loss(input, target, reduction(), beta);
  }
}
