package dev.kindling.property;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random sequences of shape ops (view/reshape with -1, transpose, permute, unsqueeze/squeeze,
 * narrow, slice with steps, expand, flatten, contiguous, select) on tensors of random shape (rank
 * 0-4, sizes 0-4) agree with {@link StridedModel}, a plain-Java n-d array with PyTorch's view
 * rules: same shape, strides, storage offset and elements after every op. Each try draws its
 * sequence from one seed; the fixed property seed makes the whole run reproducible, and a failure
 * names the sequence that led to it.
 */
class ShapeOpsPropertyTest {
  static final int TRIES = 400;

  @Property(tries = TRIES, seed = "20261127")
  void shapeOpSequencesMatchTheReference(@ForAll long seed) {
    Random rnd = new Random(seed);
    long[] shape = randomShape(rnd, 4);
    int n = (int) StridedModel.numel(shape);
    double[] values = new double[n];
    for (int i = 0; i < n; i++) values[i] = i + 1;  // distinct, so a misplaced element shows
    StridedModel model = StridedModel.of(values, shape);
    List<String> trace = new ArrayList<>();
    trace.add("start " + Arrays.toString(shape));
    try (Scope s = Kindling.scope()) {
      Tensor t = Tensor.fromArray(values, shape);
      int ops = 1 + rnd.nextInt(6);
      for (int k = 0; k < ops; k++) {
        Step step = randomStep(rnd, model);
        trace.add(step.name);
        model = step.onModel;
        t = step.onTensor.apply(t);
        String where = String.join(" -> ", trace);
        assertArrayEquals(model.shape, t.shape(), "shape after " + where);
        assertArrayEquals(model.stride, t.stride(), "strides after " + where);
        assertEquals(model.offset, t.storageOffset(), "storage offset after " + where);
        assertEquals(model.isContiguous(), t.isContiguous(), "isContiguous after " + where);
        assertArrayEquals(model.values(), t.toDoubleArray(), "elements after " + where);
      }
    }
  }

  /** One op: its description, the model after it, and the same op on a Kindling tensor. */
  record Step(String name, StridedModel onModel, java.util.function.UnaryOperator<Tensor> onTensor) {}

  static long[] randomShape(Random rnd, int maxRank) {
    long[] s = new long[rnd.nextInt(maxRank + 1)];
    for (int i = 0; i < s.length; i++) s[i] = rnd.nextInt(5);
    return s;
  }

  /** A dim argument in [-rank, rank-1] (for a 0-dim tensor, -1 or 0). */
  static int randomDim(Random rnd, int rank) {
    int r = Math.max(rank, 1);
    return rnd.nextInt(2 * r) - r;
  }

