package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link GradCheck} itself, with ops whose backward exists in every build (sum and
 * the views): it accepts right formulas, and names the output, input and element of a wrong one.
 * Wrong formulas are made with a hook that changes the gradient on its way.
 */
class GradCheckTest {
  private Scope scope;
  private long liveBefore;
  private final List<RemovableHandle> hooks = new ArrayList<>();

  @BeforeEach
  void open() {
    liveBefore = Kindling.liveTensors();
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    hooks.forEach(RemovableHandle::remove);
    scope.close();
    dev.kindling.LeakCheck.assertNotAbove(liveBefore, "native tensors left alive by the test");
  }

  private void hook(Tensor t, Function<Tensor, Tensor> fn) {
    hooks.add(t.registerHook(fn));
  }

  private static Tensor x23() {
    return Tensor.fromArray(new double[] {0.5, -1.25, 2.0, 0.75, -0.1, 1.5}, 2, 3).requiresGrad_();
  }

  @Test
  void acceptsRightFormulasFirstAndSecondOrder() {
    Tensor x = x23();
    Function<List<Tensor>, Tensor> f = in -> in.get(0).transpose(0, 1).reshape(6).narrow(0, 1, 4).sum();
    assertTrue(GradCheck.gradcheck(f, List.of(x)));
    Function<List<Tensor>, Tensor> g = in -> in.get(0).unsqueeze(0).expand(4, 2, 3).sum(new int[] {0, 2}, false);
    assertTrue(GradCheck.gradcheck(g, List.of(x)));
    assertTrue(GradCheck.gradgradcheck(g, List.of(x)));
  }

  @Test
  void leavesInputsAndTheirGradUntouchedAndFreesEverything() {
    Tensor x = x23();
    double[] before = x.toDoubleArray();
    long live = Kindling.liveTensors();
    assertTrue(GradCheck.gradcheck(in -> in.get(0).view(3, 2).sum(0), List.of(x)));
    assertTrue(GradCheck.gradgradcheck(in -> in.get(0).view(3, 2).sum(0), List.of(x)));
    dev.kindling.LeakCheck.assertNotAbove(live, "gradcheck keeps no native tensor alive");
    assertArrayEquals(before, x.toDoubleArray(), 0.0, "perturbed elements are restored exactly");
    assertNull(x.grad(), "gradcheck uses autograd.grad, never .grad");
    assertTrue(x.isLeaf() && x.requiresGrad());
  }

  @Test
  void wrongGradientIsReportedWithOutputInputElementAndBothValues() {
    Tensor x = x23();
    Function<List<Tensor>, Tensor> doubled = in -> {
      Tensor y = in.get(0).view(6);
      hook(y, g -> g.mul(2.0));  // the analytical gradient becomes twice the true one
      return y.sum();
    };
    GradcheckError e = assertThrows(GradcheckError.class, () -> GradCheck.gradcheck(doubled, List.of(x)));
    String m = e.getMessage();
    assertTrue(m.contains("Jacobian mismatch for output 0 with respect to input 0"), m);
    assertTrue(m.contains("first at input element [0, 0] and output element []"), m);
    assertTrue(m.matches("(?s).*numerical: 0\\.99999\\d* analytical: 2\\.0 .*"), m);
    assertTrue(m.contains("6 of 6 entries differ"), m);
    assertFalse(GradCheck.gradcheck(doubled, List.of(x), GradCheck.options().raiseException(false)));
  }

  @Test
  void mismatchInASecondOutputOrInputIsNamed() {
    Tensor a = x23();
    Tensor b = Tensor.fromArray(new double[] {1, 2, 3}, 3).requiresGrad_();
    Function<List<Tensor>, List<Tensor>> f = in -> {
      Tensor good = in.get(0).sum(0);
      Tensor bad = in.get(1).view(3, 1);
      hook(bad, g -> g.mul(-1.0));
      return List.of(good, bad.sum(1));
    };
    GradcheckError e = assertThrows(GradcheckError.class, () -> GradCheck.gradcheckOutputs(f, List.of(a, b)));
    assertTrue(e.getMessage().contains("Jacobian mismatch for output 1 with respect to input 1"), e.getMessage());
    assertTrue(e.getMessage().matches("(?s).*numerical: 0\\.99999\\d* analytical: -1\\.0 .*"), e.getMessage());
  }

