package dev.kindling.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code torch.optim.lr_scheduler.MultiStepLR}: each group's lr is multiplied by {@code gamma}
 * when the epoch reaches a milestone — by {@code gamma^k} for a milestone listed k times, as
 * PyTorch's {@code Counter} of milestones does. The milestones may be given in any order.
 */
public final class MultiStepLR extends LRScheduler {
  /** milestone epoch -> how many times it was listed */
  private TreeMap<Integer, Integer> milestones;
  private double gamma;

  /**
   * MultiStepLR with {@code gamma = 0.1}.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param milestones epoch indices at which the lr decays
   */
  public MultiStepLR(Optimizer optimizer, List<Integer> milestones) {
    this(optimizer, milestones, 0.1);
  }

  /**
   * {@code MultiStepLR(optimizer, milestones, gamma)}: multiplies each lr by gamma at every
   * milestone.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param milestones epoch indices at which the lr decays
   * @param gamma the factor per milestone
   */
  public MultiStepLR(Optimizer optimizer, List<Integer> milestones, double gamma) {
    this(optimizer, milestones, gamma, -1);
  }

  /**
   * @param milestones epoch indices at which the lr decays
   * @param lastEpoch the index of the last epoch when resuming; -1 starts the schedule
   * @param optimizer the optimizer whose lrs are scheduled
   * @param gamma the factor per milestone (applied once per repetition of a milestone)
   */
  public MultiStepLR(Optimizer optimizer, List<Integer> milestones, double gamma, int lastEpoch) {
    super(optimizer);
    if (milestones == null) throw new NullPointerException("MultiStepLR: milestones is null");
    int[] m = new int[milestones.size()];
    for (int i = 0; i < m.length; i++) {
      if (milestones.get(i) == null) throw new NullPointerException("MultiStepLR: milestones contains null");
      m[i] = milestones.get(i);
    }
    this.milestones = count(m);
    this.gamma = gamma;
    initialize(lastEpoch);
  }

  private static TreeMap<Integer, Integer> count(int[] milestones) {
    TreeMap<Integer, Integer> c = new TreeMap<>();
    for (int m : milestones) c.merge(m, 1, Integer::sum);
    return c;
  }

  /**
   * The milestones in increasing order, each as many times as it was given.
   *
   * @return a new list
   */
  public List<Integer> milestones() {
    List<Integer> out = new ArrayList<>();
    for (Map.Entry<Integer, Integer> e : milestones.entrySet())
      for (int k = 0; k < e.getValue(); k++) out.add(e.getKey());
    return Collections.unmodifiableList(out);
  }

  /**
   * The factor applied at each milestone.
   *
   * @return gamma
   */
  public double gamma() {
    return gamma;
  }

  @Override
  protected double[] getLr() {
    Integer times = milestones.get(lastEpoch());
    return groupLrsTimes(times == null ? 1.0 : Math.pow(gamma, times));
  }

  @Override
  protected void saveOptions(Map<String, Object> out) {
    // PyTorch saves a Counter; a sorted list with repeats is the same multiset as plain data.
    List<Long> m = new ArrayList<>();
    for (int v : milestones()) m.add((long) v);
    out.put("milestones", Collections.unmodifiableList(m));
    out.put("gamma", gamma);
  }

  @Override
  protected Runnable loadOptions(StateDictReader in) {
    TreeMap<Integer, Integer> m = count(in.integers("milestones", -1));
    double g = in.number("gamma");
    return () -> {
      milestones = m;
      gamma = g;
    };
  }
}
