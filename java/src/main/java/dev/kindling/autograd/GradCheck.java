package dev.kindling.autograd;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Function;

/**
 * {@code torch.autograd.gradcheck} and {@code gradgradcheck} for Kindling: a backward formula is
 * right when the Jacobian it gives (one backward per output element, with a one-hot gradient)
 * matches the Jacobian measured by float64 central differences, {@code (f(x + eps) - f(x - eps))
 * / 2 eps}, one input element at a time. Second order is the same check applied to the function
 * {@code (inputs, v) -> autograd.grad(f(inputs), inputs, v, createGraph = true)}, with random
 * gradient outputs {@code v} that are themselves checked inputs, as PyTorch does.
 *
 * <pre>{@code
 * Tensor a = Tensor.randn(new long[] {3, 4}, DType.FLOAT64).requiresGrad_();
 * Tensor b = Tensor.randn(new long[] {4}, DType.FLOAT64).requiresGrad_();
 * GradCheck.gradcheck(in -> in.get(0).mul(in.get(1)), List.of(a, b));      // throws GradcheckError on mismatch
 * GradCheck.gradgradcheck(in -> in.get(0).mul(in.get(1)), List.of(a, b));
 * GradCheck.gradcheck(fn, inputs, GradCheck.options().atol(1e-4).raiseException(false)); // false on mismatch
 * }</pre>
 *
 * <p>Inputs that require grad must be float64 (differences in float32 are too coarse); they are
 * perturbed in place (under no-grad, through a detached view) and restored exactly. Inputs that
 * do not require grad (index tensors, masks) are passed through unchecked. Every temporary lives
 * in a scope closed before the check returns; the inputs' {@code .grad} is never touched.
 */
public final class GradCheck {
  private GradCheck() {}

  /** The tolerances and behaviour of a check; immutable, each setter returns a new one. */
  public static final class Options {
    private static final Options DEFAULT = new Options(1e-6, 1e-5, 1e-3, true, 0L);

    private final double eps;
    private final double atol;
    private final double rtol;
    private final boolean raiseException;
    private final long seed;

    private Options(double eps, double atol, double rtol, boolean raiseException, long seed) {
      this.eps = eps;
      this.atol = atol;
      this.rtol = rtol;
      this.raiseException = raiseException;
      this.seed = seed;
    }

    /**
     * Perturbation of central differences (default 1e-6).
     *
     * @param eps a positive, finite step
     * @return new options with that eps
     */
    public Options eps(double eps) {
      if (!(eps > 0) || Double.isInfinite(eps)) throw new IllegalArgumentException("gradcheck: eps must be positive and finite, got " + eps);
      return new Options(eps, atol, rtol, raiseException, seed);
    }

    /**
     * Absolute tolerance (default 1e-5): entries agree when {@code |a - n| <= atol + rtol * |n|}.
     *
     * @param atol a tolerance of at least 0
     * @return new options with that atol
     */
    public Options atol(double atol) {
      if (!(atol >= 0)) throw new IllegalArgumentException("gradcheck: atol must be >= 0, got " + atol);
      return new Options(eps, atol, rtol, raiseException, seed);
    }

    /**
     * Relative tolerance (default 1e-3).
     *
     * @param rtol a tolerance of at least 0
     * @return new options with that rtol
     */
    public Options rtol(double rtol) {
      if (!(rtol >= 0)) throw new IllegalArgumentException("gradcheck: rtol must be >= 0, got " + rtol);
      return new Options(eps, atol, rtol, raiseException, seed);
    }

    /**
     * Throw {@link GradcheckError} on a mismatch (default), or return false.
     *
     * @param raise true to throw on a mismatch
     * @return new options with that setting
     */
    public Options raiseException(boolean raise) {
      return new Options(eps, atol, rtol, raise, seed);
    }

