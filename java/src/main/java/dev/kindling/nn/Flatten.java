package dev.kindling.nn;

import dev.kindling.Tensor;

/** Flattens dims startDim..endDim into one, like {@code torch.nn.Flatten} (defaults 1, −1). */
public class Flatten extends Module {
  private final int startDim;
  private final int endDim;

  public Flatten() {
    this(1, -1);
  }

  public Flatten(int startDim, int endDim) {
    this.startDim = startDim;
    this.endDim = endDim;
  }

  public int startDim() {
    return startDim;
  }

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
