package dev.kindling.nn;

import dev.kindling.Tensor;

/** Softmax along dim, like {@code torch.nn.Softmax(dim)}. */
public class Softmax extends Module {
  private final int dim;

  /**
   * {@code nn.Softmax(dim)}.
   *
   * @param dim the dim to normalise over
   */
  public Softmax(int dim) {
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
    return input.softmax(dim);
  }

  @Override
  public String extraRepr() {
    return "dim=" + dim;
  }
}
