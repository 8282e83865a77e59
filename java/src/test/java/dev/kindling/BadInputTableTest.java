package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Every bad call throws a Java exception whose message names the op and the shapes or dtypes
 * involved, and the JVM survives all of them (DESIGN.md section 7, "Bad input").
 *
 * <p>Each row of the table is one wrong call, as a PyTorch user could write it, with the
 * exception class PyTorch's error maps to (RuntimeError about shapes/dtypes/values:
 * IllegalArgumentException; IndexError: IndexOutOfBoundsException; a closed tensor:
 * IllegalStateException; a null: NullPointerException) and the words its message must contain.
 * A failed call must also leave no native tensor behind.
 *
 * <p>Rows marked {@code pending} call ops that are still stubs in some builds (they throw
 * UnsupportedOperationException "not implemented yet"); such a row is reported as skipped, not
 * passed, until the op exists, and then checked like every other row.
 */
class BadInputTableTest {
  private static final Class<IllegalArgumentException> ARG = IllegalArgumentException.class;
  private static final Class<IndexOutOfBoundsException> INDEX = IndexOutOfBoundsException.class;
  private static final Class<IllegalStateException> CLOSED = IllegalStateException.class;
  private static final Class<NullPointerException> NULL = NullPointerException.class;

  /** One wrong call and what it must throw. */
  static final class Row {
    final String name;
    final Class<? extends Throwable> expected;
    final Executable call;
    final String[] words;
    boolean pending;

    Row(String name, Class<? extends Throwable> expected, Executable call, String... words) {
      this.name = name;
      this.expected = expected;
      this.call = call;
      this.words = words;
    }

    /** Runs the call in its own scope; returns what it threw (null if nothing). */
    Throwable run() {
      try (Scope s = Kindling.scope()) {
        call.execute();
        return null;
      } catch (Throwable t) {
        return t;
      }
    }

