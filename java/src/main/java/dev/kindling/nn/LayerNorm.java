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

  public LayerNorm(long... normalizedShape) {
    this(normalizedShape, 1e-5, true);
  }

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

  public long[] normalizedShape() {
    return normalizedShape.clone();
  }

  public double eps() {
    return eps;
  }

  public boolean elementwiseAffine() {
    return elementwiseAffine;
  }

  public Tensor weight() {
    return weight;
  }

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
