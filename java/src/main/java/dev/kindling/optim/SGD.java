package dev.kindling.optim;

import static dev.kindling.internal.KindlingNative.kd_optim_sgd;
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
 * {@code torch.optim.SGD}: stochastic gradient descent with optional momentum, dampening,
 * Nesterov momentum, weight decay (L2 penalty) and maximize, with PyTorch 1.13's options, checks
 * and single-tensor update, computed natively for every parameter of the step in one call:
 *
 * <pre>
 * d = maximize ? -grad : grad;  if weight_decay != 0: d = d + weight_decay * p
 * if momentum != 0:
 *   buf = first step ? d : momentum * buf + (1 - dampening) * d
 *   d = nesterov ? d + momentum * buf : buf
 * p = p - lr * d
 * </pre>
 *
 * <p>As in PyTorch 1.13 the learning rate has no default: {@code SGD.options().lr(0.1)} (or an
 * {@code lr} on every group) is required. Per-parameter state: {@code momentum_buffer}, a copy of
 * the first (decayed) gradient that momentum then accumulates into; it is null (PyTorch's None)
 * for a parameter stepped with momentum 0.
 *
 * <pre>{@code
 * var opt = new SGD(model.parameters(), SGD.options().lr(0.1).momentum(0.9));
 * var perLayer = new SGD(List.of(ParamGroup.of(base), ParamGroup.of(net.conv5.parameters()).lr(lr * 100)),
 *     SGD.options().lr(lr).momentum(0.9));
 * }</pre>
 */
public final class SGD extends Optimizer {
  private static final int ROW = 7;  // KD_SGD_ROW

  /**
   * One group of these parameters.
   *
   * @param params the parameters to optimize
   * @param options the options, lr set
   */
  public SGD(Iterable<? extends Tensor> params, Options options) {
    super("SGD", params, defaults(options));
  }

  /**
   * Parameter groups, each with its own options; what a group does not set comes from options.
   *
   * @param groups the parameter groups
   * @param options the defaults for the groups
   */
  public SGD(List<ParamGroup> groups, Options options) {
    super("SGD", groups, defaults(options));
  }

  /**
   * {@code SGD(params, lr=lr)}.
   *
   * @param params the parameters to optimize
   * @param lr the learning rate
   */
  public SGD(Iterable<? extends Tensor> params, double lr) {
    this(params, options().lr(lr));
  }

  /**
   * The options, with PyTorch's defaults (lr has none: it must be set here or on every group).
   *
   * @return new options
   */
  public static Options options() {
    return new Options();
  }

  /** SGD's options under their PyTorch names in camelCase. */
  public static final class Options {
    private Double lr;
    private double momentum, dampening, weightDecay;
    private boolean nesterov, maximize;

    private Options() {}

    /**
     * The learning rate ({@code lr}).
     *
     * @param lr a learning rate of at least 0
     * @return these options
     */
    public Options lr(double lr) {
      this.lr = lr;
      return this;
    }

    /**
     * The momentum factor (default 0).
     *
     * @param momentum a factor of at least 0
     * @return these options
     */
    public Options momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /**
     * Dampening for momentum (default 0).
     *
     * @param dampening the dampening
     * @return these options
     */
    public Options dampening(double dampening) {
      this.dampening = dampening;
      return this;
    }

    /**
     * L2 penalty added to the gradient (default 0).
     *
     * @param weightDecay a penalty of at least 0
     * @return these options
     */
    public Options weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * Nesterov momentum (default false; needs momentum and zero dampening).
     *
     * @param nesterov whether to use Nesterov momentum
     * @return these options
     */
    public Options nesterov(boolean nesterov) {
      this.nesterov = nesterov;
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
    if (o == null) throw new NullPointerException("SGD: options is null");
    if (o.lr != null) Checks.nonNegative("learning rate", o.lr);
    Checks.nonNegative("momentum value", o.momentum);
    Checks.nonNegative("weight_decay value", o.weightDecay);
    Map<String, Object> d = new LinkedHashMap<>();
    if (o.lr != null) d.put("lr", o.lr);
    d.put("momentum", o.momentum);
    d.put("dampening", o.dampening);
    d.put("weight_decay", o.weightDecay);
    d.put("nesterov", o.nesterov);
    d.put("maximize", o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
      throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
    return d;
  }

  @Override
  protected void checkGroup(ParamGroup g) {
    if (!g.has("lr"))
      throw new IllegalArgumentException("parameter group didn't specify a value of required optimization parameter lr");
    Checks.nonNegative("learning rate", g.lr());
    Checks.nonNegative("momentum value", g.momentum());
    Checks.nonNegative("weight_decay value", g.weightDecay());
    if (g.getBoolean("nesterov") && (g.momentum() <= 0 || g.getDouble("dampening") != 0))
      throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
    g.getBoolean("maximize");
  }

  @Override
  protected Set<String> stateBuffers() {
    return Set.of("momentum_buffer");
  }

  @Override
  public void step() {
    checkOpen("step");
    StepBatch b = new StepBatch("SGD", ROW, 1);
    // the pin frame keeps the handles b collects valid until b.run returns
    try (Scope s = Kindling.scope(); Pins pins = Pins.enter()) {
      List<ParamGroup> groups = paramGroups();
      for (int gi = 0; gi < groups.size(); gi++) {
        ParamGroup g = groups.get(gi);
        double lr = g.lr(), momentum = g.momentum(), dampening = g.getDouble("dampening"), wd = g.weightDecay();
        boolean nesterov = g.getBoolean("nesterov"), maximize = g.getBoolean("maximize");
        List<Tensor> ps = g.params();
        for (int i = 0; i < ps.size(); i++) {
          Tensor p = ps.get(i);
          Tensor grad = b.gradOf(p, gi, i);
          if (grad == null) continue;
          Map<String, Object> st = state(p);
          Tensor buf = momentum != 0 ? (Tensor) st.get("momentum_buffer") : null;
          boolean init = momentum != 0 && buf == null;
          if (init) buf = b.fresh(Tensor.emptyLike(p));
          if (init || !st.containsKey("momentum_buffer")) {
            Tensor stored = buf;  // PyTorch stores None for a parameter stepped without momentum
            b.onSuccess(() -> st.put("momentum_buffer", stored));
          }
          b.add(gi, i, p, grad, new Tensor[] {buf}, lr, momentum, dampening, wd, flag(nesterov), flag(maximize), flag(init));
        }
      }
      b.run((n, params, grads, states, hyper) -> kd_optim_sgd(n, params, grads, states[0], hyper));
    }
  }
}
