package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/**
 * gradcheck and gradgradcheck on every differentiable op of the Tensor API, in float64 against
 * central differences, as PyTorch's test suite does for its own ops. One row per op and form
 * (scalar / tensor operand, dims and keepdim, broadcasting, matmul ranks, non-contiguous leaves,
 * in place on a non-leaf); each row is a container with a first-order and a second-order test.
 *
 * <p>Inputs are seeded (a row always sees the same numbers) and kept away from the points where
 * an op is not differentiable: abs/relu/sign near 0, clamp at its bounds, floor/round at their
 * jumps, remainder where x / y is an integer, log/sqrt/pow with non-positive bases, ties of
 * max/min/maximum. Tensors that do not require grad (masks, indices, conditions) are passed as
 * unchecked inputs. Every test runs in a scope and must leave no native tensor alive.
 */
class GradCheckAllOpsTest {

  /** Makes a row's inputs from its seeded generator. */
  @FunctionalInterface
  interface Inputs {
    List<Tensor> make(Random r);
  }

  /** Makes one input. */
  @FunctionalInterface
  interface Gen {
    Tensor make(Random r);
  }

  record Row(String name, Function<List<Tensor>, List<Tensor>> fn, Inputs inputs, GradCheck.Options options) {}

  private static final List<Row> ROWS = new ArrayList<>();

  @TestFactory
  Stream<DynamicNode> everyDifferentiableOp() {
    assertTrue(ROWS.size() > 100, "the table lists every op");
    List<DynamicNode> nodes = new ArrayList<>();
    for (Row row : ROWS) {
      nodes.add(DynamicContainer.dynamicContainer(row.name(), Stream.of(
          DynamicTest.dynamicTest("gradcheck", () -> run(row, false)),
          DynamicTest.dynamicTest("gradgradcheck", () -> run(row, true)))));
    }
    return nodes.stream();
  }

