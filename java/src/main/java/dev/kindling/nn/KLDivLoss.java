package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Kullback-Leibler divergence with log-probability input, like {@code torch.nn.KLDivLoss};
 * see {@link F#klDiv}. Prefer {@link Reduction#BATCHMEAN}, the true KL divergence.
 */
public class KLDivLoss extends Loss {
  private final boolean logTarget;

  public KLDivLoss() {
    this(Reduction.MEAN, false);
  }

  public KLDivLoss(Reduction reduction, boolean logTarget) {
    super(reduction);
    this.logTarget = logTarget;
  }

  public boolean logTarget() {
    return logTarget;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.klDiv(input, target, reduction(), logTarget);
  }
}
