package dev.kindling.optim;

import dev.kindling.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau}: lowers each group's lr by {@code factor}
 * when a metric (a validation loss, an accuracy) has not improved for more than {@code patience}
 * epochs, then waits {@code cooldown} epochs before counting again. It is not an
 * {@link LRScheduler}, as in PyTorch: it is driven by the metric ({@link #step(double)}), not by
 * a step count. An lr never goes below its group's {@code minLr}, and a decrease smaller than
 * {@code eps} is skipped.
 *
 * <p>Build it with {@link #builder(Optimizer)}, or {@code new ReduceLROnPlateau(optimizer)} for
 * PyTorch's defaults (mode "min", factor 0.1, patience 10, threshold 1e-4 "rel", cooldown 0,
 * min_lr 0, eps 1e-8).
 */
public final class ReduceLROnPlateau {
  private final Optimizer optimizer;
  private String mode;
  private double factor;
  private int patience;
  private double threshold;
  private String thresholdMode;
  private int cooldown;
  private double[] minLrs;
  private double eps;
  private double best;
  private int numBadEpochs;
  private int cooldownCounter;
  private int lastEpoch;
  private double[] lastLr;

  /**
   * PyTorch's defaults.
   *
   * @param optimizer the optimizer whose lrs are lowered
   */
  public ReduceLROnPlateau(Optimizer optimizer) {
    this(builder(optimizer));
  }

  /**
   * A builder with PyTorch's defaults, to change options before build().
   *
   * @param optimizer the optimizer whose lrs are lowered
   * @return a new builder
   */
  public static Builder builder(Optimizer optimizer) {
    if (optimizer == null) throw new NullPointerException("ReduceLROnPlateau: optimizer is null");
    return new Builder(optimizer);
  }

  /** The options of a ReduceLROnPlateau, with PyTorch's defaults. */
  public static final class Builder {
    private final Optimizer optimizer;
    private String mode = "min";
    private double factor = 0.1;
    private int patience = 10;
    private double threshold = 1e-4;
    private String thresholdMode = "rel";
    private int cooldown;
    private double[] minLrs;
    private double eps = 1e-8;

    private Builder(Optimizer optimizer) {
      this.optimizer = optimizer;
      this.minLrs = LRScheduler.filled(0, optimizer.paramGroups().size());
    }

    /**
     * {@code "min"} (default): the metric should fall; {@code "max"}: it should rise.
     *
     * @param mode "min" or "max"
     * @return this builder
     */
    public Builder mode(String mode) {
      this.mode = mode;
      return this;
    }

    /**
     * {@code new_lr = lr * factor}, below 1 (default 0.1).
     *
     * @param factor the multiplier, below 1.0
     * @return this builder
     */
    public Builder factor(double factor) {
      this.factor = factor;
      return this;
    }

    /**
     * The number of epochs without improvement tolerated before the lr is lowered (default 10).
     *
     * @param patience epochs tolerated
     * @return this builder
     */
    public Builder patience(int patience) {
      this.patience = patience;
      return this;
    }

    /**
     * How much better than the best a metric must be to count as better (default 1e-4).
     *
     * @param threshold the required improvement
     * @return this builder
     */
    public Builder threshold(double threshold) {
      this.threshold = threshold;
      return this;
    }

    /**
     * {@code "rel"} (default): better means beyond {@code best * (1 ∓ threshold)};
     * {@code "abs"}: beyond {@code best ∓ threshold}.
     *
     * @param thresholdMode "rel" or "abs"
     * @return this builder
     */
    public Builder thresholdMode(String thresholdMode) {
      this.thresholdMode = thresholdMode;
      return this;
    }

    /**
     * Epochs to wait after a reduction before bad epochs count again (default 0).
     *
     * @param cooldown epochs to wait
     * @return this builder
     */
    public Builder cooldown(int cooldown) {
      this.cooldown = cooldown;
      return this;
    }

    /**
     * The lower bound of every group's lr (default 0).
     *
     * @param minLr the floor for every group
     * @return this builder
     */
    public Builder minLr(double minLr) {
      this.minLrs = LRScheduler.filled(minLr, optimizer.paramGroups().size());
      return this;
    }

    /**
     * The lower bound of each group's lr, one per group.
     *
     * @param minLrs the floor of each group, one per group
     * @return this builder
     */
    public Builder minLr(double... minLrs) {
      if (minLrs == null) throw new NullPointerException("ReduceLROnPlateau: min_lr is null");
      int groups = optimizer.paramGroups().size();
      if (minLrs.length != groups)
        throw new IllegalArgumentException("ReduceLROnPlateau: expected " + groups + " min_lrs, got " + minLrs.length);
      this.minLrs = minLrs.clone();
      return this;
    }

    /**
     * A decrease of the lr smaller than eps is not applied (default 1e-8).
     *
     * @param eps the smallest change applied
     * @return this builder
     */
    public Builder eps(double eps) {
      this.eps = eps;
      return this;
    }

    /**
     * Makes the scheduler, checking the options as PyTorch's constructor does.
     *
     * @return the scheduler
     */
    public ReduceLROnPlateau build() {
      return new ReduceLROnPlateau(this);
    }
  }

  private ReduceLROnPlateau(Builder b) {
    check("ReduceLROnPlateau", b.factor, b.mode, b.thresholdMode);
    this.optimizer = b.optimizer;
    this.mode = b.mode;
    this.factor = b.factor;
    this.patience = b.patience;
    this.threshold = b.threshold;
    this.thresholdMode = b.thresholdMode;
    this.cooldown = b.cooldown;
    this.minLrs = b.minLrs;
    this.eps = b.eps;
    this.lastEpoch = 0;
    this.best = modeWorse(mode);
    this.numBadEpochs = 0;
    this.cooldownCounter = 0;
    // torch 1.13 has no last lr before the first step; 2.x starts from the groups' lrs, as here.
    this.lastLr = currentLrs();
  }

  private static void check(String where, double factor, String mode, String thresholdMode) {
    if (!(factor < 1.0)) throw new IllegalArgumentException(where + ": Factor should be < 1.0.");
    if (!"min".equals(mode) && !"max".equals(mode)) throw new IllegalArgumentException(where + ": mode " + mode + " is unknown!");
    if (!"rel".equals(thresholdMode) && !"abs".equals(thresholdMode))
      throw new IllegalArgumentException(where + ": threshold mode " + thresholdMode + " is unknown!");
  }

  private static double modeWorse(String mode) {
    return mode.equals("min") ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }

  private List<ParamGroup> groups(String op) {
    List<ParamGroup> groups = optimizer.paramGroups();
    if (groups.size() != minLrs.length)
      throw new IllegalStateException("ReduceLROnPlateau." + op + ": the optimizer has " + groups.size()
          + " parameter group(s) but the scheduler was made for " + minLrs.length + "; make a new scheduler after addParamGroup");
    return groups;
  }

  private double[] currentLrs() {
    List<ParamGroup> groups = groups("step");
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) lrs[i] = groups.get(i).lr();
    return lrs;
  }

  /**
   * One epoch's metric: counts it as better or worse than the best so far, and lowers the lrs when
   * due.
   *
   * @param metric the epoch's validation metric
   */
  public void step(double metric) {
    double[] lrs = currentLrs();
    lastEpoch++;
    if (isBetter(metric, best)) {
      best = metric;
      numBadEpochs = 0;
    } else {
      numBadEpochs++;
    }
    if (inCooldown()) {
      cooldownCounter--;
      numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (numBadEpochs > patience) {
      reduceLr(lrs);
      cooldownCounter = cooldown;
      numBadEpochs = 0;
    }
    lastLr = currentLrs();
  }

  /**
   * {@link #step(double)} with a one-element tensor, such as a loss.
   *
   * @param metric a one-element tensor
   */
  public void step(Tensor metric) {
    if (metric == null) throw new NullPointerException("ReduceLROnPlateau.step: metric is null");
    step(metric.item());
  }

  private void reduceLr(double[] lrs) {
    List<ParamGroup> groups = optimizer.paramGroups();
    for (int i = 0; i < lrs.length; i++) {
      double oldLr = lrs[i];
      double newLr = Math.max(oldLr * factor, minLrs[i]);
      if (oldLr - newLr > eps) groups.get(i).lr(newLr);
    }
  }

  /**
   * True while the scheduler waits after a reduction.
   *
   * @return whether the cooldown counter is positive
   */
  public boolean inCooldown() {
    return cooldownCounter > 0;
  }

  private boolean isBetter(double a, double best) {
    if (mode.equals("min") && thresholdMode.equals("rel")) return a < best * (1. - threshold);
    if (mode.equals("min")) return a < best - threshold;
    if (thresholdMode.equals("rel")) return a > best * (threshold + 1.);
    return a > best + threshold;
  }

  /**
   * The best metric so far (infinite before the first step).
   *
   * @return the best metric
   */
  public double best() {
    return best;
  }

  /**
   * Epochs since the metric last improved (reset by a reduction and during cooldown).
   *
   * @return the count of bad epochs
   */
  public int numBadEpochs() {
    return numBadEpochs;
  }

  /**
   * The number of {@link #step(double)} calls.
   *
   * @return the number of steps taken
   */
  public int lastEpoch() {
    return lastEpoch;
  }

  /**
   * The lr of each group after the last step.
   *
   * @return the lrs, one per group ({@code get_last_lr()})
   */
  public List<Double> getLastLr() {
    return LRScheduler.toList(lastLr);
  }

  /**
   * The optimizer whose lrs this scheduler lowers.
   *
   * @return the optimizer
   */
  public Optimizer optimizer() {
    return optimizer;
  }

  /**
   * {@code state_dict()}: options and counters as plain data, under PyTorch's names.
   *
   * @return a new map of plain values
   */
  public Map<String, Object> stateDict() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("factor", factor);
    out.put("min_lrs", LRScheduler.toList(minLrs));
    out.put("patience", (long) patience);
    out.put("cooldown", (long) cooldown);
    out.put("cooldown_counter", (long) cooldownCounter);
    out.put("mode", mode);
    out.put("threshold", threshold);
    out.put("threshold_mode", thresholdMode);
    out.put("best", best);
    out.put("num_bad_epochs", (long) numBadEpochs);
    out.put("mode_worse", modeWorse(mode));
    out.put("eps", eps);
    out.put("last_epoch", (long) lastEpoch);
    out.put("_last_lr", LRScheduler.toList(lastLr));
    return out;
  }

  /**
   * {@code load_state_dict()}: takes the options and counters of a state dict made by
   * {@link #stateDict()}; everything is checked first, and nothing changes when a check fails.
   *
   * @param stateDict a map made by {@link #stateDict()}
   */
  public void loadStateDict(Map<String, Object> stateDict) {
    StateDictReader in = new StateDictReader("ReduceLROnPlateau.loadStateDict", stateDict);
    int n = groups("loadStateDict").size();
    double f = in.number("factor");
    double[] mins = in.doubles("min_lrs", n);
    int pat = in.integer("patience");
    int cool = in.integer("cooldown");
    int coolCounter = in.integer("cooldown_counter");
    String m = in.string("mode", "min", "max");
    double thr = in.number("threshold");
    String thrMode = in.string("threshold_mode", "rel", "abs");
    double b = in.number("best");
    int bad = in.integer("num_bad_epochs");
    double e = in.number("eps");
    int epoch = in.integer("last_epoch");
    double[] last = in.doubles("_last_lr", n);
    check(in.where(), f, m, thrMode);
    factor = f;
    minLrs = mins;
    patience = pat;
    cooldown = cool;
    cooldownCounter = coolCounter;
    mode = m;
    threshold = thr;
    thresholdMode = thrMode;
    best = b;
    numBadEpochs = bad;
    eps = e;
    lastEpoch = epoch;
    lastLr = last;
  }

  @Override
  public String toString() {
    return "ReduceLROnPlateau(mode=" + mode + ", factor=" + factor + ", patience=" + patience + ", best=" + best
        + ", num_bad_epochs=" + numBadEpochs + ", last_lr=" + getLastLr() + ")";
  }
}