    /**
     * Seed of the random gradient outputs of gradgradcheck (default 0).
     *
     * @param seed the generator seed
     * @return new options with that seed
     */
    public Options seed(long seed) {
      return new Options(eps, atol, rtol, raiseException, seed);
    }

    /**
     * The finite-difference step.
     *
     * @return eps
     */
    public double eps() {
      return eps;
    }

    /**
     * The absolute tolerance.
     *
     * @return atol
     */
    public double atol() {
      return atol;
    }

    /**
     * The relative tolerance.
     *
     * @return rtol
     */
    public double rtol() {
      return rtol;
    }

    /**
     * Whether a mismatch throws {@link GradcheckError} instead of returning false.
     *
     * @return the setting
     */
    public boolean raiseException() {
      return raiseException;
    }

    /**
     * The seed of gradgradcheck's random gradient outputs.
     *
     * @return the seed
     */
    public long seed() {
      return seed;
    }

    @Override
    public String toString() {
      return "GradCheck.Options(eps=" + eps + ", atol=" + atol + ", rtol=" + rtol + ", raiseException=" + raiseException + ", seed=" + seed + ")";
    }
  }

  /**
   * Default options: eps 1e-6, atol 1e-5, rtol 1e-3, raiseException true, seed 0.
   *
   * @return the default options
   */
  public static Options options() {
    return Options.DEFAULT;
  }

  // ------------------------------------------------------------------------------------------
  // public entry points

  /**
   * First-order check of a function with one output, default options.
   *
   * @param fn the function, from the inputs to one output
   * @param inputs the inputs; those requiring grad (float64 recommended) are checked
   * @return true if analytic and numerical Jacobians agree
   */
  public static boolean gradcheck(Function<List<Tensor>, Tensor> fn, List<Tensor> inputs) {
    return gradcheck(fn, inputs, options());
  }

  /**
   * First-order check of a function with one output.
   *
   * @param fn the function, from the inputs to one output
   * @param inputs the inputs; those requiring grad (float64 recommended) are checked
   * @param options tolerances and behaviour on a mismatch
   * @return true if the Jacobians agree (false only when raiseException is off)
   */
  public static boolean gradcheck(Function<List<Tensor>, Tensor> fn, List<Tensor> inputs, Options options) {
    return gradcheckOutputs(single(fn, "gradcheck"), inputs, options);
  }

  /**
   * First-order check of a function with several outputs (split, chunk, …), default options.
   *
   * @param fn the function, from the inputs to its outputs
   * @param inputs the inputs; those requiring grad are checked
   * @return true if the Jacobians agree
   */
  public static boolean gradcheckOutputs(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> inputs) {
    return gradcheckOutputs(fn, inputs, options());
  }

  /**
   * First-order check of a function with several outputs; non-floating outputs are skipped.
   *
   * @param fn the function, from the inputs to its outputs
   * @param inputs the inputs; those requiring grad are checked
   * @param options tolerances and behaviour on a mismatch
   * @return true if the Jacobians agree (false only when raiseException is off)
   */
  public static boolean gradcheckOutputs(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> inputs, Options options) {
    check(fn, inputs, options);
    List<Diff> diff = diffInputs(inputs, "gradcheck");
    try (Scope s = Kindling.scope()) {
      return compare(fn, inputs, diff, labels(inputs.size()), options, "gradcheck");
    }
  }

  /**
   * Second-order check of a function with one output, default options.
   *
   * @param fn the function, from the inputs to one output
   * @param inputs the inputs; those requiring grad are checked
   * @return true if the second-order Jacobians agree
   */
  public static boolean gradgradcheck(Function<List<Tensor>, Tensor> fn, List<Tensor> inputs) {
    return gradgradcheck(fn, inputs, options());
  }

  /**
   * Second-order check of a function with one output.
   *
   * @param fn the function, from the inputs to one output
   * @param inputs the inputs; those requiring grad are checked
   * @param options tolerances, seed and behaviour on a mismatch
   * @return true if the second-order Jacobians agree
   */
  public static boolean gradgradcheck(Function<List<Tensor>, Tensor> fn, List<Tensor> inputs, Options options) {
    return gradgradcheckOutputs(single(fn, "gradgradcheck"), inputs, options);
  }

