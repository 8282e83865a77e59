package dev.kindling.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The base of the schedulers that set each parameter group's {@code lr} from a step count, like
 * torch 1.13's {@code torch.optim.lr_scheduler._LRScheduler}. On construction it records each
 * group's {@code initial_lr} (the base lr; a resumed schedule, {@code lastEpoch != -1}, needs it
 * already there) and performs the initial step, so the optimizer starts with the epoch-0 lr.
 *
 * <p>Why the subclasses compute each lr from the group's current one ("chainable", as PyTorch's
 * {@code get_lr}) and not from a closed form: the two differ in the last bits of a double, and we
 * follow PyTorch's recursion so that a run gives PyTorch's numbers; it also lets an lr changed by
 * the user, or by another scheduler on the same optimizer, carry on through the schedule.
 *
 * <p>A subclass sets its options in its constructor, then calls {@link #initialize(int)}; it
 * implements {@link #getLr()} and saves and loads its options in the state dict, which holds only
 * plain data (numbers, booleans, strings, lists), keyed by PyTorch's attribute names.
 */
public abstract class LRScheduler {
  private final Optimizer optimizer;
  private double[] baseLrs;
  private int lastEpoch;
  private int stepCount;
  private double[] lastLr;

  /**
   * Binds the scheduler to optimizer; a subclass's constructor ends with {@link #initialize(int)}.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   */
  protected LRScheduler(Optimizer optimizer) {
    if (optimizer == null) throw new NullPointerException(name() + ": optimizer is null");
    this.optimizer = optimizer;
  }

  /**
   * The PyTorch class name, used in messages.
   *
   * @return the simple class name
   */
  protected String name() {
    String n = getClass().getSimpleName();
    return n.isEmpty() ? "LRScheduler" : n;
  }

  /**
   * The end of construction, PyTorch's {@code _LRScheduler.__init__}: with {@code lastEpoch == -1}
   * every group gets {@code initial_lr = lr} unless it has one; otherwise every group must have
   * {@code initial_lr}. Then the initial step runs.
   *
   * @param lastEpoch -1 for a fresh start, else the epoch to resume from
   */
  protected final void initialize(int lastEpoch) {
    if (baseLrs != null) throw new IllegalStateException(name() + ": initialize was already called");
    List<ParamGroup> groups = optimizer.paramGroups();
    if (lastEpoch != -1) requireGroupKeys("initial_lr");
    else for (ParamGroup g : groups) if (!g.has("initial_lr")) g.set("initial_lr", g.getDouble("lr"));
    double[] base = new double[groups.size()];
    for (int i = 0; i < base.length; i++) base[i] = groups.get(i).getDouble("initial_lr");
    this.baseLrs = base;
    this.lastEpoch = lastEpoch;
    this.stepCount = 0;
    step();
  }

  /**
   * PyTorch's KeyError when a resumed schedule finds a group without one of these options.
   *
   * @param keys the option names every group must have
   */
  protected final void requireGroupKeys(String... keys) {
    List<ParamGroup> groups = optimizer.paramGroups();
    for (int i = 0; i < groups.size(); i++)
      for (String k : keys)
        if (!groups.get(i).has(k))
          throw new IllegalArgumentException(name() + ": param '" + k + "' is not specified in param_groups[" + i
              + "] when resuming an optimizer");
  }

  /**
   * The new lr of each group for the epoch {@link #lastEpoch()} just reached, from the groups'
   * current lrs (PyTorch's chainable {@code get_lr}); called by {@link #step()} only.
   *
   * @return the lrs, one per group
   */
  protected abstract double[] getLr();

  /**
   * Advances the schedule by one epoch (or batch) and sets each group's lr. Call it after
   * {@code optimizer.step()}, as in PyTorch. If the schedule refuses the step (OneCycleLR past its
   * end), nothing changes.
   */
  public void step() {
    if (baseLrs == null) throw new IllegalStateException(name() + ": initialize(lastEpoch) was not called by the constructor");
    List<ParamGroup> groups = groups("step");
    stepCount++;
    lastEpoch++;
    double[] values;
    try {
      values = getLr();
      if (values == null || values.length != groups.size())
        throw new IllegalStateException(name() + ".getLr returned " + (values == null ? "null" : values.length + " lr(s)")
            + " for " + groups.size() + " parameter group(s)");
    } catch (RuntimeException e) {
      stepCount--;
      lastEpoch--;
      throw e;
    }
    double[] last = new double[groups.size()];
    for (int i = 0; i < last.length; i++) {
      groups.get(i).lr(values[i]);
      last[i] = values[i];
    }
    lastLr = last;
  }

  /**
   * Each group's current lr times factor: PyTorch's {@code [group['lr'] * f for group in
   * optimizer.param_groups]}, the step of most chainable schedules (a factor of 1 leaves the lr
   * exactly as it is).
   *
   * @param factor the multiplier
   * @return the lrs, one per group
   */
  protected final double[] groupLrsTimes(double factor) {
    List<ParamGroup> groups = optimizer.paramGroups();
    double[] lrs = new double[groups.size()];
    for (int i = 0; i < lrs.length; i++) lrs[i] = groups.get(i).lr() * factor;
    return lrs;
  }

  /**
   * The groups, checked to be as many as when the scheduler was made.
   *
   * @param op the calling method, for the message
   * @return the groups
   */
  protected final List<ParamGroup> groups(String op) {
    List<ParamGroup> groups = optimizer.paramGroups();
    if (baseLrs != null && groups.size() != baseLrs.length)
      throw new IllegalStateException(name() + "." + op + ": the optimizer has " + groups.size()
          + " parameter group(s) but the scheduler was made for " + baseLrs.length
          + "; make a new scheduler after addParamGroup");
    return groups;
  }

  /**
   * {@code get_last_lr()}: the lr of each group as last set by this scheduler.
   *
   * @return the lrs, one per group
   */
  public List<Double> getLastLr() {
    return toList(lastLr);
  }

  /**
   * {@code last_epoch}: the index of the last epoch (or batch) stepped to; 0 after construction.
   *
   * @return the last epoch
   */
  public int lastEpoch() {
    return lastEpoch;
  }

  /**
   * {@code base_lrs}: each group's {@code initial_lr} when the scheduler was made.
   *
   * @return the base lrs, one per group
   */
  public List<Double> baseLrs() {
    return toList(baseLrs);
  }

  /**
   * The {@code initial_lr} of one group when the scheduler was made ({@code base_lrs[group]}).
   *
   * @param group the group index
   * @return that base lr
   */
  protected final double baseLr(int group) {
    return baseLrs[group];
  }

  /**
   * {@code _step_count}: how many times {@link #step()} ran, the initial step included.
   *
   * @return the step count
   */
  protected final int stepCount() {
    return stepCount;
  }

  /**
   * The optimizer whose lrs this scheduler sets.
   *
   * @return the optimizer
   */
  public Optimizer optimizer() {
    return optimizer;
  }

  /**
   * {@code state_dict()}: this scheduler's options and counters as plain data under PyTorch's
   * names. Functions (LambdaLR's) are not saved, as in PyTorch. Save the optimizer's state dict
   * with it: the schedule continues from the groups' current lrs.
   *
   * @return a new map of plain values
   */
  public Map<String, Object> stateDict() {
    Map<String, Object> out = new LinkedHashMap<>();
    saveOptions(out);
    out.put("base_lrs", toList(baseLrs));
    out.put("last_epoch", (long) lastEpoch);
    out.put("_step_count", (long) stepCount);
    out.put("_last_lr", toList(lastLr));
    return out;
  }

  /**
   * {@code load_state_dict()}: takes the options and counters of a state dict made by
   * {@link #stateDict()} of the same scheduler class. Everything is checked first (keys present,
   * types, one value per group); when a check fails nothing changes.
   *
   * @param stateDict a map made by {@link #stateDict()}
   */
  public void loadStateDict(Map<String, Object> stateDict) {
    StateDictReader in = new StateDictReader(name() + ".loadStateDict", stateDict);
    int n = groups("loadStateDict").size();
    double[] base = in.doubles("base_lrs", n);
    int epoch = in.integer("last_epoch");
    int steps = in.integer("_step_count");
    double[] last = in.doubles("_last_lr", n);
    Runnable options = loadOptions(in);
    options.run();
    baseLrs = base;
    lastEpoch = epoch;
    stepCount = steps;
    lastLr = last;
  }

  /**
   * Puts this scheduler's own options into a state dict, under PyTorch's names.
   *
   * @param out the map to add to
   */
  protected abstract void saveOptions(Map<String, Object> out);

  /**
   * Reads and checks this scheduler's own options from a state dict, and returns the action that
   * sets them; it runs only once the whole state dict has been checked.
   *
   * @param in the reader over the saved state dict
   * @return the action that applies the options
   */
  protected abstract Runnable loadOptions(StateDictReader in);

  static List<Double> toList(double[] values) {
    List<Double> l = new ArrayList<>(values.length);
    for (double v : values) l.add(v);
    return Collections.unmodifiableList(l);
  }

  /** A per-group option given as a list: exactly one value per group (PyTorch's {@code _format_param}). */
  static double[] perGroup(String owner, String what, double[] values, int groups) {
    if (values == null) throw new NullPointerException(owner + ": " + what + " is null");
    if (values.length != groups)
      throw new IllegalArgumentException(owner + ": expected " + groups + " values for " + what + ", got " + values.length);
    return values.clone();
  }

  static double[] filled(double value, int n) {
    double[] out = new double[n];
    java.util.Arrays.fill(out, value);
    return out;
  }

  @Override
  public String toString() {
    return name() + "(last_epoch=" + lastEpoch + ", last_lr=" + getLastLr() + ")";
  }
}
