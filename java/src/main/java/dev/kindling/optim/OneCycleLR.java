package dev.kindling.optim;

import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.lr_scheduler.OneCycleLR}: the 1cycle policy, stepped after every batch. Each
 * group's lr rises from {@code initial_lr = maxLr / divFactor} to {@code maxLr} over the first
 * {@code pctStart} of the steps, then falls to {@code min_lr = initial_lr / finalDivFactor}
 * (with {@code threePhase}, it first falls back to {@code initial_lr} symmetrically, then to
 * {@code min_lr}); with {@code cycleMomentum} the momentum (SGD's {@code momentum}, or Adam's
 * {@code betas[0]}) moves inversely between {@code maxMomentum} and {@code baseMomentum}.
 *
 * <p>It is not chainable: each lr comes from the group's {@code initial_lr}, {@code max_lr} and
 * {@code min_lr} options, which it writes into the groups (with {@code max_momentum} and
 * {@code base_momentum}) so that a resumed schedule ({@code lastEpoch != -1}) finds them. Build it
 * with {@link #builder(Optimizer, double)}; give {@code totalSteps}, or {@code epochs} and
 * {@code stepsPerEpoch}. Stepping beyond {@code totalSteps} is an error, as in PyTorch.
 */
public final class OneCycleLR extends LRScheduler {
  private static final String[][] TWO_PHASES = {
      {"initial_lr", "max_lr", "max_momentum", "base_momentum"},
      {"max_lr", "min_lr", "base_momentum", "max_momentum"}};
  private static final String[][] THREE_PHASES = {
      {"initial_lr", "max_lr", "max_momentum", "base_momentum"},
      {"max_lr", "initial_lr", "base_momentum", "max_momentum"},
      {"initial_lr", "min_lr", "max_momentum", "max_momentum"}};

  private int totalSteps;
  private double pctStart;
  private boolean threePhase;
  private String annealStrategy;
  private boolean cycleMomentum;
  private boolean useBeta1;
  /** The last step of each phase (PyTorch's {@code _schedule_phases[i]['end_step']}). */
  private double[] phaseEnds;

  /**
   * A builder with one maximum lr for every group.
   *
   * @param optimizer the optimizer whose lrs (and momentum) are scheduled
   * @param maxLr the peak lr of every group
   * @return a builder; set totalSteps or epochs and stepsPerEpoch, then build()
   */
  public static Builder builder(Optimizer optimizer, double maxLr) {
    if (optimizer == null) throw new NullPointerException("OneCycleLR: optimizer is null");
    return new Builder(optimizer, filled(maxLr, optimizer.paramGroups().size()));
  }

  /**
   * A builder with one maximum lr per group.
   *
   * @param optimizer the optimizer whose lrs (and momentum) are scheduled
   * @param maxLrs the peak lr of each group, one per group
   * @return a builder; set totalSteps or epochs and stepsPerEpoch, then build()
   */
  public static Builder builder(Optimizer optimizer, double... maxLrs) {
    if (optimizer == null) throw new NullPointerException("OneCycleLR: optimizer is null");
    return new Builder(optimizer, perGroup("OneCycleLR", "max_lr", maxLrs, optimizer.paramGroups().size()));
  }

  /** The options of a OneCycleLR, with PyTorch's defaults. */
  public static final class Builder {
    private final Optimizer optimizer;
    private final double[] maxLrs;
    private Integer totalSteps;
    private Integer epochs;
    private Integer stepsPerEpoch;
    private double pctStart = 0.3;
    private String annealStrategy = "cos";
    private boolean cycleMomentum = true;
    private double[] baseMomentum;
    private double[] maxMomentum;
    private double divFactor = 25.;
    private double finalDivFactor = 1e4;
    private boolean threePhase;
    private int lastEpoch = -1;

    private Builder(Optimizer optimizer, double[] maxLrs) {
      this.optimizer = optimizer;
      this.maxLrs = maxLrs;
      int n = optimizer.paramGroups().size();
      this.baseMomentum = filled(0.85, n);
      this.maxMomentum = filled(0.95, n);
    }

    /**
     * The number of steps in the cycle; takes precedence over epochs × stepsPerEpoch.
     *
     * @param totalSteps the cycle length in steps
     * @return this builder
     */
    public Builder totalSteps(int totalSteps) {
      this.totalSteps = totalSteps;
      return this;
    }

    /**
     * The number of epochs; with {@link #stepsPerEpoch(int)} it gives {@code total_steps = epochs *
     * steps_per_epoch}.
     *
     * @param epochs the number of epochs
     * @return this builder
     */
    public Builder epochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    /**
     * The number of steps (batches) per epoch, used with {@link #epochs(int)}.
     *
     * @param stepsPerEpoch batches per epoch
     * @return this builder
     */
    public Builder stepsPerEpoch(int stepsPerEpoch) {
      this.stepsPerEpoch = stepsPerEpoch;
      return this;
    }

    /**
     * The fraction of the cycle spent raising the lr (default 0.3).
     *
     * @param pctStart a fraction in (0, 1)
     * @return this builder
     */
    public Builder pctStart(double pctStart) {
      this.pctStart = pctStart;
      return this;
    }

    /**
     * {@code "cos"} (default) or {@code "linear"}.
     *
     * @param annealStrategy "cos" or "linear"
     * @return this builder
     */
    public Builder annealStrategy(String annealStrategy) {
      this.annealStrategy = annealStrategy;
      return this;
    }

    /**
     * Whether momentum (or Adam's beta1) cycles inversely to the lr between maxMomentum and
     * baseMomentum (default true).
     *
     * @param cycleMomentum true to cycle momentum
     * @return this builder
     */
    public Builder cycleMomentum(boolean cycleMomentum) {
      this.cycleMomentum = cycleMomentum;
      return this;
    }

    /**
     * The momentum at the peak lr, for every group (default 0.85).
     *
     * @param baseMomentum the momentum at the peak lr
     * @return this builder
     */
    public Builder baseMomentum(double baseMomentum) {
      this.baseMomentum = filled(baseMomentum, optimizer.paramGroups().size());
      return this;
    }

    /**
     * The momentum at the peak lr, one per group.
     *
     * @param baseMomentum the momentum at the peak lr, one per group
     * @return this builder
     */
    public Builder baseMomentum(double... baseMomentum) {
      this.baseMomentum = perGroup("OneCycleLR", "base_momentum", baseMomentum, optimizer.paramGroups().size());
      return this;
    }

    /**
     * The momentum at the start and end of the cycle, for every group (default 0.95).
     *
     * @param maxMomentum the momentum at the ends of the cycle
     * @return this builder
     */
    public Builder maxMomentum(double maxMomentum) {
      this.maxMomentum = filled(maxMomentum, optimizer.paramGroups().size());
      return this;
    }

    /**
     * The momentum at the start and end of the cycle, one per group.
     *
     * @param maxMomentum the momentum at the ends of the cycle, one per group
     * @return this builder
     */
    public Builder maxMomentum(double... maxMomentum) {
      this.maxMomentum = perGroup("OneCycleLR", "max_momentum", maxMomentum, optimizer.paramGroups().size());
      return this;
    }

    /**
     * {@code initial_lr = max_lr / divFactor} (default 25).
     *
     * @param divFactor the divisor of max_lr giving the initial lr
     * @return this builder
     */
    public Builder divFactor(double divFactor) {
      this.divFactor = divFactor;
      return this;
    }

    /**
     * {@code min_lr = initial_lr / finalDivFactor} (default 1e4).
     *
     * @param finalDivFactor the divisor of initial_lr giving the final lr
     * @return this builder
     */
    public Builder finalDivFactor(double finalDivFactor) {
      this.finalDivFactor = finalDivFactor;
      return this;
    }

    /**
     * Three phases as in the paper instead of fastai's two (default false).
     *
     * @param threePhase true for the paper's three phases
     * @return this builder
     */
    public Builder threePhase(boolean threePhase) {
      this.threePhase = threePhase;
      return this;
    }

    /**
     * The index of the last batch when resuming; -1 (default) starts the schedule.
     *
     * @param lastEpoch the last step index, or -1
     * @return this builder
     */
    public Builder lastEpoch(int lastEpoch) {
      this.lastEpoch = lastEpoch;
      return this;
    }

    /**
     * Makes the scheduler, checking the options as PyTorch's constructor does, and sets the groups'
     * initial lrs.
     *
     * @return the scheduler
     */
    public OneCycleLR build() {
      return new OneCycleLR(this);
    }
  }

  private OneCycleLR(Builder b) {
    super(b.optimizer);
    Optimizer optimizer = b.optimizer;
    // Everything is checked, in PyTorch's order, before the groups change.
    if (b.totalSteps == null && b.epochs == null && b.stepsPerEpoch == null)
      throw new IllegalArgumentException("OneCycleLR: You must define either total_steps OR (epochs AND steps_per_epoch)");
    int total;
    if (b.totalSteps != null) {
      if (b.totalSteps <= 0) throw new IllegalArgumentException("OneCycleLR: Expected positive integer total_steps, but got " + b.totalSteps);
      total = b.totalSteps;
    } else {
      if (b.epochs == null || b.epochs <= 0)
        throw new IllegalArgumentException("OneCycleLR: Expected positive integer epochs, but got " + b.epochs);
      if (b.stepsPerEpoch == null || b.stepsPerEpoch <= 0)
        throw new IllegalArgumentException("OneCycleLR: Expected positive integer steps_per_epoch, but got " + b.stepsPerEpoch);
      total = Math.multiplyExact(b.epochs, b.stepsPerEpoch);
    }
    checkPctStart("OneCycleLR", b.pctStart);
    checkAnneal("OneCycleLR", b.annealStrategy);
    boolean beta1 = false;
    if (b.cycleMomentum) {
      Map<String, Object> defaults = optimizer.defaults();
      if (!defaults.containsKey("momentum") && !defaults.containsKey("betas"))
        throw new IllegalArgumentException("OneCycleLR: optimizer must support momentum with `cycle_momentum` option enabled");
      beta1 = defaults.containsKey("betas");
    }
    this.totalSteps = total;
    this.pctStart = b.pctStart;
    this.threePhase = b.threePhase;
    this.annealStrategy = b.annealStrategy;
    this.cycleMomentum = b.cycleMomentum;
    this.useBeta1 = beta1;
    this.phaseEnds = phaseEnds(total, b.pctStart, b.threePhase);
    if (b.lastEpoch != -1) {
      requireGroupKeys("initial_lr", "max_lr", "min_lr");
      if (cycleMomentum) requireGroupKeys("max_momentum", "base_momentum");
    }
    phase(b.lastEpoch + 1); // PyTorch fails on the initial step when a phase has no steps; fail before changing the groups
    List<ParamGroup> groups = optimizer.paramGroups();
    if (b.lastEpoch == -1) {
      for (int i = 0; i < groups.size(); i++) {
        ParamGroup g = groups.get(i);
        double initial = b.maxLrs[i] / b.divFactor;
        g.set("initial_lr", initial);
        g.set("max_lr", b.maxLrs[i]);
        g.set("min_lr", initial / b.finalDivFactor);
      }
      if (cycleMomentum) {
        for (int i = 0; i < groups.size(); i++) {
          ParamGroup g = groups.get(i);
          setMomentum(g, b.maxMomentum[i]);
          g.set("max_momentum", b.maxMomentum[i]);
          g.set("base_momentum", b.baseMomentum[i]);
        }
      }
    }
    initialize(b.lastEpoch);
  }

  private static void checkPctStart(String where, double pctStart) {
    if (!(pctStart >= 0 && pctStart <= 1))
      throw new IllegalArgumentException(where + ": Expected float between 0 and 1 pct_start, but got " + pctStart);
  }

  private static void checkAnneal(String where, String strategy) {
    if (!"cos".equals(strategy) && !"linear".equals(strategy))
      throw new IllegalArgumentException(where + ": anneal_strategy must by one of 'cos' or 'linear', instead got " + strategy);
  }

  private static double[] phaseEnds(int total, double pctStart, boolean threePhase) {
    double first = pctStart * total - 1;
    return threePhase ? new double[] {first, 2 * pctStart * total - 2, total - 1} : new double[] {first, total - 1};
  }

  private void setMomentum(ParamGroup g, double momentum) {
    if (useBeta1) {
      double[] betas = g.betas();
      betas[0] = momentum;
      g.set("betas", betas);
    } else {
      g.momentum(momentum);
    }
  }

  /** The phase that step number {@code step} falls in, and how far into it: {phase, pct}. */
  private double[] phase(int step) {
    double start = 0;
    for (int i = 0; i < phaseEnds.length; i++) {
      double end = phaseEnds[i];
      if (step <= end || i == phaseEnds.length - 1) {
        if (end == start)
          throw new ArithmeticException("OneCycleLR: float division by zero: phase " + i + " of the schedule has no steps (total_steps="
              + totalSteps + ", pct_start=" + pctStart + ", three_phase=" + threePhase + ")");
        return new double[] {i, (step - start) / (end - start)};
      }
      start = end;
    }
    throw new AssertionError();
  }

  private double anneal(double start, double end, double pct) {
    if (annealStrategy.equals("cos")) {
      double cosOut = Math.cos(Math.PI * pct) + 1;
      return end + (start - end) / 2.0 * cosOut;
    }
    return (end - start) * pct + start;
  }

  @Override
  protected double[] getLr() {
    int step = lastEpoch();
    if (step > totalSteps)
      throw new IllegalStateException("OneCycleLR: Tried to step " + (step + 1) + " times. The specified number of total steps is " + totalSteps);
    double[] where = phase(step);
    String[] keys = (threePhase ? THREE_PHASES : TWO_PHASES)[(int) where[0]];
    double pct = where[1];
    List<ParamGroup> groups = optimizer().paramGroups();
    double[] lrs = new double[groups.size()];
    double[] momenta = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) {
      ParamGroup g = groups.get(i);
      lrs[i] = anneal(g.getDouble(keys[0]), g.getDouble(keys[1]), pct);
      if (cycleMomentum) momenta[i] = anneal(g.getDouble(keys[2]), g.getDouble(keys[3]), pct);
    }
    if (cycleMomentum) for (int i = 0; i < lrs.length; i++) setMomentum(groups.get(i), momenta[i]);
    return lrs;
  }

  /**
   * The cycle length in steps ({@code total_steps}).
   *
   * @return the number of steps
   */
  public int totalSteps() {
    return totalSteps;
  }

  @Override
  protected void saveOptions(Map<String, Object> out) {
    out.put("total_steps", (long) totalSteps);
    // PyTorch saves its _schedule_phases dicts; they follow from these two.
    out.put("pct_start", pctStart);
    out.put("three_phase", threePhase);
    out.put("anneal_strategy", annealStrategy);
    out.put("cycle_momentum", cycleMomentum);
    out.put("use_beta1", useBeta1);
  }

  @Override
  protected Runnable loadOptions(StateDictReader in) {
    int total = in.integer("total_steps");
    double pct = in.number("pct_start");
    boolean three = in.bool("three_phase");
    String anneal = in.string("anneal_strategy", "cos", "linear");
    boolean cycle = in.bool("cycle_momentum");
    boolean beta1 = in.bool("use_beta1");
    if (total <= 0) throw new IllegalArgumentException(in.where() + ": Expected positive integer total_steps, but got " + total);
    checkPctStart(in.where(), pct);
    if (cycle && !optimizer().defaults().containsKey(beta1 ? "betas" : "momentum"))
      throw new IllegalArgumentException(in.where() + ": the state cycles '" + (beta1 ? "betas" : "momentum")
          + "', which this optimizer does not have");
    return () -> {
      totalSteps = total;
      pctStart = pct;
      threePhase = three;
      annealStrategy = anneal;
      cycleMomentum = cycle;
      useBeta1 = beta1;
      phaseEnds = phaseEnds(total, pct, three);
    };
  }
}
