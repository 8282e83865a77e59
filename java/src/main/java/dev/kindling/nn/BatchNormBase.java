package dev.kindling.nn;

import dev.kindling.Autograd;
import dev.kindling.Tensor;
import java.util.Arrays;

/**
 * What BatchNorm1d and BatchNorm2d share, like PyTorch's {@code _BatchNorm}. Why composed of
 * ordinary differentiable ops: the gradient (and double backward) then comes from autograd for
 * free, and the running statistics are plain buffers updated under no-grad with the unbiased
 * batch variance, exactly as PyTorch does. Subclasses only say which ranks they accept.
 */
public abstract class BatchNormBase extends Module {
  private final long numFeatures;
  private final double eps;
  private final Double momentum;
  private final boolean affine;
  private final boolean trackRunningStats;
  private final Tensor weight;
  private final Tensor bias;
  private final Tensor runningMean;
  private final Tensor runningVar;
  private final Tensor numBatchesTracked;

  /**
   * Creates the parameters and buffers shared by BatchNorm1d and BatchNorm2d.
   *
   * @param numFeatures C, the number of channels
   * @param eps added to the variance for stability, at least 0
   * @param momentum the weight of the batch statistic in the running update, or null for a
   *     cumulative average
   * @param affine learn weight (γ) and bias (β)
   * @param trackRunningStats keep running mean and variance and use them in eval mode
   */
  protected BatchNormBase(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    if (numFeatures <= 0)
      throw new IllegalArgumentException(className() + ": num_features must be positive, got " + numFeatures);
    if (!(eps >= 0)) throw new IllegalArgumentException(className() + ": eps must be non-negative, got " + eps);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = registerParameter("weight", affine ? Tensor.ones(numFeatures) : null);
    this.bias = registerParameter("bias", affine ? Tensor.zeros(numFeatures) : null);
    this.runningMean = registerBuffer("running_mean", trackRunningStats ? Tensor.zeros(numFeatures) : null);
    this.runningVar = registerBuffer("running_var", trackRunningStats ? Tensor.ones(numFeatures) : null);
    this.numBatchesTracked = registerBuffer("num_batches_tracked", trackRunningStats ? Tensor.scalar(0L) : null);
  }

  /**
   * Throws when the input's rank is not one this module accepts.
   *
   * @param input the forward input
   */
  protected abstract void checkInputDim(Tensor input);

  /**
   * The number of channels C ({@code num_features}).
   *
   * @return C
   */
  public long numFeatures() {
    return numFeatures;
  }

  /**
   * The term added to the variance for stability.
   *
   * @return eps
   */
  public double eps() {
    return eps;
  }

  /**
   * The momentum, or null for a cumulative moving average.
   *
   * @return the momentum, or null
   */
  public Double momentum() {
    return momentum;
  }

  /**
   * Whether the module learns weight and bias.
   *
   * @return the setting
   */
  public boolean affine() {
    return affine;
  }

  /**
   * Whether running statistics are kept ({@code track_running_stats}).
   *
   * @return the setting
   */
  public boolean trackRunningStats() {
    return trackRunningStats;
  }

  /**
   * γ, or null when not affine.
   *
   * @return the weight parameter, or null
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * β, or null when not affine.
   *
   * @return the bias parameter, or null
   */
  public Tensor bias() {
    return bias;
  }

  /**
   * The running mean buffer [C], or null when not tracking.
   *
   * @return the buffer
   */
  public Tensor runningMean() {
    return runningMean;
  }

  /**
   * The running variance buffer [C], or null when not tracking.
   *
   * @return the buffer
   */
  public Tensor runningVar() {
    return runningVar;
  }

  /**
   * The int64 count of training batches seen ({@code num_batches_tracked}), or null when not
   * tracking.
   *
   * @return the buffer
   */
  public Tensor numBatchesTracked() {
    return numBatchesTracked;
  }

  /** {@code reset_running_stats()}: mean 0, variance 1, no batches tracked. */
  public void resetRunningStats() {
    if (!trackRunningStats) return;
    try (var g = Autograd.noGrad()) {
      runningMean.fill_(0.0);
      runningVar.fill_(1.0);
      numBatchesTracked.fill_(0.0);
    }
  }

  /** {@code reset_parameters()}: running stats reset, γ = 1, β = 0. */
  public void resetParameters() {
    resetRunningStats();
    if (affine) {
      try (var g = Autograd.noGrad()) {
        weight.fill_(1.0);
        bias.fill_(0.0);
      }
    }
  }

  @Override
  public Tensor forward(Tensor input) {
    checkInputDim(input);
    if (input.size(1) != numFeatures)
      throw new IllegalArgumentException(className() + ": running_mean should contain " + input.size(1)
          + " elements not " + numFeatures + " (expected input with " + numFeatures + " channels, got input of shape "
          + Arrays.toString(input.shape()) + ")");
    if (!input.isFloatingPoint())
      throw new IllegalArgumentException(className() + ": expected a floating point input, got " + input.dtype());
    boolean useBatchStats = isTraining() || !trackRunningStats;
    if (useBatchStats && input.numel() / numFeatures <= 1 && isTraining())
      throw new IllegalArgumentException(className() + ": expected more than 1 value per channel when training, got input of shape "
          + Arrays.toString(input.shape()));
    // As PyTorch's _BatchNorm.forward: count the batch, pick the averaging factor (a cumulative
    // average when momentum is None), then one fused op normalises and updates the running stats.
    double factor = 0.0;
    boolean update = isTraining() && trackRunningStats;
    if (update) {
      try (var g = Autograd.noGrad()) {
        numBatchesTracked.add_(1L);
      }
      factor = momentum == null ? 1.0 / numBatchesTracked.itemLong() : momentum;
    }
    Tensor y = F.batchNorm(input, update || !useBatchStats ? runningMean : null,
        update || !useBatchStats ? runningVar : null, weight, bias, useBatchStats, factor, eps);
    return y;
  }

  @Override
  public String extraRepr() {
    return numFeatures + ", eps=" + pyFloat(eps) + ", momentum=" + (momentum == null ? "None" : pyFloat(momentum))
        + ", affine=" + pyBool(affine) + ", track_running_stats=" + pyBool(trackRunningStats);
  }

  static String pyBool(boolean b) {
    return b ? "True" : "False";
  }
}
