package dev.kindling.property;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Broadcasting binary ops (add, sub, mul, maximum and the six comparisons) between two random
 * broadcast-compatible shapes (rank 0-4, sizes 0-4) give the shape and elements that a plain-Java
 * reference computes index by index; incompatible shapes throw IllegalArgumentException naming
 * both shapes. Operands are small integers (as float64) so that equalities happen and every
 * result is exact.
 */
class BroadcastPropertyTest {
  static final int TRIES = 300;

  record Op(String name, BinaryOperator<Tensor> onTensor, DoubleBinaryOperator onValues, boolean comparison) {}

  static final Op[] OPS = {
    new Op("add", Tensor::add, (x, y) -> x + y, false),
    new Op("sub", Tensor::sub, (x, y) -> x - y, false),
    new Op("mul", Tensor::mul, (x, y) -> x * y, false),
    new Op("maximum", Tensor::maximum, Math::max, false),
    new Op("eq", Tensor::eq, (x, y) -> x == y ? 1 : 0, true),
    new Op("ne", Tensor::ne, (x, y) -> x != y ? 1 : 0, true),
    new Op("lt", Tensor::lt, (x, y) -> x < y ? 1 : 0, true),
    new Op("le", Tensor::le, (x, y) -> x <= y ? 1 : 0, true),
    new Op("gt", Tensor::gt, (x, y) -> x > y ? 1 : 0, true),
    new Op("ge", Tensor::ge, (x, y) -> x >= y ? 1 : 0, true),
  };

  @Property(tries = TRIES, seed = "20261127")
  void compatibleShapesBroadcastLikeTheReference(@ForAll long seed) {
    Random rnd = new Random(seed);
    long[] a = ShapeOpsPropertyTest.randomShape(rnd, 4);
    long[] b = compatibleWith(rnd, a);
    double[] av = smallInts(rnd, a), bv = smallInts(rnd, b);
    long[] out = broadcastShape(a, b);
    String what = Arrays.toString(a) + " with " + Arrays.toString(b);
    try (Scope s = Kindling.scope()) {
      Tensor ta = Tensor.fromArray(av, a), tb = Tensor.fromArray(bv, b);
      for (Op op : OPS) {
        Tensor r = op.onTensor.apply(ta, tb);
        assertArrayEquals(out, r.shape(), op.name + " shape of " + what);
        double[] expected = reference(av, a, bv, b, out, op.onValues);
        if (op.comparison) {
          assertEquals(DType.BOOL, r.dtype(), op.name + " dtype");
          boolean[] got = r.toBooleanArray();
          for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] != 0, got[i], op.name + " of " + what + " at flat index " + i);
          }
        } else {
          assertArrayEquals(expected, r.toDoubleArray(), op.name + " of " + what);
        }
      }
    }
  }

  @Property(tries = TRIES, seed = "20261127")
  void incompatibleShapesThrowNamingBothShapes(@ForAll long seed) {
    Random rnd = new Random(seed);
    long[] a;
    do {
      a = ShapeOpsPropertyTest.randomShape(rnd, 4);
    } while (a.length == 0);
    long[] b = incompatibleWith(rnd, a);
    try (Scope s = Kindling.scope()) {
      Tensor ta = Tensor.zeros(a), tb = Tensor.zeros(b);
      for (Op op : OPS) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> op.onTensor.apply(ta, tb), op.name);
        String msg = e.getMessage();
        assertTrue(msg.contains(Arrays.toString(a)) && msg.contains(Arrays.toString(b)),
            op.name + " of " + Arrays.toString(a) + " and " + Arrays.toString(b) + " names both shapes: " + msg);
        assertTrue(msg.startsWith(op.name + ":"), op.name + " names the op first: " + msg);
      }
    }
  }

  /** A shape that broadcasts with a: per aligned dim the same size, 1, or anything against a 1. */
  static long[] compatibleWith(Random rnd, long[] a) {
    long[] b = new long[rnd.nextInt(5)];
    for (int i = 1; i <= b.length; i++) {
      int ia = a.length - i;
      long x = ia >= 0 ? a[ia] : -1;
      int c = rnd.nextInt(3);
      if (x < 0 || x == 1) b[b.length - i] = rnd.nextInt(5);  // a has no such dim, or a 1
      else b[b.length - i] = c == 0 ? 1 : x;
    }
    return b;
  }

  /** A shape that does not broadcast with a: one aligned dim differs and neither size is 1. */
  static long[] incompatibleWith(Random rnd, long[] a) {
    long[] b = compatibleWith(rnd, a);
    if (b.length < 1) b = new long[] {1};
    int i = 1 + rnd.nextInt(Math.min(a.length, b.length));
    long x = a[a.length - i];
    long y;
    do {
      y = rnd.nextInt(5);
    } while (y == x || y == 1);
    if (x == 1) {  // a 1 broadcasts with anything: make a's dim clash as well
      a[a.length - i] = y == 0 ? 2 : 0;
    }
    b[b.length - i] = y;
    return b;
  }

  static double[] smallInts(Random rnd, long[] shape) {
    double[] v = new double[(int) StridedModel.numel(shape)];
    for (int i = 0; i < v.length; i++) v[i] = rnd.nextInt(5) - 2;
    return v;
  }

  static long[] broadcastShape(long[] a, long[] b) {
    int n = Math.max(a.length, b.length);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      int ia = a.length - n + i, ib = b.length - n + i;
      long x = ia >= 0 ? a[ia] : 1, y = ib >= 0 ? b[ib] : 1;
      out[i] = x == 1 ? y : x;
    }
    return out;
  }

  /** The op applied at every index of out, reading each operand at the index clamped by its size-1 dims. */
  static double[] reference(double[] av, long[] a, double[] bv, long[] b, long[] out, DoubleBinaryOperator f) {
    int n = (int) StridedModel.numel(out);
    double[] r = new double[n];
    long[] idx = new long[out.length];
    for (int k = 0; k < n; k++) {
      r[k] = f.applyAsDouble(av[flat(idx, a)], bv[flat(idx, b)]);
      for (int d = out.length - 1; d >= 0; d--) {
        if (++idx[d] < out[d]) break;
        idx[d] = 0;
      }
    }
    return r;
  }

  /** Row-major position in an operand of shape s (aligned right) of the output index idx. */
  static int flat(long[] idx, long[] s) {
    int lead = idx.length - s.length;
    long p = 0;
    for (int d = 0; d < s.length; d++) p = p * s[d] + (s[d] == 1 ? 0 : idx[lead + d]);
    return (int) p;
  }
}