  /**
   * Second-order check of a function with several outputs, default options.
   *
   * @param fn the function, from the inputs to its outputs
   * @param inputs the inputs; those requiring grad are checked
   * @return true if the second-order Jacobians agree
   */
  public static boolean gradgradcheckOutputs(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> inputs) {
    return gradgradcheckOutputs(fn, inputs, options());
  }

  /**
   * Second-order check: gradchecks {@code (inputs, v) -> Autograd.grad(fn(inputs), inputs, v,
   * createGraph = true)} over the inputs and the random gradient outputs v (seeded by
   * {@link Options#seed(long)}; one per floating output that requires grad).
   *
   * @param fn the function, from the inputs to its outputs
   * @param inputs the inputs; those requiring grad are checked
   * @param options tolerances, seed and behaviour on a mismatch
   * @return true if the second-order Jacobians agree
   */
  public static boolean gradgradcheckOutputs(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> inputs, Options options) {
    check(fn, inputs, options);
    List<Diff> diff = diffInputs(inputs, "gradgradcheck");
    int n = inputs.size();
    try (Scope s = Kindling.scope()) {
      // Which outputs have a first-order gradient, and the v that weighs each.
      List<Integer> gradOuts = new ArrayList<>();
      List<Tensor> vs = new ArrayList<>();
      Random rnd = new Random(options.seed);
      try (Scope probe = Kindling.scope()) {
        List<Tensor> outs = call(fn, inputs, "gradgradcheck");
        for (int j = 0; j < outs.size(); j++) {
          Tensor o = outs.get(j);
          if (!o.isFloatingPoint() || !o.requiresGrad()) continue;
          gradOuts.add(j);
          double[] v = new double[checkedNumel(o, "gradgradcheck")];
          for (int l = 0; l < v.length; l++) v[l] = rnd.nextGaussian();
          vs.add(probe.keep(Tensor.fromArray(v, o.shape()).requiresGrad_()));
        }
      }
      if (gradOuts.isEmpty())
        return failed(options, "gradgradcheck: no output of the function requires grad, so there is no first-order gradient "
            + "to differentiate (does the op record a backward?)");
      int nv = vs.size();
      Function<List<Tensor>, List<Tensor>> firstOrder = all -> {
        List<Tensor> xs = all.subList(0, n);
        List<Tensor> outs = call(fn, xs, "gradgradcheck");
        List<Tensor> roots = new ArrayList<>(nv);
        List<Tensor> gos = new ArrayList<>(nv);
        for (int q = 0; q < nv; q++) {
          Tensor o = outs.get(gradOuts.get(q));
          Tensor v = all.get(n + q);
          roots.add(o);
          gos.add(o.dtype() == DType.FLOAT64 ? v : v.to(o.dtype()));
        }
        List<Tensor> wrt = new ArrayList<>(diff.size());
        for (Diff d : diff) wrt.add(xs.get(d.index));
        List<Tensor> gs = Autograd.grad(roots, wrt, gos, true, true, true);
        List<Tensor> result = new ArrayList<>(gs.size());
        for (int i = 0; i < gs.size(); i++)
          result.add(gs.get(i) != null ? gs.get(i) : Tensor.zeros(wrt.get(i).shape(), wrt.get(i).dtype()));
        return result;
      };
      List<Tensor> all = new ArrayList<>(inputs);
      all.addAll(vs);
      List<Diff> diff2 = new ArrayList<>(diff);
      for (int q = 0; q < nv; q++) diff2.add(new Diff(n + q, vs.get(q), vs.get(q).shape(), checkedNumel(vs.get(q), "gradgradcheck")));
      String[] labels = labels(n + nv);
      for (int q = 0; q < nv; q++) labels[n + q] = " (the grad_output of output " + gradOuts.get(q) + ")";
      // Output i of the first-order function is the gradient w.r.t. the i-th differentiable input.
      String[] outLabels = new String[diff.size()];
      for (int i = 0; i < diff.size(); i++) outLabels[i] = " (the gradient w.r.t. input " + diff.get(i).index + ")";
      return compare(firstOrder, all, diff2, labels, outLabels, options, "gradgradcheck");
    }
  }

