package dev.kindling.optim;

import dev.kindling.Tensor;
import java.util.List;
import java.util.Set;

/**
 * {@code torch.optim.AdamW}: Adam with decoupled weight decay. Each step first decays the
 * parameter, {@code p = p * (1 - lr * weight_decay)}, then takes Adam's step without adding the
 * decay to the gradient. PyTorch 1.13's defaults differ from Adam's only in weight_decay (1e-2),
 * which {@link #options()} starts from. State and the other options are Adam's (see {@link Adam}),
 * and so is the native update, run with its decoupled flag. A separate class rather than an Adam
 * subclass, as in PyTorch, so that {@code instanceof Adam} is false for it.
 */
public final class AdamW extends Optimizer {
  /**
   * {@code torch.optim.AdamW(params, ...)}: one group of these parameters.
   *
   * @param params the parameters to optimize
   * @param options Adam's options; weight decay is decoupled
   */
  public AdamW(Iterable<? extends Tensor> params, Adam.Options options) {
    super("AdamW", params, Adam.defaults(options));
  }

  /**
   * AdamW over parameter groups; what a group does not set comes from options.
   *
   * @param groups the parameter groups
   * @param options the defaults for the groups
   */
  public AdamW(List<ParamGroup> groups, Adam.Options options) {
    super("AdamW", groups, Adam.defaults(options));
  }

  /**
   * AdamW with PyTorch's defaults.
   *
   * @param params the parameters to optimize
   */
  public AdamW(Iterable<? extends Tensor> params) {
    this(params, options());
  }

  /**
   * Adam's options starting from AdamW's defaults (weight_decay 1e-2).
   *
   * @return new options
   */
  public static Adam.Options options() {
    return new Adam.Options(1e-2);
  }

  @Override
  protected void checkGroup(ParamGroup g) {
    Adam.check(g);
  }

  @Override
  protected Set<String> stateBuffers() {
    return Adam.BUFFERS;
  }

  @Override
  public void step() {
    Adam.update(this, true);
  }
}
