package dev.kindling.nn.init;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Tensor;
import dev.kindling.autograd.GradMode;
import java.util.Arrays;

/**
 * Parameter initialisation, as {@code torch.nn.init}: the same gains, fan computations and
 * formulas, drawing from the same generator in the same order, so that after the same
 * {@code manualSeed} the uniform-based initialisers give PyTorch's values exactly. Every function
 * writes in place without recording autograd history and returns its tensor.
 */
public final class Init {
  private Init() {}

  // ------------------------------------------------------------------------------------------
  // gains and fans

  /**
   * {@code calculate_gain(nonlinearity)}; leaky_relu uses the default slope 0.01.
   *
   * @param nonlinearity a name such as "relu", "tanh", "leaky_relu", "linear"
   * @return the gain
   */
  public static double calculateGain(String nonlinearity) {
    return calculateGain(nonlinearity, Double.NaN);
  }

  /**
   * {@code calculate_gain(nonlinearity, param)}: the recommended gain for a nonlinearity. The
   * parameter is only used by leaky_relu (its negative slope); NaN means "not given" (0.01).
   *
   * @param nonlinearity a name such as "relu", "tanh", "leaky_relu", "selu", "linear"
   * @param param leaky_relu's negative slope, or NaN for 0.01
   * @return the gain
   */
  public static double calculateGain(String nonlinearity, double param) {
    switch (nonlinearity) {
      case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
          "conv_transpose3d", "sigmoid":
        return 1.0;
      case "tanh":
        return 5.0 / 3;
      case "relu":
        return Math.sqrt(2.0);
      case "leaky_relu": {
        double slope = Double.isNaN(param) ? 0.01 : param;
        if (Double.isInfinite(slope)) {
          throw new IllegalArgumentException("negative_slope " + slope + " not a valid number");
        }
        return Math.sqrt(2.0 / (1 + slope * slope));
      }
      case "selu":
        return 3.0 / 4;
      default:
        throw new IllegalArgumentException("Unsupported nonlinearity " + nonlinearity);
    }
  }

