package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Batch normalisation over an [N, C, H, W] input, like {@code torch.nn.BatchNorm2d}: statistics
 * per channel C over N, H and W.
 */
public class BatchNorm2d extends BatchNormBase {
  /**
   * {@code nn.BatchNorm2d(num_features)}: eps 1e-5, momentum 0.1, affine, tracking running stats.
   *
   * @param numFeatures C, the channels of an (N, C, H, W) input
   */
  public BatchNorm2d(long numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /**
   * momentum null means a cumulative moving average (PyTorch's momentum=None).
   *
   * @param numFeatures C, the channels of an (N, C, H, W) input
   * @param eps added to the variance for stability
   * @param momentum the weight of the batch statistic in the running update, or null
   * @param affine learn weight and bias
   * @param trackRunningStats keep running statistics for eval mode
   */
  public BatchNorm2d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected void checkInputDim(Tensor input) {
    if (input.dim() != 4)
      throw new IllegalArgumentException("BatchNorm2d: expected 4D input (got " + input.dim() + "D input)");
  }
}
