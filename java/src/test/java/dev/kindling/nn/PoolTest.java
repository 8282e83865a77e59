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
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Pooling and upsampling as torch.nn.functional and torch.nn have them: values and input
 * gradients against torch 1.13 (golden/pool.json, written by gen_pool.py) for several kernel,
 * stride, padding, dilation and ceil_mode combinations; gradcheck and gradgradcheck in float64
 * of every functional form; module defaults and reprs; bad inputs.
 */
class PoolTest {
  private static JsonObject load() {
    try (var in = PoolTest.class.getResourceAsStream("/golden/pool.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> valuesAndGradientsMatchTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : load().getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> run(c)));
    }
    return tests.stream();
  }

  private static Tensor apply(JsonObject a, Tensor x) {
    return switch (a.get("op").getAsString()) {
      case "max_pool2d" -> F.maxPool2d(x, longs(a, "kernel_size"), longs(a, "stride"), longs(a, "padding"),
          longs(a, "dilation"), a.get("ceil_mode").getAsBoolean());
      case "avg_pool2d" -> F.avgPool2d(x, longs(a, "kernel_size"), longs(a, "stride"), longs(a, "padding"),
          a.get("ceil_mode").getAsBoolean(), a.get("count_include_pad").getAsBoolean());
      case "adaptive_avg_pool2d" -> F.adaptiveAvgPool2d(x, longs(a, "output_size"));
      case "nearest" -> a.has("size") ? F.interpolate(x, longs(a, "size"), null, "nearest")
          : F.interpolate(x, null, LossGoldenTest.doubles(a.getAsJsonArray("scale_factor")), "nearest");
      default -> throw new AssertionError("unknown op " + a.get("op"));
    };
  }

  private static void run(JsonObject c) {
    try (Scope s = Kindling.scope()) {
      String name = c.get("name").getAsString();
      Tensor x = LossGoldenTest.tensor(c.getAsJsonObject("input")).requiresGrad_();
      Tensor y = apply(c.getAsJsonObject("args"), x);
      JsonObject want = c.getAsJsonObject("out");
      assertArrayEquals(LossGoldenTest.longs(want.getAsJsonArray("shape")), y.shape(), name + " shape");
      assertEquals(DType.FLOAT32, y.dtype());
      assertClose(LossGoldenTest.doubles(want.getAsJsonArray("data")), y.toDoubleArray(), name + " value");
      y.backward(LossGoldenTest.tensor(c.getAsJsonObject("grad_out")));
      assertClose(LossGoldenTest.doubles(c.getAsJsonObject("grad").getAsJsonArray("data")),
          x.grad().toDoubleArray(), name + " grad");
    }
  }

  private static long[] longs(JsonObject a, String key) {
    return LossGoldenTest.longs(a.getAsJsonArray(key));
  }

  private static void assertClose(double[] want, double[] got, String what) {
    assertEquals(want.length, got.length, what + " numel");
    for (int i = 0; i < want.length; i++) {
      if (!(Math.abs(want[i] - got[i]) <= 1e-5 + 1e-5 * Math.abs(want[i]))) {
        fail(what + " element " + i + ": expected " + want[i] + " but was " + got[i]);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // gradcheck / gradgradcheck (float64)

  private static void check(Function<List<Tensor>, Tensor> fn, Tensor x) {
    assertTrue(GradCheck.gradcheck(fn, List.of(x)));
    assertTrue(GradCheck.gradgradcheck(fn, List.of(x)));
  }

  private static Tensor x64(long... shape) {
    Kindling.manualSeed(3);
    return Tensor.randn(shape, DType.FLOAT64).requiresGrad_();
  }

  @Test
  void functionalFormsPassGradcheckAndGradgradcheck() {
    try (Scope s = Kindling.scope()) {
      long[] one = {1};
      check(in -> F.maxPool2d(in.get(0), 2), x64(2, 2, 5, 4));
      check(in -> F.maxPool2d(in.get(0), new long[] {3, 2}, new long[] {2, 1}, new long[] {1, 1},
          new long[] {1, 2}, true), x64(2, 5, 6));
      check(in -> F.avgPool2d(in.get(0), 2), x64(2, 2, 5, 4));
      check(in -> F.avgPool2d(in.get(0), new long[] {3}, new long[] {2}, one, true, false), x64(1, 2, 5, 6));
      check(in -> F.avgPool2d(in.get(0), new long[] {3, 2}, null, one, false, true), x64(2, 5, 6));
      check(in -> F.adaptiveAvgPool2d(in.get(0), 3, 2), x64(1, 2, 5, 7));
      check(in -> F.adaptiveAvgPool2d(in.get(0), 7), x64(2, 5, 4));
      check(in -> F.upsampleNearest(in.get(0), 5L, 7L), x64(1, 2, 3, 4));
      check(in -> F.upsampleNearest(in.get(0), 1.5, 2.0), x64(1, 2, 3, 4));
    }
  }

  @Test
  void gradFnNamesAreTorchs() {
    try (Scope s = Kindling.scope()) {
      Tensor x = x64(1, 1, 4, 4);
      assertEquals("MaxPool2DWithIndicesBackward0", F.maxPool2d(x, 2).gradFn().name());
      assertEquals("AvgPool2DBackward0", F.avgPool2d(x, 2).gradFn().name());
      assertEquals("AdaptiveAvgPool2DBackward0", F.adaptiveAvgPool2d(x, 3).gradFn().name());
      assertEquals("UpsampleNearest2DBackward1", F.upsampleNearest(x, 2.0).gradFn().name());
    }
  }

  // ------------------------------------------------------------------------------------------
  // modules

  @Test
  void moduleReprsMatchTorch() {
    JsonObject reprs = load().getAsJsonObject("reprs");
    Map<String, Supplier<Module>> make = Map.ofEntries(
        Map.entry("MaxPool2d(2)", () -> new MaxPool2d(2)),
        Map.entry("MaxPool2d(3, 1, 1, 2, True)", () -> new MaxPool2d(3, 1, 1, 2, true)),
        Map.entry("MaxPool2d((2, 3), (1, 2), (1, 0), (1, 1), False)",
            () -> new MaxPool2d(new long[] {2, 3}, new long[] {1, 2}, new long[] {1, 0}, new long[] {1, 1}, false)),
        Map.entry("AvgPool2d(2)", () -> new AvgPool2d(2)),
        Map.entry("AvgPool2d(3, 2, 1)", () -> new AvgPool2d(3, 2, 1)),
        Map.entry("AvgPool2d((2, 3), (1, 2), (1, 0), True, False)",
            () -> new AvgPool2d(new long[] {2, 3}, new long[] {1, 2}, new long[] {1, 0}, true, false)),
        Map.entry("AdaptiveAvgPool2d(2)", () -> new AdaptiveAvgPool2d(2)),
        Map.entry("AdaptiveAvgPool2d((2, 3))", () -> new AdaptiveAvgPool2d(2, 3)),
        Map.entry("Upsample(scale_factor=2)", () -> Upsample.ofScale(2)),
        Map.entry("Upsample(scale_factor=(1.5, 2))", () -> Upsample.ofScale(1.5, 2)),
        Map.entry("Upsample(size=3)", () -> Upsample.ofSize(3)),
        Map.entry("Upsample(size=(3, 4))", () -> Upsample.ofSize(3, 4)));
    assertEquals(reprs.size(), make.size());
    for (var e : make.entrySet()) {
      assertEquals(reprs.get(e.getKey()).getAsString(), e.getValue().get().toString(), e.getKey());
    }
  }

  @Test
  void moduleDefaultsAndForward() {
    MaxPool2d m = new MaxPool2d(3);
    assertArrayEquals(new long[] {3, 3}, m.kernelSize());
    assertArrayEquals(new long[] {3, 3}, m.stride());
    assertArrayEquals(new long[] {0, 0}, m.padding());
    assertArrayEquals(new long[] {1, 1}, m.dilation());
    assertFalse(m.ceilMode());
    AvgPool2d a = new AvgPool2d(2);
    assertArrayEquals(new long[] {2, 2}, a.stride());
    assertTrue(a.countIncludePad());
    assertFalse(a.ceilMode());
    assertArrayEquals(new long[] {4, 4}, new AdaptiveAvgPool2d(4).outputSize());
    assertArrayEquals(new double[] {2, 2}, Upsample.ofScale(2).scaleFactor());
    assertNull(Upsample.ofScale(2).size());
    assertEquals("nearest", Upsample.ofSize(3).mode());
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, 1, 1, 4, 4);
      assertArrayEquals(new double[] {6, 8, 14, 16}, new MaxPool2d(2).forward(x).toDoubleArray());
      assertArrayEquals(new double[] {3.5, 5.5, 11.5, 13.5}, new AvgPool2d(2).forward(x).toDoubleArray());
      assertArrayEquals(new double[] {8.5}, new AdaptiveAvgPool2d(1).forward(x).toDoubleArray());
      assertArrayEquals(new long[] {1, 1, 8, 8}, Upsample.ofScale(2).forward(x).shape());
    }
  }

  @Test
  void badInputsNameTheOpAndShapes() {
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.randn(1, 2, 2, 2);
      var e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(3).forward(x));
      assertEquals("MaxPool2d: max_pool2d: Given input size: (2x2x2). Calculated output size: (2x0x0). "
          + "Output size is too small", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(x, new long[] {2}, null,
          new long[] {2}, new long[] {1}, false));
      assertEquals("max_pool2d: pad should be at most half of kernel size, but got pad=2 and kernel_size=2",
          e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2).forward(Tensor.randn(2, 2)));
      assertTrue(e.getMessage().startsWith("AvgPool2d: avg_pool2d: non-empty 3D or 4D"), e.getMessage());
      assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(2).forward(Tensor.randn(2)));
      assertEquals("AdaptiveAvgPool2d: adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [2]", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> Upsample.ofSize(3).forward(Tensor.randn(2, 3, 3)));
      assertTrue(e.getMessage().startsWith("Upsample: interpolate:") && e.getMessage().contains("[2, 3, 3]"),
          e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(x, new long[] {1, 2, 3}, null,
          new long[] {0}, new long[] {1}, false));
      assertThrows(IllegalArgumentException.class, () -> F.interpolate(x, new long[] {3}, new double[] {2}, "nearest"));
      assertThrows(UnsupportedOperationException.class, () -> F.interpolate(x, new long[] {3}, null, "bilinear"));
      assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(Tensor.fromArray(new long[] {1, 2, 3, 4}, 1, 1, 2, 2), 2));
    }
  }
}
