package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Kullback-Leibler divergence with log-probability input, like {@code torch.nn.KLDivLoss};
 * see {@link F#klDiv}. Prefer {@link Reduction#BATCHMEAN}, the true KL divergence.
 */
public class KLDivLoss extends Loss {
  private final boolean logTarget;

  /** {@code nn.KLDivLoss()}: mean reduction, target as probabilities. */
  public KLDivLoss() {
    this(Reduction.MEAN, false);
  }

  /**
   * {@code nn.KLDivLoss(reduction, log_target)}.
   *
   * @param reduction NONE, MEAN, SUM or BATCHMEAN
   * @param logTarget whether the target holds log-probabilities
   */
  public KLDivLoss(Reduction reduction, boolean logTarget) {
    super(reduction);
    this.logTarget = logTarget;
  }

  /**
   * Whether the target holds log-probabilities.
   *
   * @return log_target
   */
  public boolean logTarget() {
    return logTarget;
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.klDiv(input, target, reduction(), logTarget);
  }
}
