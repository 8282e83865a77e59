package dev.kindling.optim;

import dev.kindling.Tensor;
import dev.kindling.internal.Native;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One optimizer step on its way to native code: for every parameter that has a gradient, its
 * handle, its gradient's, its state buffers' and a row of hyper-parameters, gathered across all
 * groups so that one C call ({@code kd_optim_*}) updates them all. Why state is committed only
 * after the call: state buffers made for this step (on a parameter's first step) and new step
 * counts become the optimizer's only when the native update succeeded, so a refused step (a
 * gradient of the wrong dtype, say) leaves the optimizer exactly as it was.
 */
final class StepBatch {
  /** The C call: n entries, handle arrays, one handle array per state buffer, the rows. */
  interface Call {
    int run(long n, long[] params, long[] grads, long[][] states, double[] hyper);
  }

  private static final Pattern ENTRY = Pattern.compile("\\[(\\d+)]");

  private final String name;
  private final int row;
  private int n;
  private long[] params = new long[8];
  private long[] grads = new long[8];
  private final long[][] states;
  private double[] hyper;
  private int[] where = new int[16];  // (group, index in group) of each entry, for messages
  private final List<Tensor> fresh = new ArrayList<>();
  private final List<Runnable> commits = new ArrayList<>();

  StepBatch(String name, int row, int numStates) {
    this.name = name;
    this.row = row;
    this.states = new long[numStates][8];
    this.hyper = new double[8 * row];
  }

  /**
   * Adds parameter p (index i of group g) with its gradient, its state buffers (null where the
   * update does not use one) and its hyper-parameter row.
   */
  void add(int g, int i, Tensor p, Tensor grad, Tensor[] buffers, double... rowValues) {
    if (rowValues.length != row) throw new IllegalStateException(name + ": hyper-parameter row of " + rowValues.length + " values, expected " + row);
    if (n == params.length) {
      int cap = n * 2;
      params = Arrays.copyOf(params, cap);
      grads = Arrays.copyOf(grads, cap);
      for (int k = 0; k < states.length; k++) states[k] = Arrays.copyOf(states[k], cap);
      hyper = Arrays.copyOf(hyper, cap * row);
      where = Arrays.copyOf(where, cap * 2);
    }
    params[n] = p.nativeHandle();
    grads[n] = grad.nativeHandle();
    for (int k = 0; k < states.length; k++) states[k][n] = buffers[k] == null ? 0 : buffers[k].nativeHandle();
    System.arraycopy(rowValues, 0, hyper, n * row, row);
    where[2 * n] = g;
    where[2 * n + 1] = i;
    n++;
  }

  /** A state buffer made for this step: the optimizer's if the step succeeds, closed if not. */
  Tensor fresh(Tensor t) {
    fresh.add(t);
    return t;
  }

  /**
   * The state buffer of p under key: the one in st, or, when it is needed and absent, a new one of
   * zeros that st gets once the step succeeds. Null when not needed.
   */
  Tensor buffer(Map<String, Object> st, String key, Tensor p, boolean needed) {
    if (!needed) return null;
    if (st.get(key) instanceof Tensor t) return t;
    Tensor t = fresh(Tensor.zerosLike(p));
    onSuccess(() -> st.put(key, t));
    return t;
  }

  /** Runs after the native update succeeded (stores new buffers and step counts). */
  void onSuccess(Runnable r) {
    commits.add(r);
  }

  /** The number of parameters this step updates. */
  int size() {
    return n;
  }

  /** Calls the native update for every entry, then commits; on failure closes the fresh buffers. */
  void run(Call call) {
    if (n > 0) {
      int status = call.run(n, params, grads, states, hyper);
      if (status != Native.OK) {
        RuntimeException e = Native.lastError();
        for (Tensor t : fresh) t.close();
        throw rewrap(e);
      }
    }
    for (Tensor t : fresh) Optimizer.own(t);
    for (Runnable r : commits) r.run();
  }

  /** The native message names entry k of the call; say which parameter of which group that is. */
  private RuntimeException rewrap(RuntimeException e) {
    String msg = name + ".step: " + e.getMessage();
    Matcher m = ENTRY.matcher(e.getMessage() == null ? "" : e.getMessage());
    if (m.find()) {
      int k = Integer.parseInt(m.group(1));
      if (k < n) msg += " (entry " + k + " of the step is parameter " + where[2 * k + 1] + " of param group " + where[2 * k] + ")";
    }
    if (e instanceof IllegalArgumentException) return new IllegalArgumentException(msg, e);
    if (e instanceof IllegalStateException) return new IllegalStateException(msg, e);
    if (e instanceof UnsupportedOperationException) return new UnsupportedOperationException(msg, e);
    if (e instanceof IndexOutOfBoundsException) return new IndexOutOfBoundsException(msg);
    return new RuntimeException(msg, e);
  }

  /**
   * p's gradient (a handle owned by the step's scope), or null when p has none and the step
   * skips it, as PyTorch's does; a closed parameter is an error naming its place.
   */
  Tensor gradOf(Tensor p, int g, int i) {
    if (p.isClosed()) throw new IllegalStateException(name + ".step: parameter " + i + " of param group " + g + " is closed");
    return p.grad();
  }

  /** A flag in a row of doubles: 1 for true, 0 for false. */
  static double flag(boolean b) {
    return b ? 1 : 0;
  }
}
