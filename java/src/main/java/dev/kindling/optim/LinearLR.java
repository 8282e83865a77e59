package dev.kindling.optim;

import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.LinearLR}: each group's lr is multiplied by a factor that moves
 * linearly from {@code startFactor} (epoch 0) to {@code endFactor} (epoch {@code totalIters}),
 * then stays. Used for warm-up. As in PyTorch, each step multiplies the current lr by the ratio of
 * consecutive factors rather than computing {@code base * factor}.
 */
public final class LinearLR extends LRScheduler {
  private double startFactor;
  private double endFactor;
  private int totalIters;

  /**
   * PyTorch's defaults: from 1/3 to 1 over 5 epochs.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   */
  public LinearLR(Optimizer optimizer) {
    this(optimizer, 1.0 / 3, 1.0, 5);
  }

  /**
   * {@code LinearLR(optimizer, start_factor, end_factor, total_iters)}: the lr factor moves
   * linearly from startFactor to endFactor.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param startFactor the factor at epoch 0, in (0, 1]
   * @param endFactor the factor from epoch totalIters on, in [0, 1]
   * @param totalIters the number of epochs over which the factor changes
   */
  public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
    this(optimizer, startFactor, endFactor, totalIters, -1);
  }

  /**
   * @param startFactor the factor at epoch 0, in (0, 1]
   * @param endFactor the factor from epoch totalIters on, in [0, 1]
   * @param totalIters the number of epochs over which the factor changes
   * @param lastEpoch the index of the last epoch when resuming; -1 starts the schedule
   * @param optimizer the optimizer whose lrs are scheduled
   */
  public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters, int lastEpoch) {
    super(optimizer);
    check("LinearLR", startFactor, endFactor);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    initialize(lastEpoch);
  }

  private static void check(String where, double startFactor, double endFactor) {
    if (startFactor > 1.0 || startFactor < 0 || Double.isNaN(startFactor))
      throw new IllegalArgumentException(where + ": Starting multiplicative factor expected to be between 0 and 1.");
    // torch 1.13 accepts 0 and then divides by zero at the first step.
    if (startFactor == 0)
      throw new IllegalArgumentException(where + ": Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    if (endFactor > 1.0 || endFactor < 0 || Double.isNaN(endFactor))
      throw new IllegalArgumentException(where + ": Ending multiplicative factor expected to be between 0 and 1.");
  }

  /**
   * The factor at epoch 0.
   *
   * @return start_factor
   */
  public double startFactor() {
    return startFactor;
  }

  /**
   * The factor from totalIters on.
   *
   * @return end_factor
   */
  public double endFactor() {
    return endFactor;
  }

  /**
   * The number of epochs over which the factor changes.
   *
   * @return total_iters
   */
  public int totalIters() {
    return totalIters;
  }

  @Override
  protected double[] getLr() {
    int epoch = lastEpoch();
    if (epoch == 0) return groupLrsTimes(startFactor);
    if (epoch > totalIters) return groupLrsTimes(1.0);
    return groupLrsTimes(1. + (endFactor - startFactor) / (totalIters * startFactor + (epoch - 1) * (endFactor - startFactor)));
  }

  @Override
  protected void saveOptions(Map<String, Object> out) {
    out.put("start_factor", startFactor);
    out.put("end_factor", endFactor);
    out.put("total_iters", (long) totalIters);
  }

  @Override
  protected Runnable loadOptions(StateDictReader in) {
    double s = in.number("start_factor");
    double e = in.number("end_factor");
    int t = in.integer("total_iters");
    check(in.where(), s, e);
    return () -> {
      startFactor = s;
      endFactor = e;
      totalIters = t;
    };
  }
}
