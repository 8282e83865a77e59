package dev.kindling.optim;

import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR}: each group's lr follows half a cosine from
 * its {@code initial_lr} down to {@code etaMin} over {@code tMax} epochs, then back up, and so on
 * (SGDR's annealing without restarts). Computed with PyTorch's recursion — the lr of the previous
 * epoch times a ratio of cosines, with its special steps at the first epoch of a resumed schedule
 * and at {@code (2k+1)·tMax} — so the values are PyTorch's, not the closed form's.
 * The cosines are {@link Math#cos}, which like the C library's that PyTorch calls is within an
 * ulp of the exact value (and on HotSpot x86-64 gives the same bits).
 */
public final class CosineAnnealingLR extends LRScheduler {
  private int tMax;
  private double etaMin;

  /**
   * CosineAnnealingLR down to {@code etaMin = 0}.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param tMax the number of epochs from the maximum to the minimum (positive)
   */
  public CosineAnnealingLR(Optimizer optimizer, int tMax) {
    this(optimizer, tMax, 0.0);
  }

  /**
   * {@code CosineAnnealingLR(optimizer, T_max, eta_min)}.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param tMax the number of epochs from the maximum to the minimum (positive)
   * @param etaMin the minimum learning rate
   */
  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
    this(optimizer, tMax, etaMin, -1);
  }

  /**
   * @param tMax the number of epochs from the maximum to the minimum (positive)
   * @param etaMin the minimum learning rate
   * @param lastEpoch the index of the last epoch when resuming; -1 starts the schedule
   * @param optimizer the optimizer whose lrs are scheduled
   */
  public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin, int lastEpoch) {
    super(optimizer);
    // PyTorch divides by T_max at the first step; say so before anything changes.
    if (tMax <= 0) throw new IllegalArgumentException("CosineAnnealingLR: Expected positive integer T_max, but got " + tMax);
    this.tMax = tMax;
    this.etaMin = etaMin;
    initialize(lastEpoch);
  }

  /**
   * The half-period in epochs ({@code T_max}).
   *
   * @return T_max
   */
  public int tMax() {
    return tMax;
  }

  /**
   * The minimum learning rate ({@code eta_min}).
   *
   * @return eta_min
   */
  public double etaMin() {
    return etaMin;
  }

  @Override
  protected double[] getLr() {
    var groups = optimizer().paramGroups();
    int epoch = lastEpoch();
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) {
      double lr = groups.get(i).lr();
      double base = baseLr(i);
      if (epoch == 0) {
        lrs[i] = lr;
      } else if (stepCount() == 1 && epoch > 0) {
        // The initial step of a resumed schedule: the closed form.
        lrs[i] = etaMin + (base - etaMin) * (1 + Math.cos(epoch * Math.PI / tMax)) / 2;
      } else if (Math.floorMod(epoch - 1 - tMax, 2 * tMax) == 0) {
        // Leaving the minimum: the ratio below would divide by 1 + cos(pi) = 0.
        lrs[i] = lr + (base - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
      } else {
        lrs[i] = (1 + Math.cos(Math.PI * epoch / tMax)) / (1 + Math.cos(Math.PI * (epoch - 1) / tMax))
            * (lr - etaMin) + etaMin;
      }
    }
    return lrs;
  }

  @Override
  protected void saveOptions(Map<String, Object> out) {
    out.put("T_max", (long) tMax);
    out.put("eta_min", etaMin);
  }

  @Override
  protected Runnable loadOptions(StateDictReader in) {
    int t = in.integer("T_max");
    double e = in.number("eta_min");
    if (t <= 0) throw new IllegalArgumentException(in.where() + ": Expected positive integer T_max, but got " + t);
    return () -> {
      tMax = t;
      etaMin = e;
    };
  }
}
