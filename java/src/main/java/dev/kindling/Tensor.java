package dev.kindling;

import static dev.kindling.internal.KindlingNative.*;

import dev.kindling.autograd.Node;
import dev.kindling.autograd.RemovableHandle;
import dev.kindling.internal.Hooks;
import dev.kindling.internal.KindlingNative;
import dev.kindling.internal.Native;
import dev.kindling.internal.NativeLoader;
import dev.kindling.internal.TensorFormatter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * An n-dimensional array in native memory, PyTorch's {@code torch.Tensor} for Java.
 *
 * <p>Each {@code Tensor} object owns exactly one reference to a native tensor. {@link #close()}
 * gives it back; using the object afterwards throws {@link IllegalStateException}, while other
 * tensors sharing the same data (views) stay valid. A tensor created inside a {@link Scope} is
 * closed with it; one created outside any scope is the caller's to close, with a cleaner as a
 * backstop only. Tensors compare by identity, like {@code id(t)} in Python.
 *
 * <p>Method names follow PyTorch in camelCase; methods ending in {@code _} work in place and return
 * {@code this}. Dims may be negative (counted from the end).
 */
public final class Tensor implements AutoCloseable {
  static {
    NativeLoader.load();
  }

  private static final Cleaner CLEANER = Cleaner.create();
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Tensor.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // op codes: mirror kindling.h
  static final int NEG = 0, ABS = 1, EXP = 2, LOG = 3, SQRT = 4, RSQRT = 5, SIN = 6, COS = 7,
      TANH = 8, SIGMOID = 9, RELU = 10, LOGICAL_NOT = 11, SIGN = 12, RECIPROCAL = 13, SQUARE = 14,
      LOG1P = 15, EXPM1 = 16, FLOOR = 17, CEIL = 18, ROUND = 19,
      ERF = 20;
  static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, POW = 4, EQ = 5, NE = 6, LT = 7, LE = 8,
      GT = 9, GE = 10, MAXIMUM = 11, MINIMUM = 12, LOGICAL_AND = 13, LOGICAL_OR = 14,
      LOGICAL_XOR = 15, REMAINDER = 16, ATAN2 = 17;
  static final int SUM = 0, MEAN = 1, PROD = 2, AMAX = 3, AMIN = 4, LOGSUMEXP = 5, ANY = 6, ALL = 7;
  private static final int K_FLOAT = 1, K_LONG = 2, K_BOOL = 3;  // wrapped-scalar kinds
  private static final long[] NO_DIMS = new long[0];
  private static final int MAX_DIMS = 16;  // kMaxDims of the native core

  private final long handle;
  /**
   * Lifetime word: bit 0 = closed (no new pins), bit 1 = native reference released (exactly
   * once), the rest = number of pins held by native calls in flight ({@link Pins}).
   */
  private volatile int state;
  private static final int CLOSED = 1, RELEASED = 2, PIN = 4;
  Scope owner;
  private Cleaner.Cleanable cleanable;

  private Tensor(long handle) {
    this.handle = handle;
  }

  /** Wraps a fresh native handle: owned by the current scope, else by the caller (+ cleaner). */
  static Tensor wrap(long h) {
    Tensor t = new Tensor(h);
    Scope s = Scope.current();
    if (s != null) s.attach(t);
    else t.registerCleaner();
    return t;
  }

  private static Tensor make(long h) {
    return wrap(Native.check(h));
  }

  /**
   * Wraps a native handle this call takes ownership of (for Kindling's own packages): owned by
   * the current scope, else by the caller.
   *
   * @param h a live native tensor handle; must not be 0
   * @return a new Tensor owning that reference
   */
  public static Tensor fromNativeHandle(long h) {
    if (h == 0) throw new IllegalArgumentException("fromNativeHandle: null handle");
    return wrap(h);
  }

  static long[] handles(List<Tensor> ts, String op, String what, boolean allowNull) {
    if (ts == null) throw new NullPointerException(op + ": " + what + " is null");
    long[] hs = new long[ts.size()];
    for (int i = 0; i < hs.length; i++) {
      Tensor t = ts.get(i);
      if (t == null && allowNull) continue;
      hs[i] = h(t, op, what + "[" + i + "]");
    }
    return hs;
  }

  void registerCleaner() {
    if (cleanable == null && (state & CLOSED) == 0) {
      final long h = handle;
      cleanable = CLEANER.register(this, () -> kd_release(h));
    }
  }

  /**
   * The native handle, pinned in this thread's open {@link Pins} frame until it exits, or an
   * IllegalStateException naming the op if closed.
   */
  long h(String op) {
    Pins frame = Pins.open(op);
    int s;
    do {
      s = state;
      if ((s & CLOSED) != 0) throw new IllegalStateException(op + ": tensor has been closed (its native memory was released)");
    } while (!STATE.weakCompareAndSet(this, s, s + PIN));
    frame.add(this);
    return handle;
  }

  private static long h(Tensor t, String op, String what) {
    if (t == null) throw new NullPointerException(op + ": " + what + " is null");
    return t.h(op);
  }

  /** Drops one pin; the last one after close() releases the native reference. */
  void unpin() {
    int s = (int) STATE.getAndAdd(this, -PIN) - PIN;
    if (s == CLOSED) release();
  }

  /**
   * Releases this object's native reference. Idempotent; other views of the data stay valid. If
   * another thread is inside a native call on this tensor, the release happens when that call
   * returns; any later use fails with an IllegalStateException.
   */
  @Override
  public void close() {
    int s = (int) STATE.getAndBitwiseOr(this, CLOSED);
    if ((s & CLOSED) == 0 && s < PIN) release();
  }

  private void release() {
    int s;
    do {
      s = state;
      if ((s & RELEASED) != 0) return;
    } while (!STATE.compareAndSet(this, s, s | RELEASED));
    Cleaner.Cleanable c = cleanable;
    if (c != null) c.clean();
    else kd_release(handle);
  }

  /**
   * Whether {@link #close()} has been called; its native reference is then released, at the
   * latest when a native call another thread is making on it returns.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return (state & CLOSED) != 0;
  }

  /**
   * The native handle (for Kindling's own modules), pinned until the current {@link Pins} frame
   * exits; call only inside one.
   *
   * @return the native {@code kd_tensor} handle
   */
  public long nativeHandle() {
    return h("nativeHandle");
  }

  // ------------------------------------------------------------------------------------------
  // creation

  /** Checks a shape for a new tensor, naming the op the user called. */
  private static int ndim(long[] shape, String op) {
    if (shape == null) throw new NullPointerException(op + ": shape is null");
    if (shape.length > MAX_DIMS)
      throw new IllegalArgumentException(op + ": " + shape.length + " dims requested, at most " + MAX_DIMS + " are supported");
    boolean overflow = false, hasZero = false;
    long n = 1;
    for (long s : shape) {
      if (s < 0) throw new IllegalArgumentException(op + ": negative dimension " + s + " in shape " + java.util.Arrays.toString(shape));
      if (s == 0) hasZero = true;
      else if (!overflow) {
        try {
          n = Math.multiplyExact(n, s);
        } catch (ArithmeticException e) {
          overflow = true;
        }
      }
    }
    if (overflow && !hasZero)
      throw new IllegalArgumentException(op + ": storage size calculation overflowed with sizes " + java.util.Arrays.toString(shape));
    return shape.length;
  }

  private static DType dt(DType d, String op) {
    if (d == null) throw new NullPointerException(op + ": dtype is null");
    return d;
  }

  /**
   * A float32 tensor of the given shape with uninitialised values, like {@code
   * torch.empty(*shape)}.
   *
   * @param shape the size of each dim
   * @return a new tensor
   */
  public static Tensor empty(long... shape) {
    return empty(shape, DType.FLOAT32);
  }

  /**
   * A tensor of the given shape and dtype with uninitialised values ({@code torch.empty(shape,
   * dtype=dtype)}).
   *
   * @param shape the size of each dim
   * @param dtype the element type
   * @return a new tensor
   */
  public static Tensor empty(long[] shape, DType dtype) {
    return make(kd_empty(shape, ndim(shape, "empty"), dt(dtype, "empty").code()));
  }

  /**
   * A float32 tensor of zeros, like {@code torch.zeros(*shape)}.
   *
   * @param shape the size of each dim
   * @return a new tensor
   */
  public static Tensor zeros(long... shape) {
    return full(shape, 0.0, DType.FLOAT32, "zeros");
  }

  /**
   * A tensor of zeros of the given dtype ({@code torch.zeros(shape, dtype=dtype)}).
   *
   * @param shape the size of each dim
   * @param dtype the element type
   * @return a new tensor
   */
  public static Tensor zeros(long[] shape, DType dtype) {
    return full(shape, 0.0, dtype, "zeros");
  }

  /**
   * A float32 tensor of ones, like {@code torch.ones(*shape)}.
   *
   * @param shape the size of each dim
   * @return a new tensor
   */
  public static Tensor ones(long... shape) {
    return full(shape, 1.0, DType.FLOAT32, "ones");
  }

  /**
   * A tensor of ones of the given dtype ({@code torch.ones(shape, dtype=dtype)}).
   *
   * @param shape the size of each dim
   * @param dtype the element type
   * @return a new tensor
   */
  public static Tensor ones(long[] shape, DType dtype) {
    return full(shape, 1.0, dtype, "ones");
  }

  /**
   * A float32 tensor filled with value, like {@code torch.full(shape, value)}.
   *
   * @param shape the size of each dim
   * @param value the fill value
   * @return a new tensor
   */
  public static Tensor full(long[] shape, double value) {
    return full(shape, value, DType.FLOAT32, "full");
  }

  /**
   * A tensor of the given dtype filled with value ({@code torch.full(shape, value, dtype=dtype)}).
   *
   * @param shape the size of each dim
   * @param value the fill value, converted to dtype
   * @param dtype the element type
   * @return a new tensor
   */
  public static Tensor full(long[] shape, double value, DType dtype) {
    return full(shape, value, dtype, "full");
  }

  private static Tensor full(long[] shape, double value, DType dtype, String op) {
    return make(kd_full(shape, ndim(shape, op), value, dt(dtype, op).code()));
  }

  /**
   * A 0-dim float32 tensor, like {@code torch.tensor(2.5)}.
   *
   * @param value the element
   * @return a new 0-dim tensor
   */
  public static Tensor scalar(double value) {
    return make(kd_scalar(value, DType.FLOAT32.code()));
  }

  /**
   * A 0-dim tensor of the given dtype, like {@code torch.tensor(value, dtype=dtype)}.
   *
   * @param value the element, converted to dtype
   * @param dtype the element type
   * @return a new 0-dim tensor
   */
  public static Tensor scalar(double value, DType dtype) {
    return make(kd_scalar(value, dt(dtype, "scalar").code()));
  }

  /**
   * A 0-dim int64 tensor, like {@code torch.tensor(3)}.
   *
   * @param value the element
   * @return a new 0-dim tensor
   */
  public static Tensor scalar(long value) {
    return make(kd_scalar(value, DType.INT64.code()));
  }

  /**
   * A 0-dim bool tensor, like {@code torch.tensor(True)}.
   *
   * @param value the element
   * @return a new 0-dim tensor
   */
  public static Tensor scalar(boolean value) {
    return make(kd_scalar(value ? 1 : 0, DType.BOOL.code()));
  }

  /**
   * A 1-D float32 tensor holding a copy of values, like {@code torch.tensor([...])}.
   *
   * @param values the elements
   * @return a new 1-D tensor
   */
  public static Tensor of(float... values) {
    return fromArray(values, values.length);
  }

  /**
   * A 1-D float64 tensor holding a copy of values.
   *
   * @param values the elements
   * @return a new 1-D tensor
   */
  public static Tensor of(double... values) {
    return fromArray(values, values.length);
  }

  /**
   * A 1-D int64 tensor holding a copy of values.
   *
   * @param values the elements
   * @return a new 1-D tensor
   */
  public static Tensor of(long... values) {
    return fromArray(values, values.length);
  }

  /**
   * A 1-D int64 tensor holding the values widened to long, as PyTorch infers int64 for Python ints.
   *
   * @param values the elements
   * @return a new 1-D tensor
   */
  public static Tensor of(int... values) {
    long[] v = new long[values.length];
    for (int i = 0; i < v.length; i++) v[i] = values[i];
    return fromArray(v, v.length);
  }

  /**
   * A 1-D bool tensor holding a copy of values.
   *
   * @param values the elements
   * @return a new 1-D tensor
   */
  public static Tensor of(boolean... values) {
    return fromArray(values, values.length);
  }

  /**
   * A 2-D float32 tensor of shape (rows, columns) holding a copy of the rows.
   *
   * @param rows the rows, all of the same length
   * @return a new 2-D tensor
   * @throws IllegalArgumentException if the rows are ragged
   */
  public static Tensor of(float[][] rows) {
    int r = rows.length, c = r == 0 ? 0 : rows[0].length;
    float[] flat = new float[r * c];
    for (int i = 0; i < r; i++) {
      if (rows[i].length != c) throw new IllegalArgumentException("of: ragged rows (row " + i + " has " + rows[i].length + " values, expected " + c + ")");
      System.arraycopy(rows[i], 0, flat, i * c, c);
    }
    return fromArray(flat, r, c);
  }

  /**
   * A 2-D float64 tensor of shape (rows, columns) holding a copy of the rows.
   *
   * @param rows the rows, all of the same length
   * @return a new 2-D tensor
   * @throws IllegalArgumentException if the rows are ragged
   */
  public static Tensor of(double[][] rows) {
    int r = rows.length, c = r == 0 ? 0 : rows[0].length;
    double[] flat = new double[r * c];
    for (int i = 0; i < r; i++) {
      if (rows[i].length != c) throw new IllegalArgumentException("of: ragged rows (row " + i + " has " + rows[i].length + " values, expected " + c + ")");
      System.arraycopy(rows[i], 0, flat, i * c, c);
    }
    return fromArray(flat, r, c);
  }

  /**
   * A 2-D int64 tensor of shape (rows, columns) holding a copy of the rows.
   *
   * @param rows the rows, all of the same length
   * @return a new 2-D tensor
   * @throws IllegalArgumentException if the rows are ragged
   */
  public static Tensor of(long[][] rows) {
    int r = rows.length, c = r == 0 ? 0 : rows[0].length;
    long[] flat = new long[r * c];
    for (int i = 0; i < r; i++) {
      if (rows[i].length != c) throw new IllegalArgumentException("of: ragged rows (row " + i + " has " + rows[i].length + " values, expected " + c + ")");
      System.arraycopy(rows[i], 0, flat, i * c, c);
    }
    return fromArray(flat, r, c);
  }

  private static void checkCount(int have, long[] shape, String op) {
    long n = 1;
    for (long s : shape) n *= s;
    if (n != have)
      throw new IllegalArgumentException(op + ": shape " + java.util.Arrays.toString(shape) + " needs " + n + " values, got " + have);
  }

  /**
   * A float32 tensor of the given shape holding a copy of data (row-major).
   *
   * @param data the elements in row-major order; its length must equal the shape's element count
   * @param shape the size of each dim
   * @return a new tensor
   */
  public static Tensor fromArray(float[] data, long... shape) {
    Objects.requireNonNull(data, "fromArray: data is null");
    int nd = ndim(shape, "fromArray");
    checkCount(data.length, shape, "fromArray");
    return make(kd_from_float(data, shape, nd));
  }

  /**
   * A float64 tensor of the given shape holding a copy of data (row-major).
   *
   * @param data the elements in row-major order; its length must equal the shape's element count
   * @param shape the size of each dim
   * @return a new tensor
   */
  public static Tensor fromArray(double[] data, long... shape) {
    Objects.requireNonNull(data, "fromArray: data is null");
    int nd = ndim(shape, "fromArray");
    checkCount(data.length, shape, "fromArray");
    return make(kd_from_double(data, shape, nd));
  }

  /**
   * An int64 tensor of the given shape holding a copy of data (row-major).
   *
   * @param data the elements in row-major order; its length must equal the shape's element count
   * @param shape the size of each dim
   * @return a new tensor
   */
  public static Tensor fromArray(long[] data, long... shape) {
    Objects.requireNonNull(data, "fromArray: data is null");
    int nd = ndim(shape, "fromArray");
    checkCount(data.length, shape, "fromArray");
    return make(kd_from_long(data, shape, nd));
  }

  /**
   * A bool tensor of the given shape holding a copy of data (row-major).
   *
   * @param data the elements in row-major order; its length must equal the shape's element count
   * @param shape the size of each dim
   * @return a new tensor
   */
  public static Tensor fromArray(boolean[] data, long... shape) {
    Objects.requireNonNull(data, "fromArray: data is null");
    int nd = ndim(shape, "fromArray");
    checkCount(data.length, shape, "fromArray");
    byte[] b = new byte[data.length];
    for (int i = 0; i < b.length; i++) b[i] = (byte) (data[i] ? 1 : 0);
    return make(kd_from_bool(b, shape, nd));
  }

  /**
   * The n × n float32 identity matrix, like {@code torch.eye(n)}.
   *
   * @param n rows and columns
   * @return a new 2-D tensor
   */
  public static Tensor eye(long n) {
    return eye(n, n, DType.FLOAT32);
  }

  /**
   * An n × m float32 matrix with ones on the diagonal, like {@code torch.eye(n, m)}.
   *
   * @param n rows
   * @param m columns
   * @return a new 2-D tensor
   */
  public static Tensor eye(long n, long m) {
    return eye(n, m, DType.FLOAT32);
  }

  /**
   * An n × m matrix of the given dtype with ones on the diagonal ({@code torch.eye(n, m,
   * dtype=dtype)}).
   *
   * @param n rows
   * @param m columns
   * @param dtype the element type
   * @return a new 2-D tensor
   */
  public static Tensor eye(long n, long m, DType dtype) {
    return make(kd_eye(n, m, dt(dtype, "eye").code()));
  }

  /**
   * int64 values 0, 1, …, end-1, like {@code torch.arange(end)}.
   *
   * @param end the exclusive upper bound
   * @return a new 1-D int64 tensor
   */
  public static Tensor arange(long end) {
    return arange(0, end, 1);
  }

  /**
   * int64 values start, start+1, …, end-1, like {@code torch.arange(start, end)}.
   *
   * @param start the first value
   * @param end the exclusive upper bound
   * @return a new 1-D int64 tensor
   */
  public static Tensor arange(long start, long end) {
    return arange(start, end, 1);
  }

  /**
   * int64 values from start (inclusive) to end (exclusive) by step, like {@code torch.arange(start,
   * end, step)}.
   *
   * @param start the first value
   * @param end the exclusive bound
   * @param step the non-zero increment; may be negative
   * @return a new 1-D int64 tensor
   */
  public static Tensor arange(long start, long end, long step) {
    return make(kd_arange(start, end, step, DType.INT64.code()));
  }

  /**
   * float32 values from start (inclusive) to end (exclusive) by step.
   *
   * @param start the first value
   * @param end the exclusive bound
   * @param step the non-zero increment; may be negative
   * @return a new 1-D float32 tensor
   */
  public static Tensor arange(double start, double end, double step) {
    return make(kd_arange(start, end, step, DType.FLOAT32.code()));
  }

  /**
   * Values from start (inclusive) to end (exclusive) by step in the given dtype ({@code
   * torch.arange(..., dtype=dtype)}).
   *
   * @param start the first value
   * @param end the exclusive bound
   * @param step the non-zero increment; may be negative
   * @param dtype the element type
   * @return a new 1-D tensor
   */
  public static Tensor arange(double start, double end, double step, DType dtype) {
    return make(kd_arange(start, end, step, dt(dtype, "arange").code()));
  }

  /**
   * steps float32 values evenly spaced from start to end inclusive, like {@code torch.linspace}.
   *
   * @param start the first value
   * @param end the last value
   * @param steps how many values
   * @return a new 1-D tensor
   */
  public static Tensor linspace(double start, double end, long steps) {
    return linspace(start, end, steps, DType.FLOAT32);
  }

  /**
   * steps values of the given dtype evenly spaced from start to end inclusive ({@code
   * torch.linspace}).
   *
   * @param start the first value
   * @param end the last value
   * @param steps how many values
   * @param dtype the element type
   * @return a new 1-D tensor
   */
  public static Tensor linspace(double start, double end, long steps, DType dtype) {
    return make(kd_linspace(start, end, steps, dt(dtype, "linspace").code()));
  }

  /**
   * Uniform samples in [0, 1).
   *
   * @param shape the size of each dim
   * @return a new float32 tensor ({@code torch.rand})
   */
  public static Tensor rand(long... shape) {
    return rand(shape, DType.FLOAT32);
  }

  /**
   * Uniform samples in [0, 1) of the given floating dtype, from the global generator ({@code
   * torch.rand}).
   *
   * @param shape the size of each dim
   * @param dtype a floating-point element type
   * @return a new tensor
   */
  public static Tensor rand(long[] shape, DType dtype) {
    return make(kd_rand(shape, ndim(shape, "rand"), dt(dtype, "rand").code()));
  }

  /**
   * Standard normal samples.
   *
   * @param shape the size of each dim
   * @return a new float32 tensor ({@code torch.randn})
   */
  public static Tensor randn(long... shape) {
    return randn(shape, DType.FLOAT32);
  }

  /**
   * Standard normal samples of the given floating dtype, from the global generator ({@code
   * torch.randn}).
   *
   * @param shape the size of each dim
   * @param dtype a floating-point element type
   * @return a new tensor
   */
  public static Tensor randn(long[] shape, DType dtype) {
    return make(kd_randn(shape, ndim(shape, "randn"), dt(dtype, "randn").code()));
  }

  /**
   * int64 samples uniform in [low, high).
   *
   * @param low the inclusive lower bound
   * @param high the exclusive upper bound
   * @param shape the size of each dim
   * @return a new int64 tensor ({@code torch.randint})
   */
  public static Tensor randint(long low, long high, long... shape) {
    return randint(low, high, shape, DType.INT64);
  }

  /**
   * Integer samples uniform in [low, high), stored in the given dtype ({@code torch.randint(...,
   * dtype=dtype)}).
   *
   * @param low the inclusive lower bound
   * @param high the exclusive upper bound
   * @param shape the size of each dim
   * @param dtype the element type
   * @return a new tensor
   */
  public static Tensor randint(long low, long high, long[] shape, DType dtype) {
    return make(kd_randint(low, high, shape, ndim(shape, "randint"), dt(dtype, "randint").code()));
  }

  /**
   * A random permutation of 0 … n-1 (int64).
   *
   * @param n how many values
   * @return a new 1-D int64 tensor ({@code torch.randperm})
   */
  public static Tensor randperm(long n) {
    return make(kd_randperm(n, DType.INT64.code()));
  }

  // The *Like functions take t's shape, dtype and device (an optimizer's state made with them
  // lives where its parameter does).

  /**
   * An uninitialised tensor with t's shape, dtype and device ({@code torch.empty_like}).
   *
   * @param t the template tensor
   * @return a new tensor
   */
  public static Tensor emptyLike(Tensor t) {
    long[] shape = shapeOf(t, "emptyLike");
    Device d = t.device();
    return d.isCpu() ? empty(shape, t.dtype()) : empty(shape, t.dtype(), d);
  }

  /**
   * Zeros with t's shape, dtype and device ({@code torch.zeros_like}).
   *
   * @param t the template tensor
   * @return a new tensor
   */
  public static Tensor zerosLike(Tensor t) {
    return fullLike(t, 0.0, "zerosLike");
  }

  /**
   * Ones with t's shape, dtype and device ({@code torch.ones_like}).
   *
   * @param t the template tensor
   * @return a new tensor
   */
  public static Tensor onesLike(Tensor t) {
    return fullLike(t, 1.0, "onesLike");
  }

  /**
   * value everywhere, with t's shape, dtype and device ({@code torch.full_like}).
   *
   * @param t the template tensor
   * @param value the fill value
   * @return a new tensor
   */
  public static Tensor fullLike(Tensor t, double value) {
    return fullLike(t, value, "fullLike");
  }

  private static Tensor fullLike(Tensor t, double value, String op) {
    long[] shape = shapeOf(t, op);
    Device d = t.device();
    return d.isCpu() ? full(shape, value, t.dtype(), op) : full(shape, value, t.dtype(), d, op);
  }

  /**
   * Uniform samples in [0, 1) with t's shape, dtype and device ({@code torch.rand_like}).
   *
   * @param t the template tensor
   * @return a new tensor
   */
  public static Tensor randLike(Tensor t) {
    return rand(shapeOf(t, "randLike"), t.dtype(), t.device());
  }

  /**
   * Standard normal samples with t's shape, dtype and device ({@code torch.randn_like}).
   *
   * @param t the template tensor
   * @return a new tensor
   */
  public static Tensor randnLike(Tensor t) {
    return randn(shapeOf(t, "randnLike"), t.dtype(), t.device());
  }

  // ------------------------------------------------------------------------------------------
  // creation on a device (torch's device= argument). Filled tensors are made there directly; the
  // others are made in host memory and copied over.

  /** Null check and availability check of a creation call's device, naming the op. */
  private static Device dev(Device device, String op) {
    if (device == null) throw new NullPointerException(op + ": device is null");
    return device.isCuda() ? device.checkAvailable(op) : device;
  }

  /** t moved to device; t itself (not a copy) for the CPU. Closes t when a copy was made. */
  private static Tensor moveFresh(Tensor t, Device device) {
    if (device.isCpu()) return t;
    try {
      return t.to(device);
    } finally {
      t.close();
    }
  }

  /**
   * A float32 tensor with uninitialised values on device ({@code torch.empty(shape,
   * device=device)}).
   *
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor empty(long[] shape, Device device) {
    return empty(shape, DType.FLOAT32, device);
  }

  /**
   * {@code torch.empty(shape, dtype=dtype, device=device)}: uninitialised values.
   *
   * @param shape the size of each dim
   * @param dtype the element type
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor empty(long[] shape, DType dtype, Device device) {
    Device d = dev(device, "empty");
    return make(kd_empty_on(shape, ndim(shape, "empty"), dt(dtype, "empty").code(), d.type().code(), d.nativeIndex()));
  }

  /**
   * Float32 zeros on device ({@code torch.zeros(shape, device=device)}).
   *
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor zeros(long[] shape, Device device) {
    return full(shape, 0.0, DType.FLOAT32, device, "zeros");
  }

  /**
   * Zeros of the given dtype on device.
   *
   * @param shape the size of each dim
   * @param dtype the element type
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor zeros(long[] shape, DType dtype, Device device) {
    return full(shape, 0.0, dtype, device, "zeros");
  }

  /**
   * Float32 ones on device ({@code torch.ones(shape, device=device)}).
   *
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor ones(long[] shape, Device device) {
    return full(shape, 1.0, DType.FLOAT32, device, "ones");
  }

  /**
   * Ones of the given dtype on device.
   *
   * @param shape the size of each dim
   * @param dtype the element type
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor ones(long[] shape, DType dtype, Device device) {
    return full(shape, 1.0, dtype, device, "ones");
  }

  /**
   * A float32 tensor filled with value on device ({@code torch.full(shape, value, device=device)}).
   *
   * @param shape the size of each dim
   * @param value the fill value
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor full(long[] shape, double value, Device device) {
    return full(shape, value, DType.FLOAT32, device, "full");
  }

  /**
   * A tensor of the given dtype filled with value on device.
   *
   * @param shape the size of each dim
   * @param value the fill value, converted to dtype
   * @param dtype the element type
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor full(long[] shape, double value, DType dtype, Device device) {
    return full(shape, value, dtype, device, "full");
  }

  private static Tensor full(long[] shape, double value, DType dtype, Device device, String op) {
    Device d = dev(device, op);
    return make(kd_full_on(shape, ndim(shape, op), value, dt(dtype, op).code(), d.type().code(), d.nativeIndex()));
  }

  /**
   * Float32 uniform samples in [0, 1) on device (see {@link #rand(long[], DType, Device)} for
   * streams).
   *
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor rand(long[] shape, Device device) {
    return rand(shape, DType.FLOAT32, device);
  }

  /**
   * Uniform samples in [0, 1) on device. On the CPU these are {@link #rand(long[], DType)}'s
   * numbers (PyTorch's CPU stream); on CUDA they come from the CUDA generator, which
   * {@link Kindling#manualSeed} seeds too (its numbers are not PyTorch's CUDA ones).
   *
   * @param shape the size of each dim
   * @param dtype a floating-point element type
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor rand(long[] shape, DType dtype, Device device) {
    if (dev(device, "rand").isCpu()) return rand(shape, dtype);
    return fillRandom(shape, dtype, device, "rand", false);
  }

  /**
   * Float32 standard normal samples on device (see {@link #rand(long[], DType, Device)} for
   * streams).
   *
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor randn(long[] shape, Device device) {
    return randn(shape, DType.FLOAT32, device);
  }

  /**
   * Standard normal samples on device (see {@link #rand(long[], DType, Device)} for streams).
   *
   * @param shape the size of each dim
   * @param dtype a floating-point element type
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor randn(long[] shape, DType dtype, Device device) {
    if (dev(device, "randn").isCpu()) return randn(shape, dtype);
    return fillRandom(shape, dtype, device, "randn", true);
  }

  private static Tensor fillRandom(long[] shape, DType dtype, Device device, String op, boolean normal) {
    Pins pins = Pins.enter();
    try {
      if (!dt(dtype, op).isFloatingPoint())
        throw new IllegalArgumentException(op + ": expected a floating point dtype, got " + dtype);
      Tensor t = empty(shape, dtype, device);
      try {
        Native.check(normal ? kd_normal_(t.h(op), 0.0, 1.0) : kd_uniform_(t.h(op), 0.0, 1.0));
        return t;
      } catch (RuntimeException e) {
        t.close();
        throw e;
      }
    } finally {
      pins.exit();
    }
  }

  /**
   * {@link #randint(long, long, long[], DType)} drawn on the CPU generator, then moved to device.
   *
   * @param low the inclusive lower bound
   * @param high the exclusive upper bound
   * @param shape the size of each dim
   * @param dtype the element type
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor randint(long low, long high, long[] shape, DType dtype, Device device) {
    Device d = dev(device, "randint");
    return moveFresh(randint(low, high, shape, dtype), d);
  }

  /**
   * {@link #arange(double, double, double, DType)} computed on the CPU, then moved to device.
   *
   * @param start the first value
   * @param end the exclusive bound
   * @param step the non-zero increment
   * @param dtype the element type
   * @param device where the data lives
   * @return a new 1-D tensor
   */
  public static Tensor arange(double start, double end, double step, DType dtype, Device device) {
    Device d = dev(device, "arange");
    return moveFresh(arange(start, end, step, dtype), d);
  }

  /**
   * {@link #linspace(double, double, long, DType)} computed on the CPU, then moved to device.
   *
   * @param start the first value
   * @param end the last value
   * @param steps how many values
   * @param dtype the element type
   * @param device where the data lives
   * @return a new 1-D tensor
   */
  public static Tensor linspace(double start, double end, long steps, DType dtype, Device device) {
    Device d = dev(device, "linspace");
    return moveFresh(linspace(start, end, steps, dtype), d);
  }

  /**
   * {@link #eye(long, long, DType)} built on the CPU, then moved to device.
   *
   * @param n rows
   * @param m columns
   * @param dtype the element type
   * @param device where the data lives
   * @return a new 2-D tensor
   */
  public static Tensor eye(long n, long m, DType dtype, Device device) {
    Device d = dev(device, "eye");
    return moveFresh(eye(n, m, dtype), d);
  }

  /**
   * A float32 tensor holding a copy of data, on device ({@code torch.tensor(data, device=…)}).
   *
   * @param data the elements in row-major order
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor fromArray(float[] data, long[] shape, Device device) {
    Device d = dev(device, "fromArray");
    return moveFresh(fromArray(data, shape), d);
  }

  /**
   * A float64 tensor holding a copy of data, on device.
   *
   * @param data the elements in row-major order
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor fromArray(double[] data, long[] shape, Device device) {
    Device d = dev(device, "fromArray");
    return moveFresh(fromArray(data, shape), d);
  }

  /**
   * An int64 tensor holding a copy of data, on device.
   *
   * @param data the elements in row-major order
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor fromArray(long[] data, long[] shape, Device device) {
    Device d = dev(device, "fromArray");
    return moveFresh(fromArray(data, shape), d);
  }

  /**
   * A bool tensor holding a copy of data, on device.
   *
   * @param data the elements in row-major order
   * @param shape the size of each dim
   * @param device where the data lives
   * @return a new tensor
   */
  public static Tensor fromArray(boolean[] data, long[] shape, Device device) {
    Device d = dev(device, "fromArray");
    return moveFresh(fromArray(data, shape), d);
  }

  /**
   * A 0-dim tensor on device.
   *
   * @param value the element, converted to dtype
   * @param dtype the element type
   * @param device where the data lives
   * @return a new 0-dim tensor
   */
  public static Tensor scalar(double value, DType dtype, Device device) {
    return full(new long[0], value, dtype, device, "scalar");
  }

  private static long[] shapeOf(Tensor t, String op) {
    Pins pins = Pins.enter();
    try {
      if (t == null) throw new NullPointerException(op + ": tensor is null");
      t.h(op);
      return t.shape();
    } finally {
      pins.exit();
    }
  }

  // ------------------------------------------------------------------------------------------
  // metadata

  /**
   * The element type ({@code t.dtype}).
   *
   * @return this tensor's dtype
   */
  public DType dtype() {
    Pins pins = Pins.enter();
    try {
      return DType.fromCode(kd_dtype(h("dtype")));
    } finally {
      pins.exit();
    }
  }

  /**
   * Where the data lives: {@link Device#CPU} or {@code cuda:N} ({@code t.device}).
   *
   * @return this tensor's device
   */
  public Device device() {
    Pins pins = Pins.enter();
    try {
      long h = h("device");
      return kd_device(h) == Device.Type.CPU.code() ? Device.CPU : Device.cuda(kd_device_index(h));
    } finally {
      pins.exit();
    }
  }

  /**
   * Whether the data lives on a CUDA device ({@code t.is_cuda}).
   *
   * @return true on a CUDA device
   */
  public boolean isCuda() {
    Pins pins = Pins.enter();
    try {
      return kd_device(h("isCuda")) == Device.Type.CUDA.code();
    } finally {
      pins.exit();
    }
  }

  /**
   * Whether the data lives in host memory.
   *
   * @return true on the CPU
   */
  public boolean isCpu() {
    Pins pins = Pins.enter();
    try {
      return kd_device(h("isCpu")) == Device.Type.CPU.code();
    } finally {
      pins.exit();
    }
  }

  /**
   * The number of dims ({@code t.dim()}); 0 for a scalar.
   *
   * @return the number of dims
   */
  public int dim() {
    Pins pins = Pins.enter();
    try {
      return kd_ndim(h("dim"));
    } finally {
      pins.exit();
    }
  }

  /**
   * Same as {@link #dim()}.
   *
   * @return the number of dims
   */
  public int ndim() {
    return dim();
  }

  /**
   * The total number of elements ({@code t.numel()}).
   *
   * @return the product of the sizes
   */
  public long numel() {
    Pins pins = Pins.enter();
    try {
      return kd_numel(h("numel"));
    } finally {
      pins.exit();
    }
  }

  /**
   * The sizes, like {@code t.shape}.
   *
   * @return a fresh array of the sizes
   */
  public long[] shape() {
    Pins pins = Pins.enter();
    try {
      long h = h("shape");
      long[] out = new long[kd_ndim(h)];
      if (out.length > 0) kd_shape(h, out);
      return out;
    } finally {
      pins.exit();
    }
  }

  /**
   * Same as {@link #shape()}, like {@code t.size()}.
   *
   * @return a fresh array of the sizes
   */
  public long[] size() {
    return shape();
  }

  /**
   * The size of one dim ({@code t.size(dim)}).
   *
   * @param dim the dim, negative counts from the end
   * @return that dim's size
   * @throws IndexOutOfBoundsException if dim is out of range
   */
  public long size(int dim) {
    Pins pins = Pins.enter();
    try {
      long h = h("size");
      return kd_size(h, wrapDim(dim, kd_ndim(h), "size"));
    } finally {
      pins.exit();
    }
  }

  /**
   * The strides in elements ({@code t.stride()}).
   *
   * @return a fresh array with one stride per dim
   */
  public long[] stride() {
    Pins pins = Pins.enter();
    try {
      long h = h("stride");
      long[] out = new long[kd_ndim(h)];
      if (out.length > 0) kd_strides(h, out);
      return out;
    } finally {
      pins.exit();
    }
  }

  /**
   * The stride of one dim in elements ({@code t.stride(dim)}).
   *
   * @param dim the dim, negative counts from the end
   * @return that dim's stride
   * @throws IndexOutOfBoundsException if dim is out of range
   */
  public long stride(int dim) {
    Pins pins = Pins.enter();
    try {
      long h = h("stride");
      return kd_stride(h, wrapDim(dim, kd_ndim(h), "stride"));
    } finally {
      pins.exit();
    }
  }

  /**
   * The offset in elements of this view's first element in its storage ({@code
   * t.storage_offset()}).
   *
   * @return the storage offset
   */
  public long storageOffset() {
    Pins pins = Pins.enter();
    try {
      return kd_storage_offset(h("storageOffset"));
    } finally {
      pins.exit();
    }
  }

  /**
   * Whether the elements lie in row-major order without gaps ({@code t.is_contiguous()}).
   *
   * @return true if contiguous
   */
  public boolean isContiguous() {
    Pins pins = Pins.enter();
    try {
      return kd_is_contiguous(h("isContiguous")) != 0;
    } finally {
      pins.exit();
    }
  }

  /**
   * Whether the dtype is float32 or float64 ({@code t.is_floating_point()}).
   *
   * @return true for a floating-point dtype
   */
  public boolean isFloatingPoint() {
    return dtype().isFloatingPoint();
  }

  /**
   * Whether this tensor and other view the same storage.
   *
   * @param other another tensor
   * @return true if both share one storage
   */
  public boolean sharesStorageWith(Tensor other) {
    Pins pins = Pins.enter();
    try {
      return kd_same_storage(h("sharesStorageWith"), h(other, "sharesStorageWith", "other")) != 0;
    } finally {
      pins.exit();
    }
  }

  /**
   * The storage's version counter, bumped by every in-place op (PyTorch's {@code _version}).
   *
   * @return the current version
   */
  public long version() {
    Pins pins = Pins.enter();
    try {
      return kd_version_counter(h("version"));
    } finally {
      pins.exit();
    }
  }

  static int wrapDim(int dim, int ndim, String op) {
    int n = Math.max(ndim, 1);
    if (dim < -n || dim >= n)
      throw new IndexOutOfBoundsException(op + ": dimension out of range (expected to be in range of [" + (-n) + ", " + (n - 1) + "], but got " + dim + ")");
    return dim < 0 ? dim + n : dim;
  }

  // ------------------------------------------------------------------------------------------
  // reading values

  /**
   * A handle whose values the host can read: h itself for a CPU tensor, else a fresh detached copy
   * in host memory that the caller releases ({@link #releaseHost}). Reading goes through here so a
   * CUDA tensor's device pointer never reaches a host copy loop.
   */
  private static long hostReadable(long h) {
    if (kd_device(h) == Device.Type.CPU.code()) return h;
    long d = Native.check(kd_detach(h));
    try {
      return Native.check(kd_to_device(d, Device.Type.CPU.code(), 0));
    } finally {
      kd_release(d);
    }
  }

  private static void releaseHost(long readable, long h) {
    if (readable != h) kd_release(readable);
  }

  /**
   * The value of a one-element tensor, as a double.
   *
   * @return the single element converted to double
   */
  public double item() {
    Pins pins = Pins.enter();
    try {
      long h = h("item");
      double[] out = new double[1];
      long r = hostReadable(h);
      try {
        Native.check(kd_item(r, out));
      } finally {
        releaseHost(r, h);
      }
      return out[0];
    } finally {
      pins.exit();
    }
  }

  /**
   * The value of a one-element tensor as a float ({@code t.item()}).
   *
   * @return the single element converted to float
   */
  public float itemFloat() {
    return (float) item();
  }

  /**
   * The value of a one-element tensor as a long, read exactly (no detour through double).
   *
   * @return the single element converted to long
   * @throws IllegalArgumentException if the tensor does not have exactly one element
   */
  public long itemLong() {
    Pins pins = Pins.enter();
    try {
      long h = h("item");
      if (kd_numel(h) != 1)
        throw new IllegalArgumentException("item: a Tensor with " + kd_numel(h) + " elements cannot be converted to Scalar");
      long[] out = new long[1];
      long r = hostReadable(h);
      try {
        Native.check(kd_copy_to_long(r, out, 1));
      } finally {
        releaseHost(r, h);
      }
      return out[0];
    } finally {
      pins.exit();
    }
  }

  /**
   * The value of a one-element tensor as a boolean: true when it is non-zero.
   *
   * @return whether the single element is non-zero
   */
  public boolean itemBoolean() {
    return item() != 0;
  }

  private int count(String op) {
    Pins pins = Pins.enter();
    try {
      long n = kd_numel(h(op));
      if (n > Integer.MAX_VALUE - 8) throw new IllegalStateException(op + ": " + n + " elements do not fit a Java array");
      return (int) n;
    } finally {
      pins.exit();
    }
  }

  /**
   * All values in row-major order, converted to float.
   *
   * @return a new array with numel() values
   */
  public float[] toFloatArray() {
    Pins pins = Pins.enter();
    try {
      int n = count("toFloatArray");
      float[] out = new float[n];
      long h = h("read"), r = hostReadable(h);
      try {
        Native.check(kd_copy_to_float(r, out, n));
      } finally {
        releaseHost(r, h);
      }
      return out;
    } finally {
      pins.exit();
    }
  }

  /**
   * All values in row-major order, converted to double.
   *
   * @return a new array with numel() values
   */
  public double[] toDoubleArray() {
    Pins pins = Pins.enter();
    try {
      int n = count("toDoubleArray");
      double[] out = new double[n];
      long h = h("read"), r = hostReadable(h);
      try {
        Native.check(kd_copy_to_double(r, out, n));
      } finally {
        releaseHost(r, h);
      }
      return out;
    } finally {
      pins.exit();
    }
  }

  /**
   * All values in row-major order, converted to long (floats truncate toward zero, as {@code
   * .long()}).
   *
   * @return a new array with numel() values
   */
  public long[] toLongArray() {
    Pins pins = Pins.enter();
    try {
      int n = count("toLongArray");
      long[] out = new long[n];
      long h = h("read"), r = hostReadable(h);
      try {
        Native.check(kd_copy_to_long(r, out, n));
      } finally {
        releaseHost(r, h);
      }
      return out;
    } finally {
      pins.exit();
    }
  }

  /**
   * All values in row-major order as booleans (non-zero is true).
   *
   * @return a new array with numel() values
   */
  public boolean[] toBooleanArray() {
    Pins pins = Pins.enter();
    try {
      int n = count("toBooleanArray");
      byte[] b = new byte[n];
      long h = h("read"), r = hostReadable(h);
      try {
        Native.check(kd_copy_to_bool(r, b, n));
      } finally {
        releaseHost(r, h);
      }
      boolean[] out = new boolean[n];
      for (int i = 0; i < n; i++) out[i] = b[i] != 0;
      return out;
    } finally {
      pins.exit();
    }
  }

  /** Prints like PyTorch: {@code tensor([[1., 2.], [3., 4.]])} with dtype when not the default. */
  @Override
  public String toString() {
    Pins pins = Pins.enter();
    try {
      if (isClosed()) return "tensor(<closed>)";
      List<String> suffixes = new ArrayList<>(1);
      long h;
      try {
        h = h("toString");
      } catch (IllegalStateException closedMeanwhile) {
        return "tensor(<closed>)";
      }
      long node = kd_grad_fn(h);
      if (node != 0) {
        suffixes.add("grad_fn=<" + kd_node_name(node) + ">");
        kd_node_release(node);
      } else if (kd_requires_grad(h) != 0) {
        suffixes.add("requires_grad=True");
      }
      return TensorFormatter.format(this, suffixes);
    } finally {
      pins.exit();
    }
  }

  // ------------------------------------------------------------------------------------------
  // autograd

  /**
   * Whether gradients are recorded for this tensor (a leaf that asked for it, or a result).
   *
   * @return true if autograd records ops on this tensor
   */
  public boolean requiresGrad() {
    Pins pins = Pins.enter();
    try {
      return kd_requires_grad(h("requiresGrad")) != 0;
    } finally {
      pins.exit();
    }
  }

  /**
   * Sets requires_grad on a leaf (floating point only), like {@code t.requires_grad_(flag)}.
   *
   * @param flag whether to record gradients for this leaf
   * @return this tensor
   */
  public Tensor requiresGrad_(boolean flag) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_set_requires_grad(h("requires_grad_"), flag ? 1 : 0));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * Same as {@code requiresGrad_(true)}, like {@code t.requires_grad_()}.
   *
   * @return this tensor
   */
  public Tensor requiresGrad_() {
    return requiresGrad_(true);
  }

  /**
   * The accumulated gradient ({@code t.grad}), or null. Each call returns a new handle to the
   * same native gradient (owned by the current scope, or the caller).
   *
   * @return the gradient, or null if none has been accumulated
   */
  public Tensor grad() {
    Pins pins = Pins.enter();
    try {
      long[] out = new long[1];
      Native.check(kd_grad(h("grad"), out));
      return out[0] == 0 ? null : wrap(out[0]);
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.grad = g} (null clears it, like {@code t.grad = None}).
   *
   * @param g the new gradient, with this tensor's shape, or null
   * @return this tensor
   */
  public Tensor setGrad(Tensor g) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_set_grad(h("grad"), g == null ? 0 : g.h("grad")));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * True for tensors not made by a recorded op (user-created tensors and parameters).
   *
   * @return true for a leaf
   */
  public boolean isLeaf() {
    Pins pins = Pins.enter();
    try {
      return kd_is_leaf(h("isLeaf")) != 0;
    } finally {
      pins.exit();
    }
  }

  /**
   * Keep .grad of this non-leaf tensor after backward.
   *
   * @return this tensor
   */
  public Tensor retainGrad() {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_retain_grad(h("retain_grad")));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * Whether {@link #retainGrad()} was called on this non-leaf ({@code t.retains_grad}).
   *
   * @return true if .grad is kept after backward
   */
  public boolean retainsGrad() {
    Pins pins = Pins.enter();
    try {
      return kd_retains_grad(h("retains_grad")) != 0;
    } finally {
      pins.exit();
    }
  }

  /**
   * A tensor sharing this one's data with no history ({@code t.detach()}).
   *
   * @return a new tensor without grad_fn and with requires_grad false
   */
  public Tensor detach() {
    Pins pins = Pins.enter();
    try {
      return make(kd_detach(h("detach")));
    } finally {
      pins.exit();
    }
  }

  /**
   * Drops this tensor's history in place ({@code t.detach_()}).
   *
   * @return this tensor
   */
  public Tensor detach_() {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_detach_(h("detach_")));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.data}: the same data, untracked by autograd (in-place changes are not recorded).
   *
   * @return a new tensor on the same data, not tracked by autograd
   */
  public Tensor data() {
    Pins pins = Pins.enter();
    try {
      return make(kd_detach(h("data")));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.data = src}: this tensor now shares src's data, shape and dtype while keeping its own
   * autograd state (requires_grad, hooks), so a module's parameter object can be replaced in
   * place. A .grad that no longer matches the new dtype or shape is cleared.
   *
   * @param src the tensor whose data this one takes
   * @return this tensor
   */
  public Tensor setData(Tensor src) {
    Pins pins = Pins.enter();
    try {
      if (src == null) throw new NullPointerException("setData: src is null");
      Native.check(kd_set_data(h("set_data"), src.h("set_data")));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * The backward function that made this tensor ({@code t.grad_fn}), or null for leaves.
   *
   * @return the grad_fn node, or null
   */
  public Node gradFn() {
    Pins pins = Pins.enter();
    try {
      return Node.wrap(kd_grad_fn(h("grad_fn")));
    } finally {
      pins.exit();
    }
  }

  /** Computes gradients of this one-element tensor w.r.t. the leaves ({@code t.backward()}). */
  public void backward() {
    backward(null, false, false);
  }

  /**
   * {@code t.backward(gradient)}: gradient has this tensor's shape.
   *
   * @param gradient d(output)/d(this), or null for a scalar output (meaning 1)
   */
  public void backward(Tensor gradient) {
    backward(gradient, false, false);
  }

  /**
   * {@code t.backward(gradient, retain_graph)}: like {@link #backward(Tensor)}, optionally keeping
   * the graph for another backward.
   *
   * @param gradient d(output)/d(this), or null for a scalar output
   * @param retainGraph keep the graph's saved tensors after this pass
   */
  public void backward(Tensor gradient, boolean retainGraph) {
    backward(gradient, retainGraph, false);
  }

  /**
   * {@code t.backward(gradient, retain_graph, create_graph)}.
   *
   * @param gradient d(output)/d(this), or null for a scalar output
   * @param retainGraph keep the graph's saved tensors after this pass
   * @param createGraph record the backward pass itself, for higher-order gradients
   */
  public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
    Pins pins = Pins.enter();
    try {
      long[] roots = {h("backward")};
      long[] grads = {gradient == null ? 0 : gradient.h("backward")};
      Native.check(kd_backward(roots, grads, 1, retainGraph ? 1 : 0, createGraph ? 1 : 0, NO_DIMS, 0));
    } finally {
      pins.exit();
    }
  }

  /**
   * Registers a hook on this tensor's gradient ({@code t.register_hook(fn)}): it runs during
   * backward with the gradient and may return a replacement (or null / the same tensor to keep
   * it). An exception thrown by the hook stops backward and comes out of it.
   *
   * @param hook receives the gradient; returns a replacement or null
   * @return a handle whose remove() unregisters the hook
   */
  public RemovableHandle registerHook(Function<Tensor, Tensor> hook) {
    Pins pins = Pins.enter();
    try {
      if (hook == null) throw new NullPointerException("register_hook: hook is null");
      long self = h("register_hook");
      long id = Hooks.add(grad -> {
        Tensor g = wrap(grad);
        Tensor r = hook.apply(g);
        if (r == null || r == g) return 0;
        // As PyTorch: a hook may replace the gradient but not change its size or dtype.
        if (!java.util.Arrays.equals(r.shape(), g.shape()))
          throw new IllegalArgumentException("register_hook: hook has changed the size of value: the gradient has shape "
              + java.util.Arrays.toString(g.shape()) + " but the hook returned " + java.util.Arrays.toString(r.shape()));
        if (r.dtype() != g.dtype())
          throw new IllegalArgumentException("register_hook: hook has changed the type of value: the gradient is "
              + g.dtype() + " but the hook returned " + r.dtype());
        Pins inner = Pins.enter();
        try {
          return KindlingNative.kd_retain(r.h("register_hook (returned gradient)"));
        } finally {
          inner.exit();
        }
      });
      int st = kd_register_hook(self, id);
      if (st != 0) {
        Hooks.remove(id);
        Native.check(st);
      }
      final java.lang.ref.WeakReference<Tensor> target = new java.lang.ref.WeakReference<>(this);
      return new RemovableHandle() {
        private boolean removed;

        @Override
        public void remove() {
          if (removed) return;
          removed = true;
          Tensor t = target.get();
          if (t != null && !t.isClosed()) {
            Pins pins = Pins.enter();
            try {
              kd_remove_hook(t.h("remove hook"), id);
            } catch (IllegalStateException closedMeanwhile) {
              // closed by another thread: its hooks went with it
            } finally {
              pins.exit();
            }
          }
          Hooks.remove(id);
        }
      };
    } finally {
      pins.exit();
    }
  }

  // ------------------------------------------------------------------------------------------
  // views

  /**
   * A new tensor object sharing this one's data and layout (PyTorch's alias / detach form).
   *
   * @return a new view of all the data
   */
  public Tensor alias() {
    Pins pins = Pins.enter();
    try {
      return make(kd_alias(h("alias")));
    } finally {
      pins.exit();
    }
  }

  /**
   * A view with a new shape over the same data ({@code t.view(*shape)}); one size may be -1
   * (inferred).
   *
   * @param shape the new sizes, with the same element count
   * @return a view sharing this storage
   * @throws IllegalArgumentException if the strides do not allow the view (use reshape) or the
   *     count differs
   */
  public Tensor view(long... shape) {
    Pins pins = Pins.enter();
    try {
      return make(kd_view(h("view"), shape, ndim2(shape, "view")));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.reshape(*shape)}: a view when the strides allow, else a copy; one size may be -1.
   *
   * @param shape the new sizes, with the same element count
   * @return a tensor with that shape
   */
  public Tensor reshape(long... shape) {
    Pins pins = Pins.enter();
    try {
      return make(kd_reshape(h("reshape"), shape, ndim2(shape, "reshape")));
    } finally {
      pins.exit();
    }
  }

  private static int ndim2(long[] shape, String op) {
    if (shape == null) throw new NullPointerException(op + ": shape is null");
    return shape.length;
  }

  /**
   * {@code t.view_as(other)}: a view with other's shape.
   *
   * @param other the tensor whose shape to take
   * @return a view sharing this storage
   */
  public Tensor viewAs(Tensor other) {
    Pins pins = Pins.enter();
    try {
      h(other, "viewAs", "other");
      return view(other.shape());
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.transpose(dim0, dim1)}: a view with the two dims swapped.
   *
   * @param dim0 the first dim
   * @param dim1 the second dim
   * @return a view sharing this storage
   */
  public Tensor transpose(int dim0, int dim1) {
    Pins pins = Pins.enter();
    try {
      return make(kd_transpose(h("transpose"), dim0, dim1));
    } finally {
      pins.exit();
    }
  }

  /**
   * Transpose of a tensor with at most 2 dims, like {@code t.t()}.
   *
   * @return the transposed view
   */
  public Tensor t() {
    int d = dim();
    if (d > 2) throw new IllegalArgumentException("t: expects a tensor with <= 2 dimensions, but self is " + d + "D");
    return d < 2 ? alias() : transpose(0, 1);
  }

  /**
   * {@code t.mT}: the last two dims swapped (the transpose of each matrix in a batch).
   *
   * @return a view with the last two dims swapped
   */
  public Tensor mT() {
    return transpose(-2, -1);
  }

  /**
   * {@code t.permute(*dims)}: a view with the dims reordered.
   *
   * @param dims a permutation of 0 … dim()-1 (negative allowed)
   * @return a view sharing this storage
   */
  public Tensor permute(int... dims) {
    Pins pins = Pins.enter();
    try {
      if (dims == null) throw new NullPointerException("permute: dims is null");
      long[] d = new long[dims.length];
      for (int i = 0; i < d.length; i++) d[i] = dims[i];
      return make(kd_permute(h("permute"), d, d.length));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t[start:end:step]} along dim (Python slice semantics, step &gt; 0).
   *
   * @param dim the dim to slice
   * @param start the first index (clamped, negative counts from the end)
   * @param end the exclusive end (clamped, negative counts from the end)
   * @param step the positive step
   * @return a view sharing this storage
   */
  public Tensor slice(int dim, long start, long end, long step) {
    Pins pins = Pins.enter();
    try {
      return make(kd_slice(h("slice"), dim, start, end, step));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t[start:end]} along dim (Python slice semantics).
   *
   * @param dim the dim to slice
   * @param start the first index (clamped, negative counts from the end)
   * @param end the exclusive end (clamped, negative counts from the end)
   * @return a view sharing this storage
   */
  public Tensor slice(int dim, long start, long end) {
    return slice(dim, start, end, 1);
  }

  /**
   * {@code t.narrow(dim, start, length)}: the view of length indices from start along dim.
   *
   * @param dim the dim to narrow
   * @param start the first index (negative counts from the end)
   * @param length how many indices; start+length must fit
   * @return a view sharing this storage
   */
  public Tensor narrow(int dim, long start, long length) {
    Pins pins = Pins.enter();
    try {
      return make(kd_narrow(h("narrow"), dim, start, length));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.select(dim, index)}: removes dim, taking one index.
   *
   * @param dim the dim to remove
   * @param index the index to take along it (negative counts from the end)
   * @return a view with one dim fewer
   */
  public Tensor select(int dim, long index) {
    Pins pins = Pins.enter();
    try {
      return make(kd_select(h("select"), dim, index));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t[i]}, {@code t[i, j]}, …: selects along the leading dims.
   *
   * @param indices one index per leading dim
   * @return a view with indices.length dims fewer
   */
  public Tensor get(long... indices) {
    if (indices == null) throw new NullPointerException("get: indices is null");
    Tensor cur = this;
    List<Tensor> tmp = new ArrayList<>();
    try {
      for (long i : indices) {
        cur = cur.select(0, i);
        tmp.add(cur);
      }
      Tensor result = indices.length == 0 ? alias() : cur;
      tmp.remove(result);
      return result;
    } finally {
      for (Tensor t : tmp) t.close();
    }
  }

  /**
   * {@code t.expand(*shape)}: a broadcast view where size-1 dims are repeated with stride 0; -1
   * keeps a size.
   *
   * @param shape the target sizes (may add leading dims)
   * @return a view sharing this storage
   */
  public Tensor expand(long... shape) {
    Pins pins = Pins.enter();
    try {
      return make(kd_expand(h("expand"), shape, ndim2(shape, "expand")));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.expand_as(other)}: this tensor broadcast to other's shape.
   *
   * @param other the tensor whose shape to take
   * @return a view sharing this storage
   */
  public Tensor expandAs(Tensor other) {
    Pins pins = Pins.enter();
    try {
      h(other, "expandAs", "other");
      return expand(other.shape());
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.squeeze()}: a view with every size-1 dim removed.
   *
   * @return a view sharing this storage
   */
  public Tensor squeeze() {
    Pins pins = Pins.enter();
    try {
      return make(kd_squeeze(h("squeeze")));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.squeeze(dim)}: a view without dim if its size is 1 (else the same shape).
   *
   * @param dim the dim to remove
   * @return a view sharing this storage
   */
  public Tensor squeeze(int dim) {
    Pins pins = Pins.enter();
    try {
      return make(kd_squeeze_dim(h("squeeze"), dim));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.unsqueeze(dim)}: a view with a new size-1 dim at position dim.
   *
   * @param dim where to insert, in [-dim()-1, dim()]
   * @return a view sharing this storage
   */
  public Tensor unsqueeze(int dim) {
    Pins pins = Pins.enter();
    try {
      return make(kd_unsqueeze(h("unsqueeze"), dim));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.flatten()}: all dims merged into one (a view when possible).
   *
   * @return a 1-D tensor (0-dim becomes 1-D of size 1)
   */
  public Tensor flatten() {
    return flatten(0, -1);
  }

  /**
   * {@code t.flatten(start_dim)}: dims from startDim to the last merged into one.
   *
   * @param startDim the first dim to merge
   * @return the flattened tensor
   */
  public Tensor flatten(int startDim) {
    return flatten(startDim, -1);
  }

  /**
   * {@code t.flatten(start_dim, end_dim)}: dims startDim … endDim merged into one (a view when
   * possible).
   *
   * @param startDim the first dim to merge
   * @param endDim the last dim to merge (inclusive)
   * @return the flattened tensor
   */
  public Tensor flatten(int startDim, int endDim) {
    Pins pins = Pins.enter();
    try {
      return make(kd_flatten(h("flatten"), startDim, endDim));
    } finally {
      pins.exit();
    }
  }

  /**
   * A contiguous tensor with the same values (this data if already contiguous).
   *
   * @return a contiguous tensor
   */
  public Tensor contiguous() {
    Pins pins = Pins.enter();
    try {
      return make(kd_contiguous(h("contiguous")));
    } finally {
      pins.exit();
    }
  }

  /** A copy with its own storage. */
  public Tensor clone() {
    Pins pins = Pins.enter();
    try {
      return make(kd_clone(h("clone")));
    } finally {
      pins.exit();
    }
  }

  /**
   * Converts to dtype (shares data when the dtype is already right).
   *
   * @param dtype the target element type
   * @return this data in dtype; differentiable between floating dtypes
   */
  public Tensor to(DType dtype) {
    Pins pins = Pins.enter();
    try {
      return make(kd_to_dtype(h("to"), dt(dtype, "to").code()));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.float()}: converted to float32.
   *
   * @return a float32 tensor
   */
  public Tensor toFloat() {
    return to(DType.FLOAT32);
  }

  /**
   * {@code t.double()}: converted to float64.
   *
   * @return a float64 tensor
   */
  public Tensor toDouble() {
    return to(DType.FLOAT64);
  }

  /**
   * {@code t.long()}: converted to int64 (floats truncate toward zero).
   *
   * @return an int64 tensor
   */
  public Tensor toLong() {
    return to(DType.INT64);
  }

  /**
   * {@code t.bool()}: converted to bool (non-zero is true).
   *
   * @return a bool tensor
   */
  public Tensor toBool() {
    return to(DType.BOOL);
  }

  /**
   * This tensor on device ({@code t.to(device)}): a copy there, recorded by autograd (the gradient
   * flows back to this tensor's device), or, when it is already there, a new handle to this very
   * tensor (PyTorch returns {@code self}: same data, same autograd identity). Asking for a CUDA
   * device this process cannot use throws {@link UnsupportedOperationException} saying why.
   *
   * @param device the target device
   * @return this tensor on device
   */
  public Tensor to(Device device) {
    Pins pins = Pins.enter();
    try {
      if (device == null) throw new NullPointerException("to: device is null");
      long h = h("to");
      if (device.isCuda()) device.checkAvailable("to");
      return make(kd_to_device(h, device.type().code(), device.nativeIndex()));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.to(device, dtype)}: converts the dtype, then moves (each step only when needed).
   *
   * @param device the target device
   * @param dtype the target element type
   * @return this tensor converted and moved
   */
  public Tensor to(Device device, DType dtype) {
    if (device == null) throw new NullPointerException("to: device is null");
    dt(dtype, "to");
    if (dtype == dtype()) return to(device);
    if (device.isCuda()) device.checkAvailable("to");
    Tensor converted = to(dtype);
    try {
      return converted.to(device);
    } finally {
      converted.close();
    }
  }

  /**
   * {@code t.cuda()}: this tensor on CUDA device 0.
   *
   * @return this tensor on cuda:0
   */
  public Tensor cuda() {
    return to(Device.cuda());
  }

  /**
   * {@code t.cuda(index)}.
   *
   * @param index the CUDA device ordinal
   * @return this tensor on cuda:index
   */
  public Tensor cuda(int index) {
    return to(Device.cuda(index));
  }

  /**
   * {@code t.cpu()}: this tensor in host memory (itself, as a new handle, when already there).
   *
   * @return this tensor on the CPU
   */
  public Tensor cpu() {
    return to(Device.CPU);
  }

  // ------------------------------------------------------------------------------------------
  // elementwise

  private Tensor unary(int op, String name) {
    Pins pins = Pins.enter();
    try {
      return make(kd_unary(op, h(name)));
    } finally {
      pins.exit();
    }
  }

  private Tensor unary_(int op, String name) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_unary_(op, h(name)));
      return this;
    } finally {
      pins.exit();
    }
  }

  private Tensor binary(int op, Tensor other, String name) {
    Pins pins = Pins.enter();
    try {
      return make(kd_binary(op, h(name), h(other, name, "other")));
    } finally {
      pins.exit();
    }
  }

  private Tensor binary_(int op, Tensor other, String name) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_binary_(op, h(name), h(other, name, "other")));
      return this;
    } finally {
      pins.exit();
    }
  }

  private Tensor scalarOp(int op, double s, int kind, String name) {
    Pins pins = Pins.enter();
    try {
      return make(kd_binary_scalar(op, h(name), s, kind));
    } finally {
      pins.exit();
    }
  }

  private Tensor scalarOp_(int op, double s, int kind, String name) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_binary_scalar_(op, h(name), s, kind));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code torch.add(self, other)}: elementwise sum with broadcasting and type promotion.
   *
   * @param other the second operand, broadcastable to this shape
   * @return a new tensor
   */
  public Tensor add(Tensor other) { return binary(ADD, other, "add"); }
  /**
   * this + alpha * other
   *
   * @param other the second operand, broadcastable
   * @param alpha the factor on other
   * @return a new tensor ({@code torch.add(self, other, alpha=alpha)})
   */
  public Tensor add(Tensor other, double alpha) {
    Pins pins = Pins.enter();
    try {
      return make(kd_add_scaled(h("add"), h(other, "add", "other"), alpha));
    } finally {
      pins.exit();
    }
  }
  /**
   * Adds a Python float scalar ({@code t + s}); an integer tensor becomes float32.
   *
   * @param s the scalar
   * @return a new tensor
   */
  public Tensor add(double s) { return scalarOp(ADD, s, K_FLOAT, "add"); }
  /**
   * Adds a Python int scalar ({@code t + s}); keeps this tensor's dtype.
   *
   * @param s the scalar
   * @return a new tensor
   */
  public Tensor add(long s) { return scalarOp(ADD, s, K_LONG, "add"); }
  /**
   * {@code torch.sub(self, other)}: elementwise difference with broadcasting.
   *
   * @param other the subtrahend, broadcastable
   * @return a new tensor
   */
  public Tensor sub(Tensor other) { return binary(SUB, other, "sub"); }
  /**
   * {@code torch.sub(self, other, alpha=alpha)}: this - alpha * other.
   *
   * @param other the subtrahend, broadcastable
   * @param alpha the factor on other
   * @return a new tensor
   */
  public Tensor sub(Tensor other, double alpha) {
    Pins pins = Pins.enter();
    try {
      return make(kd_add_scaled(h("sub"), h(other, "sub", "other"), -alpha));
    } finally {
      pins.exit();
    }
  }
  /**
   * Subtracts a Python float scalar ({@code t - s}).
   *
   * @param s the scalar
   * @return a new tensor
   */
  public Tensor sub(double s) { return scalarOp(SUB, s, K_FLOAT, "sub"); }
  /**
   * Subtracts a Python int scalar ({@code t - s}); keeps this tensor's dtype.
   *
   * @param s the scalar
   * @return a new tensor
   */
  public Tensor sub(long s) { return scalarOp(SUB, s, K_LONG, "sub"); }
  /**
   * s - this
   *
   * @param s the scalar minuend
   * @return a new tensor ({@code s - t}, {@code torch.rsub})
   */
  public Tensor rsub(double s) {
    Pins pins = Pins.enter();
    try {
      return make(kd_scalar_binary(SUB, s, K_FLOAT, h("rsub")));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code torch.mul(self, other)}: elementwise product with broadcasting.
   *
   * @param other the second factor, broadcastable
   * @return a new tensor
   */
  public Tensor mul(Tensor other) { return binary(MUL, other, "mul"); }
  /**
   * Multiplies by a Python float scalar ({@code t * s}).
   *
   * @param s the scalar
   * @return a new tensor
   */
  public Tensor mul(double s) { return scalarOp(MUL, s, K_FLOAT, "mul"); }
  /**
   * Multiplies by a Python int scalar ({@code t * s}); keeps this tensor's dtype.
   *
   * @param s the scalar
   * @return a new tensor
   */
  public Tensor mul(long s) { return scalarOp(MUL, s, K_LONG, "mul"); }
  /**
   * {@code torch.div(self, other)}: true division with broadcasting; integer inputs give float32.
   *
   * @param other the divisor, broadcastable
   * @return a new tensor
   */
  public Tensor div(Tensor other) { return binary(DIV, other, "div"); }
  /**
   * Divides by a Python float scalar ({@code t / s}).
   *
   * @param s the divisor
   * @return a new tensor
   */
  public Tensor div(double s) { return scalarOp(DIV, s, K_FLOAT, "div"); }
  /**
   * Divides by a Python int scalar ({@code t / s}); true division, so integer tensors give float32.
   *
   * @param s the divisor
   * @return a new tensor
   */
  public Tensor div(long s) { return scalarOp(DIV, s, K_LONG, "div"); }
  /**
   * s / this
   *
   * @param s the scalar dividend
   * @return a new tensor ({@code s / t})
   */
  public Tensor rdiv(double s) {
    Pins pins = Pins.enter();
    try {
      return make(kd_scalar_binary(DIV, s, K_FLOAT, h("rdiv")));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code torch.pow(self, exponent)}: elementwise power with broadcasting.
   *
   * @param exponent the exponents, broadcastable
   * @return a new tensor
   */
  public Tensor pow(Tensor exponent) { return binary(POW, exponent, "pow"); }
  /**
   * {@code t ** exponent} with a Python float exponent.
   *
   * @param exponent the exponent
   * @return a new tensor
   */
  public Tensor pow(double exponent) { return scalarOp(POW, exponent, K_FLOAT, "pow"); }
  /**
   * {@code t ** exponent} with a Python int exponent; keeps this tensor's dtype.
   *
   * @param exponent the exponent
   * @return a new tensor
   */
  public Tensor pow(long exponent) { return scalarOp(POW, exponent, K_LONG, "pow"); }
  /**
   * base ** this
   *
   * @param base the scalar base
   * @return a new tensor ({@code base ** t})
   */
  public Tensor rpow(double base) {
    Pins pins = Pins.enter();
    try {
      return make(kd_scalar_binary(POW, base, K_FLOAT, h("rpow")));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code torch.remainder(self, other)}: Python-style modulo, with the sign of the divisor.
   *
   * @param other the divisor, broadcastable
   * @return a new tensor
   */
  public Tensor remainder(Tensor other) { return binary(REMAINDER, other, "remainder"); }
  /**
   * {@code torch.remainder(self, s)} with a Python float divisor.
   *
   * @param s the divisor
   * @return a new tensor
   */
  public Tensor remainder(double s) { return scalarOp(REMAINDER, s, K_FLOAT, "remainder"); }
  /**
   * {@code torch.remainder(self, s)} with a Python int divisor; keeps this tensor's dtype.
   *
   * @param s the divisor
   * @return a new tensor
   */
  public Tensor remainder(long s) { return scalarOp(REMAINDER, s, K_LONG, "remainder"); }
  /**
   * {@code torch.atan2(self, other)}: elementwise atan(self / other) using both signs for the
   * quadrant.
   *
   * @param other the x coordinates (this tensor holds y), broadcastable
   * @return a new floating tensor
   */
  public Tensor atan2(Tensor other) { return binary(ATAN2, other, "atan2"); }
  /**
   * {@code torch.maximum(self, other)}: the elementwise larger value, propagating NaN.
   *
   * @param other the second operand, broadcastable
   * @return a new tensor
   */
  public Tensor maximum(Tensor other) { return binary(MAXIMUM, other, "maximum"); }
  /**
   * {@code torch.minimum(self, other)}: the elementwise smaller value, propagating NaN.
   *
   * @param other the second operand, broadcastable
   * @return a new tensor
   */
  public Tensor minimum(Tensor other) { return binary(MINIMUM, other, "minimum"); }

  /**
   * {@code torch.eq(self, other)}: elementwise equality with broadcasting.
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor eq(Tensor other) { return binary(EQ, other, "eq"); }
  /**
   * {@code t == s} against a Python float.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor eq(double s) { return scalarOp(EQ, s, K_FLOAT, "eq"); }
  /**
   * {@code t == s} against a Python int.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor eq(long s) { return scalarOp(EQ, s, K_LONG, "eq"); }
  /**
   * {@code torch.ne(self, other)}: elementwise inequality with broadcasting.
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor ne(Tensor other) { return binary(NE, other, "ne"); }
  /**
   * {@code t != s} against a Python float.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor ne(double s) { return scalarOp(NE, s, K_FLOAT, "ne"); }
  /**
   * {@code t != s} against a Python int.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor ne(long s) { return scalarOp(NE, s, K_LONG, "ne"); }
  /**
   * {@code torch.lt(self, other)}: elementwise {@code self < other} with broadcasting.
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor lt(Tensor other) { return binary(LT, other, "lt"); }
  /**
   * {@code t < s} against a Python float.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor lt(double s) { return scalarOp(LT, s, K_FLOAT, "lt"); }
  /**
   * {@code t < s} against a Python int.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor lt(long s) { return scalarOp(LT, s, K_LONG, "lt"); }
  /**
   * {@code torch.le(self, other)}: elementwise {@code self <= other} with broadcasting.
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor le(Tensor other) { return binary(LE, other, "le"); }
  /**
   * {@code t <= s} against a Python float.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor le(double s) { return scalarOp(LE, s, K_FLOAT, "le"); }
  /**
   * {@code t <= s} against a Python int.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor le(long s) { return scalarOp(LE, s, K_LONG, "le"); }
  /**
   * {@code torch.gt(self, other)}: elementwise {@code self > other} with broadcasting.
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor gt(Tensor other) { return binary(GT, other, "gt"); }
  /**
   * {@code t > s} against a Python float.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor gt(double s) { return scalarOp(GT, s, K_FLOAT, "gt"); }
  /**
   * {@code t > s} against a Python int.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor gt(long s) { return scalarOp(GT, s, K_LONG, "gt"); }
  /**
   * {@code torch.ge(self, other)}: elementwise {@code self >= other} with broadcasting.
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor ge(Tensor other) { return binary(GE, other, "ge"); }
  /**
   * {@code t >= s} against a Python float.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor ge(double s) { return scalarOp(GE, s, K_FLOAT, "ge"); }
  /**
   * {@code t >= s} against a Python int.
   *
   * @param s the scalar
   * @return a new bool tensor
   */
  public Tensor ge(long s) { return scalarOp(GE, s, K_LONG, "ge"); }
  /**
   * {@code torch.logical_and}: elementwise AND of the truth values (non-zero is true).
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor logicalAnd(Tensor other) { return binary(LOGICAL_AND, other, "logical_and"); }
  /**
   * {@code torch.logical_or}: elementwise OR of the truth values (non-zero is true).
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor logicalOr(Tensor other) { return binary(LOGICAL_OR, other, "logical_or"); }
  /**
   * {@code torch.logical_xor}: elementwise XOR of the truth values (non-zero is true).
   *
   * @param other the second operand, broadcastable
   * @return a new bool tensor
   */
  public Tensor logicalXor(Tensor other) { return binary(LOGICAL_XOR, other, "logical_xor"); }
  /**
   * {@code torch.logical_not}: true where the element is zero.
   *
   * @return a new bool tensor
   */
  public Tensor logicalNot() { return unary(LOGICAL_NOT, "logical_not"); }

  /**
   * {@code torch.neg}: elementwise {@code -x}.
   *
   * @return a new tensor
   */
  public Tensor neg() { return unary(NEG, "neg"); }
  /**
   * {@code torch.abs}: elementwise absolute value.
   *
   * @return a new tensor
   */
  public Tensor abs() { return unary(ABS, "abs"); }
  /**
   * {@code torch.exp}: elementwise e^x.
   *
   * @return a new floating tensor
   */
  public Tensor exp() { return unary(EXP, "exp"); }
  /**
   * {@code torch.log}: elementwise natural logarithm (NaN below 0, -inf at 0).
   *
   * @return a new floating tensor
   */
  public Tensor log() { return unary(LOG, "log"); }
  /**
   * {@code torch.sqrt}: elementwise square root (NaN below 0).
   *
   * @return a new floating tensor
   */
  public Tensor sqrt() { return unary(SQRT, "sqrt"); }
  /**
   * {@code torch.rsqrt}: elementwise 1 / sqrt(x).
   *
   * @return a new floating tensor
   */
  public Tensor rsqrt() { return unary(RSQRT, "rsqrt"); }
  /**
   * {@code torch.sin}: elementwise sine (radians).
   *
   * @return a new floating tensor
   */
  public Tensor sin() { return unary(SIN, "sin"); }
  /**
   * {@code torch.cos}: elementwise cosine (radians).
   *
   * @return a new floating tensor
   */
  public Tensor cos() { return unary(COS, "cos"); }
  /**
   * {@code torch.tanh}: elementwise hyperbolic tangent.
   *
   * @return a new floating tensor
   */
  public Tensor tanh() { return unary(TANH, "tanh"); }
  /**
   * {@code torch.sigmoid}: elementwise 1 / (1 + e^-x).
   *
   * @return a new floating tensor
   */
  public Tensor sigmoid() { return unary(SIGMOID, "sigmoid"); }
  /**
   * {@code torch.relu}: elementwise max(x, 0).
   *
   * @return a new tensor
   */
  public Tensor relu() { return unary(RELU, "relu"); }
  /**
   * {@code torch.sign}: -1, 0 or 1 by the sign of each element.
   *
   * @return a new tensor
   */
  public Tensor sign() { return unary(SIGN, "sign"); }
  /**
   * {@code torch.reciprocal}: elementwise 1 / x.
   *
   * @return a new floating tensor
   */
  public Tensor reciprocal() { return unary(RECIPROCAL, "reciprocal"); }
  /**
   * {@code torch.square}: elementwise x * x.
   *
   * @return a new tensor
   */
  public Tensor square() { return unary(SQUARE, "square"); }
  /**
   * {@code torch.log1p}: elementwise log(1 + x), accurate for small x.
   *
   * @return a new floating tensor
   */
  public Tensor log1p() { return unary(LOG1P, "log1p"); }
  /**
   * {@code torch.expm1}: elementwise e^x - 1, accurate for small x.
   *
   * @return a new floating tensor
   */
  public Tensor expm1() { return unary(EXPM1, "expm1"); }
  /**
   * {@code torch.floor}: rounds each element down.
   *
   * @return a new tensor
   */
  public Tensor floor() { return unary(FLOOR, "floor"); }
  /**
   * {@code torch.ceil}: rounds each element up.
   *
   * @return a new tensor
   */
  public Tensor ceil() { return unary(CEIL, "ceil"); }
  /**
   * {@code torch.round}: rounds each element to the nearest integer, halves to even.
   *
   * @return a new tensor
   */
  public Tensor round() { return unary(ROUND, "round"); }
  /**
   * The Gauss error function, like {@code torch.erf}; integer and bool inputs give float32.
   *
   * @return a new floating tensor
   */
  public Tensor erf() { return unary(ERF, "erf"); }
  /**
   * In-place {@link #erf()} ({@code t.erf_()}).
   *
   * @return this tensor
   */
  public Tensor erf_() { return unary_(ERF, "erf_"); }

  /**
   * {@code F.leaky_relu(t, negative_slope)}: x where x is positive, else negativeSlope * x.
   *
   * @param negativeSlope the factor for negative inputs
   * @return a new tensor
   */
  public Tensor leakyRelu(double negativeSlope) {
    Pins pins = Pins.enter();
    try {
      return make(kd_leaky_relu(h("leaky_relu"), negativeSlope));
    } finally {
      pins.exit();
    }
  }

  /**
   * Clamps into [min, max]; pass NaN for a missing bound (or use clampMin/clampMax).
   *
   * @param min the lower bound, or NaN for none
   * @param max the upper bound, or NaN for none
   * @return a new tensor ({@code torch.clamp})
   */
  public Tensor clamp(double min, double max) {
    Pins pins = Pins.enter();
    try {
      return make(kd_clamp(h("clamp"), min, max, Double.isNaN(min) ? 0 : 1, Double.isNaN(max) ? 0 : 1));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code torch.clamp(t, min=min)}: max(x, min) elementwise.
   *
   * @param min the lower bound
   * @return a new tensor
   */
  public Tensor clampMin(double min) {
    Pins pins = Pins.enter();
    try {
      return make(kd_clamp(h("clamp_min"), min, 0, 1, 0));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code torch.clamp(t, max=max)}: min(x, max) elementwise.
   *
   * @param max the upper bound
   * @return a new tensor
   */
  public Tensor clampMax(double max) {
    Pins pins = Pins.enter();
    try {
      return make(kd_clamp(h("clamp_max"), 0, max, 0, 1));
    } finally {
      pins.exit();
    }
  }

  /**
   * Elementwise {@code condition ? a : b}, broadcasting all three.
   *
   * @param condition a bool tensor choosing a where true
   * @param a the values where condition is true
   * @param b the values where condition is false
   * @return a new tensor of the broadcast shape ({@code torch.where})
   */
  public static Tensor where(Tensor condition, Tensor a, Tensor b) {
    Pins pins = Pins.enter();
    try {
      return make(kd_where(h(condition, "where", "condition"), h(a, "where", "input"), h(b, "where", "other")));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code where(condition, this, other)}, as {@code t.where(cond, other)}.
   *
   * @param condition a bool tensor choosing this tensor where true
   * @param other the values where condition is false
   * @return a new tensor of the broadcast shape
   */
  public Tensor where(Tensor condition, Tensor other) {
    return where(condition, this, other);
  }

  /**
   * {@code t.masked_fill(mask, value)}: a copy with value where mask is true.
   *
   * @param mask a bool tensor broadcastable to this shape
   * @param value the fill value
   * @return a new tensor
   */
  public Tensor maskedFill(Tensor mask, double value) {
    Pins pins = Pins.enter();
    try {
      return make(kd_masked_fill(h("masked_fill"), h(mask, "masked_fill", "mask"), value));
    } finally {
      pins.exit();
    }
  }

  // in place --------------------------------------------------------------------------------

  /**
   * In-place {@link #add(Tensor)} ({@code t.add_(other)}); other must broadcast to this shape.
   *
   * @param other the addend
   * @return this tensor
   */
  public Tensor add_(Tensor other) { return binary_(ADD, other, "add_"); }
  /**
   * In-place {@code t.add_(other, alpha=alpha)}: this += alpha * other.
   *
   * @param other the addend, broadcastable to this shape
   * @param alpha the factor on other
   * @return this tensor
   */
  public Tensor add_(Tensor other, double alpha) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_add_scaled_(h("add_"), h(other, "add_", "other"), alpha));
      return this;
    } finally {
      pins.exit();
    }
  }
  /**
   * In-place {@code t += s} with a Python float.
   *
   * @param s the scalar
   * @return this tensor
   */
  public Tensor add_(double s) { return scalarOp_(ADD, s, K_FLOAT, "add_"); }
  /**
   * In-place {@code t += s} with a Python int.
   *
   * @param s the scalar
   * @return this tensor
   */
  public Tensor add_(long s) { return scalarOp_(ADD, s, K_LONG, "add_"); }
  /**
   * In-place {@link #sub(Tensor)} ({@code t.sub_(other)}).
   *
   * @param other the subtrahend, broadcastable to this shape
   * @return this tensor
   */
  public Tensor sub_(Tensor other) { return binary_(SUB, other, "sub_"); }
  /**
   * In-place {@code t.sub_(other, alpha=alpha)}: this -= alpha * other.
   *
   * @param other the subtrahend, broadcastable to this shape
   * @param alpha the factor on other
   * @return this tensor
   */
  public Tensor sub_(Tensor other, double alpha) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_add_scaled_(h("sub_"), h(other, "sub_", "other"), -alpha));
      return this;
    } finally {
      pins.exit();
    }
  }
  /**
   * In-place {@code t -= s} with a Python float.
   *
   * @param s the scalar
   * @return this tensor
   */
  public Tensor sub_(double s) { return scalarOp_(SUB, s, K_FLOAT, "sub_"); }
  /**
   * In-place {@code t -= s} with a Python int.
   *
   * @param s the scalar
   * @return this tensor
   */
  public Tensor sub_(long s) { return scalarOp_(SUB, s, K_LONG, "sub_"); }
  /**
   * In-place {@link #mul(Tensor)} ({@code t.mul_(other)}).
   *
   * @param other the factor, broadcastable to this shape
   * @return this tensor
   */
  public Tensor mul_(Tensor other) { return binary_(MUL, other, "mul_"); }
  /**
   * In-place {@code t *= s} with a Python float.
   *
   * @param s the scalar
   * @return this tensor
   */
  public Tensor mul_(double s) { return scalarOp_(MUL, s, K_FLOAT, "mul_"); }
  /**
   * In-place {@code t *= s} with a Python int.
   *
   * @param s the scalar
   * @return this tensor
   */
  public Tensor mul_(long s) { return scalarOp_(MUL, s, K_LONG, "mul_"); }
  /**
   * In-place {@link #div(Tensor)} ({@code t.div_(other)}); the result must fit this dtype.
   *
   * @param other the divisor, broadcastable to this shape
   * @return this tensor
   */
  public Tensor div_(Tensor other) { return binary_(DIV, other, "div_"); }
  /**
   * In-place {@code t /= s} with a Python float.
   *
   * @param s the divisor
   * @return this tensor
   */
  public Tensor div_(double s) { return scalarOp_(DIV, s, K_FLOAT, "div_"); }
  /**
   * In-place {@code t /= s} with a Python int (true division; this tensor must be floating).
   *
   * @param s the divisor
   * @return this tensor
   */
  public Tensor div_(long s) { return scalarOp_(DIV, s, K_LONG, "div_"); }
  /**
   * In-place {@code t **= exponent} ({@code t.pow_(exponent)}).
   *
   * @param exponent the exponent
   * @return this tensor
   */
  public Tensor pow_(double exponent) { return scalarOp_(POW, exponent, K_FLOAT, "pow_"); }
  /**
   * In-place {@link #neg()}.
   *
   * @return this tensor
   */
  public Tensor neg_() { return unary_(NEG, "neg_"); }
  /**
   * In-place {@link #abs()}.
   *
   * @return this tensor
   */
  public Tensor abs_() { return unary_(ABS, "abs_"); }
  /**
   * In-place {@link #exp()}.
   *
   * @return this tensor
   */
  public Tensor exp_() { return unary_(EXP, "exp_"); }
  /**
   * In-place {@link #log()}.
   *
   * @return this tensor
   */
  public Tensor log_() { return unary_(LOG, "log_"); }
  /**
   * In-place {@link #sqrt()}.
   *
   * @return this tensor
   */
  public Tensor sqrt_() { return unary_(SQRT, "sqrt_"); }
  /**
   * In-place {@link #tanh()}.
   *
   * @return this tensor
   */
  public Tensor tanh_() { return unary_(TANH, "tanh_"); }
  /**
   * In-place {@link #sigmoid()}.
   *
   * @return this tensor
   */
  public Tensor sigmoid_() { return unary_(SIGMOID, "sigmoid_"); }
  /**
   * In-place {@link #relu()}.
   *
   * @return this tensor
   */
  public Tensor relu_() { return unary_(RELU, "relu_"); }

  /**
   * In-place {@link #clamp(double, double)}; NaN means no bound.
   *
   * @param min the lower bound, or NaN for none
   * @param max the upper bound, or NaN for none
   * @return this tensor
   */
  public Tensor clamp_(double min, double max) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_clamp_(h("clamp_"), min, max, Double.isNaN(min) ? 0 : 1, Double.isNaN(max) ? 0 : 1));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * In-place {@link #clampMin(double)}.
   *
   * @param min the lower bound
   * @return this tensor
   */
  public Tensor clampMin_(double min) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_clamp_(h("clamp_min_"), min, 0, 1, 0));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * In-place {@link #clampMax(double)}.
   *
   * @param max the upper bound
   * @return this tensor
   */
  public Tensor clampMax_(double max) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_clamp_(h("clamp_max_"), 0, max, 0, 1));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.fill_(value)}: sets every element to value.
   *
   * @param value the fill value, converted to this dtype
   * @return this tensor
   */
  public Tensor fill_(double value) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_fill_(h("fill_"), value));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.zero_()}: sets every element to zero.
   *
   * @return this tensor
   */
  public Tensor zero_() {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_zero_(h("zero_")));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * Copies src's values into this tensor (src broadcast to this shape, converted to this dtype).
   *
   * @param src the values to copy, broadcastable to this shape
   * @return this tensor
   */
  public Tensor copy_(Tensor src) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_copy_(h("copy_"), h(src, "copy_", "src")));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * In-place {@link #maskedFill(Tensor, double)}.
   *
   * @param mask a bool tensor broadcastable to this shape
   * @param value the fill value
   * @return this tensor
   */
  public Tensor maskedFill_(Tensor mask, double value) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_masked_fill_(h("masked_fill_"), h(mask, "masked_fill_", "mask"), value));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.normal_(mean, std)}: fills with normal samples from the global generator.
   *
   * @param mean the mean
   * @param std the standard deviation
   * @return this tensor
   */
  public Tensor normal_(double mean, double std) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_normal_(h("normal_"), mean, std));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.normal_()}: fills with standard normal samples.
   *
   * @return this tensor
   */
  public Tensor normal_() {
    return normal_(0, 1);
  }

  /**
   * {@code t.uniform_(from, to)}: fills with uniform samples in [from, to).
   *
   * @param from the lower bound
   * @param to the upper bound
   * @return this tensor
   */
  public Tensor uniform_(double from, double to) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_uniform_(h("uniform_"), from, to));
      return this;
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.uniform_()}: fills with uniform samples in [0, 1).
   *
   * @return this tensor
   */
  public Tensor uniform_() {
    return uniform_(0, 1);
  }

  /**
   * {@code t.bernoulli_(p)}: sets each element to 1 with probability p, else 0.
   *
   * @param p the probability of a 1, in [0, 1]
   * @return this tensor
   */
  public Tensor bernoulli_(double p) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_bernoulli_(h("bernoulli_"), p));
      return this;
    } finally {
      pins.exit();
    }
  }

  // ------------------------------------------------------------------------------------------
  // reductions

  private static long[] dims(int[] dims, String op) {
    if (dims == null) throw new NullPointerException(op + ": dims is null");
    long[] d = new long[dims.length];
    for (int i = 0; i < d.length; i++) d[i] = dims[i];
    return d;
  }

  private Tensor reduce(int op, String name, long[] dims, boolean keepdim) {
    Pins pins = Pins.enter();
    try {
      return make(kd_reduce(op, h(name), dims, dims.length, keepdim ? 1 : 0));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.sum()}: the sum of all elements.
   *
   * @return a 0-dim tensor
   */
  public Tensor sum() { return reduce(SUM, "sum", NO_DIMS, false); }
  /**
   * {@code t.sum(dim)}: sums over dim, removing it.
   *
   * @param dim the dim to reduce
   * @return a tensor with one dim fewer
   */
  public Tensor sum(int dim) { return reduce(SUM, "sum", new long[] {dim}, false); }
  /**
   * {@code t.sum(dim, keepdim)}.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return the sums
   */
  public Tensor sum(int dim, boolean keepdim) { return reduce(SUM, "sum", new long[] {dim}, keepdim); }
  /**
   * {@code t.sum(dims, keepdim)}: sums over several dims at once (an empty array means all).
   *
   * @param dims the dims to reduce
   * @param keepdim keep the reduced dims with size 1
   * @return the sums
   */
  public Tensor sum(int[] dims, boolean keepdim) { return reduce(SUM, "sum", dims(dims, "sum"), keepdim); }
  /**
   * {@code t.mean()}: the mean of all elements (floating dtypes).
   *
   * @return a 0-dim tensor
   */
  public Tensor mean() { return reduce(MEAN, "mean", NO_DIMS, false); }
  /**
   * {@code t.mean(dim)}: the mean over dim, removing it.
   *
   * @param dim the dim to reduce
   * @return a tensor with one dim fewer
   */
  public Tensor mean(int dim) { return reduce(MEAN, "mean", new long[] {dim}, false); }
  /**
   * {@code t.mean(dim, keepdim)}.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return the means
   */
  public Tensor mean(int dim, boolean keepdim) { return reduce(MEAN, "mean", new long[] {dim}, keepdim); }
  /**
   * {@code t.mean(dims, keepdim)}: the mean over several dims (an empty array means all).
   *
   * @param dims the dims to reduce
   * @param keepdim keep the reduced dims with size 1
   * @return the means
   */
  public Tensor mean(int[] dims, boolean keepdim) { return reduce(MEAN, "mean", dims(dims, "mean"), keepdim); }
  /**
   * {@code t.prod()}: the product of all elements.
   *
   * @return a 0-dim tensor
   */
  public Tensor prod() { return reduce(PROD, "prod", NO_DIMS, false); }
  /**
   * {@code t.prod(dim, keepdim)}: the product over dim.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return the products
   */
  public Tensor prod(int dim, boolean keepdim) { return reduce(PROD, "prod", new long[] {dim}, keepdim); }
  /**
   * {@code torch.amax(t, dims, keepdim)}: the maximum over dims (values only).
   *
   * @param dims the dims to reduce (empty means all)
   * @param keepdim keep the reduced dims with size 1
   * @return the maxima
   */
  public Tensor amax(int[] dims, boolean keepdim) { return reduce(AMAX, "amax", dims(dims, "amax"), keepdim); }
  /**
   * {@code torch.amin(t, dims, keepdim)}: the minimum over dims (values only).
   *
   * @param dims the dims to reduce (empty means all)
   * @param keepdim keep the reduced dims with size 1
   * @return the minima
   */
  public Tensor amin(int[] dims, boolean keepdim) { return reduce(AMIN, "amin", dims(dims, "amin"), keepdim); }
  /**
   * {@code torch.logsumexp(t, dim)}: log(sum(exp(x))) over dim, computed stably.
   *
   * @param dim the dim to reduce
   * @return a tensor with one dim fewer
   */
  public Tensor logsumexp(int dim) { return reduce(LOGSUMEXP, "logsumexp", new long[] {dim}, false); }
  /**
   * {@code torch.logsumexp(t, dim, keepdim)}.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return the results
   */
  public Tensor logsumexp(int dim, boolean keepdim) { return reduce(LOGSUMEXP, "logsumexp", new long[] {dim}, keepdim); }
  /**
   * {@code torch.logsumexp(t, dims, keepdim)} over several dims.
   *
   * @param dims the dims to reduce
   * @param keepdim keep the reduced dims with size 1
   * @return the results
   */
  public Tensor logsumexp(int[] dims, boolean keepdim) { return reduce(LOGSUMEXP, "logsumexp", dims(dims, "logsumexp"), keepdim); }
  /**
   * {@code t.any()}: whether any element is non-zero.
   *
   * @return a 0-dim bool tensor
   */
  public Tensor any() { return reduce(ANY, "any", NO_DIMS, false); }
  /**
   * {@code t.any(dim, keepdim)}: whether any element along dim is non-zero.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return a bool tensor
   */
  public Tensor any(int dim, boolean keepdim) { return reduce(ANY, "any", new long[] {dim}, keepdim); }
  /**
   * {@code t.all()}: whether every element is non-zero.
   *
   * @return a 0-dim bool tensor
   */
  public Tensor all() { return reduce(ALL, "all", NO_DIMS, false); }
  /**
   * {@code t.all(dim, keepdim)}: whether every element along dim is non-zero.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return a bool tensor
   */
  public Tensor all(int dim, boolean keepdim) { return reduce(ALL, "all", new long[] {dim}, keepdim); }

  /**
   * Variance over all elements with Bessel's correction (correction = 1).
   *
   * @return a 0-dim tensor ({@code t.var()})
   */
  public Tensor var() { return var(new int[0], 1, false); }
  /**
   * {@code t.var(dim)}: unbiased variance over dim (correction = 1).
   *
   * @param dim the dim to reduce
   * @return a tensor with one dim fewer
   */
  public Tensor var(int dim) { return var(new int[] {dim}, 1, false); }
  /**
   * {@code t.var(dim, keepdim=keepdim)}: unbiased variance over dim.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return the variances
   */
  public Tensor var(int dim, boolean keepdim) { return var(new int[] {dim}, 1, keepdim); }
  /**
   * Variance over dims: sum((x - mean)^2) / (N - correction).
   *
   * @param dims the dims to reduce (empty means all)
   * @param correction subtracted from N in the divisor: 1 unbiased, 0 population
   * @param keepdim keep the reduced dims with size 1
   * @return the variances ({@code t.var(dims, correction=c, keepdim=k)})
   */
  public Tensor var(int[] dims, double correction, boolean keepdim) {
    Pins pins = Pins.enter();
    try {
      long[] d = dims(dims, "var");
      return make(kd_var(h("var"), d, d.length, correction, keepdim ? 1 : 0, 0));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code t.std()}: standard deviation of all elements with Bessel's correction.
   *
   * @return a 0-dim tensor
   */
  public Tensor std() { return std(new int[0], 1, false); }
  /**
   * {@code t.std(dim)}: unbiased standard deviation over dim.
   *
   * @param dim the dim to reduce
   * @return a tensor with one dim fewer
   */
  public Tensor std(int dim) { return std(new int[] {dim}, 1, false); }
  /**
   * {@code t.std(dim, keepdim=keepdim)}: unbiased standard deviation over dim.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return the standard deviations
   */
  public Tensor std(int dim, boolean keepdim) { return std(new int[] {dim}, 1, keepdim); }
  /**
   * {@code t.std(dims, correction=c, keepdim=k)}: the square root of {@link #var(int[], double,
   * boolean)}.
   *
   * @param dims the dims to reduce (empty means all)
   * @param correction subtracted from N in the divisor: 1 unbiased, 0 population
   * @param keepdim keep the reduced dims with size 1
   * @return the standard deviations
   */
  public Tensor std(int[] dims, double correction, boolean keepdim) {
    Pins pins = Pins.enter();
    try {
      long[] d = dims(dims, "std");
      return make(kd_var(h("std"), d, d.length, correction, keepdim ? 1 : 0, 1));
    } finally {
      pins.exit();
    }
  }

  /**
   * Maximum of all elements (0-dim).
   *
   * @return a 0-dim tensor ({@code t.max()})
   */
  public Tensor max() { return reduce(AMAX, "max", NO_DIMS, false); }
  /**
   * (values, indices) of the maximum along dim.
   *
   * @param dim the dim to reduce, removed from the result
   * @return the maxima and their int64 indices ({@code t.max(dim)})
   */
  public ValuesIndices max(int dim) { return max(dim, false); }
  /**
   * {@code t.max(dim, keepdim)}: maxima along dim and their int64 indices.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return values and indices
   */
  public ValuesIndices max(int dim, boolean keepdim) {
    Pins pins = Pins.enter();
    try {
      long[] out = new long[2];
      Native.check(kd_max_dim(h("max"), dim, keepdim ? 1 : 0, out));
      return new ValuesIndices(wrap(out[0]), wrap(out[1]));
    } finally {
      pins.exit();
    }
  }
  /**
   * Elementwise maximum, like {@code torch.max(a, b)}.
   *
   * @param other the second operand, broadcastable
   * @return a new tensor
   */
  public Tensor max(Tensor other) { return maximum(other); }
  /**
   * {@code t.min()}: the minimum of all elements.
   *
   * @return a 0-dim tensor
   */
  public Tensor min() { return reduce(AMIN, "min", NO_DIMS, false); }
  /**
   * {@code t.min(dim)}: minima along dim and their int64 indices, dim removed.
   *
   * @param dim the dim to reduce
   * @return values and indices
   */
  public ValuesIndices min(int dim) { return min(dim, false); }
  /**
   * {@code t.min(dim, keepdim)}: minima along dim and their int64 indices.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return values and indices
   */
  public ValuesIndices min(int dim, boolean keepdim) {
    Pins pins = Pins.enter();
    try {
      long[] out = new long[2];
      Native.check(kd_min_dim(h("min"), dim, keepdim ? 1 : 0, out));
      return new ValuesIndices(wrap(out[0]), wrap(out[1]));
    } finally {
      pins.exit();
    }
  }
  /**
   * Elementwise minimum, like {@code torch.min(a, b)}.
   *
   * @param other the second operand, broadcastable
   * @return a new tensor
   */
  public Tensor min(Tensor other) { return minimum(other); }

  /**
   * Index of the maximum in the flattened tensor.
   *
   * @return a 0-dim int64 tensor ({@code t.argmax()})
   */
  public Tensor argmax() {
    Pins pins = Pins.enter();
    try {
      return make(kd_argmax(h("argmax"), 0, 0, 0));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code t.argmax(dim)}: int64 indices of the maxima along dim, dim removed.
   *
   * @param dim the dim to reduce
   * @return the indices
   */
  public Tensor argmax(int dim) { return argmax(dim, false); }
  /**
   * {@code t.argmax(dim, keepdim)}: int64 indices of the maxima along dim.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return the indices
   */
  public Tensor argmax(int dim, boolean keepdim) {
    Pins pins = Pins.enter();
    try {
      return make(kd_argmax(h("argmax"), dim, 1, keepdim ? 1 : 0));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code t.argmin()}: the index of the minimum in the flattened tensor.
   *
   * @return a 0-dim int64 tensor
   */
  public Tensor argmin() {
    Pins pins = Pins.enter();
    try {
      return make(kd_argmin(h("argmin"), 0, 0, 0));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code t.argmin(dim)}: int64 indices of the minima along dim, dim removed.
   *
   * @param dim the dim to reduce
   * @return the indices
   */
  public Tensor argmin(int dim) { return argmin(dim, false); }
  /**
   * {@code t.argmin(dim, keepdim)}: int64 indices of the minima along dim.
   *
   * @param dim the dim to reduce
   * @param keepdim keep dim with size 1
   * @return the indices
   */
  public Tensor argmin(int dim, boolean keepdim) {
    Pins pins = Pins.enter();
    try {
      return make(kd_argmin(h("argmin"), dim, 1, keepdim ? 1 : 0));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code t.softmax(dim)}: exp(x) / sum(exp(x)) along dim, computed stably.
   *
   * @param dim the dim to normalise over
   * @return a tensor of this shape
   */
  public Tensor softmax(int dim) {
    Pins pins = Pins.enter();
    try {
      return make(kd_softmax(h("softmax"), dim));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code t.log_softmax(dim)}: x - logsumexp(x) along dim.
   *
   * @param dim the dim to normalise over
   * @return a tensor of this shape
   */
  public Tensor logSoftmax(int dim) {
    Pins pins = Pins.enter();
    try {
      return make(kd_log_softmax(h("log_softmax"), dim));
    } finally {
      pins.exit();
    }
  }

  // ------------------------------------------------------------------------------------------
  // linear algebra

  /**
   * Matrix product with torch.matmul's rules (1-D dot/mv, 2-D mm, batched with broadcasting).
   *
   * @param other the right operand
   * @return the product ({@code torch.matmul})
   */
  public Tensor matmul(Tensor other) {
    Pins pins = Pins.enter();
    try {
      return make(kd_matmul(h("matmul"), h(other, "matmul", "other")));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code torch.mm}: the product of an (n, k) and a (k, m) matrix.
   *
   * @param other a (k, m) matrix
   * @return an (n, m) tensor
   */
  public Tensor mm(Tensor other) {
    Pins pins = Pins.enter();
    try {
      return make(kd_mm(h("mm"), h(other, "mm", "other")));
    } finally {
      pins.exit();
    }
  }
  /**
   * {@code torch.bmm}: batched matrix product of (b, n, k) and (b, k, m), without broadcasting.
   *
   * @param other a (b, k, m) tensor
   * @return a (b, n, m) tensor
   */
  public Tensor bmm(Tensor other) {
    Pins pins = Pins.enter();
    try {
      return make(kd_bmm(h("bmm"), h(other, "bmm", "other")));
    } finally {
      pins.exit();
    }
  }

  // ------------------------------------------------------------------------------------------
  // joining and indexing

  private static long[] handles(List<Tensor> ts, String op) {
    if (ts == null) throw new NullPointerException(op + ": tensor list is null");
    if (ts.isEmpty()) throw new IllegalArgumentException(op + ": expected a non-empty list of tensors");
    long[] hs = new long[ts.size()];
    for (int i = 0; i < hs.length; i++) hs[i] = h(ts.get(i), op, "tensor " + i);
    return hs;
  }

  /**
   * Concatenates along an existing dim.
   *
   * @param tensors tensors of one dtype whose shapes agree except along dim
   * @param dim the dim to join along
   * @return a new tensor ({@code torch.cat})
   */
  public static Tensor cat(List<Tensor> tensors, int dim) {
    Pins pins = Pins.enter();
    try {
      long[] hs = handles(tensors, "cat");
      return make(kd_cat(hs, hs.length, dim));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code torch.cat(tensors)}: concatenates along dim 0.
   *
   * @param tensors tensors whose shapes agree except in dim 0
   * @return a new tensor
   */
  public static Tensor cat(List<Tensor> tensors) {
    return cat(tensors, 0);
  }

  /**
   * Stacks along a new dim.
   *
   * @param tensors tensors of one shape and dtype
   * @param dim where the new dim goes
   * @return a new tensor with one more dim ({@code torch.stack})
   */
  public static Tensor stack(List<Tensor> tensors, int dim) {
    Pins pins = Pins.enter();
    try {
      long[] hs = handles(tensors, "stack");
      return make(kd_stack(hs, hs.length, dim));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code torch.stack(tensors)}: stacks along a new dim 0.
   *
   * @param tensors tensors of one shape and dtype
   * @return a new tensor with one more dim
   */
  public static Tensor stack(List<Tensor> tensors) {
    return stack(tensors, 0);
  }

  /**
   * Views of splitSize along dim, the last one smaller when splitSize does not divide the dim's
   * size (torch.split): {@code arange(10).split(4, 0)} has sizes 4, 4, 2.
   *
   * @param splitSize the size of each piece
   * @param dim the dim to split
   * @return the views, in order
   */
  public List<Tensor> split(long splitSize, int dim) {
    Pins pins = Pins.enter();
    try {
      long h = h("split");
      int ndim = kd_ndim(h);
      if (ndim == 0) throw new IllegalArgumentException("split expects at least a 1-dimensional tensor");
      if (splitSize < 0)
        throw new IllegalArgumentException("split expects split_size be non-negative, but got split_size=" + splitSize);
      long n = kd_size(h, wrapDim(dim, ndim, "split"));
      if (splitSize == 0 && n != 0)
        throw new IllegalArgumentException("split_size can only be 0 if dimension size is 0, but got dimension size of " + n);
      int pieces = splitSize == 0 ? 1 : (int) Math.max(1, (n + splitSize - 1) / splitSize);
      long[] sizes = new long[pieces];
      for (int i = 0; i < pieces; i++) sizes[i] = Math.min(splitSize, n - i * splitSize);
      return split(sizes, dim);
    } finally {
      pins.exit();
    }
  }

  /**
   * Views with the given sizes along dim (they must add up to the dim's size).
   *
   * @param sizes the size of each piece
   * @param dim the dim to split
   * @return the views, in order ({@code t.split(sizes, dim)})
   */
  public List<Tensor> split(long[] sizes, int dim) {
    Pins pins = Pins.enter();
    try {
      if (sizes == null) throw new NullPointerException("split: sizes is null");
      long[] out = new long[sizes.length];
      Native.check(kd_split_with_sizes(h("split"), sizes, sizes.length, dim, out));
      List<Tensor> parts = new ArrayList<>(out.length);
      for (long p : out) parts.add(wrap(p));
      return Collections.unmodifiableList(parts);
    } finally {
      pins.exit();
    }
  }

  /**
   * torch.chunk: views of ceil(size / chunks) along dim, so there may be fewer than
   * {@code chunks} pieces ({@code arange(5).chunk(4, 0)} has sizes 2, 2, 1); an empty dim gives
   * exactly {@code chunks} empty pieces.
   *
   * @param chunks the requested number of pieces
   * @param dim the dim to split
   * @return the views, in order
   */
  public List<Tensor> chunk(int chunks, int dim) {
    Pins pins = Pins.enter();
    try {
      long h = h("chunk");
      int ndim = kd_ndim(h);
      if (ndim == 0) throw new IllegalArgumentException("chunk expects at least a 1-dimensional tensor");
      if (chunks <= 0) throw new IllegalArgumentException("chunk expects `chunks` to be greater than 0, got: " + chunks);
      long n = kd_size(h, wrapDim(dim, ndim, "chunk"));
      if (n == 0) return split(new long[chunks], dim);
      return split((n + chunks - 1) / chunks, dim);
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code torch.index_select(t, dim, index)}: the entries at index along dim, as a copy.
   *
   * @param dim the dim to index
   * @param index a 1-D int64 tensor of indices
   * @return a new tensor whose dim has index.numel() entries
   */
  public Tensor indexSelect(int dim, Tensor index) {
    Pins pins = Pins.enter();
    try {
      return make(kd_index_select(h("index_select"), dim, h(index, "index_select", "index")));
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code torch.gather(t, dim, index)}: {@code out[i][j] = t[index[i][j]][j]} for dim 0, and so
   * on.
   *
   * @param dim the dim to gather along
   * @param index an int64 tensor with this tensor's number of dims
   * @return a new tensor of index's shape
   */
  public Tensor gather(int dim, Tensor index) {
    Pins pins = Pins.enter();
    try {
      return make(kd_gather(h("gather"), dim, h(index, "gather", "index")));
    } finally {
      pins.exit();
    }
  }

  /**
   * A copy of this with src's values added at index along dim.
   *
   * @param dim the dim to scatter along
   * @param index int64 indices, same number of dims as src
   * @param src the values to add
   * @return a new tensor ({@code torch.scatter_add})
   */
  public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
    Pins pins = Pins.enter();
    try {
      return make(kd_scatter_add(h("scatter_add"), dim, h(index, "scatter_add", "index"), h(src, "scatter_add", "src")));
    } finally {
      pins.exit();
    }
  }

  /**
   * In-place {@link #scatterAdd(int, Tensor, Tensor)} ({@code t.scatter_add_}).
   *
   * @param dim the dim to scatter along
   * @param index int64 indices, same number of dims as src
   * @param src the values to add
   * @return this tensor
   */
  public Tensor scatterAdd_(int dim, Tensor index, Tensor src) {
    Pins pins = Pins.enter();
    try {
      Native.check(kd_scatter_add_(h("scatter_add_"), dim, h(index, "scatter_add_", "index"), h(src, "scatter_add_", "src")));
      return this;
    } finally {
      pins.exit();
    }
  }
}
