package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.autograd.GradCheck;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * erf and exact GELU as specifications: values, first and second derivatives equal what torch
 * 1.13 gives for x = [-2, -0.5, 0, 0.3, 1.5] (torch.erf, F.gelu, torch.autograd.grad with
 * create_graph), and both pass gradcheck and gradgradcheck in float64. erf's node is PyTorch's
 * ErfBackward0; F.gelu is composed of mul, erf and add, so its node is MulBackward0 where PyTorch
 * has a single GeluBackward0 (same values and gradients).
 */
class ErfGeluTest {
  private Scope scope;
  private long liveBefore;

  @BeforeEach
  void open() {
    liveBefore = Kindling.liveTensors();
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
    LeakCheck.assertNotAbove(liveBefore, "native tensors left alive by the test");
  }

  private static Tensor x() {
    return Tensor.fromArray(new double[] {-2.0, -0.5, 0.0, 0.3, 1.5}, 5).requiresGrad_();
  }

  private static void assertValues(double[] want, Tensor got) {
    double[] g = got.toDoubleArray();
    assertEquals(want.length, g.length);
    for (int i = 0; i < want.length; i++) assertEquals(want[i], g[i], 1e-12, "element " + i);
  }

  @Test
  void erfValuesAndGradientsMatchTorch() {
    Tensor x = x();
    Tensor y = x.erf();
    assertEquals("ErfBackward0", y.gradFn().name());
    assertValues(new double[] {-0.9953222650189527, -0.5204998778130465, 0.0, 0.3286267594591274,
        0.9661051464753108}, y);
    Tensor g = Autograd.grad(List.of(y.sum()), List.of(x), null, true).get(0);
    assertValues(new double[] {0.020666985354092053, 0.8787825789354448, 1.1283791670955126,
        1.031260909618963, 0.11893028922362936}, g);
    Tensor gg = Autograd.grad(g.sum(), x);
    assertValues(new double[] {0.08266794141636821, 0.8787825789354448, 0.0, -0.6187565457713778,
        -0.3567908676708881}, gg);
  }

  @Test
  void erfOfIntegersIsFloat32AndInPlaceWorks() {
    assertEquals(DType.FLOAT32, Tensor.of(1L, 2L).erf().dtype());
    Tensor t = Tensor.fromArray(new double[] {0.3, -1.5}, 2);
    assertSame(t, t.erf_());
    assertValues(new double[] {0.3286267594591274, -0.9661051464753108}, t);
  }

  @Test
  void exactGeluValuesAndGradientsMatchTorch() {
    Tensor x = x();
    Tensor y = F.gelu(x);
    assertValues(new double[] {-0.04550026389635842, -0.15426876936299344, 0.0, 0.1853734266566858,
        1.399789198096713}, y);
    y.sum().backward();
    assertValues(new double[] {-0.08523180107819692, 0.13250487534383712, 0.5, 0.7323277668271099,
        1.1274691922299795}, x.grad());
    assertEquals("MulBackward0", F.gelu(x).gradFn().name());  // torch: GeluBackward0 (fused)
    assertValues(y.toDoubleArray(), new GELU().forward(x));
  }

  @Test
  void erfAndGeluPassGradcheck() {
    Tensor x = Tensor.fromArray(new double[] {-1.3, -0.4, 0.25, 0.9, 1.7, -2.2}, 2, 3).requiresGrad_();
    assertTrue(GradCheck.gradcheck(in -> in.get(0).erf(), List.of(x)));
    assertTrue(GradCheck.gradgradcheck(in -> in.get(0).erf(), List.of(x)));
    assertTrue(GradCheck.gradcheck(in -> F.gelu(in.get(0)), List.of(x)));
    assertTrue(GradCheck.gradgradcheck(in -> F.gelu(in.get(0)), List.of(x)));
  }
}