  // ------------------------------------------------------------------------------------------
  // the check

  /** An input that requires grad: its position in the input list and its shape. */
  private record Diff(int index, Tensor tensor, long[] shape, int numel) {}

  private static void check(Object fn, List<Tensor> inputs, Options options) {
    if (fn == null) throw new NullPointerException("gradcheck: fn is null");
    if (inputs == null) throw new NullPointerException("gradcheck: inputs is null");
    if (options == null) throw new NullPointerException("gradcheck: options is null");
  }

  private static List<Diff> diffInputs(List<Tensor> inputs, String api) {
    List<Diff> out = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      Tensor t = inputs.get(i);
      if (t == null) throw new NullPointerException(api + ": input " + i + " is null");
      if (!t.requiresGrad()) continue;
      if (t.dtype() != DType.FLOAT64)
        throw new IllegalArgumentException(api + ": input " + i + " requires grad but is " + t.dtype().torchName()
            + "; central differences need float64 inputs (use .to(DType.FLOAT64))");
      long[] shape = t.shape(), stride = t.stride();
      for (int d = 0; d < shape.length; d++)
        if (stride[d] == 0 && shape[d] > 1)
          throw new IllegalArgumentException(api + ": input " + i + " of shape " + Arrays.toString(shape)
              + " has overlapping memory (an expanded tensor); perturbing one element would change several: pass a clone()");
      out.add(new Diff(i, t, t.shape(), checkedNumel(t, api)));
    }
    if (out.isEmpty())
      throw new IllegalArgumentException(api + ": expected at least one input tensor to require gradient, but none of the "
          + inputs.size() + " inputs have requiresGrad=true");
    return out;
  }

  private static int checkedNumel(Tensor t, String api) {
    long n = t.numel();
    if (n > 1_000_000) throw new IllegalArgumentException(api + ": a tensor of " + n + " elements is too large to check element by element");
    return (int) n;
  }

  private static String[] labels(int total) {
    String[] l = new String[total];
    Arrays.fill(l, "");
    return l;
  }

  private static boolean compare(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> inputs, List<Diff> diff,
      String[] inLabels, Options o, String api) {
    return compare(fn, inputs, diff, inLabels, null, o, api);
  }

  /** Builds both Jacobians for every (differentiable input, floating output) pair and compares them. */
  private static boolean compare(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> inputs, List<Diff> diff,
      String[] inLabels, String[] outLabels, Options o, String api) {
    List<Tensor> outs = call(fn, inputs, api);
    int nOut = outs.size();
    long[][] outShape = new long[nOut][];
    int[] outNumel = new int[nOut];
    boolean[] floating = new boolean[nOut];
    boolean[] outRequiresGrad = new boolean[nOut];
    for (int j = 0; j < nOut; j++) {
      Tensor t = outs.get(j);
      outShape[j] = t.shape();
      outNumel[j] = checkedNumel(t, api);
      floating[j] = t.isFloatingPoint();
      outRequiresGrad[j] = t.requiresGrad();
    }
    int nIn = diff.size();

    // Analytical: row l of the Jacobian of output j comes from one backward with a one-hot gradient.
    double[][][] ana = new double[nIn][nOut][];
    boolean[][] used = new boolean[nIn][nOut];
    List<Tensor> wrt = new ArrayList<>(nIn);
    for (Diff d : diff) wrt.add(d.tensor);
    for (int j = 0; j < nOut; j++) {
      for (int i = 0; i < nIn; i++) ana[i][j] = new double[diff.get(i).numel * outNumel[j]];
      if (!floating[j] || !outRequiresGrad[j]) continue;
      Tensor out = outs.get(j);
      int m = outNumel[j];
      for (int l = 0; l < m; l++) {
        try (Scope s = Kindling.scope()) {
          double[] hot = new double[m];
          hot[l] = 1;
          Tensor go = Tensor.fromArray(hot, outShape[j]);
          if (out.dtype() != DType.FLOAT64) go = go.to(out.dtype());
          List<Tensor> gs = Autograd.grad(List.of(out), wrt, List.of(go), true, false, true);
          for (int i = 0; i < nIn; i++) {
            Tensor g = gs.get(i);
            if (g == null) continue;
            used[i][j] = true;
            Diff d = diff.get(i);
            if (!Arrays.equals(g.shape(), d.shape))
              return failed(o, api + ": Gradient has shape mismatch for output " + j + " with respect to input " + d.index
                  + ": the gradient has shape " + Arrays.toString(g.shape()) + " but the input has shape " + Arrays.toString(d.shape));
            if (g.dtype() != d.tensor.dtype())
              return failed(o, api + ": Gradient has dtype mismatch for output " + j + " with respect to input " + d.index
                  + ": the gradient is " + g.dtype() + " but the input is " + d.tensor.dtype());
            double[] gv = g.toDoubleArray();
            for (int k = 0; k < gv.length; k++) ana[i][j][k * m + l] = gv[k];
          }
        }
      }
    }

    // Numerical: column k of each Jacobian from central differences in input element k.
    double[][][] num = new double[nIn][nOut][];
    for (int i = 0; i < nIn; i++) {
      for (int j = 0; j < nOut; j++) num[i][j] = new double[diff.get(i).numel * outNumel[j]];
      Diff d = diff.get(i);
      try (Scope s = Kindling.scope()) {
        Tensor data = d.tensor.detach();
        for (int k = 0; k < d.numel; k++) {
          try (Scope e = Kindling.scope()) {
            Tensor elem = data.get(unravel(k, d.shape));
            double orig = elem.item();
            double[][] minus, plus;
            try {
              set(elem, orig - o.eps);
              minus = values(fn, inputs, outShape, floating, api);
              set(elem, orig + o.eps);
              plus = values(fn, inputs, outShape, floating, api);
            } finally {
              set(elem, orig);
            }
            for (int j = 0; j < nOut; j++) {
              if (!floating[j]) continue;
              int m = outNumel[j];
              for (int l = 0; l < m; l++) num[i][j][k * m + l] = (plus[j][l] - minus[j][l]) / (2 * o.eps);
            }
          }
        }
      }
    }

    // Compare, output by output, input by input (PyTorch's order of reporting).
    for (int j = 0; j < nOut; j++) {
      if (!floating[j]) continue;
      for (int i = 0; i < nIn; i++) {
        double[] a = ana[i][j], n = num[i][j];
        int bad = 0, first = -1;
        for (int x = 0; x < a.length; x++) {
          if (!close(a[x], n[x], o)) {
            if (first < 0) first = x;
            bad++;
          }
        }
        if (bad == 0) continue;
        Diff d = diff.get(i);
        int m = outNumel[j];
        int k = first / m, l = first % m;
        StringBuilder msg = new StringBuilder();
        msg.append(api).append(": Jacobian mismatch for output ").append(j).append(outLabels == null ? "" : outLabels[j])
            .append(" with respect to input ").append(d.index).append(inLabels[d.index]).append(",\n");
        if (!outRequiresGrad[j])
          msg.append("output ").append(j).append(" does not require grad (no backward was recorded for it), so its analytical Jacobian is zero;\n");
        else if (!used[i][j])
          msg.append("input ").append(d.index).append(" was not used in the graph of output ").append(j)
              .append(" (autograd.grad gave no gradient), so its analytical Jacobian is zero;\n");
        msg.append("first at input element ").append(Arrays.toString(unravel(k, d.shape)))
            .append(" and output element ").append(Arrays.toString(unravel(l, outShape[j])))
            .append(": numerical: ").append(n[first]).append(" analytical: ").append(a[first])
            .append(" (").append(bad).append(" of ").append(a.length).append(" entries differ; atol=").append(o.atol)
            .append(", rtol=").append(o.rtol).append(", eps=").append(o.eps).append(")\n");
        if (a.length <= 256) {
          msg.append("numerical:").append(matrix(n, d.numel, m)).append("\n");
          msg.append("analytical:").append(matrix(a, d.numel, m)).append("\n");
        }
        return failed(o, msg.toString());
      }
    }
    return true;
  }

  /** torch.allclose's rule for one entry; equal infinities agree, NaN never does. */
  private static boolean close(double a, double n, Options o) {
    if (a == n) return true;
    if (Double.isNaN(a) || Double.isNaN(n) || Double.isInfinite(a) || Double.isInfinite(n)) return false;
    return Math.abs(a - n) <= o.atol + o.rtol * Math.abs(n);
  }

  private static boolean failed(Options o, String message) {
    if (o.raiseException) throw new GradcheckError(message);
    return false;
  }

  private static void set(Tensor elem, double value) {
    try (GradMode g = Autograd.noGrad()) {
      elem.fill_(value);
    }
  }

  /** The function's floating outputs as doubles (row-major); the structure must not change. */
  private static double[][] values(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> inputs, long[][] outShape,
      boolean[] floating, String api) {
    try (Scope s = Kindling.scope()) {
      List<Tensor> outs = call(fn, inputs, api);
      if (outs.size() != outShape.length)
        throw new IllegalStateException(api + ": the function returned " + outs.size() + " outputs, then " + outShape.length);
      double[][] v = new double[outs.size()][];
      for (int j = 0; j < v.length; j++) {
        if (!floating[j]) continue;
        Tensor t = outs.get(j);
        if (!Arrays.equals(t.shape(), outShape[j]))
          throw new IllegalStateException(api + ": output " + j + " changed shape from " + Arrays.toString(outShape[j])
              + " to " + Arrays.toString(t.shape()) + " when an input was perturbed");
        v[j] = t.toDoubleArray();
      }
      return v;
    }
  }

  private static List<Tensor> call(Function<List<Tensor>, List<Tensor>> fn, List<Tensor> inputs, String api) {
    List<Tensor> outs = fn.apply(inputs);
    if (outs == null) throw new NullPointerException(api + ": the function returned null");
    if (outs.isEmpty()) throw new IllegalArgumentException(api + ": the function returned no outputs");
    for (int j = 0; j < outs.size(); j++)
      if (outs.get(j) == null) throw new NullPointerException(api + ": output " + j + " of the function is null");
    return outs;
  }

  private static Function<List<Tensor>, List<Tensor>> single(Function<List<Tensor>, Tensor> fn, String api) {
    if (fn == null) throw new NullPointerException(api + ": fn is null");
    return in -> {
      Tensor t = fn.apply(in);
      if (t == null) throw new NullPointerException(api + ": the function returned null");
      return List.of(t);
    };
  }

  /** Row-major multi-index of flat element k. */
  private static long[] unravel(long k, long[] shape) {
    long[] idx = new long[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = k % shape[d];
      k /= shape[d];
    }
    return idx;
  }

  /** A Jacobian printed as rows (input elements) by columns (output elements), like PyTorch. */
  private static String matrix(double[] v, int rows, int cols) {
    StringBuilder sb = new StringBuilder();
    for (int r = 0; r < rows; r++) {
      sb.append("\n  [");
      for (int c = 0; c < cols; c++) {
        if (c > 0) sb.append(", ");
        sb.append(String.format(Locale.ROOT, "%.6g", v[r * cols + c]));
      }
      sb.append("]");
    }
    return sb.toString();
  }
}
