package dev.kindling.optim;

import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.StepLR}: every {@code stepSize} epochs each group's lr is
 * multiplied by {@code gamma}. Like PyTorch's, it scales the lr the group has now, so a change
 * made to the lr from outside carries on.
 */
public final class StepLR extends LRScheduler {
  private int stepSize;
  private double gamma;

  /**
   * StepLR with {@code gamma = 0.1}.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param stepSize period of the decay, in epochs (positive)
   */
  public StepLR(Optimizer optimizer, int stepSize) {
    this(optimizer, stepSize, 0.1);
  }

  /**
   * {@code StepLR(optimizer, step_size, gamma)}: multiplies each lr by gamma every stepSize epochs.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param stepSize period of the decay, in epochs (positive)
   * @param gamma the factor applied every stepSize epochs
   */
  public StepLR(Optimizer optimizer, int stepSize, double gamma) {
    this(optimizer, stepSize, gamma, -1);
  }

  /**
   * @param stepSize period of the decay, in epochs (positive)
   * @param gamma the factor applied every stepSize epochs
   * @param lastEpoch the index of the last epoch when resuming; -1 starts the schedule
   * @param optimizer the optimizer whose lrs are scheduled
   */
  public StepLR(Optimizer optimizer, int stepSize, double gamma, int lastEpoch) {
    super(optimizer);
    // PyTorch fails later, dividing by zero (or decays at odd epochs for a negative size).
    if (stepSize <= 0) throw new IllegalArgumentException("StepLR: Expected positive integer step_size, but got " + stepSize);
    this.stepSize = stepSize;
    this.gamma = gamma;
    initialize(lastEpoch);
  }

  /**
   * The decay period in epochs ({@code step_size}).
   *
   * @return step_size
   */
  public int stepSize() {
    return stepSize;
  }

  /**
   * The factor applied every stepSize epochs.
   *
   * @return gamma
   */
  public double gamma() {
    return gamma;
  }

  @Override
  protected double[] getLr() {
    boolean decay = lastEpoch() != 0 && Math.floorMod(lastEpoch(), stepSize) == 0;
    return groupLrsTimes(decay ? gamma : 1.0);
  }

  @Override
  protected void saveOptions(Map<String, Object> out) {
    out.put("step_size", (long) stepSize);
    out.put("gamma", gamma);
  }

  @Override
  protected Runnable loadOptions(StateDictReader in) {
    int size = in.integer("step_size");
    double g = in.number("gamma");
    if (size <= 0) throw new IllegalArgumentException(in.where() + ": Expected positive integer step_size, but got " + size);
    return () -> {
      stepSize = size;
      gamma = g;
    };
  }
}
