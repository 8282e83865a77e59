package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's autograd idioms (DESIGN.md section 1), each written as the PyTorch snippet in its
 * comment does it, compared with what PyTorch 1.13 produced for the same snippet
 * (src/test/resources/golden/autograd.json, written by gen_autograd.py): values, gradients,
 * grad_fn names and next_functions, requires_grad / is_leaf, and the words of the errors.
 */
class AutogradIdiomsTest {
  private static JsonObject golden;
  private Scope scope;

  @BeforeAll
  static void load() {
    try (InputStream in = AutogradIdiomsTest.class.getResourceAsStream("/golden/autograd.json")) {
      assertNotNull(in, "missing test resource /golden/autograd.json (run gen_autograd.py)");
      golden = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @BeforeEach
  void open() {
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private static JsonObject idiom(String name) {
    return golden.getAsJsonObject(name);
  }

  // ------------------------------------------------------------------------------------------
  // (a) the autograd tour

  /** x = torch.ones(2, 2, requires_grad=True); y = x + 2; z = y * y * 3; out = z.mean() */
  private record Tour(Tensor x, Tensor y, Tensor z, Tensor out) {
    static Tour make() {
      Tensor x = Tensor.ones(2, 2).requiresGrad_();
      Tensor y = x.add(2);
      Tensor z = y.mul(y).mul(3);
      return new Tour(x, y, z, z.mean());
    }
  }

  @Test
  void tourForwardValuesAndBackwardGivesFourPointFive() {
    JsonObject g = idiom("tour");
    Tour t = Tour.make();
    assertTensor(g.get("y"), t.y(), "y");
    assertTensor(g.get("z"), t.z(), "z");
    assertTensor(g.get("out"), t.out(), "out");
    assertTrue(g.get("x_grad_before_backward").isJsonNull());
    assertNull(t.x().grad(), "x.grad is None before backward");
    t.out().backward();
    assertTensor(g.get("x_grad"), t.x().grad(), "x.grad");  // 4.5 everywhere
    assertTrue(g.get("y_grad_after_backward").isJsonNull());
    assertNull(t.y().grad(), "a non-leaf's .grad is None after backward");
  }

  @Test
  void tourGradFnNamesAndNextFunctions() {
    JsonObject g = idiom("tour");
    Tour t = Tour.make();
    assertNull(t.x().gradFn(), "a leaf has no grad_fn");
    assertTrue(g.get("x_grad_fn").isJsonNull());
    assertGradFn(g.get("y_grad_fn"), t.y().gradFn(), "y.grad_fn");      // AddBackward0: (AccumulateGrad, 0), (None, 0)
    assertGradFn(g.get("z_grad_fn"), t.z().gradFn(), "z.grad_fn");      // MulBackward0: (MulBackward0, 0), (None, 0)
    assertGradFn(g.get("out_grad_fn"), t.out().gradFn(), "out.grad_fn");  // MeanBackward0: (MulBackward0, 0)
    Node yy = t.z().gradFn().nextFunctions().get(0).node();
    assertEdges(g.getAsJsonArray("yy_next"), yy.nextFunctions(), "(y * y).grad_fn.next_functions");
    // both edges of y * y lead to y's node, the very same one
    assertEquals(t.y().gradFn(), yy.nextFunctions().get(0).node());
    assertEquals(t.y().gradFn(), yy.nextFunctions().get(1).node());
    // the AccumulateGrad at the end of the chain accumulates into x itself
    Node acc = t.y().gradFn().nextFunctions().get(0).node();
    assertInstanceOf(AccumulateGrad.class, acc);
    assertTrue(((AccumulateGrad) acc).variable().sharesStorageWith(t.x()));
  }

  @Test
  void tourLeafAndRequiresGradFlags() {
    JsonObject g = idiom("tour");
    Tour t = Tour.make();
    assertEquals(g.get("x_is_leaf").getAsBoolean(), t.x().isLeaf());
    assertEquals(g.get("y_is_leaf").getAsBoolean(), t.y().isLeaf());
    assertEquals(g.get("out_is_leaf").getAsBoolean(), t.out().isLeaf());
    assertEquals(g.get("y_requires_grad").getAsBoolean(), t.y().requiresGrad());
  }

  // ------------------------------------------------------------------------------------------
  // (b) .grad before backward, of non-leaves, retain_grad

  /** y = x + 2; y.retain_grad(); z = y * y * 3; z.mean().backward(); y.grad, z.grad, x.grad */
  @Test
  void retainGradKeepsANonLeafGradient() {
    JsonObject g = idiom("retain_grad");
    Tensor x = Tensor.ones(2, 2).requiresGrad_();
    Tensor y = x.add(2);
    y.retainGrad();
    Tensor z = y.mul(y).mul(3);
    z.mean().backward();
    assertEquals(g.get("y_retains_grad").getAsBoolean(), y.retainsGrad());
    assertTensor(g.get("y_grad"), y.grad(), "y.grad");
    assertTrue(g.get("z_grad").isJsonNull());
    assertNull(z.grad(), "z did not retain its grad");
    assertTensor(g.get("x_grad"), x.grad(), "x.grad");
  }

  // ------------------------------------------------------------------------------------------
  // (c) hooks

  /** h = y.register_hook(lambda g: g * 2); backward; h.remove(); x.grad = None; backward again */
  @Test
  void hookDoublesTheGradientUntilRemoved() {
    JsonObject g = idiom("hooks");
    Tensor x = Tensor.ones(2, 2).requiresGrad_();
    Tensor y = x.add(2);
    List<float[]> seen = new ArrayList<>();
    RemovableHandle h = y.registerHook(grad -> {
      seen.add(grad.toFloatArray());
      return grad.mul(2);
    });
    y.mul(y).mul(3).mean().backward();
    assertEquals(g.get("calls_with_hook").getAsInt(), seen.size());
    assertArrayEquals(floats(g.getAsJsonObject("hook_saw")), seen.get(0), 1e-6f, "the gradient the hook saw");
    assertTensor(g.get("x_grad_with_hook"), x.grad(), "x.grad with the hook");  // 9.0
    h.remove();
    x.setGrad(null);
    y.mul(y).mul(3).mean().backward();
    assertEquals(g.get("calls_with_hook").getAsInt() + g.get("calls_after_remove").getAsInt(), seen.size(), "a removed hook is not called");
    assertTensor(g.get("x_grad_after_remove"), x.grad(), "x.grad after h.remove()");  // 4.5
  }

  // ------------------------------------------------------------------------------------------
  // (d) torch.autograd.grad, create_graph, second order

  /** torch.autograd.grad(z.sum(), y) with and without create_graph; x.grad stays None */
  @Test
  void autogradGradWithAndWithoutCreateGraph() {
    JsonObject g = idiom("autograd_grad");
    Tensor x = Tensor.ones(2, 2).requiresGrad_();
    Tensor y = x.add(2);
    Tensor z = y.mul(y).mul(3);
    Tensor plain = Autograd.grad(List.of(z.sum()), List.of(y), null, true, false, false).get(0);
    assertTensor(g.get("dz_dy"), plain, "dz/dy");
    assertEquals(g.get("dz_dy_requires_grad").getAsBoolean(), plain.requiresGrad());
    Tensor graph = Autograd.grad(List.of(z.sum()), List.of(y), null, false, true, false).get(0);
    assertTensor(g.get("dz_dy_graph"), graph, "dz/dy with createGraph");
    assertEquals(g.get("dz_dy_graph_requires_grad").getAsBoolean(), graph.requiresGrad());
    assertTrue(g.get("x_grad_untouched").isJsonNull());
    assertNull(x.grad(), "autograd.grad does not accumulate into .grad");
  }

  /** d1 = grad(u.pow(3).sum(), u, create_graph=True) = 3u^2; d2 = grad(d1.sum(), u) = 6u */
  @Test
  void secondDerivativeOfCube() {
    JsonObject g = idiom("autograd_grad");
    Tensor u = tensor(g.getAsJsonObject("u")).requiresGrad_();
    Tensor d1 = Autograd.grad(List.of(u.pow(3).sum()), List.of(u), null, true, true, false).get(0);
    assertTensor(g.get("d1"), d1, "first derivative");
    assertEquals(g.get("d1_requires_grad").getAsBoolean(), d1.requiresGrad());
    Tensor d2 = Autograd.grad(d1.sum(), u);
    assertTensor(g.get("d2"), d2, "second derivative");
  }

  // ------------------------------------------------------------------------------------------
  // (e) backward(gradient), backward twice, retain_graph

  /** y = x * 2; y.backward(v) */
  @Test
  void backwardWithAGradientOnAVectorOutput() {
    JsonObject g = idiom("backward_gradient");
    Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor y = x.mul(2);
    y.backward(tensor(g.getAsJsonObject("v")));
    assertTensor(g.get("x_grad"), x.grad(), "x.grad");
  }

  /** out = (a * a).sum(); out.backward(); out.backward() raises */
  @Test
  void backwardTwiceWithoutRetainGraphIsAnError() {
    JsonObject g = idiom("backward_gradient");
    Tensor a = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor out = a.mul(a).sum();
    out.backward();
    IllegalStateException e = assertThrows(IllegalStateException.class, out::backward);
    assertTrue(g.get("second_time_error").getAsString().contains("second time"));
    assertTrue(e.getMessage().contains("Trying to backward through the graph a second time"), e.getMessage());
    assertTrue(e.getMessage().contains("retainGraph=true"), "the message says how to fix it: " + e.getMessage());
  }

  /** out.backward(retain_graph=True); out.backward() — the gradients accumulate */
  @Test
  void retainGraphAllowsASecondBackwardThatAccumulates() {
    JsonObject g = idiom("backward_gradient");
    Tensor b = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor out = b.mul(b).sum();
    out.backward(null, true);
    assertTensor(g.get("retain_first"), b.grad(), "after the first backward");
    out.backward();
    assertTensor(g.get("retain_second"), b.grad(), "after the second backward (doubled)");
  }

  // ------------------------------------------------------------------------------------------
  // (f) detach, detach_

  /** d = (x * 2).detach(): no grad, a leaf, the same storage; y2 = x * 3; y2.detach_() */
  @Test
  void detachSharesStorageAndDropsHistory() {
    JsonObject g = idiom("detach");
    Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor y = x.mul(2);
    Tensor d = y.detach();
    assertEquals(g.get("d_requires_grad").getAsBoolean(), d.requiresGrad());
    assertEquals(g.get("d_is_leaf").getAsBoolean(), d.isLeaf());
    assertNull(d.gradFn());
    assertTrue(d.sharesStorageWith(y));
    d.add_(1);
    assertTensor(g.get("y_after_d_add_"), y, "y after d.add_(1)");
    Tensor y2 = x.mul(3);
    assertTrue(y2.requiresGrad(), "x * 3 requires grad before detach_");
    y2.detach_();
    assertEquals(g.get("y2_requires_grad").getAsBoolean(), y2.requiresGrad());
    assertEquals(g.get("y2_is_leaf").getAsBoolean(), y2.isLeaf());
    assertNull(y2.gradFn());
    assertTensor(g.get("y2"), y2, "y2");
  }

  // ------------------------------------------------------------------------------------------
  // (g) requires_grad propagation

  /** torch.arange(3).requires_grad_() raises; sum, view follow their input; comparisons and argmax never require grad */
  @Test
  void requiresGradFollowsTheInputsForSumViewsAndComparisons() {
    JsonObject g = idiom("requires_grad_rules");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).requiresGrad_());
    assertTrue(e.getMessage().contains(g.get("int_requires_grad_error").getAsString()), e.getMessage());
    Tensor a = Tensor.of(1f, 2f, 3f);
    Tensor b = Tensor.of(4f, 5f, 6f).requiresGrad_();
    assertEquals(g.get("a_requires_grad").getAsBoolean(), a.requiresGrad());
    assertEquals(g.get("b_sum").getAsBoolean(), b.sum().requiresGrad());
    assertEquals(g.get("b_view").getAsBoolean(), b.view(3, 1).requiresGrad());
    assertEquals(g.get("b_gt_0").getAsBoolean(), b.gt(0).requiresGrad());
    assertEquals(g.get("b_argmax").getAsBoolean(), b.argmax().requiresGrad());
    try (var ng = Autograd.noGrad()) {
      assertEquals(g.get("no_grad_b_sum").getAsBoolean(), b.sum().requiresGrad());
    }
  }

  /** a + b requires grad iff b does (any input); not under no_grad; again under enable_grad */
  @Test
  void outputRequiresGradIffAnyInputDoes() {
    JsonObject g = idiom("requires_grad_rules");
    Tensor a = Tensor.of(1f, 2f, 3f);
    Tensor b = Tensor.of(4f, 5f, 6f).requiresGrad_();
    assertEquals(g.get("a_plus_b").getAsBoolean(), a.add(b).requiresGrad());
    assertEquals(g.get("a_plus_a").getAsBoolean(), a.add(a).requiresGrad());
    try (var ng = Autograd.noGrad()) {
      assertEquals(g.get("no_grad_a_plus_b").getAsBoolean(), a.add(b).requiresGrad());
      try (var eg = Autograd.enableGrad()) {
        assertEquals(g.get("enable_grad_inside_no_grad").getAsBoolean(), a.add(b).requiresGrad());
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // (h), (i) in-place ops

  /** x.add_(1) on a leaf that requires grad raises; under torch.no_grad() x.mul_(2) is fine */
  @Test
  void inPlaceOnALeafThatRequiresGrad() {
    JsonObject g = idiom("inplace");
    Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad_();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.add_(1));
    assertTrue(e.getMessage().contains(g.get("leaf_error").getAsString()), e.getMessage());
    try (var ng = Autograd.noGrad()) {
      x.mul_(2);
    }
    assertTensor(g.get("x_after_no_grad_mul_"), x, "x after mul_ under no_grad");
    assertEquals(g.get("x_requires_grad").getAsBoolean(), x.requiresGrad());
    assertEquals(g.get("x_is_leaf").getAsBoolean(), x.isLeaf());
  }

  /** y = w * 2; z = y * y; y.add_(1); z.sum().backward() raises: y was saved by z's MulBackward0 */
  @Test
  void modifyingASavedTensorInPlaceIsDetectedAtBackward() {
    JsonObject g = idiom("inplace");
    Tensor w = Tensor.of(1f, 2f, 3f).requiresGrad_();
    Tensor y = w.mul(2);
    Tensor z = y.mul(y);
    y.add_(1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> z.sum().backward());
    String torch = g.get("saved_error").getAsString();
    for (String words : List.of("one of the variables needed for gradient computation has been modified by an inplace operation",
        "is at version 1; expected version 0 instead")) {
      assertTrue(torch.contains(words));
      assertTrue(e.getMessage().contains(words), "expected «" + words + "» in: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------------------------------
  // (j) WGAN-GP gradient penalty (double backward)

  /**
   * grad = autograd.grad(D(x).sum(), x, create_graph=True); penalty = ((grad.pow(2).sum(1).sqrt()
   * - 1) ** 2).mean(); penalty.backward() — w.grad and x.grad as PyTorch computes them.
   */
  @Test
  void gradientPenaltyWithTanhCritic() {
    gradientPenalty("tanh", (x, w) -> x.matmul(w).tanh().sum(1));
  }

  @Test
  void gradientPenaltyWithLogSoftmaxCritic() {
    gradientPenalty("log_softmax", (x, w) -> x.matmul(w).logSoftmax(1).select(1, 0));
  }

  @Test
  void gradientPenaltyWithSoftmaxCritic() {
    gradientPenalty("softmax", (x, w) -> x.matmul(w).softmax(-1).narrow(1, 1, 2).sum(1));
  }

  private void gradientPenalty(String critic, BiFunction<Tensor, Tensor, Tensor> netD) {
    JsonObject all = idiom("gradient_penalty");
    JsonObject g = all.getAsJsonObject(critic);
    Tensor x = tensor(all.getAsJsonObject("x")).requiresGrad_();
    Tensor w = tensor(all.getAsJsonObject("w")).requiresGrad_();
    Tensor d = netD.apply(x, w);
    assertTensor(g.get("d"), d, critic + ": D(x)");
    Tensor grad = Autograd.grad(List.of(d.sum()), List.of(x), null, true, true, false).get(0);
    assertTensor(g.get("grad"), grad, critic + ": dD/dx");
    assertEquals(g.get("grad_requires_grad").getAsBoolean(), grad.requiresGrad());
    Tensor norm = grad.pow(2).sum(1).sqrt();
    assertTensor(g.get("norm"), norm, critic + ": gradient norm");
    Tensor penalty = norm.sub(1).pow(2).mean();
    assertTensor(g.get("penalty"), penalty, critic + ": penalty");
    penalty.backward();
    assertTensor(g.get("w_grad"), w.grad(), critic + ": w.grad");
    assertTensor(g.get("x_grad"), x.grad(), critic + ": x.grad");
  }

  // ------------------------------------------------------------------------------------------
  // helpers

  /** A contiguous tensor from {"dtype", "shape", "data"}. */
  private static Tensor tensor(JsonObject spec) {
    long[] shape = shape(spec);
    JsonArray data = spec.getAsJsonArray("data");
    switch (spec.get("dtype").getAsString()) {
      case "float32":
        return Tensor.fromArray(floats(spec), shape);
      case "float64": {
        double[] v = new double[data.size()];
        for (int i = 0; i < v.length; i++) v[i] = data.get(i).getAsDouble();
        return Tensor.fromArray(v, shape);
      }
      default:
        throw new AssertionError("unexpected dtype in autograd.json: " + spec);
    }
  }

  private static long[] shape(JsonObject spec) {
    JsonArray s = spec.getAsJsonArray("shape");
    long[] out = new long[s.size()];
    for (int i = 0; i < out.length; i++) out[i] = s.get(i).getAsLong();
    return out;
  }

  private static float[] floats(JsonObject spec) {
    JsonArray data = spec.getAsJsonArray("data");
    float[] v = new float[data.size()];
    for (int i = 0; i < v.length; i++) v[i] = data.get(i).getAsFloat();
    return v;
  }

  /** Same dtype, shape and values (float32: 1e-6 relative; float64: 1e-10 relative). */
  private static void assertTensor(JsonElement expected, Tensor actual, String what) {
    assertFalse(expected == null || expected.isJsonNull(), what + ": PyTorch recorded None");
    assertNotNull(actual, what + " is null (PyTorch has a tensor)");
    JsonObject e = expected.getAsJsonObject();
    String dtype = e.get("dtype").getAsString();
    assertEquals(dtype, actual.dtype().torchName(), what + ": dtype");
    assertArrayEquals(shape(e), actual.shape(), what + ": shape");
    JsonArray data = e.getAsJsonArray("data");
    double[] got = actual.toDoubleArray();
    double rtol = dtype.equals("float64") ? 1e-10 : 1e-6;
    for (int i = 0; i < got.length; i++) {
      double want = data.get(i).getAsDouble();
      assertTrue(Math.abs(got[i] - want) <= rtol * (1 + Math.abs(want)),
          what + ": element " + i + " is " + got[i] + ", PyTorch gives " + want);
    }
  }

  private static void assertGradFn(JsonElement expected, Node actual, String what) {
    assertNotNull(actual, what + " is None");
    JsonObject e = expected.getAsJsonObject();
    assertEquals(e.get("name").getAsString(), actual.name(), what + ".name()");
    assertEdges(e.getAsJsonArray("next"), actual.nextFunctions(), what + ".next_functions");
  }

  /** [[name or null, input_nr], ...] against nextFunctions(). */
  private static void assertEdges(JsonArray expected, List<Edge> actual, String what) {
    List<String> want = new ArrayList<>(), got = new ArrayList<>();
    for (JsonElement p : expected) {
      JsonArray a = p.getAsJsonArray();
      want.add("(" + (a.get(0).isJsonNull() ? "None" : a.get(0).getAsString()) + ", " + a.get(1).getAsInt() + ")");
    }
    for (Edge edge : actual) got.add("(" + (edge.node() == null ? "None" : edge.node().name()) + ", " + edge.inputNr() + ")");
    assertEquals(want, got, what);
  }
}
