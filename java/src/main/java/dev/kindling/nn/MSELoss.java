package dev.kindling.nn;

import dev.kindling.Tensor;

/** Mean squared error, like {@code torch.nn.MSELoss}; see {@link F#mseLoss}. */
public class MSELoss extends Loss {
  public MSELoss() {
    this(Reduction.MEAN);
  }

  public MSELoss(Reduction reduction) {
    super(reduction);
  }

  @Override
  public Tensor forward(Tensor input, Tensor target) {
    return F.mseLoss(input, target, reduction());
  }
}