  static Step randomStep(Random rnd, StridedModel m) {
    int r = m.dim();
    while (true) {
      switch (rnd.nextInt(12)) {
        case 0: {  // view, with one -1 when the size can be inferred; only where a view exists
          long[] target = randomTargetShape(rnd, m.numel());
          StridedModel v = m.view(target);
          if (v == null) continue;
          long[] arg = target.clone();
          return new Step("view" + Arrays.toString(arg), v, t -> t.view(arg));
        }
        case 1: {
          long[] arg = randomTargetShape(rnd, m.numel());
          return new Step("reshape" + Arrays.toString(arg), m.reshape(arg), t -> t.reshape(arg));
        }
        case 2: {
          int a = randomDim(rnd, r), b = randomDim(rnd, r);
          return new Step("transpose(" + a + ", " + b + ")", m.transpose(a, b), t -> t.transpose(a, b));
        }
        case 3: {
          int[] perm = new int[r];
          for (int i = 0; i < r; i++) perm[i] = i;
          for (int i = r - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
          }
          return new Step("permute" + Arrays.toString(perm), m.permute(perm), t -> t.permute(perm));
        }
        case 4: {
          if (r >= 4) continue;
          int d = rnd.nextInt(2 * (r + 1)) - (r + 1);
          return new Step("unsqueeze(" + d + ")", m.unsqueeze(d), t -> t.unsqueeze(d));
        }
        case 5: {
          if (rnd.nextBoolean() || r == 0) return new Step("squeeze()", m.squeeze(), Tensor::squeeze);
          int d = randomDim(rnd, r);
          return new Step("squeeze(" + d + ")", m.squeeze(d), t -> t.squeeze(d));
        }
        case 6: {
          if (r == 0) continue;
          int d = randomDim(rnd, r);
          long size = m.shape[StridedModel.wrap(d, r)];
          long start = rnd.nextInt((int) size + 1);
          long len = rnd.nextInt((int) (size - start) + 1);
          if (start > 0 && rnd.nextBoolean()) start -= size;  // the same index counted from the end
          long st = start;
          return new Step("narrow(" + d + ", " + st + ", " + len + ")", m.narrow(d, st, len), t -> t.narrow(d, st, len));
        }
        case 7: {
          if (r == 0) continue;
          int d = randomDim(rnd, r);
          long a = rnd.nextInt(11) - 5, b = rnd.nextInt(11) - 5, step = 1 + rnd.nextInt(3);
          return new Step("slice(" + d + ", " + a + ", " + b + ", " + step + ")", m.slice(d, a, b, step),
              t -> t.slice(d, a, b, step));
        }
        case 8: {
          int lead = rnd.nextInt(4 - r + 1);
          long[] sizes = new long[lead + r];
          for (int i = 0; i < lead; i++) sizes[i] = rnd.nextInt(4);
          for (int i = 0; i < r; i++) {
            long old = m.shape[i];
            int c = rnd.nextInt(3);
            sizes[lead + i] = c == 0 ? -1 : old == 1 ? rnd.nextInt(4) : old;
          }
          return new Step("expand" + Arrays.toString(sizes), m.expand(sizes), t -> t.expand(sizes));
        }
        case 9: {
          if (r == 0 || rnd.nextBoolean()) return new Step("flatten()", m.flatten(0, -1), Tensor::flatten);
          int a = rnd.nextInt(r), b = a + rnd.nextInt(r - a);
          int sa = rnd.nextBoolean() ? a : a - r, sb = rnd.nextBoolean() ? b : b - r;
          return new Step("flatten(" + sa + ", " + sb + ")", m.flatten(sa, sb), t -> t.flatten(sa, sb));
        }
        case 10:
          return new Step("contiguous()", m.contiguous(), Tensor::contiguous);
        default: {
          if (r == 0) continue;
          int d = randomDim(rnd, r);
          long size = m.shape[StridedModel.wrap(d, r)];
          if (size == 0) continue;
          long i = rnd.nextInt((int) size) - (rnd.nextBoolean() ? size : 0);
          return new Step("select(" + d + ", " + i + ")", m.select(d, i), t -> t.select(d, i));
        }
      }
    }
  }

  /**
   * A shape of rank 0-4 holding numel elements: numel's factors spread over random dims, with
   * dims of size 1 mixed in; one dim given as -1 when it can be inferred (numel > 0).
   */
  static long[] randomTargetShape(Random rnd, long numel) {
    if (numel == 0) {
      long[] s = new long[1 + rnd.nextInt(4)];
      for (int i = 0; i < s.length; i++) s[i] = rnd.nextInt(4);
      s[rnd.nextInt(s.length)] = 0;
      return s;
    }
    List<Long> factors = new ArrayList<>();
    long rest = numel;
    for (long p = 2; rest > 1; p++) {
      while (rest % p == 0) {
        factors.add(p);
        rest /= p;
      }
    }
    int rank;
    do {
      rank = rnd.nextInt(5);
    } while (rank == 0 && numel != 1);
    long[] s = new long[rank];
    Arrays.fill(s, 1);
    for (long f : factors) s[rnd.nextInt(rank)] *= f;
    if (rank > 0 && rnd.nextInt(3) > 0) s[rnd.nextInt(rank)] = -1;
    return s;
  }
}
