package dev.kindling.nn;

import dev.kindling.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation over the trailing {@code normalizedShape} dimensions, like
 * {@code torch.nn.LayerNorm}: each sample is centred and scaled by its own mean and biased
 * variance, then (optionally) by an elementwise γ and β. Composed of differentiable ops.
 */
public class LayerNorm extends Module {
  private final long[] normalizedShape;
  private final double eps;
  private final boolean elementwiseAffine;
  private final Tensor weight;
  private final Tensor bias;

  /**
   * {@code nn.LayerNorm(normalized_shape)}: eps 1e-5, with elementwise weight and bias.
   *
   * @param normalizedShape the trailing dims normalised over
   */
  public LayerNorm(long... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

  /**
   * {@code nn.LayerNorm(normalized_shape, eps, elementwise_affine)}.
   *
   * @param normalizedShape the trailing dims normalised over (at least one)
   * @param eps added to the variance for stability
   * @param elementwiseAffine learn weight and bias of shape normalizedShape
   */
  public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
    if (normalizedShape == null || normalizedShape.length == 0)
      throw new IllegalArgumentException("LayerNorm: normalized_shape must have at least one dimension");
    for (long d : normalizedShape)
      if (d <= 0) throw new IllegalArgumentException("LayerNorm: normalized_shape must be positive, got " + Arrays.toString(normalizedShape));
    this.normalizedShape = normalizedShape.clone();
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = registerParameter("weight", elementwiseAffine ? Tensor.ones(normalizedShape) : null);
    this.bias = registerParameter("bias", elementwiseAffine ? Tensor.zeros(normalizedShape) : null);
  }

  /**
   * The trailing dims normalised over.
   *
   * @return a copy
   */
  public long[] normalizedShape() {
    return normalizedShape.clone();
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
  public boolean elementwiseAffine() {
    return elementwiseAffine;
  }

  /**
   * The scale, of shape normalizedShape, or null.
   *
   * @return the weight
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The shift, of shape normalizedShape, or null.
   *
   * @return the bias
   */
  public Tensor bias() {
    return bias;
  }

  @Override
  public Tensor forward(Tensor input) {
    return FNorm.layerNorm(input, normalizedShape, weight, bias, eps);
  }

  @Override
  public String extraRepr() {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < normalizedShape.length; i++) {
      s.append(normalizedShape[i]);
      if (normalizedShape.length == 1 || i < normalizedShape.length - 1) s.append(",");
      if (i < normalizedShape.length - 1) s.append(" ");
    }
    s.append(")");
    return s + ", eps=" + pyFloat(eps) + ", elementwise_affine=" + BatchNormBase.pyBool(elementwiseAffine);
  }
}
