package dev.kindling.nn;

import dev.kindling.Tensor;

/** Flattens dims startDim..endDim into one, like {@code torch.nn.Flatten} (defaults 1, −1). */
public class Flatten extends Module {
  private final int startDim;
  private final int endDim;

  /** {@code nn.Flatten()}: merges every dim but the batch dim (start 1, end -1). */
  public Flatten() {
    this(1, -1);
  }

  /**
   * {@code nn.Flatten(start_dim, end_dim)}.
   *
   * @param startDim the first dim merged
   * @param endDim the last dim merged (inclusive)
   */
  public Flatten(int startDim, int endDim) {
    this.startDim = startDim;
    this.endDim = endDim;
  }

  /**
   * The first dim merged.
   *
   * @return start_dim
   */
  public int startDim() {
    return startDim;
  }

  /**
   * The last dim merged.
   *
   * @return end_dim
   */
  public int endDim() {
    return endDim;
  }

  @Override
  public Tensor forward(Tensor input) {
    return input.flatten(startDim, endDim);
  }

  @Override
  public String extraRepr() {
    return "start_dim=" + startDim + ", end_dim=" + endDim;
  }
}
