package dev.kindling.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Turns one tensor's shown values into equally wide strings, as PyTorch's {@code _Formatter} in
 * torch/_tensor_str.py does: the style (integer-valued "1.", fixed "1.5000" or scientific
 * "1.5000e+00") and the column width are chosen once from all shown values, so every element of
 * a printed tensor lines up.
 *
 * <p>Numbers are rounded the way Python's {@code format} rounds them: the exact binary value,
 * half to even. Java's {@code String.format} rounds a shorter decimal form half up and would
 * print, for example, 0.03125 as 0.0313 where PyTorch prints 0.0312.
 */
final class ElementFormatter {
  private final int precision;
  private boolean intMode = true;
  private boolean sciMode = false;
  private int width = 1;

  private ElementFormatter(int precision) {
    this.precision = precision;
  }

  /** The formatter for a floating-point tensor whose shown values are {@code values}. */
  static ElementFormatter forFloats(double[] values, int precision) {
    ElementFormatter f = new ElementFormatter(precision);
    double min = Double.POSITIVE_INFINITY, max = 0;
    int count = 0;
    for (double v : values) {
      if (v == 0 || !Double.isFinite(v)) continue;  // only nonzero finite values decide
      double a = Math.abs(v);
      min = Math.min(min, a);
      max = Math.max(max, a);
      count++;
      if (v != Math.ceil(v)) f.intMode = false;
    }
    if (count == 0) return f;  // only zeros, nan and inf: "0.", "nan", width 1
    boolean wide = max / min > 1000.0 || max > 1.0e8;
    f.sciMode = f.intMode ? wide : wide || min < 1.0e-4;
    for (double v : values) {
      if (v == 0 || !Double.isFinite(v)) continue;
      int len;
      if (f.sciMode) len = scientific(v, precision).length();
      else if (f.intMode) len = fixed(v, 0).length() + 1;  // room for the trailing "."
      else len = fixed(v, precision).length();
      f.width = Math.max(f.width, len);
    }
    return f;
  }

  /** The formatter for an int64 tensor: plain integers, as wide as the widest. */
  static ElementFormatter forLongs(long[] values) {
    ElementFormatter f = new ElementFormatter(0);
    for (long v : values) f.width = Math.max(f.width, Long.toString(v).length());
    return f;
  }

  /** The formatter for a bool tensor: True / False. */
  static ElementFormatter forBooleans(boolean[] values) {
    ElementFormatter f = new ElementFormatter(0);
    for (boolean v : values) f.width = Math.max(f.width, v ? 4 : 5);
    return f;
  }

  /** The column width (a longer value, such as nan among integers, is not cut). */
  int width() {
    return width;
  }

  String format(double v) {
    String s;
    if (sciMode) s = scientific(v, precision);
    else if (intMode) s = Double.isFinite(v) ? fixed(v, 0) + "." : fixed(v, 0);
    else s = fixed(v, precision);
    return pad(s);
  }

  String format(long v) {
    return pad(Long.toString(v));
  }

  String format(boolean v) {
    return pad(v ? "True" : "False");
  }

  private String pad(String s) {
    if (s.length() >= width) return s;
    StringBuilder b = new StringBuilder(width);
    for (int i = s.length(); i < width; i++) b.append(' ');
    return b.append(s).toString();
  }

  private static String nonFinite(double v) {
    if (Double.isNaN(v)) return "nan";
    return v > 0 ? "inf" : "-inf";
  }

  /** The sign Python prints: "-" for negative numbers and for -0.0. */
  private static String sign(double v) {
    return (Double.doubleToRawLongBits(v) < 0) ? "-" : "";
  }

  /** Python's {@code "{:.Nf}".format(v)}. */
  static String fixed(double v, int decimals) {
    if (!Double.isFinite(v)) return nonFinite(v);
    return sign(v) + new BigDecimal(Math.abs(v)).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** Python's {@code "{:.Ne}".format(v)}: one digit, N decimals, a signed exponent of 2+ digits. */
  static String scientific(double v, int decimals) {
    if (!Double.isFinite(v)) return nonFinite(v);
    StringBuilder digits;
    int exponent;
    if (v == 0) {
      digits = new StringBuilder("0");
      exponent = 0;
    } else {
      BigDecimal r = new BigDecimal(Math.abs(v)).round(new MathContext(decimals + 1, RoundingMode.HALF_EVEN));
      digits = new StringBuilder(r.unscaledValue().toString());
      exponent = digits.length() - 1 - r.scale();
    }
    while (digits.length() < decimals + 1) digits.append('0');
    StringBuilder b = new StringBuilder(sign(v)).append(digits.charAt(0));
    if (decimals > 0) b.append('.').append(digits, 1, decimals + 1);
    b.append('e').append(exponent < 0 ? '-' : '+');
    int e = Math.abs(exponent);
    if (e < 10) b.append('0');
    return b.append(e).toString();
  }
}
