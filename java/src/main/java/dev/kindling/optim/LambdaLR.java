package dev.kindling.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

/**
 * {@code torch.optim.lr_scheduler.LambdaLR}: each group's lr is its {@code initial_lr} times a
 * function of the epoch — one function for every group, or one per group. The functions are code,
 * not data: the state dict does not hold them (PyTorch saves only callable objects' attributes,
 * never plain functions), so a restored LambdaLR must be built with the same functions.
 */
public final class LambdaLR extends LRScheduler {
  private final List<IntToDoubleFunction> lrLambdas;

  /**
   * One function for every group: {@code lr = initial_lr * lrLambda(epoch)}.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param lrLambda maps the epoch to a factor
   */
  public LambdaLR(Optimizer optimizer, IntToDoubleFunction lrLambda) {
    this(optimizer, lrLambda, -1);
  }

  /**
   * @param lastEpoch the index of the last epoch when resuming; -1 starts the schedule
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param lrLambda maps the epoch to a factor
   */
  public LambdaLR(Optimizer optimizer, IntToDoubleFunction lrLambda, int lastEpoch) {
    super(optimizer);
    if (lrLambda == null) throw new NullPointerException("LambdaLR: lr_lambda is null");
    this.lrLambdas = Collections.nCopies(optimizer.paramGroups().size(), lrLambda);
    initialize(lastEpoch);
  }

  /**
   * One function per group, in the order of {@code optimizer.paramGroups()}.
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param lrLambdas one epoch-to-factor function per group
   */
  public LambdaLR(Optimizer optimizer, List<? extends IntToDoubleFunction> lrLambdas) {
    this(optimizer, lrLambdas, -1);
  }

  /**
   * @param lastEpoch the index of the last epoch when resuming; -1 starts the schedule
   *
   * @param optimizer the optimizer whose lrs are scheduled
   * @param lrLambdas one epoch-to-factor function per group
   */
  public LambdaLR(Optimizer optimizer, List<? extends IntToDoubleFunction> lrLambdas, int lastEpoch) {
    super(optimizer);
    if (lrLambdas == null) throw new NullPointerException("LambdaLR: lr_lambda is null");
    int groups = optimizer.paramGroups().size();
    if (lrLambdas.size() != groups)
      throw new IllegalArgumentException("LambdaLR: Expected " + groups + " lr_lambdas, but got " + lrLambdas.size());
    List<IntToDoubleFunction> copy = new ArrayList<>(lrLambdas);
    if (copy.contains(null)) throw new NullPointerException("LambdaLR: lr_lambda contains null");
    this.lrLambdas = Collections.unmodifiableList(copy);
    initialize(lastEpoch);
  }

  @Override
  protected double[] getLr() {
    double[] lrs = new double[lrLambdas.size()];
    for (int i = 0; i < lrs.length; i++) lrs[i] = baseLr(i) * lrLambdas.get(i).applyAsDouble(lastEpoch());
    return lrs;
  }

  @Override
  protected void saveOptions(Map<String, Object> out) {}

  @Override
  protected Runnable loadOptions(StateDictReader in) {
    return () -> {};
  }
}
