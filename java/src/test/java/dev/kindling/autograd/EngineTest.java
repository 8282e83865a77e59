package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's contract, with ops whose formulas are simplest (sum, views, expand). */
class EngineTest {
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
  void requiresGradRules() {
    Tensor x = Tensor.ones(3);
    assertFalse(x.requiresGrad());
    assertTrue(x.isLeaf());
    x.requiresGrad_();
    assertTrue(x.requiresGrad());
    Tensor y = x.sum();
    assertTrue(y.requiresGrad());
    assertFalse(y.isLeaf());
    assertEquals("SumBackward0", y.gradFn().name());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).requiresGrad_());
    assertTrue(e.getMessage().contains("floating point"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> y.requiresGrad_(false));
  }

  @Test
  void sumBackwardFillsLeafGrad() {
    Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor y = x.view(3, 1).expand(3, 4).sum();
    y.backward();
    assertArrayEquals(new float[] {4, 4, 4}, x.grad().toFloatArray());
    // gradients accumulate
    x.sum().backward();
    assertArrayEquals(new float[] {5, 5, 5}, x.grad().toFloatArray());
  }

  @Test
  void gradFnIntrospection() {
    Tensor x = Tensor.ones(2, 3).requiresGrad_();
    Tensor y = x.transpose(0, 1).sum(0);
    Node fn = y.gradFn();
    assertEquals("SumBackward1", fn.name());
    List<Edge> next = fn.nextFunctions();
    assertEquals(1, next.size());
    assertEquals("TransposeBackward0", next.get(0).node().name());
    Edge leaf = next.get(0).node().nextFunctions().get(0);
    assertTrue(leaf.node() instanceof AccumulateGrad);
    assertEquals(0, leaf.inputNr());
    Tensor v = ((AccumulateGrad) leaf.node()).variable();
    assertTrue(v.sharesStorageWith(x));
  }

  @Test
  void noGradAndDetach() {
    Tensor x = Tensor.ones(3).requiresGrad_();
    try (var g = Autograd.noGrad()) {
      assertFalse(Autograd.isGradEnabled());
      assertFalse(x.sum().requiresGrad());
      try (var e = Autograd.enableGrad()) {
        assertTrue(x.sum().requiresGrad());
      }
      assertFalse(Autograd.isGradEnabled());
    }
    assertTrue(Autograd.isGradEnabled());
    Tensor d = x.detach();
    assertFalse(d.requiresGrad());
    assertTrue(d.sharesStorageWith(x));
  }

  @Test
  void gradModeIsPerThread() throws Exception {
    Tensor x = Tensor.ones(3).requiresGrad_();
    try (var g = Autograd.noGrad()) {
      boolean[] other = new boolean[2];
      Thread t = new Thread(() -> {
        other[0] = Autograd.isGradEnabled();
        try (Scope s = Kindling.scope()) {
          other[1] = x.sum().requiresGrad();
        }
      });
      t.start();
      t.join();
      assertTrue(other[0], "another thread keeps grad mode on");
      assertTrue(other[1], "and records history there");
      assertFalse(x.sum().requiresGrad());
    }
  }

  @Test
  void aFailingHookLeaksNothing() {
    Tensor x = Tensor.ones(4).requiresGrad_();
    x.registerHook(g -> {
      throw new ArithmeticException("hook failed");
    });
    long before = Kindling.liveTensors();
    for (int i = 0; i < 50; i++) {
      try (Scope s = Kindling.scope()) {
        assertThrows(ArithmeticException.class, () -> x.mul(2.0).sum().backward());
      }
    }
    dev.kindling.LeakCheck.assertNotAbove(before, "after 50 failed backward passes");
  }

  @Test
  void inPlaceOnLeafThatRequiresGradIsAnError() {
    Tensor x = Tensor.ones(3).requiresGrad_();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.add_(1.0));
    assertTrue(e.getMessage().contains("leaf Variable"), e.getMessage());
    try (var g = Autograd.noGrad()) {
      x.add_(1.0);  // allowed without grad mode (optimizer updates)
    }
    assertArrayEquals(new float[] {2, 2, 2}, x.toFloatArray());
  }

  @Test
  void hooksSeeAndReplaceGradients() {
    Tensor x = Tensor.of(1f, 2f).requiresGrad_();
    Tensor y = x.view(2, 1);
    float[][] seen = new float[1][];
    RemovableHandle h = y.registerHook(g -> {
      seen[0] = g.toFloatArray();
      return g.mul(10.0);
    });
    y.sum().backward();
    assertArrayEquals(new float[] {1, 1}, seen[0]);
    assertArrayEquals(new float[] {10, 10}, x.grad().toFloatArray());
    h.remove();
    x.setGrad(null);
    x.view(2, 1).sum().backward();
    assertArrayEquals(new float[] {1, 1}, x.grad().toFloatArray());
  }

  @Test
  void exceptionInHookComesOutOfBackward() {
    Tensor x = Tensor.ones(2).requiresGrad_();
    x.registerHook(g -> {
      throw new IllegalStateException("boom from hook");
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.sum().backward());
    assertEquals("boom from hook", e.getMessage());
    // the JVM and the library are fine afterwards
    assertEquals(2.0, Tensor.ones(2).sum().item());
  }

  @Test
  void retainGradKeepsNonLeafGradient() {
    Tensor x = Tensor.ones(2, 2).requiresGrad_();
    Tensor y = x.view(4);
    Tensor z = y.sum();
    y.retainGrad();
    z.backward();
    assertNull(z.grad());
    assertArrayEquals(new float[] {1, 1, 1, 1}, y.grad().toFloatArray());
  }

  @Test
  void autogradGradDoesNotTouchDotGrad() {
    Tensor x = Tensor.ones(3).requiresGrad_();
    Tensor y = x.view(3, 1).sum();
    Tensor g = Autograd.grad(y, x);
    assertArrayEquals(new float[] {1, 1, 1}, g.toFloatArray());
    assertNull(x.grad());
    Tensor unused = Tensor.ones(2).requiresGrad_();
    assertThrows(IllegalArgumentException.class, () -> Autograd.grad(List.of(x.sum()), List.of(unused)));
    List<Tensor> gs = Autograd.grad(List.of(x.sum()), List.of(x, unused), null, false, false, true);
    assertNull(gs.get(1));
  }

  @Test
  void backwardOnNonScalarNeedsGradient() {
    Tensor x = Tensor.ones(3).requiresGrad_();
    Tensor y = x.view(3, 1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.backward());
    assertTrue(e.getMessage().contains("scalar outputs"), e.getMessage());
    y.backward(Tensor.of(new float[][] {{1}, {2}, {3}}));
    assertArrayEquals(new float[] {1, 2, 3}, x.grad().toFloatArray());
  }

  @Test
  void printsGradFnAndRequiresGrad() {
    Tensor x = Tensor.of(1f, 2f).requiresGrad_();
    assertEquals("tensor([1., 2.], requires_grad=True)", x.toString());
    assertEquals("tensor(3., grad_fn=<SumBackward0>)", x.sum().toString());
  }
}
