package dev.kindling.optim;

import static dev.kindling.internal.KindlingNative.kd_optim_adam;
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
 * {@code torch.optim.Adam} with PyTorch 1.13's options, defaults (lr 1e-3, betas (0.9, 0.999),
 * eps 1e-8, weight_decay 0, amsgrad false, maximize false), checks and single-tensor update,
 * computed natively for every parameter of the step in one call:
 *
 * <pre>
 * d = maximize ? -grad : grad;  if weight_decay != 0: d = d + weight_decay * p
 * exp_avg = beta1 * exp_avg + (1 - beta1) * d;  exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * d * d
 * bias_correction1 = 1 - beta1^step;  bias_correction2 = 1 - beta2^step
 * v = amsgrad ? (max_exp_avg_sq = max(max_exp_avg_sq, exp_avg_sq)) : exp_avg_sq
 * denom = sqrt(v) / sqrt(bias_correction2) + eps
 * p = p - (lr / bias_correction1) * exp_avg / denom
 * </pre>
 *
 * <p>Per-parameter state as PyTorch names it: {@code step}, {@code exp_avg}, {@code exp_avg_sq}
 * and, with amsgrad, {@code max_exp_avg_sq}. Unlike PyTorch 1.13, which keeps {@code step} in a
 * float32 tensor, Kindling keeps it as a Java {@code Long} (exact for any count; a loaded tensor
 * step becomes a number). Options PyTorch has for other back ends ({@code foreach},
 * {@code capturable}, {@code differentiable}, {@code fused}) are not offered. Turning amsgrad on
 * mid-training starts {@code max_exp_avg_sq} at zero (PyTorch fails there).
 */
public final class Adam extends Optimizer {
  static final int ROW = 9;  // KD_ADAM_ROW

  /**
   * {@code torch.optim.Adam(params, ...)}: one group of these parameters.
   *
   * @param params the parameters to optimize
   * @param options the options
   */
  public Adam(Iterable<? extends Tensor> params, Options options) {
    super("Adam", params, defaults(options));
  }

  /**
   * Adam over parameter groups; what a group does not set comes from options.
   *
   * @param groups the parameter groups
   * @param options the defaults for the groups
   */
  public Adam(List<ParamGroup> groups, Options options) {
    super("Adam", groups, defaults(options));
  }

  /**
   * Adam with PyTorch's defaults.
   *
   * @param params the parameters to optimize
   */
  public Adam(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /**
   * The options, with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0).
   *
   * @return new options
   */
  public static Options options() {
    return new Options(0.0);
  }

  /** Adam's (and AdamW's) options under their PyTorch names in camelCase. */
  public static final class Options {
    double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay;
    boolean amsgrad, maximize;

    Options(double weightDecay) {
      this.weightDecay = weightDecay;
    }

    /**
     * The learning rate (default 1e-3).
     *
     * @param lr the learning rate
     * @return these options
     */
    public Options lr(double lr) {
      this.lr = lr;
      return this;
    }

    /**
     * The coefficients of the running averages of the gradient and its square (default 0.9, 0.999).
     *
     * @param beta1 the coefficient of the gradient average
     * @param beta2 the coefficient of the squared-gradient average
     * @return these options
     */
    public Options betas(double beta1, double beta2) {
      this.beta1 = beta1;
      this.beta2 = beta2;
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
     * Weight decay: an L2 penalty added to the gradient for Adam, decoupled (applied to the
     * weights) for AdamW.
     *
     * @param weightDecay the decay
     * @return these options
     */
    public Options weightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    /**
     * Use the AMSGrad variant, which keeps the maximum of the squared-gradient averages (default
     * false).
     *
     * @param amsgrad whether to use AMSGrad
     * @return these options
     */
    public Options amsgrad(boolean amsgrad) {
      this.amsgrad = amsgrad;
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

  /** Checks options in PyTorch's order and lists them under PyTorch's names (shared with AdamW). */
  static Map<String, Object> defaults(Options o) {
    if (o == null) throw new NullPointerException("options is null");
    Checks.nonNegative("learning rate", o.lr);
    Checks.nonNegative("epsilon value", o.eps);
    Checks.betas(new double[] {o.beta1, o.beta2});
    Checks.nonNegative("weight_decay value", o.weightDecay);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", o.lr);
    d.put("betas", new double[] {o.beta1, o.beta2});
    d.put("eps", o.eps);
    d.put("weight_decay", o.weightDecay);
    d.put("amsgrad", o.amsgrad);
    d.put("maximize", o.maximize);
    return d;
  }

  /** The same checks for a group's options. */
  static void check(ParamGroup g) {
    Checks.nonNegative("learning rate", g.lr());
    Checks.nonNegative("epsilon value", g.eps());
    Checks.betas(g.betas());
    Checks.nonNegative("weight_decay value", g.weightDecay());
    g.getBoolean("amsgrad");
    g.getBoolean("maximize");
  }

  static final Set<String> BUFFERS = Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq");

  @Override
  protected void checkGroup(ParamGroup g) {
    check(g);
  }

  @Override
  protected Set<String> stateBuffers() {
    return BUFFERS;
  }

  @Override
  public void step() {
    update(this, false);
  }

  /** One Adam (decoupled = false) or AdamW (decoupled = true) step of optimizer o. */
  static void update(Optimizer o, boolean decoupled) {
    o.checkOpen("step");
    StepBatch b = new StepBatch(o.name(), ROW, 3);
    // the pin frame keeps the handles b collects valid until b.run returns
    try (Scope s = Kindling.scope(); Pins pins = Pins.enter()) {
      List<ParamGroup> groups = o.paramGroups();
      for (int gi = 0; gi < groups.size(); gi++) {
        ParamGroup g = groups.get(gi);
        double lr = g.lr(), eps = g.eps(), wd = g.weightDecay();
        double[] betas = g.betas();
        boolean amsgrad = g.getBoolean("amsgrad"), maximize = g.getBoolean("maximize");
        List<Tensor> ps = g.params();
        for (int i = 0; i < ps.size(); i++) {
          Tensor p = ps.get(i);
          Tensor grad = b.gradOf(p, gi, i);
          if (grad == null) continue;
          Map<String, Object> st = o.state(p);
          long step = st.get("step") instanceof Number n ? n.longValue() + 1 : 1;
          b.onSuccess(() -> st.put("step", step));
          Tensor expAvg = b.buffer(st, "exp_avg", p, true);
          Tensor expAvgSq = b.buffer(st, "exp_avg_sq", p, true);
          Tensor maxExpAvgSq = b.buffer(st, "max_exp_avg_sq", p, amsgrad);
          b.add(gi, i, p, grad, new Tensor[] {expAvg, expAvgSq, maxExpAvgSq}, lr, betas[0], betas[1], eps, wd,
              flag(amsgrad), flag(maximize), step, flag(decoupled));
        }
      }
      b.run((n, params, grads, states, hyper) -> kd_optim_adam(n, params, grads, states[0], states[1], states[2], hyper));
    }
  }
}
