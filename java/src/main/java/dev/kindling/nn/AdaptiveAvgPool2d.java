package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Average pooling to a fixed output size whatever the input size, like
 * {@code torch.nn.AdaptiveAvgPool2d}: output cell i covers input rows floor(i*H/oh) to
 * ceil((i+1)*H/oh), and likewise for columns.
 */
public class AdaptiveAvgPool2d extends Module {
  private final long[] outputSize;

  /**
   * One size for both dims, or (H, W).
   *
   * @param outputSize one size or (H_out, W_out)
   */
  public AdaptiveAvgPool2d(long... outputSize) {
    F.pair(outputSize, "AdaptiveAvgPool2d", "output_size");
    this.outputSize = outputSize.clone();
  }

  /**
   * The (H, W) output size.
   *
   * @return (H_out, W_out)
   */
  public long[] outputSize() {
    return F.pair(outputSize, "AdaptiveAvgPool2d", "output_size");
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.pooled("AdaptiveAvgPool2d", () -> F.adaptiveAvgPool2d(input, outputSize));
  }

  @Override
  public String extraRepr() {
    return "output_size=" + F.pyInts(outputSize);
  }
}
