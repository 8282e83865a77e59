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
 * In-place ops on views, as PyTorch handles them (CopySlices): the base's history is rebased, so
 * gradients flow through the written part and around it. Expected numbers worked out by hand and
 * checked with torch 1.13.
 */
class InplaceViewGradTest {
  private Scope scope;

  @BeforeEach
  void open() {
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  @Test
  void inPlaceOnAColumnOfANonLeaf() {
    // x = torch.ones(3, 4, requires_grad=True); y = x * 2; y[:, 1].mul_(3); y.sum().backward()
    Tensor x = Tensor.ones(3, 4).requiresGrad_();
    Tensor y = x.mul(2.0);
    y.select(1, 1).mul_(3.0);
    assertEquals("CopySlices", y.gradFn().name());
    y.sum().backward();
    assertArrayEquals(new float[] {2, 6, 2, 2, 2, 6, 2, 2, 2, 6, 2, 2}, x.grad().toFloatArray());
  }

  @Test
  void copyIntoAViewOfATensorThatNeededNoGrad() {
    // b = torch.zeros(4); w = torch.tensor([1., 2.], requires_grad=True)
    // b.narrow(0, 1, 2).copy_(w * w); (b * torch.arange(4.)).sum().backward()  -> w.grad = [2, 8]
    Tensor b = Tensor.zeros(4);
    Tensor w = Tensor.of(1f, 2f).requiresGrad_();
    b.narrow(0, 1, 2).copy_(w.mul(w));
    assertTrue(b.requiresGrad());
    b.mul(Tensor.arange(0.0, 4.0, 1.0)).sum().backward();
    assertArrayEquals(new float[] {2, 8}, w.grad().toFloatArray());
  }

  @Test
  void aViewOfALeafThatRequiresGradCannotBeWrittenInPlace() {
    Tensor x = Tensor.ones(3).requiresGrad_();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.narrow(0, 0, 1).mul_(2.0));
    assertTrue(e.getMessage().contains("view of a leaf Variable"), e.getMessage());
    try (var g = Autograd.noGrad()) {
      x.narrow(0, 0, 1).mul_(2.0);  // fine without grad mode
    }
    assertArrayEquals(new float[] {2, 1, 1}, x.detach().toFloatArray());
  }

  @Test
  void expandedViewsCannotBeWrittenWhenRecording() {
    Tensor w = Tensor.ones(1).requiresGrad_();
    Tensor y = w.mul(1.0).expand(3);
    assertThrows(IllegalArgumentException.class, () -> y.mul_(2.0));
  }

  @Test
  void doubleBackwardThroughAnInPlaceOnAView() {
    // y = x*1; y[:2].mul_(x[:2]) -> y = [x0^2, x1^2, x2]; z = (y^2).sum()
    // dz/dx = [4x0^3, 4x1^3, 2x2]; d(sum dz/dx)/dx = [12x0^2, 12x1^2, 2]
    Tensor x = Tensor.fromArray(new double[] {1.0, 2.0, 3.0}, 3).requiresGrad_();
    Tensor y = x.mul(1.0);
    y.narrow(0, 0, 2).mul_(x.narrow(0, 0, 2));
    Tensor z = y.pow(2.0).sum();
    Tensor g = Autograd.grad(List.of(z), List.of(x), null, true).get(0);
    assertArrayEquals(new double[] {4, 32, 6}, g.toDoubleArray(), 1e-12);
    g.sum().backward();
    assertArrayEquals(new double[] {12, 48, 2}, x.grad().toDoubleArray(), 1e-12);
  }

  @Test
  void gradcheckAndGradgradcheckThroughInPlaceOnViews() {
    Kindling.manualSeed(7);
    Tensor x = Tensor.randn(new long[] {3, 4}, DType.FLOAT64).requiresGrad_();
    Tensor w = Tensor.randn(new long[] {3}, DType.FLOAT64).requiresGrad_();
    java.util.function.Function<List<Tensor>, Tensor> fn = in -> {
      Tensor y = in.get(0).mul(1.5);
      y.select(1, 2).mul_(in.get(1));             // a column times w
      y.narrow(0, 1, 2).slice(1, 0, 4, 2).add_(1.0);  // a strided block
      y.select(0, 0).copy_(in.get(1).sum().expand(4));
      return y.tanh();
    };
    assertTrue(GradCheck.gradcheck(fn, List.of(x, w)));
    assertTrue(GradCheck.gradgradcheck(fn, List.of(x, w)));
  }
}
