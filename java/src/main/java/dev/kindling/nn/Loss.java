package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * The base of the loss modules, like PyTorch's {@code _Loss}: a module holding a
 * {@link Reduction} whose computation takes an input and a target. Why a Module: weights such
 * as CrossEntropyLoss's class weight are buffers, so they move and serialise with the model as
 * in PyTorch. The repr shows nothing for the defaults, like PyTorch's ({@code CrossEntropyLoss()}).
 */
public abstract class Loss extends Module {
  private final Reduction reduction;

  /**
   * Sets the reduction shared by every loss module.
   *
   * @param reduction NONE, MEAN or SUM (BATCHMEAN for KLDivLoss)
   */
  protected Loss(Reduction reduction) {
    if (reduction == null) throw new NullPointerException(getClass().getSimpleName() + ": reduction is null");
    this.reduction = reduction;
  }

  /**
   * How the per-element losses are reduced.
   *
   * @return the reduction
   */
  public Reduction reduction() {
    return reduction;
  }

  /**
   * The loss of input against target.
   *
   * @param input the predictions
   * @param target the targets
   * @return the loss
   */
  public abstract Tensor forward(Tensor input, Tensor target);

  /**
   * {@code loss(input, target)}: the same as {@link #forward(Tensor, Tensor)}.
   *
   * @param input the predictions
   * @param target the targets
   * @return the loss
   */
  public Tensor call(Tensor input, Tensor target) {
    return forward(input, target);
  }

  /** A loss needs a target: the one-argument form is refused. */
  @Override
  public Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(className() + ": forward needs an input and a target; call forward(input, target)");
  }
}
