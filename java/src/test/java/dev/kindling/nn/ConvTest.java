package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.autograd.GradCheck;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Convolutions: F.conv1d / conv2d / convTranspose2d outputs and input, weight and bias gradients
 * against torch.nn.functional (golden/conv.json, written by gen_conv.py); first- and second-order
 * gradcheck in float64; the modules' repr, default initialisation after the same seed, option
 * accessors, DCGAN shapes and bad-input messages.
 */
class ConvTest {
  private static JsonObject load() {
    try (var in = ConvTest.class.getResourceAsStream("/golden/conv.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static final JsonObject GOLDEN = load();

  @TestFactory
  Stream<DynamicTest> outputsAndGradientsMatchTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : GOLDEN.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> run(c)));
    }
    return tests.stream();
  }

  private static long[] pairOf(JsonObject c, String key) {
    return longs(c.getAsJsonArray(key));
  }

  private static void run(JsonObject c) {
    try (Scope s = Kindling.scope()) {
      String name = c.get("name").getAsString();
      Tensor x = tensor(c.getAsJsonObject("input")).requiresGrad_();
      Tensor w = tensor(c.getAsJsonObject("weight")).requiresGrad_();
      Tensor b = c.has("bias") ? tensor(c.getAsJsonObject("bias")).requiresGrad_() : null;
      long groups = c.get("groups").getAsLong();
      Tensor out = switch (c.get("fn").getAsString()) {
        case "conv2d" -> F.conv2d(x, w, b, pairOf(c, "stride"), pairOf(c, "padding"), pairOf(c, "dilation"), groups);
        case "conv_transpose2d" -> F.convTranspose2d(x, w, b, pairOf(c, "stride"), pairOf(c, "padding"),
            pairOf(c, "output_padding"), groups, pairOf(c, "dilation"));
        case "conv1d" -> F.conv1d(x, w, b, c.get("stride").getAsLong(), c.get("padding").getAsLong(),
            c.get("dilation").getAsLong(), groups);
        default -> throw new AssertionError("unknown fn " + c.get("fn"));
      };
      assertArrayEquals(longs(c.getAsJsonObject("out").getAsJsonArray("shape")), out.shape(), name + " shape");
      assertEquals("ConvolutionBackward0", gradFnName(out, c.get("fn").getAsString()), name + " grad_fn");
      assertClose(c.getAsJsonObject("out"), out, name + " out");
      out.backward(tensor(c.getAsJsonObject("grad_out")));
      assertClose(c.getAsJsonObject("grad_input"), x.grad(), name + " grad_input");
      assertClose(c.getAsJsonObject("grad_weight"), w.grad(), name + " grad_weight");
      if (b != null) assertClose(c.getAsJsonObject("grad_bias"), b.grad(), name + " grad_bias");
    }
  }

  // conv1d squeezes the conv2d result, so its grad_fn is the squeeze's; the convolution is next.
  private static String gradFnName(Tensor out, String fn) {
    var node = out.gradFn();
    if (fn.equals("conv1d")) node = node.nextFunctions().get(0).node();
    return node.name();
  }

  @Test
  void gradcheckFirstAndSecondOrderInFloat64() {
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(3);
      check(v -> F.conv2d(v.get(0), v.get(1), v.get(2), new long[] {2, 1}, new long[] {1, 0}, new long[] {1, 2}, 2),
          d(1, 4, 5, 5), d(4, 2, 2, 2), d(4));
      check(v -> F.convTranspose2d(v.get(0), v.get(1), v.get(2), new long[] {2, 2}, new long[] {1, 0},
          new long[] {1, 1}, 1, new long[] {1, 1}), d(2, 2, 3, 3), d(2, 3, 3, 2), d(3));
      check(v -> F.convTranspose2d(v.get(0), v.get(1), null, new long[] {1, 2}, new long[] {0, 1},
          new long[] {0, 1}, 2, new long[] {2, 1}), d(1, 4, 3, 3), d(4, 1, 2, 3));
      check(v -> F.conv1d(v.get(0), v.get(1), v.get(2), 2, 1, 1, 1), d(2, 2, 7), d(3, 2, 3), d(3));
    }
  }

  private static void check(Function<List<Tensor>, Tensor> fn, Tensor... inputs) {
    assertTrue(GradCheck.gradcheck(fn, List.of(inputs)));
    assertTrue(GradCheck.gradgradcheck(fn, List.of(inputs)));
  }

  private static Tensor d(long... shape) {
    return Tensor.randn(shape, DType.FLOAT64).requiresGrad_();
  }

  @Test
  void reprMatchesTorch() {
    try (Scope s = Kindling.scope()) {
      for (JsonElement e : GOLDEN.getAsJsonArray("repr")) {
        JsonObject r = e.getAsJsonObject();
        Module m = build(r.get("module").getAsString(), longs(r.getAsJsonArray("args")), r.getAsJsonObject("kwargs"));
        assertEquals(r.get("repr").getAsString(), m.toString());
      }
    }
  }

  @Test
  void defaultInitDrawsTorchsNumbersForTheSameSeed() {
    try (Scope s = Kindling.scope()) {
      for (JsonElement e : GOLDEN.getAsJsonArray("init")) {
        JsonObject r = e.getAsJsonObject();
        Kindling.manualSeed(r.get("seed").getAsLong());
        ConvNd m = build(r.get("module").getAsString(), longs(r.getAsJsonArray("args")), new JsonObject());
        String what = r.get("module").getAsString() + " init";
        assertArrayEquals(longs(r.getAsJsonObject("weight").getAsJsonArray("shape")), m.weight().shape(), what);
        assertClose(r.getAsJsonObject("weight"), m.weight(), what + " weight");
        assertClose(r.getAsJsonObject("bias"), m.bias(), what + " bias");
      }
    }
  }

  private static long opt(JsonObject kw, String key, long dflt) {
    return kw.has(key) ? kw.get(key).getAsLong() : dflt;
  }

  private static ConvNd build(String module, long[] a, JsonObject kw) {
    long stride = a.length > 3 ? a[3] : opt(kw, "stride", 1);
    long padding = a.length > 4 ? a[4] : opt(kw, "padding", 0);
    boolean bias = !kw.has("bias") || kw.get("bias").getAsBoolean();
    long dilation = opt(kw, "dilation", 1), groups = opt(kw, "groups", 1);
    return switch (module) {
      case "Conv2d" -> new Conv2d(a[0], a[1], a[2], stride, padding, dilation, groups, bias);
      case "Conv1d" -> new Conv1d(a[0], a[1], a[2], stride, padding, dilation, groups, bias);
      case "ConvTranspose2d" -> new ConvTranspose2d(a[0], a[1], a[2], stride, padding, opt(kw, "output_padding", 0),
          groups, bias, dilation);
      default -> throw new AssertionError(module);
    };
  }

  @Test
  void dcganShapes() {
    try (Scope s = Kindling.scope()) {
      var g = new ConvTranspose2d(100, 64, 4, 1, 0, false);
      assertArrayEquals(new long[] {2, 64, 4, 4}, g.forward(Tensor.randn(2, 100, 1, 1)).shape());
      assertArrayEquals(new long[] {100, 64, 4, 4}, g.weight().shape());
      var d = new Conv2d(1, 64, 4, 2, 1, false);
      assertArrayEquals(new long[] {2, 64, 14, 14}, d.forward(Tensor.randn(2, 1, 28, 28)).shape());
      var up = new ConvTranspose2d(64, 32, 4, 2, 1);
      assertArrayEquals(new long[] {2, 32, 28, 28}, up.forward(Tensor.randn(2, 64, 14, 14)).shape());
      // unbatched input
      assertArrayEquals(new long[] {64, 14, 14}, d.forward(Tensor.randn(1, 28, 28)).shape());
    }
  }

  @Test
  void optionsAreReadable() {
    try (Scope s = Kindling.scope()) {
      var c = new Conv2d(4, 8, new long[] {3, 2}, new long[] {2, 1}, new long[] {1, 0}, new long[] {1, 2}, 2, true);
      assertEquals(4, c.inChannels());
      assertEquals(8, c.outChannels());
      assertArrayEquals(new long[] {3, 2}, c.kernelSize());
      assertArrayEquals(new long[] {2, 1}, c.stride());
      assertArrayEquals(new long[] {1, 0}, c.padding());
      assertArrayEquals(new long[] {1, 2}, c.dilation());
      assertArrayEquals(new long[] {0, 0}, c.outputPadding());
      assertEquals(2, c.groups());
      assertArrayEquals(new long[] {8, 2, 3, 2}, c.weight().shape());
      var t = new ConvTranspose2d(4, 6, 3, 2, 1, 1, 2, false, 1);
      assertArrayEquals(new long[] {1, 1}, t.outputPadding());
      assertArrayEquals(new long[] {4, 3, 3, 3}, t.weight().shape());
      assertNull(t.bias());
      var k = new Conv1d(3, 6, 5);
      assertArrayEquals(new long[] {5}, k.kernelSize());
      assertArrayEquals(new long[] {6, 3, 5}, k.weight().shape());
    }
  }

  @Test
  void badInputsNameTheOpAndShapes() {
    try (Scope s = Kindling.scope()) {
      var e = assertThrows(IllegalArgumentException.class,
          () -> F.conv2d(Tensor.randn(2, 4, 5, 5), Tensor.randn(8, 3, 3, 3)));
      assertEquals("conv2d: Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 "
          + "channels, but got 4 channels instead", e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> F.conv2d(Tensor.randn(1, 3, 2, 2), Tensor.randn(8, 3, 3, 3)));
      assertTrue(e.getMessage().contains("Kernel size can't be greater than actual input size"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> F.convTranspose2d(Tensor.randn(1, 3, 1, 1),
          Tensor.randn(3, 2, 1, 1), null, 1, 1, 0, 1, 1));
      assertTrue(e.getMessage().contains("Output size is too small"), e.getMessage());
      var m = new Conv2d(3, 8, 3);
      e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(2, 4, 5, 5)));
      assertEquals("Conv2d: expected input of shape [N, 3, H, W] or [3, H, W] (in_channels=3), got [2, 4, 5, 5]",
          e.getMessage());
      var t = new ConvTranspose2d(3, 8, 3);
      e = assertThrows(IllegalArgumentException.class, () -> t.forward(Tensor.randn(2, 5)));
      assertTrue(e.getMessage().startsWith("ConvTranspose2d: expected input of shape [N, 3, H, W]"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 8, 3, 1, 0, 1, 2, true));
    }
  }

  private static void assertClose(JsonObject want, Tensor got, String what) {
    double[] w = doubles(want.getAsJsonArray("data"));
    double[] g = got.toDoubleArray();
    assertEquals(w.length, g.length, what + " numel");
    for (int i = 0; i < w.length; i++) {
      double tol = 1e-4 + 1e-4 * Math.abs(w[i]);
      if (!(Math.abs(w[i] - g[i]) <= tol))
        fail(what + " element " + i + ": expected " + w[i] + " but was " + g[i] + " (got " + Arrays.toString(g) + ")");
    }
  }

  static Tensor tensor(JsonObject j) {
    double[] d = doubles(j.getAsJsonArray("data"));
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return Tensor.fromArray(f, longs(j.getAsJsonArray("shape")));
  }

  static long[] longs(JsonArray a) {
    long[] r = new long[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsLong();
    return r;
  }

  static double[] doubles(JsonArray a) {
    double[] r = new double[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsDouble();
    return r;
  }
}
