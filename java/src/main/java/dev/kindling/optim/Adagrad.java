package dev.kindling.optim;

import static dev.kindling.internal.KindlingNative.kd_optim_adagrad;
import static dev.kindling.optim.StepBatch.flag;

import dev.kindling.Kindling;
import dev.kindling.Pins;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code torch.optim.Adagrad} with PyTorch 1.13's options, defaults (lr 1e-2, lr_decay 0,
 * weight_decay 0, initial_accumulator_value 0, eps 1e-10, maximize false), checks and
 * single-tensor update, computed natively for every parameter of the step in one call:
 *
 * <pre>
 * d = maximize ? -grad : grad;  if weight_decay != 0: d = d + weight_decay * p
 * clr = lr / (1 + (step - 1) * lr_decay)
 * sum = sum + d * d;  p = p - clr * d / (sqrt(sum) + eps)
 * </pre>
 *
 * <p>As in PyTorch, state exists from construction on for every parameter: {@code step} = 0 and
 * {@code sum} filled with initial_accumulator_value (so {@link #stateDict()} lists every parameter
 * before the first step). Differences: {@code step} is a Java {@code Long} (PyTorch 1.13: a float
 * tensor), and the initial accumulator of a group comes from that group's
 * {@code initial_accumulator_value} (PyTorch 1.13 takes the constructor's for all groups, and
 * gives groups added later no state at all).
 */
public final class Adagrad extends Optimizer {
  private static final int ROW = 6;  // KD_ADAGRAD_ROW

  /**
   * {@code torch.optim.Adagrad(params, ...)}: one group of these parameters.
   *
   * @param params the parameters to optimize
   * @param options the options
   */
  public Adagrad(Iterable<? extends Tensor> params, Options options) {
    super("Adagrad", params, defaults(options));
  }

  /**
   * Adagrad over parameter groups; what a group does not set comes from options.
   *
   * @param groups the parameter groups
   * @param options the defaults for the groups
   */
  public Adagrad(List<ParamGroup> groups, Options options) {
    super("Adagrad", groups, defaults(options));
  }

  /**
   * Adagrad with PyTorch's defaults.
   *
   * @param params the parameters to optimize
   */
  public Adagrad(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /**
   * The options, with PyTorch's defaults (lr 1e-2, lr_decay 0, weight_decay 0,
   * initial_accumulator_value 0, eps 1e-10).
   *
   * @return new options
   */
  public static Options options() {
    return new Options();
  }

  /** Adagrad's options under their PyTorch names in camelCase. */
  public static final class Options {
    private double lr = 1e-2, lrDecay, weightDecay, initialAccumulatorValue, eps = 1e-10;
    private boolean maximize;

    private Options() {}

    /**
     * The learning rate (default 1e-2).
     *
     * @param lr the learning rate
     * @return these options
     */
    public Options lr(double lr) {
      this.lr = lr;
      return this;
    }

    /**
     * The lr decay: step t uses {@code lr / (1 + (t - 1) * lr_decay)} (default 0).
     *
     * @param lrDecay the decay
     * @return these options
     */
    public Options lrDecay(double lrDecay) {
      this.lrDecay = lrDecay;
      return this;
    }

    /**
     * L2 penalty added to the gradient (default 0).
     *
     * @param weightDecay the penalty
     * @return these options
     */
    public Options weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * The starting value of the sum of squared gradients (default 0).
     *
     * @param initialAccumulatorValue the initial sum
     * @return these options
     */
    public Options initialAccumulatorValue(double initialAccumulatorValue) {
      this.initialAccumulatorValue = initialAccumulatorValue;
      return this;
    }

    /**
     * Term added to the denominator for stability (default 1e-10).
     *
     * @param eps the term
     * @return these options
     */
    public Options eps(double eps) {
      this.eps = eps;
      return this;
    }

    /**
     * Maximize the objective instead of minimizing it (default false).
     *
     * @param maximize whether to maximize
     * @return these options
     */
    public Options maximize(boolean maximize) {
      this.maximize = maximize;
      return this;
    }
  }

  private static Map<String, Object> defaults(Options o) {
    if (o == null) throw new NullPointerException("Adagrad: options is null");
    Checks.nonNegative("learning rate", o.lr);
    Checks.nonNegative("lr_decay value", o.lrDecay);
    Checks.nonNegative("weight_decay value", o.weightDecay);
    Checks.nonNegative("initial_accumulator_value value", o.initialAccumulatorValue);
    Checks.nonNegative("epsilon value", o.eps);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", o.lr);
    d.put("lr_decay", o.lrDecay);
    d.put("eps", o.eps);
    d.put("weight_decay", o.weightDecay);
    d.put("initial_accumulator_value", o.initialAccumulatorValue);
    d.put("maximize", o.maximize);
    return d;
  }

  @Override
  protected void checkGroup(ParamGroup g) {
    Checks.nonNegative("learning rate", g.lr());
    Checks.nonNegative("lr_decay value", g.getDouble("lr_decay"));
    Checks.nonNegative("weight_decay value", g.weightDecay());
    Checks.nonNegative("initial_accumulator_value value", g.getDouble("initial_accumulator_value"));
    Checks.nonNegative("epsilon value", g.eps());
    g.getBoolean("maximize");
  }

  /** Adds the group and gives each of its parameters PyTorch's initial state. */
  @Override
  public void addParamGroup(ParamGroup group) {
    super.addParamGroup(group);
    double init = group.getDouble("initial_accumulator_value");
    for (Tensor p : group.params()) {
      Map<String, Object> st = state(p);
      st.put("step", 0L);
      st.put("sum", own(Tensor.fullLike(p, init)));
    }
  }

  @Override
  protected Set<String> stateBuffers() {
    return Set.of("sum");
  }

  @Override
  public void step() {
    checkOpen("step");
    StepBatch b = new StepBatch("Adagrad", ROW, 1);
    // the pin frame keeps the handles b collects valid until b.run returns
    try (Scope s = Kindling.scope(); Pins pins = Pins.enter()) {
      List<ParamGroup> groups = paramGroups();
      for (int gi = 0; gi < groups.size(); gi++) {
        ParamGroup g = groups.get(gi);
        double lr = g.lr(), lrDecay = g.getDouble("lr_decay"), wd = g.weightDecay(), eps = g.eps();
        double init = g.getDouble("initial_accumulator_value");
        boolean maximize = g.getBoolean("maximize");
        List<Tensor> ps = g.params();
        for (int i = 0; i < ps.size(); i++) {
          Tensor p = ps.get(i);
          Tensor grad = b.gradOf(p, gi, i);
          if (grad == null) continue;
          Map<String, Object> st = state(p);
          long step = st.get("step") instanceof Number n ? n.longValue() + 1 : 1;
          b.onSuccess(() -> st.put("step", step));
          Tensor sum;
          if (st.get("sum") instanceof Tensor t) {
            sum = t;
          } else {  // state loaded without a sum: start it as the constructor would have
            Tensor t = b.fresh(Tensor.fullLike(p, init));
            b.onSuccess(() -> st.put("sum", t));
            sum = t;
          }
          b.add(gi, i, p, grad, new Tensor[] {sum}, lr, lrDecay, wd, eps, flag(maximize), step);
        }
      }
      b.run((n, params, grads, states, hyper) -> kd_optim_adagrad(n, params, grads, states[0], hyper));
    }
  }
}
