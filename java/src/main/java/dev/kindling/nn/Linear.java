package dev.kindling.nn;

import dev.kindling.Autograd;
import dev.kindling.Tensor;
import java.util.Arrays;

/**
 * {@code y = x Aᵀ + b}, like {@code torch.nn.Linear}. Initialised as PyTorch does:
 * kaiming_uniform_(a = √5) on the weight, which is U(−1/√in, 1/√in), and the same bound for the
 * bias, drawn from the global seeded generator.
 */
public class Linear extends Module {
  private final long inFeatures;
  private final long outFeatures;
  private final Tensor weight;
  private final Tensor bias;

  /**
   * {@code nn.Linear(in_features, out_features)} with bias.
   *
   * @param inFeatures the size of each input's last dim
   * @param outFeatures the size of each output's last dim
   */
  public Linear(long inFeatures, long outFeatures) {
    this(inFeatures, outFeatures, true);
  }

  /**
   * {@code nn.Linear(in_features, out_features, bias)}.
   *
   * @param inFeatures the size of each input's last dim
   * @param outFeatures the size of each output's last dim
   * @param bias whether to learn an additive bias
   * @throws IllegalArgumentException if a size is negative
   */
  public Linear(long inFeatures, long outFeatures, boolean bias) {
    if (inFeatures < 0 || outFeatures < 0)
      throw new IllegalArgumentException("Linear: in_features and out_features must be non-negative, got "
          + inFeatures + " and " + outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = registerParameter("weight", Tensor.empty(outFeatures, inFeatures));
    this.bias = registerParameter("bias", bias ? Tensor.empty(outFeatures) : null);
    resetParameters();
  }

  /** Draws fresh initial values, as {@code reset_parameters()} does. */
  public void resetParameters() {
    double bound = inFeatures > 0 ? 1.0 / Math.sqrt(inFeatures) : 0.0;
    try (var g = Autograd.noGrad()) {
      // kaiming_uniform_(a=sqrt(5)): gain sqrt(2 / (1 + 5)), bound = gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)
      weight.uniform_(-bound, bound);
      if (bias != null) bias.uniform_(-bound, bound);
    }
  }

  /**
   * The input size.
   *
   * @return in_features
   */
  public long inFeatures() {
    return inFeatures;
  }

  /**
   * The output size.
   *
   * @return out_features
   */
  public long outFeatures() {
    return outFeatures;
  }

  /**
   * The [out_features, in_features] weight parameter.
   *
   * @return the weight
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The bias, or null when built with {@code bias = false}.
   *
   * @return the bias parameter [out_features], or null
   */
  public Tensor bias() {
    return bias;
  }

  @Override
  public Tensor forward(Tensor input) {
    if (input.dim() == 0 || input.size(-1) != inFeatures)
      throw new IllegalArgumentException(className() + ": expected input of shape [*, " + inFeatures
          + "] (in_features=" + inFeatures + "), got " + Arrays.toString(input.shape()));
    Tensor y = input.matmul(weight.t());
    return bias == null ? y : y.add(bias);
  }

  @Override
  public String extraRepr() {
    return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias != null ? "True" : "False");
  }
}
