package dev.kindling.optim;

import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.ExponentialLR}: every epoch each group's lr is multiplied by
 * {@code gamma} (computed step by step from the current lr, as PyTorch does, not as
 * {@code base * gamma^epoch}).
 */
public final class ExponentialLR extends LRScheduler {
  private double gamma;

  /**
   * {@code ExponentialLR(optimizer, gamma)}: every step multiplies each group's lr by gamma.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param gamma the factor per epoch
   */
  public ExponentialLR(Optimizer optimizer, double gamma) {
    this(optimizer, gamma, -1);
  }

  /**
   * @param lastEpoch the index of the last epoch when resuming; -1 starts the schedule
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param gamma the factor per epoch
   */
  public ExponentialLR(Optimizer optimizer, double gamma, int lastEpoch) {
    super(optimizer);
    this.gamma = gamma;
    initialize(lastEpoch);
  }

  /**
   * The factor per epoch.
   *
   * @return gamma
   */
  public double gamma() {
    return gamma;
  }

  @Override
  protected double[] getLr() {
    return groupLrsTimes(lastEpoch() == 0 ? 1.0 : gamma);
  }

  @Override
  protected void saveOptions(Map<String, Object> out) {
    out.put("gamma", gamma);
  }

  @Override
  protected Runnable loadOptions(StateDictReader in) {
    double g = in.number("gamma");
    return () -> gamma = g;
  }
}