  /**
   * {@code _calculate_fan_in_and_fan_out}: {fanIn, fanOut} of a weight of two or more dims.
   *
   * @param t a weight of two or more dims
   * @return {fan_in, fan_out}
   * @throws IllegalArgumentException if t has fewer than 2 dims
   */
  public static long[] calculateFanInAndFanOut(Tensor t) {
    if (t.dim() < 2) {
      throw new IllegalArgumentException(
          "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    }
    long[] s = t.shape();
    long receptive = 1;
    for (int i = 2; i < s.length; i++) receptive *= s[i];
    return new long[] {s[1] * receptive, s[0] * receptive};
  }

  private static long correctFan(Tensor t, String mode) {
    String m = mode.toLowerCase();
    long[] fans = calculateFanInAndFanOut(t);
    return switch (m) {
      case "fan_in" -> fans[0];
      case "fan_out" -> fans[1];
      default -> throw new IllegalArgumentException(
          "Mode " + mode + " not supported, please use one of [fan_in, fan_out]");
    };
  }

  private static boolean hasZeroDim(Tensor t) {
    for (long s : t.shape()) if (s == 0) return true;
    return false;
  }

  // ------------------------------------------------------------------------------------------
  // plain fills

  /**
   * {@code uniform_(tensor, a, b)}: values drawn from U(a, b).
   *
   * @param t the tensor to fill
   * @param a the lower bound
   * @param b the upper bound
   * @return t
   */
  public static Tensor uniform_(Tensor t, double a, double b) {
    try (GradMode g = Autograd.noGrad()) {
      return t.uniform_(a, b);
    }
  }

  /**
   * {@code uniform_(tensor)}: U(0, 1).
   *
   * @param t the tensor to fill
   * @return t
   */
  public static Tensor uniform_(Tensor t) {
    return uniform_(t, 0.0, 1.0);
  }

  /**
   * {@code normal_(tensor, mean, std)}: values drawn from N(mean, std²).
   *
   * @param t the tensor to fill
   * @param mean the mean
   * @param std the standard deviation
   * @return t
   */
  public static Tensor normal_(Tensor t, double mean, double std) {
    try (GradMode g = Autograd.noGrad()) {
      return t.normal_(mean, std);
    }
  }

  /**
   * {@code normal_(tensor)}: N(0, 1).
   *
   * @param t the tensor to fill
   * @return t
   */
  public static Tensor normal_(Tensor t) {
    return normal_(t, 0.0, 1.0);
  }

  /**
   * {@code constant_(tensor, val)}.
   *
   * @param t the tensor to fill
   * @param value the fill value
   * @return t
   */
  public static Tensor constant_(Tensor t, double value) {
    try (GradMode g = Autograd.noGrad()) {
      return t.fill_(value);
    }
  }

  /**
   * {@code ones_(tensor)}.
   *
   * @param t the tensor to fill
   * @return t
   */
  public static Tensor ones_(Tensor t) {
    return constant_(t, 1.0);
  }

  /**
   * {@code zeros_(tensor)}.
   *
   * @param t the tensor to fill
   * @return t
   */
  public static Tensor zeros_(Tensor t) {
    try (GradMode g = Autograd.noGrad()) {
      return t.zero_();
    }
  }

  /**
   * {@code eye_(tensor)}: the identity in a 2-D tensor (ones on the main diagonal).
   *
   * @param t a 2-D tensor
   * @return t
   * @throws IllegalArgumentException if t is not 2-D
   */
  public static Tensor eye_(Tensor t) {
    if (t.dim() != 2) {
      throw new IllegalArgumentException("Only tensors with 2 dimensions are supported");
    }
    try (GradMode g = Autograd.noGrad();
        Tensor eye = Tensor.eye(t.size(0), t.size(1), t.dtype())) {
      return t.copy_(eye);
    }
  }

  /**
   * {@code dirac_(tensor)} with one group.
   *
   * @param t a 3-, 4- or 5-D convolution weight
   * @return t
   */
  public static Tensor dirac_(Tensor t) {
    return dirac_(t, 1);
  }

  /**
   * {@code dirac_(tensor, groups)}: a 3-, 4- or 5-D convolution weight that passes its input
   * through (per group, channel d of the group's output copies input channel d).
   *
   * @param t a 3-, 4- or 5-D convolution weight whose dim 0 is divisible by groups
   * @param groups the number of groups
   * @return t
   * @throws IllegalArgumentException for another number of dims or a bad groups
   */
  public static Tensor dirac_(Tensor t, int groups) {
    int dims = t.dim();
    if (dims < 3 || dims > 5) {
      throw new IllegalArgumentException("Only tensors with 3, 4, or 5 dimensions are supported");
    }
    long[] s = t.shape();
    if (groups <= 0 || s[0] % groups != 0) {
      throw new IllegalArgumentException("dim 0 must be divisible by groups");
    }
    long outPerGroup = s[0] / groups;
    long minDim = Math.min(outPerGroup, s[1]);
    try (GradMode g = Autograd.noGrad()) {
      t.zero_();
      for (long grp = 0; grp < groups; grp++) {
        for (long d = 0; d < minDim; d++) {
          long[] idx = new long[dims];
          idx[0] = grp * outPerGroup + d;
          idx[1] = d;
          for (int k = 2; k < dims; k++) idx[k] = s[k] / 2;
          try (Tensor e = t.get(idx)) {
            e.fill_(1.0);
          }
        }
      }
      return t;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Glorot / He

  /**
   * {@code xavier_uniform_(tensor, gain=1)}.
   *
   * @param t a weight of two or more dims
   * @return t
   */
  public static Tensor xavierUniform_(Tensor t) {
    return xavierUniform_(t, 1.0);
  }

  /**
   * {@code xavier_uniform_(tensor, gain)}: U(-a, a), a = gain·sqrt(6 / (fan_in + fan_out)).
   *
   * @param t a weight of two or more dims
   * @param gain the scale factor
   * @return t
   */
  public static Tensor xavierUniform_(Tensor t, double gain) {
    long[] f = calculateFanInAndFanOut(t);
    double std = gain * Math.sqrt(2.0 / (double) (f[0] + f[1]));
    double a = Math.sqrt(3.0) * std;
    return uniform_(t, -a, a);
  }

  /**
   * {@code xavier_normal_(tensor, gain=1)}.
   *
   * @param t a weight of two or more dims
   * @return t
   */
  public static Tensor xavierNormal_(Tensor t) {
    return xavierNormal_(t, 1.0);
  }

  /**
   * {@code xavier_normal_(tensor, gain)}: N(0, std²), std = gain·sqrt(2 / (fan_in + fan_out)).
   *
   * @param t a weight of two or more dims
   * @param gain the scale factor
   * @return t
   */
  public static Tensor xavierNormal_(Tensor t, double gain) {
    long[] f = calculateFanInAndFanOut(t);
    double std = gain * Math.sqrt(2.0 / (double) (f[0] + f[1]));
    return normal_(t, 0.0, std);
  }

  /**
   * {@code kaiming_uniform_(tensor)}: a = 0, fan_in, leaky_relu.
   *
   * @param t a weight of two or more dims
   * @return t
   */
  public static Tensor kaimingUniform_(Tensor t) {
    return kaimingUniform_(t, 0.0, "fan_in", "leaky_relu");
  }

  /**
   * {@code kaiming_uniform_(tensor, a)}: fan_in, leaky_relu.
   *
   * @param t a weight of two or more dims
   * @param a the negative slope of the leaky_relu that follows
   * @return t
   */
  public static Tensor kaimingUniform_(Tensor t, double a) {
    return kaimingUniform_(t, a, "fan_in", "leaky_relu");
  }

  /**
   * {@code kaiming_uniform_(tensor, a, mode, nonlinearity)}: U(-bound, bound) with
   * bound = gain·sqrt(3 / fan). A zero-element tensor is left as it is (PyTorch warns).
   *
   * @param t a weight of two or more dims
   * @param a the negative slope for leaky_relu
   * @param mode "fan_in" (preserves forward variance) or "fan_out" (backward)
   * @param nonlinearity the name passed to {@link #calculateGain(String, double)}
   * @return t
   */
  public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity) {
    if (hasZeroDim(t)) return t;
    long fan = correctFan(t, mode);
    double gain = calculateGain(nonlinearity, a);
    double std = gain / Math.sqrt((double) fan);
    double bound = Math.sqrt(3.0) * std;
    return uniform_(t, -bound, bound);
  }

  /**
   * {@code kaiming_normal_(tensor)}: a = 0, fan_in, leaky_relu.
   *
   * @param t a weight of two or more dims
   * @return t
   */
  public static Tensor kaimingNormal_(Tensor t) {
    return kaimingNormal_(t, 0.0, "fan_in", "leaky_relu");
  }

  /**
   * {@code kaiming_normal_(tensor, a)}: fan_in, leaky_relu.
   *
   * @param t a weight of two or more dims
   * @param a the negative slope of the leaky_relu that follows
   * @return t
   */
  public static Tensor kaimingNormal_(Tensor t, double a) {
    return kaimingNormal_(t, a, "fan_in", "leaky_relu");
  }

  /**
   * {@code kaiming_normal_(tensor, a, mode, nonlinearity)}: N(0, std²), std = gain / sqrt(fan).
   *
   * @param t a weight of two or more dims
   * @param a the negative slope for leaky_relu
   * @param mode "fan_in" or "fan_out"
   * @param nonlinearity the name passed to {@link #calculateGain(String, double)}
   * @return t
   */
  public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity) {
    if (hasZeroDim(t)) return t;
    long fan = correctFan(t, mode);
    double gain = calculateGain(nonlinearity, a);
    double std = gain / Math.sqrt((double) fan);
    return normal_(t, 0.0, std);
  }

  // ------------------------------------------------------------------------------------------
  // truncated normal

  /**
   * {@code trunc_normal_(tensor)}: mean 0, std 1, cut at [-2, 2].
   *
   * @param t the tensor to fill
   * @return t
   */
  public static Tensor truncNormal_(Tensor t) {
    return truncNormal_(t, 0.0, 1.0, -2.0, 2.0);
  }

  /**
   * {@code trunc_normal_(tensor, mean, std, a, b)} by PyTorch's inverse-CDF method: draw u
   * uniformly in [2·cdf(a)−1, 2·cdf(b)−1], map it through erfinv, scale by std·√2, shift by the
   * mean, then clamp to [a, b]. The uniform draw is the generator's, so the stream matches torch;
   * erfinv is evaluated here in double precision.
   *
   * @param t the tensor to fill
   * @param mean the mean of the underlying normal
   * @param std its standard deviation
   * @param a the lower cut-off
   * @param b the upper cut-off
   * @return t
   */
  public static Tensor truncNormal_(Tensor t, double mean, double std, double a, double b) {
    double l = normCdf((a - mean) / std);
    double u = normCdf((b - mean) / std);
    try (GradMode g = Autograd.noGrad()) {
      t.uniform_(2 * l - 1, 2 * u - 1);
      double[] v = t.toDoubleArray();
      double scale = std * Math.sqrt(2.0);
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.min(Math.max(erfinv(v[i]) * scale + mean, a), b);
      }
      try (Tensor src = Tensor.fromArray(v, t.shape());
          Tensor cast = src.to(t.dtype())) {
        t.copy_(cast);
      }
      return t;
    }
  }

  private static double normCdf(double x) {
    return (1.0 + erf(x / Math.sqrt(2.0))) / 2.0;
  }

  /** erf to double precision: Taylor series below 2, a continued fraction for erfc above. */
  static double erf(double x) {
    if (Double.isNaN(x)) return x;
    double ax = Math.abs(x);
    if (ax < 2.0) {
      // The Taylor series converges fast and loses little to cancellation here.
      double x2 = x * x, term = x, sum = x;
      for (int n = 1; n < 60; n++) {
        term *= -x2 / n;
        double add = term / (2 * n + 1);
        sum += add;
        if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
      }
      return 2.0 / Math.sqrt(Math.PI) * sum;
    }
    double r = 1.0 - erfcPositive(ax);
    return x < 0 ? -r : r;
  }

  /** erfc(x) for x ≥ 2 by its continued fraction (Lentz), accurate to ~1e-16. */
  private static double erfcPositive(double x) {
    if (x > 27) return 0.0;
    // erfc(x) = exp(-x²)/√π / F, F = x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))).
    double tiny = 1e-300;
    double f = x, c = x, d = 0;
    for (int n = 1; n < 500; n++) {
      double an = n / 2.0;
      d = x + an * d;
      if (d == 0) d = tiny;
      c = x + an / c;
      if (c == 0) c = tiny;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
  }

  /** Inverse error function on (-1, 1): a rational first guess refined by Newton steps on erf. */
  static double erfinv(double y) {
    if (Double.isNaN(y) || y < -1 || y > 1) return Double.NaN;
    if (y == 1) return Double.POSITIVE_INFINITY;
    if (y == -1) return Double.NEGATIVE_INFINITY;
    if (y == 0) return y;
    // Giles' single-precision approximation as the starting point.
    double w = -Math.log((1.0 - y) * (1.0 + y));
    double x;
    if (w < 5.0) {
      w = w - 2.5;
      double p = 2.81022636e-08;
      p = 3.43273939e-07 + p * w;
      p = -3.5233877e-06 + p * w;
      p = -4.39150654e-06 + p * w;
      p = 0.00021858087 + p * w;
      p = -0.00125372503 + p * w;
      p = -0.00417768164 + p * w;
      p = 0.246640727 + p * w;
      p = 1.50140941 + p * w;
      x = p * y;
    } else {
      w = Math.sqrt(w) - 3.0;
      double p = -0.000200214257;
      p = 0.000100950558 + p * w;
      p = 0.00134934322 + p * w;
      p = -0.00367342844 + p * w;
      p = 0.00573950773 + p * w;
      p = -0.0076224613 + p * w;
      p = 0.00943887047 + p * w;
      p = 1.00167406 + p * w;
      p = 2.83297682 + p * w;
      x = p * y;
    }
    // Newton on erf(x) - y; derivative 2/√π·exp(-x²).
    for (int i = 0; i < 3; i++) {
      double err = erf(x) - y;
      double deriv = 2.0 / Math.sqrt(Math.PI) * Math.exp(-x * x);
      if (deriv == 0) break;
      x -= err / deriv;
    }
    return x;
  }

  // ------------------------------------------------------------------------------------------
  // orthogonal

  /**
   * {@code orthogonal_(tensor, gain=1)}.
   *
   * @param t a tensor of two or more dims
   * @return t
   */
  public static Tensor orthogonal_(Tensor t) {
    return orthogonal_(t, 1.0);
  }

  /**
   * {@code orthogonal_(tensor, gain)}: the Q factor of the QR decomposition of a standard normal
   * (rows × cols) matrix (transposed first when {@code rows < cols}), with Q's columns multiplied by the
   * signs of R's diagonal as PyTorch does, so the result is unique given the normal draw.
   *
   * @param t a tensor of two or more dims, viewed as (size(0), rest)
   * @param gain the scale factor
   * @return t
   * @throws IllegalArgumentException if t has fewer than 2 dims
   */
  public static Tensor orthogonal_(Tensor t, double gain) {
    if (t.dim() < 2) {
      throw new IllegalArgumentException("Only tensors with 2 or more dimensions are supported");
    }
    if (t.numel() == 0) return t;
    int rows = (int) t.size(0);
    int cols = (int) (t.numel() / rows);
    try (GradMode g = Autograd.noGrad()) {
      double[] flat;
      try (Tensor n = Tensor.empty(new long[] {rows, cols}, t.dtype())) {
        n.normal_(0.0, 1.0);
        flat = n.toDoubleArray();
      }
      boolean wide = rows < cols;
      int m = wide ? cols : rows; // rows of the matrix factorised (m >= k)
      int k = wide ? rows : cols;
      double[][] a = new double[m][k];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          if (wide) a[j][i] = flat[i * cols + j];
          else a[i][j] = flat[i * cols + j];
        }
      }
      double[][] q = householderQ(a, m, k);
      double[] out = new double[rows * cols];
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          out[i * cols + j] = gain * (wide ? q[j][i] : q[i][j]);
        }
      }
      try (Tensor src = Tensor.fromArray(out, t.shape());
          Tensor cast = src.to(t.dtype())) {
        t.copy_(cast);
      }
      return t;
    }
  }

  /**
   * The reduced Q (m × k) of A = QR by Householder reflections, with column j of Q multiplied by
   * sign(R[j][j]) (sign(0) = 0, as torch.sign), which is what PyTorch's correction computes.
   */
  private static double[][] householderQ(double[][] a0, int m, int k) {
    double[][] r = new double[m][];
    for (int i = 0; i < m; i++) r[i] = Arrays.copyOf(a0[i], k);
    double[][] vs = new double[k][];
    double[] betas = new double[k];
    for (int j = 0; j < k; j++) {
      double norm = 0;
      for (int i = j; i < m; i++) norm += r[i][j] * r[i][j];
      norm = Math.sqrt(norm);
      double[] v = new double[m];
      if (norm == 0) {
        vs[j] = v;
        betas[j] = 0;
        continue;
      }
      double alpha = r[j][j] >= 0 ? -norm : norm;
      for (int i = j; i < m; i++) v[i] = r[i][j];
      v[j] -= alpha;
      double vv = 0;
      for (int i = j; i < m; i++) vv += v[i] * v[i];
      double beta = vv == 0 ? 0 : 2.0 / vv;
      for (int c = j; c < k; c++) {
        double s = 0;
        for (int i = j; i < m; i++) s += v[i] * r[i][c];
        s *= beta;
        for (int i = j; i < m; i++) r[i][c] -= s * v[i];
      }
      vs[j] = v;
      betas[j] = beta;
    }
    // Q = H_0 H_1 ... H_{k-1} applied to the first k columns of the identity.
    double[][] q = new double[m][k];
    for (int i = 0; i < k; i++) q[i][i] = 1.0;
    for (int j = k - 1; j >= 0; j--) {
      double[] v = vs[j];
      double beta = betas[j];
      if (beta == 0) continue;
      for (int c = 0; c < k; c++) {
        double s = 0;
        for (int i = j; i < m; i++) s += v[i] * q[i][c];
        s *= beta;
        for (int i = j; i < m; i++) q[i][c] -= s * v[i];
      }
    }
    for (int j = 0; j < k; j++) {
      double sign = Math.signum(r[j][j]);
      for (int i = 0; i < m; i++) q[i][j] *= sign;
    }
    return q;
  }
}
