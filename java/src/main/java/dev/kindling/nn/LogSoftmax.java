package dev.kindling.nn;

import dev.kindling.Tensor;

/** log(softmax(x)) along dim, computed stably, like {@code torch.nn.LogSoftmax(dim)}. */
public class LogSoftmax extends Module {
  private final int dim;

  /**
   * {@code nn.LogSoftmax(dim)}.
   *
   * @param dim the dim to normalise over
   */
  public LogSoftmax(int dim) {
    this.dim = dim;
  }

  /**
   * The dim normalised over.
   *
   * @return dim
   */
  public int dim() {
    return dim;
  }

  @Override
  public Tensor forward(Tensor input) {
    return input.logSoftmax(dim);
  }

  @Override
  public String extraRepr() {
    return "dim=" + dim;
  }
}
