package dev.kindling.nn;

import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Functional forms of the normalisation layers ({@code F.layer_norm}, {@code F.group_norm}),
 * kept apart from {@link F} so that each layer file stays small. Composed of differentiable
 * ops, so gradients and double backward come from autograd.
 */
public final class FNorm {
  private FNorm() {}

  /** Closes the intermediates of one computation (the graph keeps what backward needs). */
  private static final class Temps implements AutoCloseable {
    private final List<Tensor> list = new ArrayList<>();

    Tensor t(Tensor x) {
      list.add(x);
      return x;
    }

    @Override
    public void close() {
      for (Tensor x : list) x.close();
    }
  }

  /** (x − mean) / √(var + eps) over dims, with the biased variance. */
  static Tensor normalize(Tensor x, int[] dims, double eps) {
    try (Temps k = new Temps()) {
      Tensor mean = k.t(x.mean(dims, true));
      Tensor var = k.t(x.var(dims, 0, true));
      Tensor invStd = k.t(k.t(var.add(eps)).rsqrt());
      return k.t(x.sub(mean)).mul(invStd);
    }
  }

  /**
   * {@code F.layer_norm(x, normalized_shape, weight, bias, eps)}; weight and bias may be null.
   *
   * @param x input whose trailing dims equal normalizedShape
   * @param normalizedShape the trailing dims normalised over
   * @param weight scale of shape normalizedShape, or null
   * @param bias shift of shape normalizedShape, or null
   * @param eps added to the variance for stability
   * @return the normalised tensor of x's shape
   */
  public static Tensor layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    int k = normalizedShape.length;
    long[] shape = x.shape();
    boolean ok = shape.length >= k;
    for (int i = 0; ok && i < k; i++) ok = shape[shape.length - k + i] == normalizedShape[i];
    if (!ok) {
      StringBuilder want = new StringBuilder("[*");
      for (long d : normalizedShape) want.append(", ").append(d);
      throw new IllegalArgumentException("layer_norm: given normalized_shape=" + Arrays.toString(normalizedShape)
          + ", expected input with shape " + want + "], but got input of size " + Arrays.toString(shape));
    }
    if (!x.isFloatingPoint())
      throw new IllegalArgumentException("layer_norm: expected a floating point input, got " + x.dtype());
    int[] dims = new int[k];
    for (int i = 0; i < k; i++) dims[i] = shape.length - k + i;
    Tensor y = normalize(x, dims, eps);
    return affine(y, weight, bias, null);
  }

  /**
   * {@code F.group_norm(x, num_groups, weight, bias, eps)} on an [N, C, *] input.
   *
   * @param x [N, C, *]
   * @param numGroups how many groups C is split into; must divide C
   * @param weight [C] scale, or null
   * @param bias [C] shift, or null
   * @param eps added to the variance for stability
   * @return the normalised tensor of x's shape
   */
  public static Tensor groupNorm(Tensor x, long numGroups, Tensor weight, Tensor bias, double eps) {
    long[] shape = x.shape();
    if (shape.length < 2)
      throw new IllegalArgumentException("group_norm: expected at least 2D input [N, C, *] (got " + shape.length + "D input)");
    if (numGroups <= 0 || shape[1] % numGroups != 0)
      throw new IllegalArgumentException("group_norm: expected number of channels in input to be divisible by num_groups, "
          + "but got input of shape " + Arrays.toString(shape) + " and num_groups=" + numGroups);
    if (!x.isFloatingPoint())
      throw new IllegalArgumentException("group_norm: expected a floating point input, got " + x.dtype());
    long[] bshape = new long[shape.length];
    Arrays.fill(bshape, 1L);
    bshape[1] = shape[1];
    try (Temps k = new Temps()) {
      Tensor grouped = k.t(x.reshape(shape[0], numGroups, -1));
      Tensor n = k.t(normalize(grouped, new int[] {2}, eps));
      Tensor y = n.reshape(shape);
      return affine(y, weight, bias, bshape);
    }
  }

  /** y·w + b with w and b viewed as viewShape (or as they are when null); consumes y when it applies either. */
  private static Tensor affine(Tensor y, Tensor weight, Tensor bias, long[] viewShape) {
    if (weight != null) {
      try (Tensor w = viewShape == null ? weight.view(weight.shape()) : weight.view(viewShape); Tensor old = y) {
        y = old.mul(w);
      }
    }
    if (bias != null) {
      try (Tensor b = viewShape == null ? bias.view(bias.shape()) : bias.view(viewShape); Tensor old = y) {
        y = old.add(b);
      }
    }
    return y;
  }
}
