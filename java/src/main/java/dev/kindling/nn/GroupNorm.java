package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Group normalisation, like {@code torch.nn.GroupNorm}: the channels of each sample are split
 * into {@code numGroups} groups, each normalised by its own mean and biased variance, then
 * scaled per channel by γ and β. Composed of differentiable ops.
 */
public class GroupNorm extends Module {
  private final long numGroups;
  private final long numChannels;
  private final double eps;
  private final boolean affine;
  private final Tensor weight;
  private final Tensor bias;

  /**
   * {@code nn.GroupNorm(num_groups, num_channels)}: eps 1e-5, affine.
   *
   * @param numGroups groups the channels are split into; must divide numChannels
   * @param numChannels C
   */
  public GroupNorm(long numGroups, long numChannels) {
    this(numGroups, numChannels, 1e-5, true);
  }

  /**
   * {@code nn.GroupNorm(num_groups, num_channels, eps, affine)}.
   *
   * @param numGroups groups the channels are split into; must divide numChannels
   * @param numChannels C
   * @param eps added to the variance for stability
   * @param affine learn per-channel weight and bias
   */
  public GroupNorm(long numGroups, long numChannels, double eps, boolean affine) {
    if (numGroups <= 0 || numChannels <= 0)
      throw new IllegalArgumentException("GroupNorm: num_groups and num_channels must be positive, got "
          + numGroups + " and " + numChannels);
    if (numChannels % numGroups != 0)
      throw new IllegalArgumentException("GroupNorm: num_channels must be divisible by num_groups, got num_channels="
          + numChannels + " and num_groups=" + numGroups);
    this.numGroups = numGroups;
    this.numChannels = numChannels;
    this.eps = eps;
    this.affine = affine;
    this.weight = registerParameter("weight", affine ? Tensor.ones(numChannels) : null);
    this.bias = registerParameter("bias", affine ? Tensor.zeros(numChannels) : null);
  }

  /**
   * The number of groups.
   *
   * @return num_groups
   */
  public long numGroups() {
    return numGroups;
  }

  /**
   * The number of channels C.
   *
   * @return num_channels
   */
  public long numChannels() {
    return numChannels;
  }

  /**
   * The term added to the variance.
   *
   * @return eps
   */
  public double eps() {
    return eps;
  }

  /**
   * Whether weight and bias are learned.
   *
   * @return the setting
   */
  public boolean affine() {
    return affine;
  }

  /**
   * The per-channel scale [C], or null when not affine.
   *
   * @return the weight
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The per-channel shift [C], or null when not affine.
   *
   * @return the bias
   */
  public Tensor bias() {
    return bias;
  }

  @Override
  public Tensor forward(Tensor input) {
    if (input.dim() >= 2 && input.size(1) != numChannels)
      throw new IllegalArgumentException("GroupNorm: expected input with " + numChannels + " channels, got input of shape "
          + java.util.Arrays.toString(input.shape()));
    return FNorm.groupNorm(input, numGroups, weight, bias, eps);
  }

  @Override
  public String extraRepr() {
    return numGroups + ", " + numChannels + ", eps=" + pyFloat(eps) + ", affine=" + BatchNormBase.pyBool(affine);
  }
}