    void check() {
      long live = Kindling.liveTensors();
      Throwable thrown = run();
      // Nothing made by a failed call may outlive its scope (the count can only drop meanwhile,
      // when the cleaner frees garbage of earlier tests).
      assertTrue(Kindling.liveTensors() <= live, name + ": a failed call leaked native tensors");
      if (pending && thrown instanceof UnsupportedOperationException
          && String.valueOf(thrown.getMessage()).contains("not implemented yet"))
        Assumptions.abort("pending until the op is implemented: " + thrown.getMessage());
      ExpectedFailure.check(name, expected, thrown, words);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Row bad(String name, Class<? extends Throwable> expected, Executable call, String... words) {
    return new Row(name, expected, call, words);
  }

  /** A row for an op that may still be a stub (see the class comment). */
  private static Row pending(Row r) {
    r.pending = true;
    return r;
  }

  // fixtures ---------------------------------------------------------------------------------

  private static Tensor f(long... shape) {
    return Tensor.ones(shape);
  }

  private static Tensor i64(long... shape) {
    return Tensor.zeros(shape, DType.INT64);
  }

  private static Tensor mask(long... shape) {
    return Tensor.ones(shape, DType.BOOL);
  }

  /** A tensor whose close() has been called. */
  private static Tensor closed() {
    Tensor t = Tensor.ones(2, 3);
    t.close();
    return t;
  }

  /** A tensor made inside a scope that has since closed. */
  private static Tensor fromClosedScope() {
    Tensor t;
    try (Scope s = Kindling.scope()) {
      t = Tensor.ones(2, 3);
    }
    return t;
  }

  // the table --------------------------------------------------------------------------------

  static List<Row> table() {
    List<Row> rows = new ArrayList<>();

    // shape mismatches
    rows.add(bad("add: shapes that do not broadcast", ARG, () -> f(2, 3).add(f(4, 5)), "add", "[2, 3]", "[4, 5]"));
    rows.add(bad("mul: shapes that do not broadcast", ARG, () -> f(2, 3).mul(f(3, 2)), "mul", "[2, 3]", "[3, 2]"));
    rows.add(bad("eq: shapes that do not broadcast", ARG, () -> f(5).eq(f(2)), "eq", "[5]", "[2]"));
    rows.add(bad("where: condition and input do not broadcast", ARG, () -> Tensor.where(mask(2), f(3), f(3)), "where", "[2]", "[3]"));
    rows.add(bad("where: other does not broadcast", ARG, () -> Tensor.where(mask(3), f(3), f(4)), "where", "[3]", "[4]"));
    rows.add(bad("masked_fill: mask does not broadcast", ARG, () -> f(2, 3).maskedFill(mask(3, 2), 0), "masked_fill:", "[2, 3]", "[3, 2]"));
    rows.add(bad("masked_fill_: mask larger than the tensor", ARG, () -> f(3).maskedFill_(mask(2, 3), 0), "masked_fill_", "[2, 3]", "[3]"));
    rows.add(bad("copy_: source does not broadcast", ARG, () -> f(2, 3).copy_(f(4)), "copy_", "[2, 3]", "[4]"));
    rows.add(bad("copy_: source larger than the destination", ARG, () -> f(3).copy_(f(2, 3)), "copy_", "[2, 3]", "[3]"));
    rows.add(bad("view: wrong number of elements", ARG, () -> f(2, 3).view(4), "view", "[4]", "6"));
    rows.add(bad("view: incompatible strides", ARG, () -> f(2, 3).t().view(6), "view", "[3, 2]", "[6]"));
    rows.add(bad("view: two inferred dims", ARG, () -> f(2, 3).view(-1, -1), "view", "[-1, -1]"));
    rows.add(bad("view: negative size", ARG, () -> f(2, 3).view(-2, 3), "view", "-2"));
    rows.add(bad("reshape: wrong number of elements", ARG, () -> f(2, 3).reshape(5), "reshape", "[5]", "6"));
    rows.add(bad("expand: non-singleton dim", ARG, () -> f(2, 3).expand(3, 3), "expand", "[3, 3]", "[2, 3]"));
    rows.add(bad("expand: fewer sizes than dims", ARG, () -> f(2, 3).expand(3), "expand", "[3]", "[2, 3]"));
    rows.add(bad("add_: in-place result would need broadcasting self", ARG, () -> f(3).add_(f(2, 3)), "add_", "[3]", "[2, 3]"));
    rows.add(bad("add_ with alpha: in-place broadcast", ARG, () -> f(3).add_(f(2, 3), 2.0), "add_", "[3]", "[2, 3]"));
    rows.add(bad("mul_: shapes that do not broadcast", ARG, () -> f(2, 3).mul_(f(4)), "mul_", "[2, 3]", "[4]"));
    rows.add(pending(bad("matmul: inner sizes differ", ARG, () -> f(2, 3).matmul(f(4, 5)), "matmul", "[2, 3]", "[4, 5]")));
    rows.add(pending(bad("matmul: 0-dim argument", ARG, () -> Tensor.scalar(1.0).matmul(f(3)), "matmul", "[]", "[3]")));
    rows.add(pending(bad("mm: inner sizes differ", ARG, () -> f(2, 3).mm(f(4, 5)), "mm", "[2, 3]", "[4, 5]")));
    rows.add(pending(bad("mm: 3-D self", ARG, () -> f(2, 2, 2).mm(f(2, 2)), "mm", "[2, 2, 2]")));
    rows.add(pending(bad("bmm: inner sizes differ", ARG, () -> f(2, 3, 4).bmm(f(2, 5, 6)), "bmm", "[2, 3, 4]", "[2, 5, 6]")));
    rows.add(pending(bad("bmm: batch sizes differ", ARG, () -> f(2, 3, 4).bmm(f(3, 4, 5)), "bmm", "[2, 3, 4]", "[3, 4, 5]")));
    rows.add(pending(bad("bmm: 2-D operands", ARG, () -> f(3, 4).bmm(f(4, 5)), "bmm", "[3, 4]")));
    rows.add(pending(bad("cat: sizes differ outside the cat dim", ARG, () -> Tensor.cat(List.of(f(2, 3), f(2, 4)), 0), "cat", "[2, 3]", "[2, 4]")));
    rows.add(pending(bad("stack: shapes differ", ARG, () -> Tensor.stack(List.of(f(2, 3), f(3, 2))), "stack", "[2, 3]", "[3, 2]")));
    rows.add(pending(bad("split: sizes do not add up", ARG, () -> f(3).split(new long[] {1, 1}, 0), "split", "[1, 1]", "3")));
    rows.add(bad("cat: empty list", ARG, () -> Tensor.cat(List.of(), 0), "cat"));

    // bad dims
    rows.add(bad("transpose: dim out of range", INDEX, () -> f(2, 3).transpose(0, 5), "transpose", "[-2, 1]", "5"));
    rows.add(bad("select: dim out of range", INDEX, () -> f(2, 3).select(2, 0), "select", "[-2, 1]", "2"));
    rows.add(bad("select: index out of range", INDEX, () -> f(2, 3).select(0, 5), "select", "5", "[2, 3]"));
    rows.add(bad("select: 0-dim tensor", INDEX, () -> Tensor.scalar(1.0).select(0, 0), "select", "0-dim"));
    rows.add(bad("get: index out of range", INDEX, () -> f(2, 3).get(1, 3), "select", "3", "[3]"));
    rows.add(bad("narrow: start + length past the end", INDEX, () -> f(2, 3).narrow(1, 2, 5), "narrow", "[2, 3]", "5"));
    rows.add(bad("narrow: negative length", ARG, () -> f(2, 3).narrow(1, 0, -1), "narrow", "-1"));
    rows.add(bad("slice: dim out of range", INDEX, () -> f(2, 3).slice(3, 0, 1, 1), "slice", "[-2, 1]", "3"));
    rows.add(bad("slice: step 0", ARG, () -> f(2, 3).slice(1, 0, 3, 0), "slice", "step", "0"));
    rows.add(bad("squeeze: dim out of range", INDEX, () -> f(2, 3).squeeze(4), "squeeze", "[-2, 1]", "4"));
    rows.add(bad("unsqueeze: dim out of range", INDEX, () -> f(2, 3).unsqueeze(4), "unsqueeze", "[-3, 2]", "4"));
    rows.add(bad("permute: repeated dim", ARG, () -> f(2, 3).permute(0, 0), "permute", "[0, 0]", "[2, 3]"));
    rows.add(bad("permute: wrong number of dims", ARG, () -> f(2, 3).permute(0), "permute", "[0]", "[2, 3]"));
    rows.add(bad("permute: dim out of range", INDEX, () -> f(2, 3).permute(0, 2), "permute", "[-2, 1]", "2"));
    rows.add(bad("flatten: start after end", ARG, () -> f(2, 3, 4).flatten(2, 1), "flatten", "2", "1"));
    rows.add(bad("size: dim out of range", INDEX, () -> f(2, 3).size(2), "size", "[-2, 1]", "2"));
    rows.add(bad("t: more than 2 dims", ARG, () -> f(2, 3, 4).t(), "t", "3D"));
    rows.add(pending(bad("sum: dim out of range", INDEX, () -> f(2, 3).sum(3), "sum", "[-2, 1]", "3")));
    rows.add(pending(bad("mean: dim out of range", INDEX, () -> f(2, 3).mean(-3), "mean", "[-2, 1]", "-3")));
    rows.add(pending(bad("max: dim out of range", INDEX, () -> f(2, 3).max(4), "max", "[-2, 1]", "4")));
    rows.add(pending(bad("argmax: dim out of range", INDEX, () -> f(2, 3).argmax(2), "argmax", "[-2, 1]", "2")));
    rows.add(pending(bad("softmax: dim out of range", INDEX, () -> f(2, 3).softmax(2), "softmax", "[-2, 1]", "2")));
    rows.add(pending(bad("log_softmax: dim out of range", INDEX, () -> f(2, 3).logSoftmax(-3), "log_softmax", "[-2, 1]", "-3")));
    rows.add(pending(bad("cat: dim out of range", INDEX, () -> Tensor.cat(List.of(f(2, 3), f(2, 3)), 2), "cat", "[-2, 1]", "2")));
    rows.add(pending(bad("stack: dim out of range", INDEX, () -> Tensor.stack(List.of(f(2, 3), f(2, 3)), 3), "stack", "[-3, 2]", "3")));
    rows.add(pending(bad("index_select: dim out of range", INDEX, () -> f(2, 3).indexSelect(2, i64(1)), "index_select", "[-2, 1]", "2")));
    rows.add(pending(bad("index_select: index out of range", INDEX, () -> f(2, 3).indexSelect(0, Tensor.of(5L)), "index_select", "5")));
    rows.add(pending(bad("gather: dim out of range", INDEX, () -> f(2, 3).gather(5, i64(2, 3)), "gather", "[-2, 1]", "5")));
    rows.add(pending(bad("gather: index with other number of dims", ARG, () -> f(2, 3).gather(1, i64(2)), "gather", "[2, 3]", "[2]")));
    rows.add(bad("split: split size 0", ARG, () -> f(3).split(0, 0), "split", "0", "3"));
    rows.add(bad("chunk: zero chunks", ARG, () -> f(3).chunk(0, 0), "chunk", "0"));

    // unsupported dtypes
    rows.add(pending(bad("mean: int64 input", ARG, () -> Tensor.arange(6).mean(), "mean", "int64")));
    rows.add(pending(bad("var: int64 input", ARG, () -> Tensor.arange(6).var(), "var", "int64")));
    rows.add(pending(bad("softmax: int64 input", ARG, () -> Tensor.arange(3).softmax(0), "softmax", "int64")));
    rows.add(pending(bad("matmul: int64 with float32", ARG, () -> i64(2, 3).matmul(f(3, 2)), "matmul", "int64", "float32")));
    rows.add(pending(bad("index_select: float32 index", ARG, () -> f(2, 3).indexSelect(0, f(1)), "index_select", "float32")));
    rows.add(pending(bad("gather: float32 index", ARG, () -> f(2, 3).gather(1, f(2, 3)), "gather", "float32")));
    rows.add(bad("exp_: int64 in place", ARG, () -> Tensor.arange(3).exp_(), "exp_", "float32", "int64"));
    rows.add(bad("add_: float32 result into int64", ARG, () -> Tensor.arange(3).add_(f(3)), "add_", "float32", "int64"));
    rows.add(bad("mul_: float scalar into int64", ARG, () -> Tensor.arange(3).mul_(0.5), "mul_", "float32", "int64"));
    rows.add(bad("sub: two bool tensors", ARG, () -> mask(3).sub(mask(3)), "sub", "bool"));
    rows.add(bad("neg: bool", ARG, () -> mask(3).neg(), "neg", "bool"));
    rows.add(bad("clamp_: bool in place", ARG, () -> mask(3).clamp_(0, 1), "clamp_", "bool"));
    rows.add(bad("add with alpha: bool", ARG, () -> mask(3).add(mask(3), 2.0), "add", "bool"));
    rows.add(bad("rand: int64", ARG, () -> Tensor.rand(new long[] {3}, DType.INT64), "rand", "int64"));
    rows.add(bad("randn: bool", ARG, () -> Tensor.randn(new long[] {3}, DType.BOOL), "randn", "bool"));
    rows.add(bad("uniform_: int64", ARG, () -> i64(3).uniform_(0, 1), "uniform_", "int64"));
    rows.add(bad("normal_: int64", ARG, () -> i64(3).normal_(0, 1), "normal_", "int64"));
    rows.add(bad("arange: bool", ARG, () -> Tensor.arange(0, 3, 1, DType.BOOL), "arange", "bool"));
    rows.add(bad("linspace: bool", ARG, () -> Tensor.linspace(0, 1, 3, DType.BOOL), "linspace", "bool"));
    rows.add(bad("where: float32 condition", ARG, () -> Tensor.where(f(3), f(3), f(3)), "where", "bool", "float32"));
    rows.add(bad("masked_fill: int64 mask", ARG, () -> f(3).maskedFill(i64(3), 0), "masked_fill:", "bool", "int64"));
    rows.add(bad("add with alpha: fractional alpha for int64", ARG, () -> Tensor.arange(3).add(Tensor.arange(3), 0.5), "add", "alpha", "int64"));
    rows.add(bad("add_ with alpha: fractional alpha for int64", ARG, () -> Tensor.arange(3).add_(Tensor.arange(3), 0.5), "add_", "alpha", "int64"));

    // closed tensors
    rows.add(bad("closed self", CLOSED, () -> closed().add(1.0), "add", "closed"));
    rows.add(bad("closed argument", CLOSED, () -> f(2, 3).mul(closed()), "mul", "closed"));
    rows.add(bad("closed by its scope", CLOSED, () -> fromClosedScope().sum(), "sum", "closed"));
    rows.add(bad("closed view of a live tensor", CLOSED, () -> {
      Tensor v = f(2, 3).view(6);
      v.close();
      v.shape();
    }, "shape", "closed"));
    rows.add(bad("closed tensor in a cat list", CLOSED, () -> Tensor.cat(List.of(f(2), closed()), 0), "cat", "closed"));
    rows.add(bad("closed where condition", CLOSED, () -> Tensor.where(closed(), f(3), f(3)), "where", "closed"));
    rows.add(bad("closed masked_fill mask", CLOSED, () -> f(2, 3).maskedFill(closed(), 0), "masked_fill", "closed"));
    rows.add(bad("closed copy_ source", CLOSED, () -> f(2, 3).copy_(closed()), "copy_", "closed"));
    rows.add(bad("closed self in place", CLOSED, () -> closed().fill_(1), "fill_", "closed"));
    rows.add(bad("closed: read values", CLOSED, () -> closed().toFloatArray(), "toFloatArray", "closed"));
    rows.add(bad("closed: item", CLOSED, () -> closed().item(), "item", "closed"));
    rows.add(bad("closed: zerosLike", CLOSED, () -> Tensor.zerosLike(closed()), "zerosLike", "closed"));
    rows.add(bad("closed: matmul argument", CLOSED, () -> f(2, 3).matmul(closed()), "matmul", "closed"));

    // nulls
    rows.add(bad("null other", NULL, () -> f(3).add((Tensor) null), "add", "other"));
    rows.add(bad("null where condition", NULL, () -> Tensor.where(null, f(3), f(3)), "where", "condition"));
    rows.add(bad("null mask", NULL, () -> f(3).maskedFill(null, 0), "masked_fill", "mask"));
    rows.add(bad("null copy_ source", NULL, () -> f(3).copy_(null), "copy_", "src"));
    rows.add(bad("null matmul argument", NULL, () -> f(2, 2).matmul(null), "matmul", "other"));
    rows.add(bad("null view shape", NULL, () -> f(3).view((long[]) null), "view", "shape"));
    rows.add(bad("null creation shape", NULL, () -> Tensor.zeros((long[]) null), "zeros", "shape"));
    rows.add(bad("null dtype", NULL, () -> Tensor.ones(new long[] {2}, (DType) null), "ones", "dtype"));
    rows.add(bad("null dtype for to", NULL, () -> f(2).to((DType) null), "to", "dtype"));
    rows.add(bad("null tensor list", NULL, () -> Tensor.stack(null), "stack", "list"));
    rows.add(bad("null tensor in a list", NULL, () -> Tensor.cat(Arrays.asList(f(2), null), 0), "cat", "tensor 1"));
    rows.add(bad("null data", NULL, () -> Tensor.fromArray((float[]) null, 3), "fromArray", "data"));
    rows.add(bad("null split sizes", NULL, () -> f(3).split((long[]) null, 0), "split", "sizes"));
    rows.add(bad("null permute dims", NULL, () -> f(3).permute((int[]) null), "permute", "dims"));
    rows.add(bad("null zerosLike", NULL, () -> Tensor.zerosLike(null), "zerosLike"));

    // bad values
    rows.add(bad("negative dim in a shape", ARG, () -> Tensor.zeros(2, -1), "zeros", "-1", "[2, -1]"));
    rows.add(bad("negative dim for empty", ARG, () -> Tensor.empty(-3), "empty", "-3"));
    rows.add(bad("negative dim for rand", ARG, () -> Tensor.rand(4, -2), "rand", "[4, -2]"));
    rows.add(bad("more dims than supported", ARG, () -> Tensor.zeros(new long[20]), "zeros", "20"));
    rows.add(bad("shape whose size overflows", ARG, () -> Tensor.empty(1L << 32, 1L << 32), "empty", "[4294967296, 4294967296]"));
    rows.add(bad("copying an expanded view whose size overflows", ARG,
        () -> f(1).expand(1L << 32, 1L << 32).contiguous(), "[4294967296, 4294967296]"));
    rows.add(bad("allocation beyond any memory", OutOfMemoryError.class, () -> Tensor.empty(1L << 50), "allocate", "bytes"));
    rows.add(bad("randint: low >= high", ARG, () -> Tensor.randint(5, 5, 3), "randint", "5"));
    rows.add(bad("randperm: negative n", ARG, () -> Tensor.randperm(-1), "randperm", "-1"));
    rows.add(bad("normal_: negative std", ARG, () -> f(3).normal_(0, -1), "normal_", "-1"));
    rows.add(bad("uniform_: from > to", ARG, () -> f(3).uniform_(2, 1), "uniform_", "2", "1"));
    rows.add(bad("bernoulli_: p > 1", ARG, () -> f(3).bernoulli_(1.5), "bernoulli_", "1.5"));
    rows.add(bad("item: more than one element", ARG, () -> f(2, 3).item(), "item", "6"));
    rows.add(bad("itemLong: more than one element", ARG, () -> i64(2).itemLong(), "item", "2"));
    rows.add(bad("linspace: negative steps", ARG, () -> Tensor.linspace(0, 1, -1), "linspace", "-1"));
    rows.add(bad("arange: step 0", ARG, () -> Tensor.arange(0, 3, 0), "arange", "step"));
    rows.add(bad("arange: step against the range", ARG, () -> Tensor.arange(0, 10, -1), "arange", "10", "-1"));
    rows.add(bad("eye: negative n", ARG, () -> Tensor.eye(-2), "eye", "-2"));
    rows.add(bad("fromArray: count does not fit the shape", ARG, () -> Tensor.fromArray(new float[5], 2, 3), "fromArray", "[2, 3]", "5"));
    rows.add(bad("of: ragged rows", ARG, () -> Tensor.of(new float[][] {{1, 2}, {3}}), "of", "ragged"));
    rows.add(bad("clamp: no bounds", ARG, () -> f(3).clamp(Double.NaN, Double.NaN), "clamp", "min", "max"));
    rows.add(bad("setRngState: garbage", ARG, () -> Kindling.setRngState(new byte[] {1, 2, 3}), "rng", "3 bytes"));
    rows.add(bad("to: a CUDA device that is not there", UnsupportedOperationException.class, () -> f(3).to(Device.cuda(Device.cudaDeviceCount())), "to", "cuda:" + Device.cudaDeviceCount()));
    return rows;
  }

  @TestFactory
  Stream<org.junit.jupiter.api.DynamicTest> everyBadCallThrowsAClearException() {
    return table().stream().map(r -> dynamicTest(r.name, r::check));
  }

  @Test
  void theTableIsLargeAndCoversEveryKindOfMistake() {
    List<Row> rows = table();
    assertTrue(rows.size() >= 50, "rows: " + rows.size());
    for (Class<?> c : List.of(ARG, INDEX, CLOSED, NULL))
      assertTrue(rows.stream().anyMatch(r -> r.expected == c), "no row expects " + c.getSimpleName());
  }

  @Test
  void theJvmIsHealthyAfterEveryBadCall() {
    long live = Kindling.liveTensors();
    for (Row r : table()) assertNotNull(r.run(), r.name + " did not throw");
    assertTrue(Kindling.liveTensors() <= live, "bad calls leaked native tensors");
    // Normal work goes on: values, broadcasting, views, randomness and printing are intact.
    try (Scope s = Kindling.scope()) {
      Tensor a = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
      Tensor b = a.add(Tensor.of(10f, 20f, 30f)).mul(2.0);
      assertArrayEquals(new float[] {22, 44, 66, 28, 50, 72}, b.toFloatArray());
      assertArrayEquals(new float[] {22, 28, 44, 50, 66, 72}, b.t().contiguous().toFloatArray());
      assertEquals("tensor([[22., 44., 66.],\n        [28., 50., 72.]])", b.toString());
      Kindling.manualSeed(0);
      assertArrayEquals(new float[] {0.4962566f, 0.7682218f, 0.08847743f}, Tensor.rand(3).toFloatArray(), 1e-6f);
    }
    assertTrue(Kindling.liveTensors() <= live);
  }
}
