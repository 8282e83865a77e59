package dev.kindling.nn;

import dev.kindling.Autograd;
import dev.kindling.Tensor;
import java.util.Arrays;

/**
 * What Conv1d, Conv2d and ConvTranspose2d share, like PyTorch's {@code _ConvNd}: the options, the
 * parameters (weight [out, in/groups, k...] or, transposed, [in, out/groups, k...]), PyTorch's
 * default initialisation and its repr. Each subclass adds only its forward.
 */
abstract class ConvNd extends Module {
  private final long inChannels;
  private final long outChannels;
  private final long[] kernelSize;
  private final long[] stride;
  private final long[] padding;
  private final long[] dilation;
  private final long[] outputPadding;
  private final long groups;
  private final boolean transposed;
  private final Tensor weight;
  private final Tensor bias;

  ConvNd(String name, long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding,
      long[] dilation, long[] outputPadding, long groups, boolean bias, boolean transposed) {
    int n = kernelSize.length;
    for (long[] v : new long[][] {stride, padding, dilation, outputPadding})
      if (v.length != n)
        throw new IllegalArgumentException(name + ": expected " + n + " values per option, got " + Arrays.toString(v));
    if (groups <= 0) throw new IllegalArgumentException(name + ": groups must be a positive integer");
    if (inChannels % groups != 0) throw new IllegalArgumentException(name + ": in_channels must be divisible by groups");
    if (outChannels % groups != 0) throw new IllegalArgumentException(name + ": out_channels must be divisible by groups");
    for (int i = 0; i < n; i++) {
      if (kernelSize[i] <= 0) throw new IllegalArgumentException(name + ": kernel_size must be positive, got " + tuple(kernelSize));
      if (stride[i] <= 0) throw new IllegalArgumentException(name + ": stride must be positive, got " + tuple(stride));
      if (padding[i] < 0) throw new IllegalArgumentException(name + ": padding must be non-negative, got " + tuple(padding));
      if (dilation[i] <= 0) throw new IllegalArgumentException(name + ": dilation must be positive, got " + tuple(dilation));
      if (outputPadding[i] < 0)
        throw new IllegalArgumentException(name + ": output_padding must be non-negative, got " + tuple(outputPadding));
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = kernelSize.clone();
    this.stride = stride.clone();
    this.padding = padding.clone();
    this.dilation = dilation.clone();
    this.outputPadding = outputPadding.clone();
    this.groups = groups;
    this.transposed = transposed;
    long[] shape = new long[2 + n];
    shape[0] = transposed ? inChannels : outChannels;
    shape[1] = (transposed ? outChannels : inChannels) / groups;
    System.arraycopy(kernelSize, 0, shape, 2, n);
    this.weight = registerParameter("weight", Tensor.empty(shape));
    this.bias = registerParameter("bias", bias ? Tensor.empty(outChannels) : null);
    resetParameters();
  }

  static long[] repeat(long v, int n) {
    long[] out = new long[n];
    Arrays.fill(out, v);
    return out;
  }

  /**
   * Draws fresh initial values as {@code reset_parameters()} does: kaiming_uniform_(a = √5) on the
   * weight, i.e. U(−1/√fan_in, 1/√fan_in) with fan_in = weight.size(1) · kernel elements, and the
   * same bound for the bias.
   */
  public void resetParameters() {
    long fanIn = weight.size(1);
    for (long k : kernelSize) fanIn *= k;
    double bound = fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0.0;
    try (var g = Autograd.noGrad()) {
      weight.uniform_(-bound, bound);
      if (bias != null) bias.uniform_(-bound, bound);
    }
  }

  /**
   * The input channels ({@code in_channels}).
   *
   * @return the count
   */
  public long inChannels() {
    return inChannels;
  }

  /**
   * The output channels ({@code out_channels}).
   *
   * @return the count
   */
  public long outChannels() {
    return outChannels;
  }

  /**
   * The kernel size per spatial dim.
   *
   * @return a copy
   */
  public long[] kernelSize() {
    return kernelSize.clone();
  }

  /**
   * The stride per spatial dim.
   *
   * @return a copy
   */
  public long[] stride() {
    return stride.clone();
  }

  /**
   * The padding per spatial dim.
   *
   * @return a copy
   */
  public long[] padding() {
    return padding.clone();
  }

  /**
   * The dilation per spatial dim.
   *
   * @return a copy
   */
  public long[] dilation() {
    return dilation.clone();
  }

  /**
   * Zeros for a non-transposed convolution.
   *
   * @return a copy, one value per spatial dim
   */
  public long[] outputPadding() {
    return outputPadding.clone();
  }

  /**
   * The number of channel groups.
   *
   * @return groups
   */
  public long groups() {
    return groups;
  }

  /**
   * The weight parameter: [out, in/groups, k...], or [in, out/groups, k...] when transposed.
   *
   * @return the weight
   */
  public Tensor weight() {
    return weight;
  }

  /**
   * The bias, or null when built with {@code bias = false}.
   *
   * @return the bias parameter [out], or null
   */
  public Tensor bias() {
    return bias;
  }

  /** Checks input is [N, C, *spatial] or [C, *spatial] with C = in_channels. */
  void checkInput(Tensor input) {
    int n = kernelSize.length;
    int d = input.dim();
    String spatial = n == 1 ? "L" : "H, W";
    if ((d != n + 1 && d != n + 2) || input.size(d - n - 1) != inChannels)
      throw new IllegalArgumentException(className() + ": expected input of shape [N, " + inChannels + ", " + spatial
          + "] or [" + inChannels + ", " + spatial + "] (in_channels=" + inChannels + "), got "
          + Arrays.toString(input.shape()));
  }

  static String tuple(long[] v) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < v.length; i++) b.append(i > 0 ? ", " : "").append(v[i]);
    return b.append(v.length == 1 ? ",)" : ")").toString();
  }

  private static boolean all(long[] v, long x) {
    for (long e : v) if (e != x) return false;
    return true;
  }

  @Override
  public String extraRepr() {
    StringBuilder s = new StringBuilder();
    s.append(inChannels).append(", ").append(outChannels).append(", kernel_size=").append(tuple(kernelSize))
        .append(", stride=").append(tuple(stride));
    if (!all(padding, 0)) s.append(", padding=").append(tuple(padding));
    if (!all(dilation, 1)) s.append(", dilation=").append(tuple(dilation));
    if (!all(outputPadding, 0)) s.append(", output_padding=").append(tuple(outputPadding));
    if (groups != 1) s.append(", groups=").append(groups);
    if (bias == null) s.append(", bias=False");
    return s.toString();
  }
}
