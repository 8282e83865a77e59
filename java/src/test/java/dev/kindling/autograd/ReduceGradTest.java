package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.ValuesIndices;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the reductions through the Java API, against numbers printed by PyTorch 1.13
 * (float64; each case names the PyTorch expression). The exhaustive finite-difference checks are
 * in native/tests/test_autograd_reduce.cpp; these check that the Java calls reach the recording
 * ops and that PyTorch's conventions (ties, zeros, names) hold end to end.
 */
class ReduceGradTest {
  private static final double TOL = 1e-12;
  private Scope scope;

  @BeforeEach
  void open() {
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private static Tensor leaf(double[][] rows) {
    return Tensor.of(rows).requiresGrad_();
  }

  /** x.grad after f(x).backward(g) (g = null: a one-element result). */
  private static double[] gradOf(double[][] x, Function<Tensor, Tensor> f, Tensor g) {
    Tensor t = leaf(x);
    Tensor y = f.apply(t);
    if (g == null) y.backward();
    else y.backward(g);
    return t.grad().toDoubleArray();
  }

  private static final double[][] X = {{1, 2, 4}, {3, 7, 0}};
  private static final double[][] SOFT = {{0.5, -1, 2}, {1, 0, -0.5}};
  private static final double[][] W = {{1, 2, 3}, {4, 5, 6}};

  @Test
  void gradFnNamesArePyTorchs() {
    Tensor x = leaf(X);
    assertEquals("MeanBackward0", x.mean().gradFn().name());
    assertEquals("MeanBackward1", x.mean(1).gradFn().name());
    assertEquals("ProdBackward0", x.prod().gradFn().name());
    assertEquals("ProdBackward1", x.prod(1, false).gradFn().name());
    assertEquals("MaxBackward1", x.max().gradFn().name());
    assertEquals("MinBackward1", x.min().gradFn().name());
    assertEquals("AmaxBackward0", x.amax(new int[] {1}, false).gradFn().name());
    assertEquals("AminBackward0", x.amin(new int[] {0}, true).gradFn().name());
    assertEquals("LogsumexpBackward0", x.logsumexp(1).gradFn().name());
    assertEquals("VarBackward0", x.var().gradFn().name());
    assertEquals("StdBackward0", x.std(1).gradFn().name());
    assertEquals("SoftmaxBackward0", x.softmax(1).gradFn().name());
    assertEquals("LogSoftmaxBackward0", x.logSoftmax(1).gradFn().name());
    ValuesIndices m = x.max(1);
    assertEquals("MaxBackward0", m.values().gradFn().name());
    assertFalse(m.indices().requiresGrad());
    assertEquals("MinBackward0", x.min(0).values().gradFn().name());
    assertFalse(x.any().requiresGrad());
    assertFalse(x.all(1, false).requiresGrad());
  }

  @Test
  void meanProdAndLogsumexp() {
    // x.mean(0).backward(torch.tensor([1., 2, 3]))
    assertArrayEquals(new double[] {0.5, 1, 1.5, 0.5, 1, 1.5}, gradOf(X, t -> t.mean(0), Tensor.of(1.0, 2, 3)), TOL);
    // torch.tensor([[1., 2, 3], [4, 5, 6]]).prod(1).backward(torch.ones(2))
    assertArrayEquals(new double[] {6, 3, 2, 30, 24, 20},
        gradOf(new double[][] {{1, 2, 3}, {4, 5, 6}}, t -> t.prod(1, false), Tensor.of(1.0, 1)), TOL);
    // torch.tensor([[1., 0, 3], [4, 5, 6]]).prod().backward(): only the zero gets a gradient
    assertArrayEquals(new double[] {0, 360, 0, 0, 0, 0}, gradOf(new double[][] {{1, 0, 3}, {4, 5, 6}}, Tensor::prod, null), TOL);
    // x.logsumexp(1).backward(torch.ones(2))
    assertArrayEquals(new double[] {0.042010066134066035, 0.11419519938459442, 0.8437947344813391,
        0.017970118068812067, 0.9811352024343174, 0.0008946794968705335},
        gradOf(X, t -> t.logsumexp(1), Tensor.of(1.0, 1)), TOL);
  }

  @Test
  void maxAndMinTies() {
    double[][] ties = {{1, 3, 3}, {3, 2, 0}};
    double third = 1.0 / 3;
    // torch.max(x).backward(): the gradient is split evenly among the three 3s
    assertArrayEquals(new double[] {0, third, third, third, 0, 0}, gradOf(ties, Tensor::max, null), TOL);
    // torch.max(x, 1).values.backward(torch.tensor([1., 2])): all of it to the returned index
    Tensor x = leaf(ties);
    ValuesIndices m = x.max(1);
    assertArrayEquals(new long[] {1, 0}, m.indices().toLongArray());
    m.values().backward(Tensor.of(1.0, 2));
    assertArrayEquals(new double[] {0, 1, 0, 2, 0, 0}, x.grad().toDoubleArray(), TOL);
    // x.amin(1).backward(torch.ones(2))
    assertArrayEquals(new double[] {1, 0, 0, 0, 0, 1},
        gradOf(ties, t -> t.amin(new int[] {1}, false), Tensor.of(1.0, 1)), TOL);
  }

  @Test
  void varAndStd() {
    // x.std(1).backward(torch.ones(2))
    assertArrayEquals(new double[] {-0.43643578047198484, -0.10910894511799625, 0.5455447255899809,
        -0.04745789978762498, 0.5220368976638745, -0.4745789978762496},
        gradOf(X, t -> t.std(1), Tensor.of(1.0, 1)), TOL);
    // x.var().backward()
    assertArrayEquals(new double[] {-0.7333333333333334, -0.3333333333333334, 0.4666666666666666,
        0.06666666666666661, 1.6666666666666665, -1.1333333333333335}, gradOf(X, Tensor::var, null), TOL);
  }

  @Test
  void softmaxAndLogSoftmax() {
    Tensor w = Tensor.of(W);
    // x.softmax(1).backward(w)
    assertArrayEquals(new double[] {-0.28227128282063296, -0.02387066327038312, 0.30614194609101614,
        -0.3216276404176436, 0.11290370100001675, 0.20872393941762654},
        gradOf(SOFT, t -> t.softmax(1), w), TOL);
    // x.log_softmax(0).backward(w)
    assertArrayEquals(new double[] {-0.887703343990727, 0.11741005041003427, -5.317276379808809,
        0.887703343990727, -0.11741005041003427, 5.317276379808808},
        gradOf(SOFT, t -> t.logSoftmax(0), w), TOL);
  }

  /** Whether the elementwise ops record history (the double-backward formulas are built from them). */
  private static boolean elementwiseRecords() {
    Tensor a = Tensor.of(1.0, 2).requiresGrad_();
    return a.mul(a).gradFn() != null && a.exp().gradFn() != null;
  }

  /** g = autograd.grad(f(x), x, w, create_graph=True); then autograd.grad(g, x, u). */
  private static double[] gradGrad(Function<Tensor, Tensor> f, Tensor w) {
    Tensor x = leaf(SOFT);
    Tensor u = Tensor.of(new double[][] {{0.3, -0.2, 0.1}, {1, 0.5, -1}});
    Tensor g = Autograd.grad(List.of(f.apply(x)), List.of(x), List.of(w), true, true, false).get(0);
    assertTrue(g.requiresGrad());
    return Autograd.grad(List.of(g), List.of(x), List.of(u), false, false, false).get(0).toDoubleArray();
  }

  @Test
  void doubleBackwardOfSoftmaxLogSoftmaxAndStd() {
    assumeTrue(elementwiseRecords(), "elementwise autograd formulas not present in this build");
    Tensor w = Tensor.of(W);
    assertArrayEquals(new double[] {-0.04122987526897895, 0.009645943972773512, 0.0315839312962055,
        0.17046407323381557, 0.09784632870739872, -0.2683104019412144}, gradGrad(t -> t.softmax(1), w), 1e-10);
    assertArrayEquals(new double[] {-0.1858173096273191, 0.07587627375656826, 0.10994103587075088,
        -3.734427952049946, 0.36035996407096976, 3.3740679879789766}, gradGrad(t -> t.logSoftmax(1), w), 1e-10);
    assertArrayEquals(new double[] {0.07777777777777778, -0.038888888888888876, -0.03888888888888889,
        -0.23380488239570596, 0.7014146471871182, -0.4676097647914126},
        gradGrad(t -> t.std(1), Tensor.of(1.0, 2)), 1e-10);
  }
}
