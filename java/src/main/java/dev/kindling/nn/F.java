package dev.kindling.nn;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Pins;
import dev.kindling.Tensor;
import dev.kindling.autograd.GradMode;
import dev.kindling.internal.KindlingNative;
import dev.kindling.internal.Native;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Functional forms of activations and losses, as {@code torch.nn.functional}. Each one is composed
 * of differentiable Tensor ops, so autograd (including double backward) comes from the parts and
 * no backward formula lives here. Loss formulas, defaults and reductions follow PyTorch 1.13,
 * including its weighted-mean semantics; bad targets are refused with an
 * {@link IllegalArgumentException} naming the loss and the shapes or dtypes involved.
 * Intermediate tensors are closed before returning; the graph keeps what backward needs.
 *
 * <p>{@link #gelu} is composed of erf and arithmetic, so its graph shows MulBackward0 and
 * ErfBackward0 nodes where PyTorch shows one GeluBackward0; values and gradients are the same.
 */
public final class F {
  private F() {}

  /** Collects intermediates of one function and closes them at the end. */
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

  // ------------------------------------------------------------------------------------------
  // activations

  /**
   * {@code relu(x)} = max(x, 0).
   *
   * @param x the input
   * @return a new tensor of x's shape
   */
  public static Tensor relu(Tensor x) {
    return x.relu();
  }

  /**
   * {@code leaky_relu(x, 0.01)}.
   *
   * @param x the input
   * @return a new tensor of x's shape
   */
  public static Tensor leakyRelu(Tensor x) {
    return x.leakyRelu(0.01);
  }

  /**
   * {@code leaky_relu(x, negative_slope)}.
   *
   * @param x the input
   * @param negativeSlope the factor for negative inputs
   * @return a new tensor of x's shape
   */
  public static Tensor leakyRelu(Tensor x, double negativeSlope) {
    return x.leakyRelu(negativeSlope);
  }

  /**
   * {@code sigmoid(x)}.
   *
   * @param x the input
   * @return a new tensor of x's shape
   */
  public static Tensor sigmoid(Tensor x) {
    return x.sigmoid();
  }

  /**
   * {@code tanh(x)}.
   *
   * @param x the input
   * @return a new tensor of x's shape
   */
  public static Tensor tanh(Tensor x) {
    return x.tanh();
  }

  /**
   * {@code softmax(x, dim)}.
   *
   * @param x the input
   * @param dim the dim to normalise over
   * @return probabilities of x's shape, summing to 1 along dim
   */
  public static Tensor softmax(Tensor x, int dim) {
    return x.softmax(dim);
  }

  /**
   * {@code log_softmax(x, dim)}.
   *
   * @param x the input
   * @param dim the dim to normalise over
   * @return log-probabilities of x's shape
   */
  public static Tensor logSoftmax(Tensor x, int dim) {
    return x.logSoftmax(dim);
  }

  /**
   * {@code elu(x, alpha=1)}.
   *
   * @param x the input
   * @return a new tensor of x's shape
   */
  public static Tensor elu(Tensor x) {
    return elu(x, 1.0);
  }

  /**
   * {@code elu(x, alpha)}: x where x > 0, else alpha·(exp(x) − 1). The negative branch sees
   * min(x, 0) so that a large positive x never makes an inf whose zero gradient would be NaN.
   *
   * @param x the input
   * @param alpha the scale of the negative branch
   * @return a new tensor of x's shape
   */
  public static Tensor elu(Tensor x, double alpha) {
    try (Temps k = new Temps()) {
      Tensor neg = k.t(k.t(k.t(x.clampMax(0.0)).expm1()).mul(alpha));
      Tensor pos = k.t(x.gt(0.0));
      return Tensor.where(pos, x, neg);
    }
  }

  /**
   * {@code gelu(x, approximate='tanh')}: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
   *
   * @param x the input
   * @return a new tensor of x's shape
   */
  public static Tensor geluTanh(Tensor x) {
    try (Temps k = new Temps()) {
      Tensor cube = k.t(k.t(x.pow(3L)).mul(0.044715));
      Tensor inner = k.t(k.t(x.add(cube)).mul(Math.sqrt(2.0 / Math.PI)));
      Tensor onePlus = k.t(k.t(inner.tanh()).add(1.0));
      return k.t(x.mul(0.5)).mul(onePlus);
    }
  }

  /**
   * {@code gelu(x)}, PyTorch's exact default: 0.5·x·(1 + erf(x/√2)).
   *
   * @param x the input
   * @return a new tensor of x's shape
   */
  public static Tensor gelu(Tensor x) {
    try (Temps k = new Temps()) {
      Tensor onePlus = k.t(k.t(k.t(x.mul(Math.sqrt(0.5))).erf()).add(1.0));
      return k.t(x.mul(0.5)).mul(onePlus);
    }
  }

  /**
   * {@code silu(x)} = x·sigmoid(x).
   *
   * @param x the input
   * @return a new tensor of x's shape
   */
  public static Tensor silu(Tensor x) {
    try (Tensor s = x.sigmoid()) {
      return x.mul(s);
    }
  }

  /**
   * {@code dropout(x, p, training)}: in training, zeroes each element with probability p and
   * scales the rest by 1/(1−p); otherwise returns x itself, as PyTorch does.
   *
   * @param x the input
   * @param p the probability of zeroing an element, in [0, 1]
   * @param training apply dropout only when true
   * @return the masked and rescaled tensor, or x itself
   * @throws IllegalArgumentException if p is outside [0, 1]
   */
  public static Tensor dropout(Tensor x, double p, boolean training) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
    }
    if (!training || p == 0) return x;
    if (p == 1) return x.mul(0.0);
    try (Temps k = new Temps()) {
      Tensor noise;
      try (GradMode g = Autograd.noGrad()) {
        noise = k.t(Tensor.emptyLike(x));
        noise.bernoulli_(1 - p);
        noise.div_(1 - p);
      }
      return x.mul(noise);
    }
  }

  /**
   * {@code dropout(x, p=0.5, training=True)}.
   *
   * @param x the input
   * @param p the probability of zeroing an element, in [0, 1]
   * @return the masked and rescaled tensor
   */
  public static Tensor dropout(Tensor x, double p) {
    return dropout(x, p, true);
  }

  /**
   * {@code linear(x, weight)} = x·weightᵀ.
   *
   * @param x input of shape (*, in_features)
   * @param weight a 2-D (out_features, in_features) matrix
   * @return a tensor of shape (*, out_features)
   */
  public static Tensor linear(Tensor x, Tensor weight) {
    return linear(x, weight, null);
  }

  /**
   * {@code linear(x, weight, bias)} = x·weightᵀ + bias.
   *
   * @param x input of shape (*, in_features)
   * @param weight a 2-D (out_features, in_features) matrix
   * @param bias (out_features) or null
   * @return a tensor of shape (*, out_features)
   * @throws IllegalArgumentException if weight is not 2-D
   */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    if (weight.dim() != 2) {
      throw new IllegalArgumentException("linear: weight must be 2-D, got shape " + shape(weight));
    }
    try (Temps k = new Temps()) {
      Tensor y = x.matmul(k.t(weight.t()));
      if (bias == null) return y;
      k.t(y);
      return y.add(bias);
    }
  }

  // ------------------------------------------------------------------------------------------
  // convolution

  /**
   * {@code conv2d(input, weight)}: stride 1, no padding, dilation 1, one group.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param weight [O, C, kH, kW]
   * @return [N, O, H - kH + 1, W - kW + 1] (no batch dim if input had none)
   */
  public static Tensor conv2d(Tensor input, Tensor weight) {
    return conv2d(input, weight, null);
  }

  /**
   * {@code conv2d(input, weight, bias)}: stride 1, no padding, dilation 1, one group.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param weight [O, C, kH, kW]
   * @param bias [O] or null
   * @return [N, O, H - kH + 1, W - kW + 1] (no batch dim if input had none)
   */
  public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias) {
    return conv2d(input, weight, bias, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, 1);
  }

  /**
   * {@code conv2d(input, weight, bias, stride, padding, dilation, groups)} with square values.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param weight [O, C/groups, kH, kW]
   * @param bias [O] or null
   * @param stride the step for both height and width
   * @param padding zero padding on each side of both dims
   * @param dilation the spacing of kernel taps in both dims
   * @param groups how many groups the channels are split into
   * @return the convolved tensor
   */
  public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, long stride, long padding,
      long dilation, long groups) {
    return conv2d(input, weight, bias, pair(stride), pair(padding), pair(dilation), groups);
  }

  /**
   * {@code torch.nn.functional.conv2d}: input [N, C, H, W] (or [C, H, W]), weight
   * [O, C/groups, kH, kW], bias [O] or null; stride, padding and dilation hold (height, width).
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param weight [O, C/groups, kH, kW]
   * @param bias [O] or null
   * @param stride (height, width) steps
   * @param padding (height, width) zero padding on each side
   * @param dilation (height, width) spacing of kernel taps
   * @param groups how many groups the channels are split into
   * @return [N, O, H_out, W_out] (no batch dim if input had none)
   */
  public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, long[] stride, long[] padding,
      long[] dilation, long groups) {
    Pins pins = Pins.enter();
    try {
      checkPair("conv2d", "stride", stride);
      checkPair("conv2d", "padding", padding);
      checkPair("conv2d", "dilation", dilation);
      long b = bias == null ? 0 : bias.nativeHandle();
      return Tensor.fromNativeHandle(Native.check(KindlingNative.kd_conv2d(input.nativeHandle(),
          weight.nativeHandle(), b, stride, padding, dilation, groups)));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code conv_transpose2d(input, weight, bias)}: stride 1, no padding, one group.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param weight [C, O, kH, kW]
   * @param bias [O] or null
   * @return [N, O, H + kH - 1, W + kW - 1]
   */
  public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias) {
    return convTranspose2d(input, weight, bias, new long[] {1, 1}, new long[] {0, 0},
        new long[] {0, 0}, 1, new long[] {1, 1});
  }

  /**
   * {@code conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups,
   * dilation)}, square values.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param weight [C, O/groups, kH, kW]
   * @param bias [O] or null
   * @param stride the step for both dims
   * @param padding the padding removed from each side of both dims
   * @param outputPadding extra size added to one side of both dims
   * @param groups how many groups the channels are split into
   * @param dilation the spacing of kernel taps in both dims
   * @return the transposed-convolution output
   */
  public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, long stride, long padding,
      long outputPadding, long groups, long dilation) {
    return convTranspose2d(input, weight, bias, pair(stride), pair(padding), pair(outputPadding), groups,
        pair(dilation));
  }

  /**
   * {@code torch.nn.functional.conv_transpose2d} (arguments in PyTorch's order: groups before
   * dilation): input [N, C, H, W] (or [C, H, W]), weight [C, O/groups, kH, kW], bias [O] or null.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param weight [C, O/groups, kH, kW]
   * @param bias [O] or null
   * @param stride (height, width) steps
   * @param padding (height, width) padding removed from each side
   * @param outputPadding (height, width) extra size added to one side
   * @param groups how many groups the channels are split into
   * @param dilation (height, width) spacing of kernel taps
   * @return [N, O, H_out, W_out] (no batch dim if input had none)
   */
  public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, long[] stride,
      long[] padding, long[] outputPadding, long groups, long[] dilation) {
    Pins pins = Pins.enter();
    try {
      checkPair("conv_transpose2d", "stride", stride);
      checkPair("conv_transpose2d", "padding", padding);
      checkPair("conv_transpose2d", "output_padding", outputPadding);
      checkPair("conv_transpose2d", "dilation", dilation);
      long b = bias == null ? 0 : bias.nativeHandle();
      return Tensor.fromNativeHandle(Native.check(KindlingNative.kd_conv_transpose2d(input.nativeHandle(),
          weight.nativeHandle(), b, stride, padding, outputPadding, dilation, groups)));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code conv1d(input, weight, bias)}: stride 1, no padding, dilation 1, one group.
   *
   * @param input [N, C, L] or [C, L]
   * @param weight [O, C, k]
   * @param bias [O] or null
   * @return [N, O, L - k + 1]
   */
  public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias) {
    return conv1d(input, weight, bias, 1, 0, 1, 1);
  }

  /**
   * {@code torch.nn.functional.conv1d}: input [N, C, L] (or [C, L]), weight [O, C/groups, k]. Runs
   * as conv2d over a height of one.
   *
   * @param input [N, C, L] or [C, L]
   * @param weight [O, C/groups, k]
   * @param bias [O] or null
   * @param stride the step along L
   * @param padding zero padding on each side of L
   * @param dilation the spacing of kernel taps
   * @param groups how many groups the channels are split into
   * @return [N, O, L_out] (no batch dim if input had none)
   * @throws IllegalArgumentException if input is not 2-D or 3-D or weight not 3-D
   */
  public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, long stride, long padding,
      long dilation, long groups) {
    if (input.dim() != 2 && input.dim() != 3)
      throw new IllegalArgumentException("Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
          + shape(input));
    if (weight.dim() != 3)
      throw new IllegalArgumentException("conv1d: expected weight to be 3-dimensional, but got weight of size "
          + shape(weight));
    try (Temps k = new Temps()) {
      Tensor x = k.t(input.unsqueeze(-2));
      Tensor w = k.t(weight.unsqueeze(2));
      Tensor y = k.t(conv2d(x, w, bias, new long[] {1, stride}, new long[] {0, padding},
          new long[] {1, dilation}, groups));
      return y.squeeze(-2);
    }
  }

  private static long[] pair(long v) {
    return new long[] {v, v};
  }

  private static void checkPair(String op, String what, long[] v) {
    if (v == null || v.length != 2)
      throw new IllegalArgumentException(op + ": expected " + what + " to have 2 values (height, width), got "
          + (v == null ? "null" : Arrays.toString(v)));
  }

  // ------------------------------------------------------------------------------------------
  // checks

  private static String shape(Tensor t) {
    return Arrays.toString(t.shape());
  }

  private static void requireFloat(String loss, String what, Tensor t) {
    if (!t.isFloatingPoint()) {
      throw new IllegalArgumentException(
          loss + ": expected a floating point " + what + ", got " + t.dtype().toString().toLowerCase());
    }
  }

  private static void requireBroadcastable(String loss, Tensor input, Tensor target) {
    long[] a = input.shape(), b = target.shape();
    for (int i = 1; i <= Math.min(a.length, b.length); i++) {
      long x = a[a.length - i], y = b[b.length - i];
      if (x != y && x != 1 && y != 1) {
        throw new IllegalArgumentException(loss + ": target shape " + Arrays.toString(b)
            + " cannot be broadcast to input shape " + Arrays.toString(a));
      }
    }
  }

  private static void requireSameShape(String loss, Tensor input, Tensor target) {
    if (!Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException(loss + ": target shape " + shape(target)
          + " must be the same as input shape " + shape(input));
    }
  }

  private static Reduction plain(String loss, Reduction r) {
    if (r == Reduction.BATCHMEAN) {
      throw new IllegalArgumentException(loss + ": reduction 'batchmean' is only defined for kl_div");
    }
    return r;
  }

  /** Applies NONE/MEAN/SUM to per-element losses; the input is closed unless returned. */
  private static Tensor reduce(Tensor loss, Reduction r) {
    if (r == Reduction.NONE) return loss;
    try (loss) {
      return r == Reduction.SUM ? loss.sum() : loss.mean();
    }
  }

  // ------------------------------------------------------------------------------------------
  // regression losses

  /**
   * {@code mse_loss(input, target)} with mean reduction.
   *
   * @param input the predictions (floating)
   * @param target values broadcastable to input
   * @return a 0-dim tensor
   */
  public static Tensor mseLoss(Tensor input, Tensor target) {
    return mseLoss(input, target, Reduction.MEAN);
  }

  /**
   * {@code mse_loss(input, target, reduction)}: (input − target)².
   *
   * @param input the predictions (floating)
   * @param target values broadcastable to input
   * @param reduction NONE, MEAN or SUM
   * @return the loss, 0-dim unless reduction is NONE
   */
  public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
    plain("mse_loss", reduction);
    requireFloat("mse_loss", "input", input);
    requireBroadcastable("mse_loss", input, target);
    try (Tensor d = input.sub(target)) {
      return reduce(d.square(), reduction);
    }
  }

  /**
   * {@code l1_loss(input, target)} with mean reduction.
   *
   * @param input the predictions (floating)
   * @param target values broadcastable to input
   * @return a 0-dim tensor
   */
  public static Tensor l1Loss(Tensor input, Tensor target) {
    return l1Loss(input, target, Reduction.MEAN);
  }

  /**
   * {@code l1_loss(input, target, reduction)}: |input − target|.
   *
   * @param input the predictions (floating)
   * @param target values broadcastable to input
   * @param reduction NONE, MEAN or SUM
   * @return the loss, 0-dim unless reduction is NONE
   */
  public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
    plain("l1_loss", reduction);
    requireFloat("l1_loss", "input", input);
    requireBroadcastable("l1_loss", input, target);
    try (Tensor d = input.sub(target)) {
      return reduce(d.abs(), reduction);
    }
  }

  /**
   * {@code smooth_l1_loss(input, target)}: beta 1, mean reduction.
   *
   * @param input the predictions (floating)
   * @param target values broadcastable to input
   * @return a 0-dim tensor
   */
  public static Tensor smoothL1Loss(Tensor input, Tensor target) {
    return smoothL1Loss(input, target, Reduction.MEAN, 1.0);
  }

  /**
   * {@code smooth_l1_loss(input, target, reduction, beta)}: with d = |input − target|,
   * 0.5·d²/beta where d &lt; beta, else d − 0.5·beta; beta = 0 is the L1 loss.
   *
   * @param input the predictions (floating)
   * @param target values broadcastable to input
   * @param reduction NONE, MEAN or SUM
   * @param beta the switch point between the quadratic and linear parts, at least 0
   * @return the loss, 0-dim unless reduction is NONE
   * @throws IllegalArgumentException if beta is negative
   */
  public static Tensor smoothL1Loss(Tensor input, Tensor target, Reduction reduction, double beta) {
    plain("smooth_l1_loss", reduction);
    requireFloat("smooth_l1_loss", "input", input);
    requireBroadcastable("smooth_l1_loss", input, target);
    if (beta < 0) {
      throw new IllegalArgumentException("smooth_l1_loss: does not support negative values for beta, got " + beta);
    }
    if (beta == 0) return l1Loss(input, target, reduction);
    try (Temps k = new Temps()) {
      Tensor d = k.t(k.t(input.sub(target)).abs());
      Tensor quad = k.t(k.t(d.square()).mul(0.5 / beta));
      Tensor lin = k.t(d.sub(0.5 * beta));
      Tensor small = k.t(d.lt(beta));
      return reduce(Tensor.where(small, quad, lin), reduction);
    }
  }

  // ------------------------------------------------------------------------------------------
  // binary classification losses

  /**
   * {@code binary_cross_entropy(input, target)}: mean, no weight.
   *
   * @param input probabilities in [0, 1]
   * @param target values in [0, 1] of input's shape
   * @return a 0-dim tensor
   */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target) {
    return binaryCrossEntropy(input, target, null, Reduction.MEAN);
  }

  /**
   * {@code binary_cross_entropy(input, target, weight, reduction)}:
   * −weight·(t·log(x) + (1 − t)·log(1 − x)), each log clamped at −100 as PyTorch does so that
   * x = 0 or 1 gives a finite loss. Input probabilities must lie in [0, 1].
   *
   * @param input probabilities in [0, 1]
   * @param target values in [0, 1] of input's shape
   * @param weight a rescaling weight broadcastable to input, or null
   * @param reduction NONE, MEAN or SUM
   * @return the loss, 0-dim unless reduction is NONE
   */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
    String name = "binary_cross_entropy";
    plain(name, reduction);
    requireFloat(name, "input", input);
    requireFloat(name, "target", target);
    requireSameShape(name, input, target);
    try (GradMode g = Autograd.noGrad();
        Tensor lo = input.lt(0.0);
        Tensor hi = input.gt(1.0);
        Tensor bad = lo.logicalOr(hi);
        Tensor any = bad.any()) {
      if (any.itemBoolean()) {
        throw new IllegalArgumentException(name + ": all elements of input should be between 0 and 1");
      }
    }
    try (Temps k = new Temps()) {
      Tensor logX = k.t(k.t(input.log()).clampMin(-100.0));
      Tensor log1mX = k.t(k.t(k.t(input.neg()).log1p()).clampMin(-100.0));
      Tensor oneMinusT = k.t(target.rsub(1.0));
      Tensor sum = k.t(k.t(target.mul(logX)).add(k.t(oneMinusT.mul(log1mX))));
      Tensor loss = sum.neg();
      if (weight != null) {
        k.t(loss);
        loss = loss.mul(weight);
      }
      return reduce(loss, reduction);
    }
  }

  /**
   * {@code binary_cross_entropy_with_logits(input, target)}: mean, no weights.
   *
   * @param input logits
   * @param target values in [0, 1] of input's shape
   * @return a 0-dim tensor
   */
  public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
    return binaryCrossEntropyWithLogits(input, target, null, null, Reduction.MEAN);
  }

  /**
   * {@code binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)}, in
   * PyTorch's numerically stable form: with m = max(−x, 0),
   * loss = (1 − t)·x + l·(m + log(exp(−m) + exp(−x − m))), where l = 1 + (pos_weight − 1)·t
   * (l = 1 without pos_weight), times weight. pos_weight broadcasts over the last (class) dim.
   *
   * @param input logits
   * @param target values in [0, 1] of input's shape
   * @param weight a rescaling weight broadcastable to input, or null
   * @param posWeight a weight on the positive term, broadcastable along the last dim (classes), or
   *     null
   * @param reduction NONE, MEAN or SUM
   * @return the loss, 0-dim unless reduction is NONE
   */
  public static Tensor binaryCrossEntropyWithLogits(
      Tensor input, Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
    String name = "binary_cross_entropy_with_logits";
    plain(name, reduction);
    requireFloat(name, "input", input);
    requireFloat(name, "target", target);
    requireSameShape(name, input, target);
    try (Temps k = new Temps()) {
      Tensor m = k.t(k.t(input.neg()).clampMin(0.0));
      Tensor e1 = k.t(k.t(m.neg()).exp());
      Tensor e2 = k.t(k.t(k.t(input.neg()).sub(m)).exp());
      Tensor softplusNeg = k.t(k.t(k.t(e1.add(e2)).log()).add(m));
      Tensor first = k.t(k.t(target.rsub(1.0)).mul(input));
      Tensor second = softplusNeg;
      if (posWeight != null) {
        Tensor logWeight = k.t(k.t(k.t(posWeight.sub(1.0)).mul(target)).add(1.0));
        second = k.t(logWeight.mul(softplusNeg));
      }
      Tensor loss = first.add(second);
      if (weight != null) {
        k.t(loss);
        loss = loss.mul(weight);
      }
      return reduce(loss, reduction);
    }
  }

  // ------------------------------------------------------------------------------------------
  // multi-class losses

  /**
   * {@code nll_loss(input, target)}: mean, no weight, ignore_index −100.
   *
   * @param input log-probabilities (C), (N, C) or (N, C, d1, …)
   * @param target int64 class indices of shape (), (N) or (N, d1, …)
   * @return a 0-dim tensor
   */
  public static Tensor nllLoss(Tensor input, Tensor target) {
    return nllLoss(input, target, null, -100, Reduction.MEAN);
  }

  /**
   * {@code nll_loss(input, target, weight, ignore_index, reduction)}: −weight[t]·input[t] per
   * element, input (C), (N, C) or (N, C, d1, …) of log-probabilities and target (), (N) or
   * (N, d1, …) of int64 class indices. Targets equal to ignoreIndex contribute 0 and do not count;
   * the mean is the sum of weighted losses over the sum of the weights of the counted targets.
   *
   * @param input log-probabilities (C), (N, C) or (N, C, d1, …)
   * @param target int64 class indices of shape (), (N) or (N, d1, …)
   * @param weight a per-class weight of shape (C), or null
   * @param ignoreIndex a target value that contributes nothing (and is left out of the mean)
   * @param reduction NONE, MEAN (weighted mean) or SUM
   * @return the loss, shaped like target when reduction is NONE, else 0-dim
   */
  public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
    String name = "nll_loss";
    plain(name, reduction);
    requireFloat(name, "input", input);
    boolean unbatched = input.dim() == 1;
    try (Temps k = new Temps()) {
      Tensor in = unbatched ? k.t(input.unsqueeze(0)) : input;
      Tensor tg = unbatched && target.dim() == 0 ? k.t(target.unsqueeze(0)) : target;
      checkClassTarget(name, in, tg, input, target, weight, ignoreIndex);
      Tensor[] lw = nllParts(k, in, tg, weight, ignoreIndex);
      Tensor loss = lw[0];
      switch (reduction) {
        case SUM:
          return loss.sum();
        case MEAN:
          return k.t(loss.sum()).div(k.t(lw[1].sum()));
        default:
          return unbatched ? loss.squeeze(0) : k.t(loss).alias();
      }
    }
  }

  private static void checkClassTarget(
      String name, Tensor in, Tensor tg, Tensor input, Tensor target, Tensor weight, long ignoreIndex) {
    if (in.dim() < 2) {
      throw new IllegalArgumentException(name + ": expected input of 1 or more dimensions, got shape " + shape(input));
    }
    if (target.dtype() != DType.INT64) {
      throw new IllegalArgumentException(name + ": expected target of dtype int64 (class indices), got "
          + target.dtype().toString().toLowerCase() + " for input of shape " + shape(input));
    }
    long[] is = in.shape();
    long[] expected = new long[is.length - 1];
    expected[0] = is[0];
    for (int i = 2; i < is.length; i++) expected[i - 1] = is[i];
    if (!Arrays.equals(expected, tg.shape())) {
      throw new IllegalArgumentException(name + ": expected target of shape "
          + (input.dim() == 1 ? "[]" : Arrays.toString(expected)) + " for input of shape " + shape(input)
          + ", got " + shape(target));
    }
    long classes = is[1];
    if (weight != null && (weight.dim() != 1 || weight.size(0) != classes)) {
      throw new IllegalArgumentException(name + ": weight should be a 1D tensor of size " + classes
          + " (classes), got shape " + shape(weight));
    }
    for (long c : tg.toLongArray()) {
      if (c != ignoreIndex && (c < 0 || c >= classes)) {
        // PyTorch raises IndexError here ("Target 5 is out of bounds.").
        throw new IndexOutOfBoundsException(name + ": target " + c + " is out of bounds for "
            + classes + " classes (input shape " + shape(input) + ")");
      }
    }
  }

  /**
   * The per-element weighted losses and the per-element weights (0 where ignored) of an NLL over
   * (N, C, …) log-probabilities with class dim 1. Both are registered in k except the loss.
   */
  private static Tensor[] nllParts(Temps k, Tensor logp, Tensor target, Tensor weight, long ignoreIndex) {
    Tensor keep = k.t(target.ne(ignoreIndex));
    Tensor safe = k.t(target.mul(k.t(keep.toLong())));
    Tensor keepF = k.t(keep.to(logp.dtype()));
    Tensor picked = k.t(k.t(logp.gather(1, k.t(safe.unsqueeze(1)))).squeeze(1));
    Tensor w = keepF;
    if (weight != null) {
      Tensor wt = k.t(k.t(weight.indexSelect(0, k.t(safe.flatten()))).reshape(target.shape()));
      w = k.t(wt.mul(keepF));
    }
    Tensor loss = k.t(k.t(picked.neg()).mul(w));
    return new Tensor[] {loss, w};
  }

  /**
   * {@code cross_entropy(input, target)}: mean, no weight, ignore_index −100, no smoothing.
   *
   * @param input logits (C), (N, C) or (N, C, d1, …)
   * @param target int64 class indices, or class probabilities of input's shape
   * @return a 0-dim tensor
   */
  public static Tensor crossEntropy(Tensor input, Tensor target) {
    return crossEntropy(input, target, null, -100, Reduction.MEAN, 0.0);
  }

  /**
   * {@code cross_entropy(input, target, reduction=…)}.
   *
   * @param input logits (C), (N, C) or (N, C, d1, …)
   * @param target int64 class indices, or class probabilities of input's shape
   * @param reduction NONE, MEAN or SUM
   * @return the loss, 0-dim unless reduction is NONE
   */
  public static Tensor crossEntropy(Tensor input, Tensor target, Reduction reduction) {
    return crossEntropy(input, target, null, -100, reduction, 0.0);
  }

  /**
   * {@code cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)} over
   * logits (C), (N, C) or (N, C, d1, …). The target is either int64 class indices (shape of input
   * without the class dim) or class probabilities (same shape as input, floating point).
   *
   * <p>Class indices: log_softmax then nll_loss; with label smoothing ε the result is
   * (1 − ε)·nll + ε/C·smooth where smooth = −Σ_c weight_c·logp_c per element (0 where ignored),
   * reduced like the nll part (the mean divides by the summed weights of the counted targets,
   * or by their number without weights). Probabilities: −Σ_c weight_c·logp_c·t_c with t smoothed to
   * (1 − ε)·t + ε/C; the mean divides by the number of elements without the class dim.
   *
   * @param input logits (C), (N, C) or (N, C, d1, …)
   * @param target int64 class indices, or class probabilities of input's shape
   * @param weight a per-class weight of shape (C), or null
   * @param ignoreIndex a class-index target that contributes nothing
   * @param reduction NONE, MEAN or SUM
   * @param labelSmoothing in [0, 1]: the share of the target mass spread evenly over the classes
   * @return the loss, 0-dim unless reduction is NONE
   * @throws IllegalArgumentException if labelSmoothing is outside [0, 1]
   */
  public static Tensor crossEntropy(
      Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
    String name = "cross_entropy";
    plain(name, reduction);
    requireFloat(name, "input", input);
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
      throw new IllegalArgumentException(name + ": label_smoothing must be between 0.0 and 1.0, got " + labelSmoothing);
    }
    if (input.dim() == 0) {
      throw new IllegalArgumentException(name + ": expected input of 1 or more dimensions, got shape []");
    }
    int classDim = input.dim() == 1 ? 0 : 1;
    long classes = input.size(classDim);
    if (weight != null && (weight.dim() != 1 || weight.size(0) != classes)) {
      throw new IllegalArgumentException(name + ": weight should be a 1D tensor of size " + classes
          + " (classes), got shape " + shape(weight));
    }
    if (Arrays.equals(input.shape(), target.shape())) {
      return crossEntropyProbs(input, target, weight, ignoreIndex, reduction, labelSmoothing, classDim);
    }
    boolean unbatched = input.dim() == 1;
    try (Temps k = new Temps()) {
      Tensor in = unbatched ? k.t(input.unsqueeze(0)) : input;
      Tensor tg = unbatched && target.dim() == 0 ? k.t(target.unsqueeze(0)) : target;
      checkClassTarget(name, in, tg, input, target, weight, ignoreIndex);
      Tensor logp = k.t(in.logSoftmax(1));
      Tensor[] lw = nllParts(k, logp, tg, weight, ignoreIndex);
      Tensor nll = switch (reduction) {
        case SUM -> k.t(lw[0].sum());
        case MEAN -> k.t(k.t(lw[0].sum()).div(k.t(lw[1].sum())));
        default -> lw[0];
      };
      Tensor result;
      if (labelSmoothing == 0) {
        result = nll.alias();
      } else {
        Tensor weighted = logp;
        if (weight != null) {
          long[] wshape = new long[in.dim()];
          Arrays.fill(wshape, 1);
          wshape[1] = classes;
          weighted = k.t(logp.mul(k.t(weight.reshape(wshape))));
        }
        Tensor keepF = k.t(k.t(tg.ne(ignoreIndex)).to(logp.dtype()));
        Tensor smooth = k.t(k.t(k.t(weighted.sum(1)).neg()).mul(keepF));
        Tensor red = switch (reduction) {
          case SUM -> k.t(smooth.sum());
          case MEAN -> k.t(k.t(smooth.sum()).div(k.t(lw[1].sum())));
          default -> smooth;
        };
        result = k.t(nll.mul(1 - labelSmoothing)).add(k.t(red.mul(labelSmoothing / classes)));
      }
      if (unbatched && reduction == Reduction.NONE) {
        try (result) {
          return result.squeeze(0);
        }
      }
      return result;
    }
  }

  private static Tensor crossEntropyProbs(
      Tensor input, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction, double ls, int classDim) {
    String name = "cross_entropy";
    if (!target.isFloatingPoint()) {
      throw new IllegalArgumentException(name + ": expected floating point target for class probabilities"
          + " (same shape as input " + shape(input) + "), got " + target.dtype().toString().toLowerCase());
    }
    if (ignoreIndex >= 0) {
      throw new IllegalArgumentException(name + ": ignore_index is not supported for floating point target");
    }
    long classes = input.size(classDim);
    try (Temps k = new Temps()) {
      Tensor logp = k.t(input.logSoftmax(classDim));
      Tensor t = ls > 0 ? k.t(k.t(target.mul(1 - ls)).add(ls / classes)) : target;
      Tensor prod = k.t(logp.mul(t));
      if (weight != null) {
        long[] wshape = new long[input.dim()];
        Arrays.fill(wshape, 1);
        wshape[classDim] = classes;
        prod = k.t(prod.mul(k.t(weight.reshape(wshape))));
      }
      switch (reduction) {
        case SUM:
          return k.t(prod.sum()).neg();
        case MEAN:
          return k.t(prod.sum()).div(-(double) (input.numel() / classes));
        default:
          return k.t(prod.sum(classDim)).neg();
      }
    }
  }

  /**
   * {@code kl_div(input, target)}: mean reduction, target as probabilities.
   *
   * @param input log-probabilities
   * @param target probabilities broadcastable to input
   * @return a 0-dim tensor
   */
  public static Tensor klDiv(Tensor input, Tensor target) {
    return klDiv(input, target, Reduction.MEAN, false);
  }

  /**
   * {@code kl_div(input, target, reduction, log_target)} with input log-probabilities:
   * t·(log t − input) (0 where t = 0), or exp(t)·(t − input) when the target is given as
   * log-probabilities. BATCHMEAN divides the sum by the size of dim 0.
   *
   * @param input log-probabilities
   * @param target probabilities (or log-probabilities if logTarget) broadcastable to input
   * @param reduction NONE, MEAN, SUM or BATCHMEAN
   * @param logTarget whether target holds log-probabilities
   * @return the loss, 0-dim unless reduction is NONE
   */
  public static Tensor klDiv(Tensor input, Tensor target, Reduction reduction, boolean logTarget) {
    String name = "kl_div";
    requireFloat(name, "input", input);
    requireFloat(name, "target", target);
    requireBroadcastable(name, input, target);
    try (Temps k = new Temps()) {
      Tensor loss;
      if (logTarget) {
        loss = k.t(k.t(target.exp()).mul(k.t(target.sub(input))));
      } else {
        // xlogy(t, t): log of 1 where t == 0 keeps 0·log 0 = 0 without a NaN in backward.
        Tensor zero = k.t(target.eq(0.0));
        Tensor safe = k.t(Tensor.where(zero, k.t(Tensor.onesLike(target)), target));
        Tensor xlogy = k.t(target.mul(k.t(safe.log())));
        loss = k.t(xlogy.sub(k.t(target.mul(input))));
      }
      switch (reduction) {
        case NONE:
          return loss.alias();
        case SUM:
          return loss.sum();
        case MEAN:
          return loss.mean();
        default:
          return input.dim() == 0 ? loss.sum() : k.t(loss.sum()).div((double) input.size(0));
      }
    }
  }

  // ==========================================================================================
  // Pooling and upsampling (torch.nn.functional.max_pool2d, avg_pool2d, adaptive_avg_pool2d,
  // interpolate with mode "nearest"). Inputs are [N, C, H, W] or [C, H, W]; size-like arguments
  // are one int (used for both dims) or an (H, W) pair, as in PyTorch. The native ops record
  // their own backward (MaxPool2DWithIndicesBackward0, AvgPool2DBackward0, ...), which is
  // differentiable again.
  // ==========================================================================================

  /**
   * {@code F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)}:
   * input [N, C, *]; running stats, weight and bias are [C] or null. In training the batch's
   * statistics normalise and, when given, the running stats are updated in place
   * ({@code (1 - momentum) * running + momentum * stat}, unbiased variance); otherwise the running
   * stats normalise. One fused native op (NativeBatchNormBackward0), differentiable twice.
   *
   * @param input [N, C, *]
   * @param runningMean [C] running mean, updated in training, or null
   * @param runningVar [C] running variance, updated in training, or null
   * @param weight [C] scale, or null
   * @param bias [C] shift, or null
   * @param training normalise with the batch statistics (and update the running ones) if true
   * @param momentum the weight of the batch statistic in the running update
   * @param eps added to the variance for stability
   * @return the normalised tensor of input's shape
   */
  public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight,
      Tensor bias, boolean training, double momentum, double eps) {
    Pins pins = Pins.enter();
    try {
      String op = "batch_norm";
      return Tensor.fromNativeHandle(Native.check(KindlingNative.kd_batch_norm(handle(input, op),
          optHandle(weight, op), optHandle(bias, op), optHandle(runningMean, op), optHandle(runningVar, op),
          training ? 1 : 0, momentum, eps)));
    } finally {
      pins.exit();
    }
  }

  private static long optHandle(Tensor t, String op) {
    return t == null ? 0 : handle(t, op);
  }

  /**
   * {@code F.max_pool2d(input, kernelSize)}: stride = kernel size, no padding.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param kernelSize the window size in both dims
   * @return the pooled tensor
   */
  public static Tensor maxPool2d(Tensor input, long kernelSize) {
    return maxPool2d(input, new long[] {kernelSize}, null, new long[] {0}, new long[] {1}, false);
  }

  /**
   * {@code F.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)}; a null or
   * empty stride means the kernel size.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param kernelSize one size or (kH, kW)
   * @param stride one value or (sH, sW); null or empty for kernelSize
   * @param padding one value or (pH, pW); implicit -inf padding on each side
   * @param dilation one value or (dH, dW)
   * @param ceilMode use ceil instead of floor for the output size
   * @return the pooled tensor
   */
  public static Tensor maxPool2d(Tensor input, long[] kernelSize, long[] stride, long[] padding,
      long[] dilation, boolean ceilMode) {
    Pins pins = Pins.enter();
    try {
      String op = "max_pool2d";
      long[] k = pair(kernelSize, op, "kernel_size");
      long[] s = stride == null || stride.length == 0 ? k : pair(stride, op, "stride");
      long[] p = pair(padding, op, "padding");
      long[] d = pair(dilation, op, "dilation");
      return Tensor.fromNativeHandle(Native.check(
          KindlingNative.kd_max_pool2d(handle(input, op), k, s, p, d, ceilMode ? 1 : 0)));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code F.avg_pool2d(input, kernelSize)}: stride = kernel size, no padding.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param kernelSize the window size in both dims
   * @return the pooled tensor
   */
  public static Tensor avgPool2d(Tensor input, long kernelSize) {
    return avgPool2d(input, new long[] {kernelSize}, null, new long[] {0}, false, true);
  }

  /**
   * {@code F.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad)}; a
   * null or empty stride means the kernel size.
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param kernelSize one size or (kH, kW)
   * @param stride one value or (sH, sW); null or empty for kernelSize
   * @param padding one value or (pH, pW); zero padding on each side
   * @param ceilMode use ceil instead of floor for the output size
   * @param countIncludePad count the padding zeros in each average
   * @return the pooled tensor
   */
  public static Tensor avgPool2d(Tensor input, long[] kernelSize, long[] stride, long[] padding,
      boolean ceilMode, boolean countIncludePad) {
    Pins pins = Pins.enter();
    try {
      String op = "avg_pool2d";
      long[] k = pair(kernelSize, op, "kernel_size");
      long[] s = stride == null || stride.length == 0 ? k : pair(stride, op, "stride");
      long[] p = pair(padding, op, "padding");
      return Tensor.fromNativeHandle(Native.check(KindlingNative.kd_avg_pool2d(
          handle(input, op), k, s, p, ceilMode ? 1 : 0, countIncludePad ? 1 : 0)));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code F.adaptive_avg_pool2d(input, output_size)}: one size for both dims or (H, W).
   *
   * @param input [N, C, H, W] or [C, H, W]
   * @param outputSize one size or (H_out, W_out)
   * @return a tensor with spatial size outputSize
   */
  public static Tensor adaptiveAvgPool2d(Tensor input, long... outputSize) {
    Pins pins = Pins.enter();
    try {
      String op = "adaptive_avg_pool2d";
      long[] o = pair(outputSize, op, "output_size");
      return Tensor.fromNativeHandle(Native.check(
          KindlingNative.kd_adaptive_avg_pool2d(handle(input, op), o)));
    } finally {
      pins.exit();
    }
  }

  /**
   * Nearest-neighbour upsampling of [N, C, H, W] to the given size (one int or (H, W)).
   *
   * @param input [N, C, H, W]
   * @param size one size or (H_out, W_out)
   * @return the upsampled tensor
   */
  public static Tensor upsampleNearest(Tensor input, long... size) {
    return interpolate(input, size, null, "nearest");
  }

  /**
   * Nearest-neighbour upsampling of [N, C, H, W] by a scale factor (one or per dim).
   *
   * @param input [N, C, H, W]
   * @param scaleFactor one factor or (for H, for W)
   * @return the upsampled tensor
   */
  public static Tensor upsampleNearest(Tensor input, double... scaleFactor) {
    return interpolate(input, null, scaleFactor, "nearest");
  }

  /**
   * {@code F.interpolate(input, size, scale_factor, mode)} for mode "nearest" on [N, C, H, W]
   * (the only mode and rank supported so far). Exactly one of size and scaleFactor is given;
   * with a scale factor the output is floor(in * scale) and the source index uses 1 / scale, as
   * PyTorch does without recompute_scale_factor.
   *
   * @param input [N, C, H, W]
   * @param size one size or (H_out, W_out), or null when scaleFactor is given
   * @param scaleFactor one factor or one per spatial dim, or null when size is given
   * @param mode must be "nearest"
   * @return the upsampled tensor
   * @throws UnsupportedOperationException for any other mode
   */
  public static Tensor interpolate(Tensor input, long[] size, double[] scaleFactor, String mode) {
    Pins pins = Pins.enter();
    try {
      String op = "interpolate";
      if (!"nearest".equals(mode)) {
        throw new UnsupportedOperationException(op + ": mode '" + mode + "' is not supported (only 'nearest')");
      }
      long h = handle(input, op);
      if (input.dim() != 4) {
        throw new IllegalArgumentException(op + ": nearest 2-d upsampling expects a 4D input [N, C, H, W], got "
            + Arrays.toString(input.shape()));
      }
      if (size != null && scaleFactor != null) {
        throw new IllegalArgumentException(op + ": only one of size or scale_factor should be defined");
      }
      if (size == null && scaleFactor == null) {
        throw new IllegalArgumentException(op + ": either size or scale_factor should be defined");
      }
      long[] sz = size == null ? null : pair(size, op, "size");
      double[] sc = null;
      if (scaleFactor != null) {
        if (scaleFactor.length != 1 && scaleFactor.length != 2) {
          throw new IllegalArgumentException(op + ": scale_factor must be 1 or 2 numbers, got "
              + Arrays.toString(scaleFactor));
        }
        sc = scaleFactor.length == 1 ? new double[] {scaleFactor[0], scaleFactor[0]} : scaleFactor.clone();
        for (double v : sc) {
          if (!(v > 0)) throw new IllegalArgumentException(op + ": scale_factor must be positive, got "
              + Arrays.toString(scaleFactor));
        }
      }
      return Tensor.fromNativeHandle(Native.check(KindlingNative.kd_upsample_nearest2d(h, sz, sc)));
    } finally {
      pins.exit();
    }
  }

  /** One int for both spatial dims, or an (H, W) pair. */
  static long[] pair(long[] v, String op, String what) {
    if (v == null || (v.length != 1 && v.length != 2)) {
      throw new IllegalArgumentException(op + ": " + what + " must be 1 or 2 ints, got "
          + (v == null ? "null" : Arrays.toString(v)));
    }
    return v.length == 1 ? new long[] {v[0], v[0]} : v.clone();
  }

  /** Python's repr of an int or tuple argument as given: {@code 2} or {@code (2, 3)}. */
  static String pyInts(long[] v) {
    if (v.length == 1) return String.valueOf(v[0]);
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(v[i]);
    return sb.append(v.length == 1 ? ",)" : ")").toString();
  }

  /** Runs a pooling module's forward, prefixing bad-input messages with the module's name. */
  static Tensor pooled(String module, java.util.function.Supplier<Tensor> f) {
    try {
      return f.get();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(module + ": " + e.getMessage(), e);
    }
  }

  private static long handle(Tensor t, String op) {
    if (t == null) throw new NullPointerException(op + ": input is null");
    return t.nativeHandle();
  }
}
