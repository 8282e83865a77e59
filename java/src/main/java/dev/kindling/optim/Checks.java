package dev.kindling.optim;

import java.math.BigDecimal;

/**
 * Option checks shared by the algorithms, with PyTorch's messages ({@code "Invalid learning rate:
 * -0.1"}). Why numbers are printed the Python way ({@code 1e-08}, {@code -1.0}): the messages are
 * PyTorch's word for word, so the value in them reads as PyTorch would print it. Unlike PyTorch,
 * NaN fails every check (PyTorch's SGD lets a NaN learning rate through).
 */
final class Checks {
  private Checks() {}

  /** Throws {@code "Invalid <what>: <value>"} unless value >= 0. */
  static double nonNegative(String what, double value) {
    if (!(value >= 0)) throw new IllegalArgumentException("Invalid " + what + ": " + py(value));
    return value;
  }

  /** Adam's and AdamW's betas: each in [0, 1). */
  static void betas(double[] betas) {
    if (betas.length != 2) throw new IllegalArgumentException("betas must hold 2 values, got " + betas.length);
    for (int i = 0; i < 2; i++)
      if (!(betas[i] >= 0 && betas[i] < 1))
        throw new IllegalArgumentException("Invalid beta parameter at index " + i + ": " + py(betas[i]));
  }

  /** Python's repr of a float: {@code 0.1}, {@code -1.0}, {@code 1e-08}, {@code 1.5e+16}, {@code nan}. */
  static String py(double v) {
    if (Double.isNaN(v)) return "nan";
    if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
    if (v == 0) return (1 / v < 0) ? "-0.0" : "0.0";
    double a = Math.abs(v);
    BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    if (a >= 1e-4 && a < 1e16) {
      String s = d.toPlainString();
      return s.contains(".") ? s : s + ".0";
    }
    String digits = d.unscaledValue().abs().toString();
    int exp = d.precision() - d.scale() - 1;
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return (v < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }
}