  @Test
  void tolerancesAreOptions() {
    Tensor x = x23();
    Function<List<Tensor>, Tensor> slightlyOff = in -> {
      Tensor y = in.get(0).view(6);
      hook(y, g -> g.mul(1.0005));
      return y.sum();
    };
    assertTrue(GradCheck.gradcheck(slightlyOff, List.of(x)), "within rtol 1e-3");
    assertFalse(GradCheck.gradcheck(slightlyOff, List.of(x), GradCheck.options().rtol(1e-4).raiseException(false)));
    GradCheck.Options o = GradCheck.options();
    assertEquals(1e-6, o.eps());
    assertEquals(1e-5, o.atol());
    assertEquals(1e-3, o.rtol());
    assertTrue(o.raiseException());
    assertThrows(IllegalArgumentException.class, () -> o.eps(0));
    assertThrows(IllegalArgumentException.class, () -> o.atol(-1));
  }

  @Test
  void gradgradcheckCatchesABackwardThatIsNotDifferentiable() {
    Tensor x = x23();
    // The gradient is right, but detached: with createGraph it no longer depends on the grad output.
    Function<List<Tensor>, Tensor> detaching = in -> {
      Tensor y = in.get(0).view(6);
      hook(y, Tensor::detach);
      return y.sum();
    };
    assertTrue(GradCheck.gradcheck(detaching, List.of(x)));
    GradcheckError e = assertThrows(GradcheckError.class, () -> GradCheck.gradgradcheck(detaching, List.of(x)));
    String m = e.getMessage();
    assertTrue(m.startsWith("gradgradcheck: Jacobian mismatch for output 0"), m);
    assertTrue(m.contains("with respect to input 1 (the grad_output of output 0)"), m);
    assertTrue(m.contains("does not require grad"), m);
  }

  @Test
  void inputsThatDoNotRequireGradArePassedThrough() {
    Tensor x = x23();
    Tensor mask = Tensor.of(true, false, true);
    Function<List<Tensor>, Tensor> f = in -> {
      assertEquals(DType.BOOL, in.get(1).dtype());
      return in.get(0).select(1, 2).sum();
    };
    assertTrue(GradCheck.gradcheck(f, List.of(x, mask)));
  }

  @Test
  void nonContiguousInputsArePerturbedThroughTheirStrides() {
    Tensor base = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
    Tensor xt = base.t().requiresGrad_();  // a [2, 3] leaf with strides [1, 2]
    assertFalse(xt.isContiguous());
    // select(0, 1) weighs row 1 of xt only: the check is wrong if elements were taken in storage order
    assertTrue(GradCheck.gradcheck(in -> in.get(0).select(0, 1).sum(), List.of(xt)));
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, base.toDoubleArray(), 0.0);
  }

  @Test
  void constantOutputsPassAndUnrecordedOutputsFailClearly() {
    Tensor x = x23();
    // An output that does not depend on the input: both Jacobians are zero.
    assertTrue(GradCheck.gradcheckOutputs(in -> List.of(in.get(0).sum(), Tensor.ones(2).toDouble()), List.of(x)));
    // An output computed outside autograd (as an op without a backward formula looks).
    GradcheckError e = assertThrows(GradcheckError.class, () -> GradCheck.gradcheck(in -> in.get(0).detach().sum(), List.of(x)));
    assertTrue(e.getMessage().contains("output 0 does not require grad"), e.getMessage());
    GradcheckError e2 = assertThrows(GradcheckError.class, () -> GradCheck.gradgradcheck(in -> in.get(0).detach().sum(), List.of(x)));
    assertTrue(e2.getMessage().contains("no output of the function requires grad"), e2.getMessage());
  }

  @Test
  void rejectsInputsItCannotCheck() {
    Tensor f32 = Tensor.ones(3).requiresGrad_();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GradCheck.gradcheck(in -> in.get(0).sum(), List.of(f32)));
    assertTrue(e.getMessage().contains("input 0 requires grad but is float32"), e.getMessage());
    Tensor plain = Tensor.ones(new long[] {3}, DType.FLOAT64);
    e = assertThrows(IllegalArgumentException.class, () -> GradCheck.gradcheck(in -> in.get(0).sum(), List.of(plain)));
    assertTrue(e.getMessage().contains("at least one input tensor to require gradient"), e.getMessage());
    Tensor expanded = Tensor.ones(new long[] {1, 3}, DType.FLOAT64).expand(2, 3).requiresGrad_();
    e = assertThrows(IllegalArgumentException.class, () -> GradCheck.gradcheck(in -> in.get(0).sum(), List.of(expanded)));
    assertTrue(e.getMessage().contains("overlapping memory"), e.getMessage());
    assertThrows(NullPointerException.class, () -> GradCheck.gradcheck(in -> null, List.of(x23())));
  }
}
