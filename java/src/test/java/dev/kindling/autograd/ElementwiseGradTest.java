package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gradients of elementwise ops through the Java API. Each case names the PyTorch 1.13 code it
 * reproduces; the expected numbers were computed with it.
 */
class ElementwiseGradTest {
  private Scope scope;

  @BeforeEach
  void open() {
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private static void assertClose(double[] expected, Tensor actual) {
    assertArrayEquals(expected, actual.toDoubleArray(), 1e-12);
  }

  @Test
  void mulThenSum() {
    // x = torch.tensor([1., 2, 3], requires_grad=True); y = torch.tensor([4., 5, 6], requires_grad=True)
    // (x * y).sum().backward()
    Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor y = Tensor.of(4f, 5f, 6f).requiresGrad_();
    Tensor p = x.mul(y);
    assertEquals("MulBackward0", p.gradFn().name());
    p.sum().backward();
    assertArrayEquals(new float[] {4, 5, 6}, x.grad().toFloatArray());
    assertArrayEquals(new float[] {1, 2, 3}, y.grad().toFloatArray());
  }

  @Test
  void broadcastingAndMixedDtypes() {
    // a = torch.tensor([1., 2, 3], requires_grad=True)
    // b = torch.tensor([[0.5], [2.]], dtype=torch.float64, requires_grad=True)
    // (a * b).sum().backward() -> a.grad float32 [2.5, 2.5, 2.5], b.grad float64 [[6.], [6.]]
    Tensor a = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor b = Tensor.of(new double[][] {{0.5}, {2}}).requiresGrad_();
    a.mul(b).sum().backward();
    assertEquals(DType.FLOAT32, a.grad().dtype());
    assertEquals(DType.FLOAT64, b.grad().dtype());
    assertArrayEquals(new long[] {2, 1}, b.grad().shape());
    assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f}, a.grad().toFloatArray());
    assertClose(new double[] {6, 6}, b.grad());
  }

  @Test
  void chainOfUnaryOps() {
    // x = torch.tensor([0.5, -1., 2.], dtype=torch.float64, requires_grad=True)
    // (x.tanh() * x.sigmoid()).exp().sum().backward()
    Tensor x = Tensor.of(0.5, -1.0, 2.0).requiresGrad_();
    x.tanh().mul(x.sigmoid()).exp().sum().backward();
    assertClose(new double[] {0.7974817036179086, -0.029976146094005535, 0.3820661723898281}, x.grad());
  }

  @Test
  void binaryOpsWithTwoGradients() {
    // y = torch.tensor([1.5, 0.25, -0.75], dtype=torch.float64, requires_grad=True)
    // (x.square().add(1).pow(y) + torch.atan2(x, y) - x.div(y) + torch.maximum(x, y) * 2.).sum().backward()
    Tensor x = Tensor.of(0.5, -1.0, 2.0).requiresGrad_();
    Tensor y = Tensor.of(1.5, 0.25, -0.75).requiresGrad_();
    x.square().add(1.0).pow(y).add(x.atan2(y)).sub(x.div(y)).add(x.maximum(y).mul(2.0)).sum().backward();
    assertArrayEquals(new double[] {1.610384316458176, -4.062007661103621, 2.989507917942951},
        x.grad().toDoubleArray(), 1e-12);
    assertArrayEquals(new double[] {2.3340748156467757, -12.234527970545802, 3.598533595333905},
        y.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void gradFnNamesArePyTorchs() {
    Tensor x = Tensor.of(0.5, -1.0).requiresGrad_();
    Tensor y = Tensor.of(2.0, 3.0).requiresGrad_();
    assertEquals("AddBackward0", x.add(y).gradFn().name());
    assertEquals("AddBackward0", x.add(2.0).gradFn().name());
    assertEquals("SubBackward0", x.sub(2.0).gradFn().name());
    assertEquals("RsubBackward1", x.rsub(2.0).gradFn().name());
    assertEquals("DivBackward0", x.div(y).gradFn().name());
    assertEquals("PowBackward0", x.pow(2.0).gradFn().name());
    assertEquals("PowBackward0", x.square().gradFn().name());
    assertEquals("PowBackward1", x.pow(y).gradFn().name());
    assertEquals("PowBackward2", y.rpow(2.0).gradFn().name());
    assertEquals("RemainderBackward0", x.remainder(2.0).gradFn().name());
    assertEquals("RemainderBackward1", x.remainder(y).gradFn().name());
    assertEquals("ReluBackward0", x.relu().gradFn().name());
    assertEquals("LeakyReluBackward0", x.leakyRelu(0.1).gradFn().name());
    assertEquals("ClampBackward1", x.clamp(0, 1).gradFn().name());
    assertEquals("MaskedFillBackward0", x.maskedFill(x.gt(0.0), 0).gradFn().name());
    assertEquals("WhereBackward0", Tensor.where(x.gt(0.0), x, y).gradFn().name());
    // x + 2. keeps an empty edge for the wrapped scalar, x ** 2. does not (torch's next_functions)
    assertEquals(2, x.add(2.0).gradFn().nextFunctions().size());
    assertEquals(1, x.pow(2.0).gradFn().nextFunctions().size());
    // comparisons give bool results without history
    assertFalse(x.gt(y).requiresGrad());
  }

  @Test
  void pytorchConventionsAtKinks() {
    // c = torch.tensor([-1., 0., 0.5, 1., 2.], requires_grad=True); c.clamp(0, 1).sum().backward()
    Tensor c = Tensor.of(-1f, 0f, 0.5f, 1f, 2f).requiresGrad_();
    c.clamp(0, 1).sum().backward();
    assertArrayEquals(new float[] {0, 1, 1, 1, 0}, c.grad().toFloatArray());
    // torch.tensor([-1., 0., 2.]).abs() / .relu() at 0: gradient 0
    Tensor a = Tensor.of(-1f, 0f, 2f).requiresGrad_();
    a.abs().add(a.relu()).sum().backward();
    assertArrayEquals(new float[] {-1, 0, 2}, a.grad().toFloatArray());
    // torch.maximum(p, q), p = [1, 2, 3], q = [1, 1, 4]: ties split evenly
    Tensor p = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor q = Tensor.of(1f, 1f, 4f).requiresGrad_();
    p.maximum(q).sum().backward();
    assertArrayEquals(new float[] {0.5f, 1, 0}, p.grad().toFloatArray());
    assertArrayEquals(new float[] {0.5f, 0, 1}, q.grad().toFloatArray());
  }

  @Test
  void inPlaceOpsRebaseHistory() {
    // x = torch.tensor([1., 2.], requires_grad=True); y = x * 2; y.mul_(3); y.sum().backward()
    Tensor x = Tensor.of(1f, 2f).requiresGrad_();
    Tensor y = x.mul(2.0);
    y.mul_(3.0);
    assertEquals("MulBackward0", y.gradFn().name());
    y.sum().backward();
    assertArrayEquals(new float[] {6, 6}, x.grad().toFloatArray());

    // x = torch.tensor([0.5, 1.5, 2.], dtype=torch.float64, requires_grad=True)
    // y = torch.tensor([1., 0.25, -1.], dtype=torch.float64, requires_grad=True)
    // t = x * 1; t.log_(); t.sub_(y, alpha=2.); t.clamp_(-3., 2.); t.sum().backward()
    // (log_ reads the values it overwrites; the last element is clamped)
    Tensor u = Tensor.of(0.5, 1.5, 2.0).requiresGrad_();
    Tensor v = Tensor.of(1.0, 0.25, -1.0).requiresGrad_();
    Tensor t = u.mul(1.0);
    t.log_();
    assertEquals("LogBackward0", t.gradFn().name());
    t.sub_(v, 2.0);
    t.clamp_(-3.0, 2.0);
    assertEquals("ClampBackward1", t.gradFn().name());
    t.sum().backward();
    assertClose(new double[] {2, 2.0 / 3, 0}, u.grad());
    assertClose(new double[] {-2, -2, 0}, v.grad());
  }

  @Test
  void modifiedSavedTensorIsReportedAtBackward() {
    // t = x * 1; t.exp_(); t.add_(1.); t.sum().backward()
    // -> RuntimeError: one of the variables needed for gradient computation has been modified by
    //    an inplace operation
    Tensor x = Tensor.of(0.5, -1.0).requiresGrad_();
    Tensor t = x.mul(1.0);
    t.exp_();
    t.add_(1.0);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.sum().backward());
    assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
  }

  @Test
  void inPlaceOnLeafIsAnError() {
    Tensor x = Tensor.of(1f, 2f).requiresGrad_();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.mul_(2.0));
    assertTrue(e.getMessage().contains("leaf Variable"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> x.copy_(Tensor.of(3f, 4f)));
    assertArrayEquals(new float[] {1, 2}, x.toFloatArray());
  }

  @Test
  void secondOrderGradients() {
    // g, = torch.autograd.grad((x.sin() * x).sum(), x, create_graph=True); g.sum().backward()
    // (torch's retain_graph defaults to create_graph; here both are given)
    Tensor x = Tensor.of(0.5, -1.0, 2.0).requiresGrad_();
    Tensor g = Autograd.grad(List.of(x.sin().mul(x).sum()), List.of(x), null, true, true, false).get(0);
    assertTrue(g.requiresGrad());
    assertClose(new double[] {0.9182168195493894, -1.3817732906760363, 0.0770037537313969}, g);
    g.sum().backward();
    assertClose(new double[] {1.515452354478644, 0.23913362692838303, -2.6508885267456486}, x.grad());
  }
}
