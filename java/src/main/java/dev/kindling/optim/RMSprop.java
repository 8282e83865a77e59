package dev.kindling.optim;

import static dev.kindling.internal.KindlingNative.kd_optim_rmsprop;
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
 * {@code torch.optim.RMSprop} with PyTorch 1.13's options, defaults (lr 1e-2, alpha 0.99, eps
 * 1e-8, weight_decay 0, momentum 0, centered false, maximize false), checks and single-tensor
 * update, computed natively for every parameter of the step in one call:
 *
 * <pre>
 * d = maximize ? -grad : grad;  if weight_decay != 0: d = d + weight_decay * p
 * square_avg = alpha * square_avg + (1 - alpha) * d * d
 * centered: grad_avg = alpha * grad_avg + (1 - alpha) * d;  avg = sqrt(square_avg - grad_avg^2) + eps
 * else:     avg = sqrt(square_avg) + eps
 * momentum > 0: momentum_buffer = momentum * momentum_buffer + d / avg;  p = p - lr * momentum_buffer
 * else:         p = p - lr * d / avg
 * </pre>
 *
 * <p>Per-parameter state as PyTorch names it: {@code step} (a Java {@code Long}, as PyTorch's int),
 * {@code square_avg}, {@code momentum_buffer} (when momentum > 0) and {@code grad_avg} (when
 * centered). A buffer that options switched on mid-training starts at zero (PyTorch fails there).
 */
public final class RMSprop extends Optimizer {
  private static final int ROW = 7;  // KD_RMSPROP_ROW

  /**
   * {@code torch.optim.RMSprop(params, ...)}: one group of these parameters.
   *
   * @param params the parameters to optimize
   * @param options the options
   */
  public RMSprop(Iterable<? extends Tensor> params, Options options) {
    super("RMSprop", params, defaults(options));
  }

  /**
   * RMSprop over parameter groups; what a group does not set comes from options.
   *
   * @param groups the parameter groups
   * @param options the defaults for the groups
   */
  public RMSprop(List<ParamGroup> groups, Options options) {
    super("RMSprop", groups, defaults(options));
  }

  /**
   * RMSprop with PyTorch's defaults.
   *
   * @param params the parameters to optimize
   */
  public RMSprop(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /**
   * The options, with PyTorch's defaults (lr 1e-2, alpha 0.99, eps 1e-8, weight_decay 0, momentum
   * 0, not centered).
   *
   * @return new options
   */
  public static Options options() {
    return new Options();
  }

  /** RMSprop's options under their PyTorch names in camelCase. */
  public static final class Options {
    private double lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay, momentum;
    private boolean centered, maximize;

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
     * The smoothing constant of the squared-gradient average (default 0.99).
     *
     * @param alpha the smoothing constant
     * @return these options
     */
    public Options alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    /**
     * Term added to the denominator for stability (default 1e-8).
     *
     * @param eps the term
     * @return these options
     */
    public Options eps(double eps) {
      this.eps = eps;
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
     * The momentum factor (default 0).
     *
     * @param momentum the momentum
     * @return these options
     */
    public Options momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /**
     * Centered RMSprop: normalise by an estimate of the gradient's variance instead of its second
     * moment (default false).
     *
     * @param centered whether to center
     * @return these options
     */
    public Options centered(boolean centered) {
      this.centered = centered;
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
    if (o == null) throw new NullPointerException("RMSprop: options is null");
    Checks.nonNegative("learning rate", o.lr);
    Checks.nonNegative("epsilon value", o.eps);
    Checks.nonNegative("momentum value", o.momentum);
    Checks.nonNegative("weight_decay value", o.weightDecay);
    Checks.nonNegative("alpha value", o.alpha);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", o.lr);
    d.put("momentum", o.momentum);
    d.put("alpha", o.alpha);
    d.put("eps", o.eps);
    d.put("centered", o.centered);
    d.put("weight_decay", o.weightDecay);
    d.put("maximize", o.maximize);
    return d;
  }

  @Override
  protected void checkGroup(ParamGroup g) {
    Checks.nonNegative("learning rate", g.lr());
    Checks.nonNegative("epsilon value", g.eps());
    Checks.nonNegative("momentum value", g.momentum());
    Checks.nonNegative("weight_decay value", g.weightDecay());
    Checks.nonNegative("alpha value", g.getDouble("alpha"));
    g.getBoolean("centered");
    g.getBoolean("maximize");
  }

  @Override
  protected Set<String> stateBuffers() {
    return Set.of("square_avg", "momentum_buffer", "grad_avg");
  }

  @Override
  public void step() {
    checkOpen("step");
    StepBatch b = new StepBatch("RMSprop", ROW, 3);
    // the pin frame keeps the handles b collects valid until b.run returns
    try (Scope s = Kindling.scope(); Pins pins = Pins.enter()) {
      List<ParamGroup> groups = paramGroups();
      for (int gi = 0; gi < groups.size(); gi++) {
        ParamGroup g = groups.get(gi);
        double lr = g.lr(), alpha = g.getDouble("alpha"), eps = g.eps(), wd = g.weightDecay(), momentum = g.momentum();
        boolean centered = g.getBoolean("centered"), maximize = g.getBoolean("maximize");
        List<Tensor> ps = g.params();
        for (int i = 0; i < ps.size(); i++) {
          Tensor p = ps.get(i);
          Tensor grad = b.gradOf(p, gi, i);
          if (grad == null) continue;
          Map<String, Object> st = state(p);
          long step = st.get("step") instanceof Number n ? n.longValue() + 1 : 1;
          b.onSuccess(() -> st.put("step", step));
          Tensor squareAvg = b.buffer(st, "square_avg", p, true);
          Tensor buf = b.buffer(st, "momentum_buffer", p, momentum > 0);
          Tensor gradAvg = b.buffer(st, "grad_avg", p, centered);
          b.add(gi, i, p, grad, new Tensor[] {squareAvg, buf, gradAvg}, lr, alpha, eps, wd, momentum, flag(centered),
              flag(maximize));
        }
      }
      b.run((n, params, grads, states, hyper) -> kd_optim_rmsprop(n, params, grads, states[0], states[1], states[2], hyper));
    }
  }
}
