package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Batch normalisation over an [N, C, H, W] input, like {@code torch.nn.BatchNorm2d}: statistics
 * per channel C over N, H and W.
 */
public class BatchNorm2d extends BatchNormBase {
  public BatchNorm2d(long numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /** momentum null means a cumulative moving average (PyTorch's momentum=None). */
  public BatchNorm2d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected void checkInputDim(Tensor input) {
    if (input.dim() != 4)
      throw new IllegalArgumentException("BatchNorm2d: expected 4D input (got " + input.dim() + "D input)");
  }
}