  /** Runs one check; a failure's message starts with the row's name (build reports show only the method). */
  private static void run(Row row, boolean secondOrder) {
    String label = "[" + row.name() + " · " + (secondOrder ? "gradgradcheck" : "gradcheck") + "] ";
    long live = Kindling.liveTensors();
    try (Scope s = Kindling.scope()) {
      List<Tensor> in = row.inputs().make(new Random(row.name().hashCode()));
      boolean ok = secondOrder
          ? GradCheck.gradgradcheckOutputs(row.fn(), in, row.options())
          : GradCheck.gradcheckOutputs(row.fn(), in, row.options());
      assertTrue(ok);
    } catch (AssertionError | RuntimeException e) {
      String m = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!(e instanceof AssertionError)) m = e.getClass().getSimpleName() + ": " + m;
      throw new AssertionFailedError(label + m, e);
    }
    dev.kindling.LeakCheck.assertNotAbove(live, label + "native tensors left alive");
  }

  // ------------------------------------------------------------------------------------------
  // the table

  static {
    elementwise();
    inPlace();
    reductions();
    linalg();
    joinAndIndex();
    views();
    composites();
  }

  private static void elementwise() {
    // tensor ∘ tensor, broadcasting
    row("add [3,4] + [4]", in -> in.get(0).add(in.get(1)), randn(3, 4), randn(4));
    row("add [2,1,3] + [4,1] (both broadcast)", in -> in.get(0).add(in.get(1)), randn(2, 1, 3), randn(4, 1));
    row("add with alpha", in -> in.get(0).add(in.get(1), 0.5), randn(3, 4), randn(3, 4));
    row("add [3,4] + non-contiguous leaf", in -> in.get(0).add(in.get(1)), randn(3, 4), transposed(3, 4));
    row("add 0-dim + [3]", in -> in.get(0).add(in.get(1)), randn(), randn(3));
    row("sub [3,4] - [3,1]", in -> in.get(0).sub(in.get(1)), randn(3, 4), randn(3, 1));
    row("sub with alpha", in -> in.get(0).sub(in.get(1), 2.0), randn(3, 4), randn(4));
    row("mul [3,4] * [4]", in -> in.get(0).mul(in.get(1)), randn(3, 4), randn(4));
    row("mul [2,1,3] * [4,1]", in -> in.get(0).mul(in.get(1)), randn(2, 1, 3), randn(4, 1));
    row("mul x * x (one input twice)", in -> in.get(0).mul(in.get(0)), randn(3, 4));
    row("div [3,4] / [4]", in -> in.get(0).div(in.get(1)), randn(3, 4), awayFromZero(4));
    row("div [2,3] / [2,3]", in -> in.get(0).div(in.get(1)), randn(2, 3), awayFromZero(2, 3));
    row("pow [3,4] ** [3,4]", in -> in.get(0).pow(in.get(1)), positive(3, 4), randn(3, 4));
    row("pow [3,4] ** [4]", in -> in.get(0).pow(in.get(1)), positive(3, 4), randn(4));
    rowInputs("remainder [3,4] % [3,4]", in -> in.get(0).remainder(in.get(1)), GradCheckAllOpsTest::remainderPair);
    rowInputs("maximum [3,4], [3,4]", in -> in.get(0).maximum(in.get(1)), r -> separatedPair(r, 3, 4));
    rowInputs("minimum [3,4], [3,4]", in -> in.get(0).minimum(in.get(1)), r -> separatedPair(r, 3, 4));
    rowInputs("max(other)", in -> in.get(0).max(in.get(1)), r -> separatedPair(r, 2, 3));
    rowInputs("min(other)", in -> in.get(0).min(in.get(1)), r -> separatedPair(r, 2, 3));
    row("atan2 [3,4], [3,4]", in -> in.get(0).atan2(in.get(1)), randn(3, 4), awayFromZero(3, 4));

    // tensor ∘ scalar and scalar ∘ tensor
    row("add(1.5)", in -> in.get(0).add(1.5), randn(3, 4));
    row("add(2L)", in -> in.get(0).add(2L), randn(3, 4));
    row("sub(0.5)", in -> in.get(0).sub(0.5), randn(3, 4));
    row("sub(1L)", in -> in.get(0).sub(1L), randn(3, 4));
    row("rsub(2.0)", in -> in.get(0).rsub(2.0), randn(3, 4));
    row("mul(2.5)", in -> in.get(0).mul(2.5), randn(3, 4));
    row("mul(3L)", in -> in.get(0).mul(3L), randn(3, 4));
    row("div(4.0)", in -> in.get(0).div(4.0), randn(3, 4));
    row("div(2L)", in -> in.get(0).div(2L), randn(3, 4));
    row("rdiv(2.0)", in -> in.get(0).rdiv(2.0), awayFromZero(3, 4));
    row("pow(2.5)", in -> in.get(0).pow(2.5), positive(3, 4));
    row("pow(-1.5)", in -> in.get(0).pow(-1.5), positive(3, 4));
    row("pow(0.5)", in -> in.get(0).pow(0.5), positive(3, 4));
    row("pow(3L) of any sign", in -> in.get(0).pow(3L), randn(3, 4));
    row("pow(2.0) of any sign", in -> in.get(0).pow(2.0), randn(3, 4));
    row("rpow(2.0)", in -> in.get(0).rpow(2.0), randn(3, 4));
    row("remainder(1.5)", in -> in.get(0).remainder(1.5), offGrid(1.5, 3, 4));
    row("remainder(2L)", in -> in.get(0).remainder(2L), offGrid(2.0, 3, 4));

    // unary
    row("neg", in -> in.get(0).neg(), randn(3, 4));
    row("abs", in -> in.get(0).abs(), awayFromZero(3, 4));
    row("exp", in -> in.get(0).exp(), randn(3, 4));
    row("log", in -> in.get(0).log(), positive(3, 4));
    row("sqrt", in -> in.get(0).sqrt(), positive(3, 4));
    row("rsqrt", in -> in.get(0).rsqrt(), positive(3, 4));
    row("sin", in -> in.get(0).sin(), randn(3, 4));
    row("cos", in -> in.get(0).cos(), randn(3, 4));
    row("tanh", in -> in.get(0).tanh(), randn(3, 4));
    row("sigmoid", in -> in.get(0).sigmoid(), randn(3, 4));
    row("relu", in -> in.get(0).relu(), awayFromZero(3, 4));
    row("leakyRelu(0.1)", in -> in.get(0).leakyRelu(0.1), awayFromZero(3, 4));
    row("reciprocal", in -> in.get(0).reciprocal(), awayFromZero(3, 4));
    row("square", in -> in.get(0).square(), randn(3, 4));
    row("log1p", in -> in.get(0).log1p(), uniform(-0.5, 2.0, 3, 4));
    row("expm1", in -> in.get(0).expm1(), randn(3, 4));
    row("sign (zero gradient)", in -> in.get(0).sign(), awayFromZero(3, 4));
    row("floor (zero gradient)", in -> in.get(0).floor(), offGrid(0.5, 3, 4));
    row("ceil (zero gradient)", in -> in.get(0).ceil(), offGrid(0.5, 3, 4));
    row("round (zero gradient)", in -> in.get(0).round(), offGrid(0.5, 3, 4));
    row("clamp(-0.5, 0.5)", in -> in.get(0).clamp(-0.5, 0.5), awayFrom(new double[] {-0.5, 0.5}, 3, 4));
    row("clamp(NaN, 0.3) (max only)", in -> in.get(0).clamp(Double.NaN, 0.3), awayFrom(new double[] {0.3}, 3, 4));
    row("clampMin(0.2)", in -> in.get(0).clampMin(0.2), awayFrom(new double[] {0.2}, 3, 4));
    row("clampMax(-0.1)", in -> in.get(0).clampMax(-0.1), awayFrom(new double[] {-0.1}, 3, 4));

    // selection by masks
    row("where(cond [3,4], a [3,4], b [4])", in -> Tensor.where(in.get(0), in.get(1), in.get(2)), bools(3, 4), randn(3, 4), randn(4));
    row("a.where(cond [3,1], b [3,4])", in -> in.get(1).where(in.get(0), in.get(2)), bools(3, 1), randn(4), randn(3, 4));
    row("maskedFill(mask [3,1], 2.0)", in -> in.get(0).maskedFill(in.get(1), 2.0), randn(3, 4), bools(3, 1));
    row("maskedFill(mask [3,4], -1.0)", in -> in.get(0).maskedFill(in.get(1), -1.0), randn(3, 4), bools(3, 4));
  }

  /** In-place ops on a non-leaf (a clone of the checked input), the way model code uses them. */
  private static void inPlace() {
    row("add_(tensor [4]) on a clone", in -> in.get(0).clone().add_(in.get(1)), randn(3, 4), randn(4));
    row("add_(tensor, alpha)", in -> in.get(0).clone().add_(in.get(1), -0.5), randn(3, 4), randn(3, 4));
    row("sub_(tensor)", in -> in.get(0).clone().sub_(in.get(1)), randn(3, 4), randn(3, 1));
    row("sub_(tensor, alpha)", in -> in.get(0).clone().sub_(in.get(1), 1.5), randn(3, 4), randn(4));
    row("mul_(tensor)", in -> in.get(0).clone().mul_(in.get(1)), randn(3, 4), randn(4));
    row("div_(tensor)", in -> in.get(0).clone().div_(in.get(1)), randn(3, 4), awayFromZero(4));
    row("add_(1.5)", in -> in.get(0).clone().add_(1.5), randn(3, 4));
    row("sub_(2L)", in -> in.get(0).clone().sub_(2L), randn(3, 4));
    row("mul_(3.0)", in -> in.get(0).clone().mul_(3.0), randn(3, 4));
    row("div_(2.0)", in -> in.get(0).clone().div_(2.0), randn(3, 4));
    row("pow_(2.5)", in -> in.get(0).clone().pow_(2.5), positive(3, 4));
    row("neg_", in -> in.get(0).clone().neg_(), randn(3, 4));
    row("abs_", in -> in.get(0).clone().abs_(), awayFromZero(3, 4));
    row("exp_", in -> in.get(0).clone().exp_(), randn(3, 4));
    row("log_", in -> in.get(0).clone().log_(), positive(3, 4));
    row("sqrt_", in -> in.get(0).clone().sqrt_(), positive(3, 4));
    row("tanh_", in -> in.get(0).clone().tanh_(), randn(3, 4));
    row("sigmoid_", in -> in.get(0).clone().sigmoid_(), randn(3, 4));
    row("relu_", in -> in.get(0).clone().relu_(), awayFromZero(3, 4));
    row("clamp_(-0.5, 0.5)", in -> in.get(0).clone().clamp_(-0.5, 0.5), awayFrom(new double[] {-0.5, 0.5}, 3, 4));
    row("clampMin_(0.0)", in -> in.get(0).clone().clampMin_(0.0), awayFromZero(3, 4));
    row("clampMax_(0.0)", in -> in.get(0).clone().clampMax_(0.0), awayFromZero(3, 4));
    row("maskedFill_(mask, 0.5)", in -> in.get(0).clone().maskedFill_(in.get(1), 0.5), randn(3, 4), bools(3, 4));
    row("fill_ (gradient zero)", in -> in.get(0).clone().fill_(2.0), randn(3, 4));
    row("zero_ (gradient zero)", in -> in.get(0).clone().zero_(), randn(3, 4));
    row("copy_(src [4]) (broadcast)", in -> in.get(0).clone().copy_(in.get(1)), randn(3, 4), randn(4));
    row("in-place chain y = x * 2; y.exp_(); y * x", in -> {
      Tensor y = in.get(0).mul(2.0);
      y.exp_();
      return y.mul(in.get(0));
    }, randn(3, 4));
  }

  private static void reductions() {
    row("sum()", in -> in.get(0).sum(), randn(3, 4));
    row("sum() of a 0-dim tensor", in -> in.get(0).sum(), randn());
    row("sum(1)", in -> in.get(0).sum(1), randn(3, 4));
    row("sum(-1, keepdim)", in -> in.get(0).sum(-1, true), randn(2, 3, 4));
    row("sum({0, 2})", in -> in.get(0).sum(new int[] {0, 2}, false), randn(2, 3, 4));
    row("sum({0, -1}, keepdim)", in -> in.get(0).sum(new int[] {0, -1}, true), randn(2, 3, 4));
    row("sum of a non-contiguous leaf", in -> in.get(0).sum(0), transposed(4, 3));
    row("mean()", in -> in.get(0).mean(), randn(3, 4));
    row("mean(0)", in -> in.get(0).mean(0), randn(3, 4));
    row("mean(1, keepdim)", in -> in.get(0).mean(1, true), randn(2, 3, 4));
    row("mean({1, 2})", in -> in.get(0).mean(new int[] {1, 2}, false), randn(2, 3, 4));
    row("prod()", in -> in.get(0).prod(), awayFromZero(2, 3));
    row("prod(1, keepdim)", in -> in.get(0).prod(1, true), awayFromZero(3, 4));
    row("prod(0)", in -> in.get(0).prod(0, false), awayFromZero(3, 4));
    row("prod() with one zero", in -> in.get(0).prod(), values(new double[] {0.5, -1.5, 0.0, 2.0, 1.25, -0.75}, 2, 3));
    row("prod(1) with one and two zeros in a row", in -> in.get(0).prod(1, false),
        values(new double[] {0.5, 0.0, 2.0, 0.0, 1.25, 0.0, -0.75, 1.5, 0.9}, 3, 3));
    row("amax({1})", in -> in.get(0).amax(new int[] {1}, false), distinct(3, 4));
    row("amax({0, 1}, keepdim)", in -> in.get(0).amax(new int[] {0, 1}, true), distinct(3, 4));
    row("amin({-1})", in -> in.get(0).amin(new int[] {-1}, false), distinct(2, 3, 4));
    row("amin({0, 2}, keepdim)", in -> in.get(0).amin(new int[] {0, 2}, true), distinct(2, 3, 4));
    row("max()", in -> in.get(0).max(), distinct(3, 4));
    row("min()", in -> in.get(0).min(), distinct(3, 4));
    row("max(dim).values", in -> in.get(0).max(1).values(), distinct(3, 4));
    row("max(dim, keepdim).values", in -> in.get(0).max(0, true).values(), distinct(3, 4));
    row("min(dim).values", in -> in.get(0).min(-1).values(), distinct(2, 3, 4));
    row("min(dim, keepdim).values", in -> in.get(0).min(1, true).values(), distinct(2, 3, 4));
    row("logsumexp(1)", in -> in.get(0).logsumexp(1), randn(3, 4));
    row("logsumexp(-1, keepdim)", in -> in.get(0).logsumexp(-1, true), randn(2, 3, 4));
    row("logsumexp({0, 1})", in -> in.get(0).logsumexp(new int[] {0, 1}, false), randn(3, 4));
    row("var()", in -> in.get(0).var(), randn(3, 4));
    row("var(1)", in -> in.get(0).var(1), randn(3, 4));
    row("var(0, keepdim)", in -> in.get(0).var(0, true), randn(3, 4));
    row("var({0, 2}, correction 0, keepdim)", in -> in.get(0).var(new int[] {0, 2}, 0, true), randn(2, 3, 4));
    row("std()", in -> in.get(0).std(), randn(3, 4));
    row("std(0)", in -> in.get(0).std(0), randn(3, 4));
    row("std(1, keepdim)", in -> in.get(0).std(1, true), randn(3, 4));
    row("std({1}, correction 0)", in -> in.get(0).std(new int[] {1}, 0, false), randn(2, 3, 4));
    row("softmax(1)", in -> in.get(0).softmax(1), randn(3, 4));
    row("softmax(0)", in -> in.get(0).softmax(0), randn(3, 4));
    row("softmax(-1) of [2,3,4]", in -> in.get(0).softmax(-1), randn(2, 3, 4));
    row("logSoftmax(1)", in -> in.get(0).logSoftmax(1), randn(3, 4));
    row("logSoftmax(0) of [2,3,4]", in -> in.get(0).logSoftmax(0), randn(2, 3, 4));
    row("logSoftmax(-1) of a non-contiguous leaf", in -> in.get(0).logSoftmax(-1), transposed(4, 3));
  }

  private static void linalg() {
    row("matmul [3] @ [3] (dot)", in -> in.get(0).matmul(in.get(1)), randn(3), randn(3));
    row("matmul [3] @ [3,4]", in -> in.get(0).matmul(in.get(1)), randn(3), randn(3, 4));
    row("matmul [3,4] @ [4]", in -> in.get(0).matmul(in.get(1)), randn(3, 4), randn(4));
    row("matmul [3,4] @ [4,2]", in -> in.get(0).matmul(in.get(1)), randn(3, 4), randn(4, 2));
    row("matmul [2,3,4] @ [2,4,2]", in -> in.get(0).matmul(in.get(1)), randn(2, 3, 4), randn(2, 4, 2));
    row("matmul [2,3,4] @ [4,2]", in -> in.get(0).matmul(in.get(1)), randn(2, 3, 4), randn(4, 2));
    row("matmul [3,4] @ [2,4,2]", in -> in.get(0).matmul(in.get(1)), randn(3, 4), randn(2, 4, 2));
    row("matmul [4] @ [2,4,3]", in -> in.get(0).matmul(in.get(1)), randn(4), randn(2, 4, 3));
    row("matmul [2,3,4] @ [4]", in -> in.get(0).matmul(in.get(1)), randn(2, 3, 4), randn(4));
    row("matmul [2,1,3,4] @ [3,4,2] (batch broadcast)", in -> in.get(0).matmul(in.get(1)), randn(2, 1, 3, 4), randn(3, 4, 2));
    row("matmul with a transposed leaf", in -> in.get(0).matmul(in.get(1)), transposed(3, 4), randn(4, 2));
    row("mm [3,4] @ [4,2]", in -> in.get(0).mm(in.get(1)), randn(3, 4), randn(4, 2));
    row("mm [3,4] @ a transposed [4,2] leaf", in -> in.get(0).mm(in.get(1)), randn(3, 4), transposed(4, 2));
    row("mm x @ x.t() (one input twice)", in -> in.get(0).mm(in.get(0).t()), randn(3, 4));
    row("bmm [2,3,4] @ [2,4,2]", in -> in.get(0).bmm(in.get(1)), randn(2, 3, 4), randn(2, 4, 2));
  }

  private static void joinAndIndex() {
    row("cat dim 0 of [2,3], [1,3]", in -> Tensor.cat(List.of(in.get(0), in.get(1)), 0), randn(2, 3), randn(1, 3));
    row("cat dim 1 of [2,3], [2,2]", in -> Tensor.cat(List.of(in.get(0), in.get(1)), 1), randn(2, 3), randn(2, 2));
    row("cat dim -1 of three", in -> Tensor.cat(List.of(in.get(0), in.get(1), in.get(2)), -1), randn(2, 1), randn(2, 3), randn(2, 2));
    row("cat with a constant", in -> Tensor.cat(List.of(in.get(0), in.get(1)), 0), randn(2, 3), constant(1, 3));
    row("stack dim 0", in -> Tensor.stack(List.of(in.get(0), in.get(1), in.get(2)), 0), randn(2, 3), randn(2, 3), randn(2, 3));
    row("stack dim 1", in -> Tensor.stack(List.of(in.get(0), in.get(1)), 1), randn(2, 3), randn(2, 3));
    row("stack dim -1", in -> Tensor.stack(List.of(in.get(0), in.get(1)), -1), randn(2, 3), randn(2, 3));
    rows("split(2, 0) of [5,3] (sizes 2, 2, 1)", in -> in.get(0).split(2, 0), randn(5, 3));
    rows("split({1, 3}, 1)", in -> in.get(0).split(new long[] {1, 3}, 1), randn(2, 4));
    rows("chunk(3, 1) of [2,5]", in -> in.get(0).chunk(3, 1), randn(2, 5));
    rows("chunk(2, 0)", in -> in.get(0).chunk(2, 0), randn(4, 3));
    row("indexSelect(0, [2, 0, 2]) (repeated index)", in -> in.get(0).indexSelect(0, in.get(1)), randn(3, 4), index(new long[] {2, 0, 2}, 3));
    row("indexSelect(1, [3, 1])", in -> in.get(0).indexSelect(1, in.get(1)), randn(3, 4), index(new long[] {3, 1}, 2));
    row("gather(1, [3,2]) (repeated index)", in -> in.get(0).gather(1, in.get(1)), randn(3, 4),
        index(new long[] {0, 0, 3, 1, 2, 2}, 3, 2));
    row("gather(0, [2,4])", in -> in.get(0).gather(0, in.get(1)), randn(3, 4), index(new long[] {2, 0, 1, 2, 1, 1, 0, 0}, 2, 4));
    row("scatterAdd(1, index, src) (self and src)", in -> in.get(0).scatterAdd(1, in.get(1), in.get(2)), randn(3, 4),
        index(new long[] {0, 0, 1, 3, 2, 2}, 3, 2), randn(3, 2));
    row("scatterAdd(0, index, src)", in -> in.get(0).scatterAdd(0, in.get(1), in.get(2)), randn(3, 4),
        index(new long[] {2, 0, 1, 2}, 1, 4), randn(1, 4));
    row("scatterAdd_ on a clone", in -> in.get(0).clone().scatterAdd_(1, in.get(1), in.get(2)), randn(3, 4),
        index(new long[] {1, 1, 0, 3, 2, 0}, 3, 2), randn(3, 2));
  }

  private static void views() {
    row("view(4, 3)", in -> in.get(0).view(4, 3), randn(3, 4));
    row("view(-1)", in -> in.get(0).view(-1), randn(2, 3, 2));
    row("viewAs", in -> in.get(0).viewAs(in.get(1)), randn(3, 4), constant(2, 6));
    row("reshape(2, 6)", in -> in.get(0).reshape(2, 6), randn(3, 4));
    row("reshape(-1) of a non-contiguous leaf (copies)", in -> in.get(0).reshape(-1), transposed(4, 3));
    row("transpose(0, 1)", in -> in.get(0).transpose(0, 1), randn(3, 4));
    row("transpose(0, 2)", in -> in.get(0).transpose(0, 2), randn(2, 3, 4));
    row("t()", in -> in.get(0).t(), randn(3, 4));
    row("mT() of [2,3,4]", in -> in.get(0).mT(), randn(2, 3, 4));
    row("permute(2, 0, 1)", in -> in.get(0).permute(2, 0, 1), randn(2, 3, 4));
    row("permute(-1, 0, 1)", in -> in.get(0).permute(-1, 0, 1), randn(2, 3, 4));
    row("narrow(1, 1, 2)", in -> in.get(0).narrow(1, 1, 2), randn(3, 4));
    row("narrow(-1, 0, 3)", in -> in.get(0).narrow(-1, 0, 3), randn(2, 3, 4));
    row("slice(1, 0, 4, 2) (step)", in -> in.get(0).slice(1, 0, 4, 2), randn(3, 4));
    row("slice(0, 1, 3)", in -> in.get(0).slice(0, 1, 3), randn(3, 4));
    row("slice(2, 1, 4, 2) of [2,3,4]", in -> in.get(0).slice(2, 1, 4, 2), randn(2, 3, 4));
    row("select(0, 1)", in -> in.get(0).select(0, 1), randn(3, 4));
    row("select(-1, -1)", in -> in.get(0).select(-1, -1), randn(2, 3, 4));
    row("get(1, 2)", in -> in.get(0).get(1, 2), randn(3, 4));
    row("expand(3, 4) of [3,1]", in -> in.get(0).expand(3, 4), randn(3, 1));
    row("expand(2, 3, 4) of [4]", in -> in.get(0).expand(2, 3, 4), randn(4));
    row("expand(-1, 4) of [3,1]", in -> in.get(0).expand(-1, 4), randn(3, 1));
    row("expandAs", in -> in.get(0).expandAs(in.get(1)), randn(1, 4), constant(3, 4));
    row("squeeze() of [3,1,4,1]", in -> in.get(0).squeeze(), randn(3, 1, 4, 1));
    row("squeeze(1)", in -> in.get(0).squeeze(1), randn(3, 1, 4));
    row("unsqueeze(0)", in -> in.get(0).unsqueeze(0), randn(3, 4));
    row("unsqueeze(-1)", in -> in.get(0).unsqueeze(-1), randn(3, 4));
    row("flatten()", in -> in.get(0).flatten(), randn(2, 3, 4));
    row("flatten(1, 2)", in -> in.get(0).flatten(1, 2), randn(2, 3, 4));
    row("flatten() of a non-contiguous leaf", in -> in.get(0).flatten(), transposed(4, 3));
    row("contiguous() of a transpose", in -> in.get(0).t().contiguous(), randn(3, 4));
    row("contiguous() of a contiguous tensor", in -> in.get(0).contiguous(), randn(3, 4));
    row("clone()", in -> in.get(0).clone(), randn(3, 4));
    row("alias()", in -> in.get(0).alias(), randn(3, 4));
    row("to(FLOAT64) (same dtype)", in -> in.get(0).to(DType.FLOAT64), randn(3, 4));
    // through float32 and back: differences in float32 need a bigger step and looser tolerances
    row("to(FLOAT32).to(FLOAT64)", in -> in.get(0).to(DType.FLOAT32).to(DType.FLOAT64),
        GradCheck.options().eps(1e-2).atol(1e-3).rtol(1e-3), randn(3, 4));
  }

  /** Short chains as model code writes them: the engine must combine the formulas right. */
  private static void composites() {
    row("linear + tanh: tanh(x @ w + b).sum(1)", in -> in.get(0).matmul(in.get(1)).add(in.get(2)).tanh().sum(1),
        randn(4, 3), randn(3, 2), randn(2));
    row("cross entropy: -logSoftmax(x @ w).gather(1, y).mean()",
        in -> in.get(0).matmul(in.get(1)).logSoftmax(1).gather(1, in.get(2)).neg().mean(),
        randn(4, 3), randn(3, 5), index(new long[] {1, 4, 0, 4}, 4, 1));
    row("row norms: x.pow(2).sum(1).sqrt()", in -> in.get(0).pow(2L).sum(1).sqrt(), randn(3, 4));
    row("layer norm: (x - mean) / sqrt(var + eps)", in -> {
      Tensor x = in.get(0);
      Tensor mu = x.mean(1, true);
      return x.sub(mu).div(x.var(new int[] {1}, 0, true).add(1e-5).sqrt());
    }, randn(3, 4));
    row("sigmoid gate: sigmoid(a) * tanh(b) + a.relu()", in -> in.get(0).sigmoid().mul(in.get(1).tanh()).add(in.get(0).relu()),
        awayFromZero(2, 3), randn(2, 3));
  }

  // ------------------------------------------------------------------------------------------
  // building rows

  private static void row(String name, Function<List<Tensor>, Tensor> fn, Gen... gens) {
    row(name, fn, GradCheck.options(), gens);
  }

  private static void row(String name, Function<List<Tensor>, Tensor> fn, GradCheck.Options o, Gen... gens) {
    add(new Row(name, in -> List.of(fn.apply(in)), r -> make(r, gens), o));
  }

  private static void rows(String name, Function<List<Tensor>, List<Tensor>> fn, Gen... gens) {
    add(new Row(name, fn, r -> make(r, gens), GradCheck.options()));
  }

  private static void rowInputs(String name, Function<List<Tensor>, Tensor> fn, Inputs inputs) {
    add(new Row(name, in -> List.of(fn.apply(in)), inputs, GradCheck.options()));
  }

  private static void add(Row row) {
    for (Row r : ROWS) if (r.name().equals(row.name())) throw new IllegalStateException("duplicate row " + row.name());
    ROWS.add(row);
  }

  private static List<Tensor> make(Random r, Gen... gens) {
    List<Tensor> out = new ArrayList<>(gens.length);
    for (Gen g : gens) out.add(g.make(r));
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // seeded inputs (float64 leaves that require grad, unless said otherwise)

  private static long numel(long[] shape) {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
  }

  private static Tensor leaf(double[] v, long[] shape) {
    return Tensor.fromArray(v, shape).requiresGrad_();
  }

  private static Gen draw(long[] shape, java.util.function.ToDoubleFunction<Random> value) {
    return r -> {
      double[] v = new double[(int) numel(shape)];
      for (int i = 0; i < v.length; i++) v[i] = value.applyAsDouble(r);
      return leaf(v, shape);
    };
  }

  /** Standard normal values. */
  private static Gen randn(long... shape) {
    return draw(shape, Random::nextGaussian);
  }

  private static Gen uniform(double lo, double hi, long... shape) {
    return draw(shape, r -> lo + (hi - lo) * r.nextDouble());
  }

  /** In [0.5, 2): for log, sqrt, pow with a real exponent. */
  private static Gen positive(long... shape) {
    return uniform(0.5, 2.0, shape);
  }

  /** ±[0.25, 1.75): for abs, relu, sign, division. */
  private static Gen awayFromZero(long... shape) {
    return draw(shape, r -> (r.nextBoolean() ? 1 : -1) * (0.25 + 1.5 * r.nextDouble()));
  }

  /** Normal values at least 0.05 from each of the given points (clamp bounds). */
  private static Gen awayFrom(double[] points, long... shape) {
    return draw(shape, r -> {
      while (true) {
        double v = 1.2 * r.nextGaussian();
        boolean far = true;
        for (double p : points) far &= Math.abs(v - p) > 0.05;
        if (far) return v;
      }
    });
  }

  /** Values whose fractional part in units of step is in [0.15, 0.35] or [0.65, 0.85]: no jump of floor/round/remainder nearby. */
  private static Gen offGrid(double step, long... shape) {
    return draw(shape, r -> step * (r.nextInt(7) - 3 + (r.nextBoolean() ? 0.15 : 0.65) + 0.2 * r.nextDouble()));
  }

  /** Distinct values at least 0.2 apart in random order: max/min/amax have one winner. */
  private static Gen distinct(long... shape) {
    return r -> {
      int n = (int) numel(shape);
      List<Integer> perm = new ArrayList<>();
      for (int i = 0; i < n; i++) perm.add(i);
      java.util.Collections.shuffle(perm, r);
      double[] v = new double[n];
      for (int i = 0; i < n; i++) v[i] = (perm.get(i) - n / 2.0) * 0.3 + 0.1 * r.nextDouble();
      return leaf(v, shape);
    };
  }

  /** A [cols, rows] normal tensor transposed: a non-contiguous [rows, cols] leaf. */
  private static Gen transposed(long rows, long cols) {
    return r -> {
      double[] v = new double[(int) (rows * cols)];
      for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
      return Tensor.fromArray(v, cols, rows).t().requiresGrad_();
    };
  }

  /** Exactly these values. */
  private static Gen values(double[] v, long... shape) {
    return r -> leaf(v.clone(), shape);
  }

  /** A float64 tensor that does not require grad. */
  private static Gen constant(long... shape) {
    return r -> {
      double[] v = new double[(int) numel(shape)];
      for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
      return Tensor.fromArray(v, shape);
    };
  }

  /** A random bool mask with both values present. */
  private static Gen bools(long... shape) {
    return r -> {
      boolean[] b = new boolean[(int) numel(shape)];
      for (int i = 0; i < b.length; i++) b[i] = i % 2 == 0 ? r.nextBoolean() : !b[i - 1];
      return Tensor.fromArray(b, shape);
    };
  }

  private static Gen index(long[] values, long... shape) {
    return r -> Tensor.fromArray(values, shape);
  }

  /** x, y with x / y away from integers (remainder jumps there); y of both signs. */
  private static List<Tensor> remainderPair(Random r) {
    double[] x = new double[12], y = new double[12];
    for (int i = 0; i < 12; i++) {
      y[i] = (r.nextBoolean() ? 1 : -1) * (0.5 + r.nextDouble());
      double q = r.nextInt(5) - 2 + 0.2 + 0.6 * r.nextDouble();
      x[i] = q * y[i];
    }
    return List.of(leaf(x, new long[] {3, 4}), leaf(y, new long[] {3, 4}));
  }

  /** a, b at least 0.2 apart everywhere: maximum/minimum have no ties. */
  private static List<Tensor> separatedPair(Random r, long... shape) {
    int n = (int) numel(shape);
    double[] a = new double[n], b = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = r.nextGaussian();
      b[i] = a[i] + (r.nextBoolean() ? 1 : -1) * (0.2 + r.nextDouble());
    }
    return List.of(leaf(a, shape), leaf(b, shape));
  }
}
