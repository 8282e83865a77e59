package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Batch normalisation over a [N, C] or [N, C, L] input, like {@code torch.nn.BatchNorm1d}:
 * statistics per channel C over N (and L).
 */
public class BatchNorm1d extends BatchNormBase {
  /**
   * {@code nn.BatchNorm1d(num_features)}: eps 1e-5, momentum 0.1, affine, tracking running stats.
   *
   * @param numFeatures C, the channels of an (N, C) or (N, C, L) input
   */
  public BatchNorm1d(long numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /**
   * momentum null means a cumulative moving average (PyTorch's momentum=None).
   *
   * @param numFeatures C, the channels of an (N, C) or (N, C, L) input
   * @param eps added to the variance for stability
   * @param momentum the weight of the batch statistic in the running update, or null
   * @param affine learn weight and bias
   * @param trackRunningStats keep running statistics for eval mode
   */
  public BatchNorm1d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    super(numFeatures, eps, momentum, affine, trackRunningStats);
  }

  @Override
  protected void checkInputDim(Tensor input) {
    if (input.dim() != 2 && input.dim() != 3)
      throw new IllegalArgumentException("BatchNorm1d: expected 2D or 3D input (got " + input.dim() + "D input)");
  }
}
