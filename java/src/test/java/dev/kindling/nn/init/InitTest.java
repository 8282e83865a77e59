package dev.kindling.nn.init;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Init against torch.nn.init (golden/init.json, written by gen_init.py): the same gains and fans,
 * and after the same manual seed the same values — bit for bit where the generator's stream is
 * PyTorch's (uniform draws, float64 or small normal draws), otherwise within the stated tolerance
 * or, for large tensors, the same mean and standard deviation.
 */
class InitTest {
  private static final JsonObject GOLDEN = load();
  private Scope scope;
  private long liveBefore;

  private static JsonObject load() {
    try (var in = InitTest.class.getResourceAsStream("/golden/init.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

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

  @TestFactory
  Stream<DynamicTest> gainsMatchTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : GOLDEN.getAsJsonArray("gains")) {
      JsonObject g = e.getAsJsonObject();
      String nl = g.get("nonlinearity").getAsString();
      boolean hasParam = g.has("param");
      double param = hasParam ? g.get("param").getAsDouble() : Double.NaN;
      tests.add(DynamicTest.dynamicTest(nl + (hasParam ? "(" + param + ")" : ""), () -> {
        double got = hasParam ? Init.calculateGain(nl, param) : Init.calculateGain(nl);
        assertEquals(g.get("value").getAsDouble(), got, 1e-15);
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> fansMatchTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : GOLDEN.getAsJsonArray("fans")) {
      JsonObject f = e.getAsJsonObject();
      long[] shape = longs(f.getAsJsonArray("shape"));
      tests.add(DynamicTest.dynamicTest(java.util.Arrays.toString(shape), () -> {
        try (Tensor t = Tensor.empty(shape)) {
          long[] fans = Init.calculateFanInAndFanOut(t);
          assertEquals(f.get("fan_in").getAsLong(), fans[0]);
          assertEquals(f.get("fan_out").getAsLong(), fans[1]);
        }
      }));
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> initialisersMatchTorchAfterTheSameSeed() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : GOLDEN.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> runCase(c)));
    }
    return tests.stream();
  }

  private static void runCase(JsonObject c) {
    long[] shape = longs(c.getAsJsonArray("shape"));
    DType dtype = c.get("dtype").getAsString().equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
    JsonObject a = c.getAsJsonObject("args");
    try (Scope s = Kindling.scope()) {
      Tensor t = Tensor.empty(shape, dtype).requiresGrad_();
      Kindling.manualSeed(c.get("seed").getAsLong());
      Tensor r = switch (c.get("fn").getAsString()) {
        case "uniform_" -> Init.uniform_(t, d(a, "a"), d(a, "b"));
        case "normal_" -> Init.normal_(t, d(a, "mean"), d(a, "std"));
        case "xavier_uniform_" -> Init.xavierUniform_(t, d(a, "gain"));
        case "xavier_normal_" -> Init.xavierNormal_(t, d(a, "gain"));
        case "kaiming_uniform_" -> a.has("mode")
            ? Init.kaimingUniform_(t, d(a, "a"), a.get("mode").getAsString(), a.get("nonlinearity").getAsString())
            : a.has("a") ? Init.kaimingUniform_(t, d(a, "a")) : Init.kaimingUniform_(t);
        case "kaiming_normal_" -> a.has("mode")
            ? Init.kaimingNormal_(t, d(a, "a"), a.get("mode").getAsString(), a.get("nonlinearity").getAsString())
            : Init.kaimingNormal_(t);
        case "trunc_normal_" -> Init.truncNormal_(t, d(a, "mean"), d(a, "std"), d(a, "a"), d(a, "b"));
        case "orthogonal_" -> Init.orthogonal_(t, d(a, "gain"));
        case "constant_" -> Init.constant_(t, d(a, "val"));
        case "ones_" -> Init.ones_(t);
        case "zeros_" -> Init.zeros_(t);
        case "eye_" -> Init.eye_(t);
        case "dirac_" -> a.has("groups") ? Init.dirac_(t, a.get("groups").getAsInt()) : Init.dirac_(t);
        default -> throw new AssertionError("unknown fn " + c.get("fn"));
      };
      assertSame(t, r, "returns its tensor");
      assertTrue(t.isLeaf(), "no history recorded");
      assertNull(t.gradFn());
      double[] got = t.toDoubleArray();
      if (c.has("data")) {
        double[] want = doubles(c.getAsJsonArray("data"));
        assertEquals(want.length, got.length);
        double atol = c.get("exact").getAsBoolean() ? 0.0 : c.get("atol").getAsDouble();
        for (int i = 0; i < want.length; i++) {
          assertEquals(want[i], got[i], atol, c.get("name").getAsString() + " element " + i);
        }
      } else {
        double mean = 0;
        for (double v : got) mean += v;
        mean /= got.length;
        double var = 0;
        for (double v : got) var += (v - mean) * (v - mean);
        double std = Math.sqrt(var / (got.length - 1));
        assertEquals(c.get("mean").getAsDouble(), mean, 1e-5, "mean");
        assertEquals(c.get("std").getAsDouble(), std, 1e-5, "std");
      }
    }
  }

  @Test
  void kaimingNormalHasTheHeStandardDeviation() {
    Kindling.manualSeed(0);
    Tensor t = Init.kaimingNormal_(Tensor.empty(512, 256), 0.0, "fan_in", "relu");
    double expected = Math.sqrt(2.0) / Math.sqrt(256);
    assertEquals(0.0, t.mean().item(), 3 * expected / Math.sqrt(t.numel()));
    assertEquals(expected, t.std().item(), expected * 0.01);
  }

  @Test
  void truncNormalStaysInsideItsBoundsWithTheTruncatedMoments() {
    Kindling.manualSeed(1);
    Tensor t = Init.truncNormal_(Tensor.empty(400, 400), 1.0, 2.0, 0.0, 5.0);
    assertTrue(t.min().item() >= 0.0 && t.max().item() <= 5.0);
    // Truncated normal on [α, β] = [-0.5, 2] in standard units: mean μ + σ(φ(α) − φ(β))/Z.
    double al = -0.5, be = 2.0;
    double z = Init.erf(be / Math.sqrt(2)) / 2 - Init.erf(al / Math.sqrt(2)) / 2;
    double pa = Math.exp(-al * al / 2) / Math.sqrt(2 * Math.PI), pb = Math.exp(-be * be / 2) / Math.sqrt(2 * Math.PI);
    double mean = 1.0 + 2.0 * (pa - pb) / z;
    assertEquals(mean, t.mean().item(), 0.01);
  }

  @Test
  void orthogonalRowsOrColumnsAreOrthonormal() {
    Kindling.manualSeed(2);
    Tensor w = Init.orthogonal_(Tensor.empty(new long[] {5, 8}, DType.FLOAT64), 3.0);
    double[] g = w.matmul(w.t()).toDoubleArray();
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 5; j++) assertEquals(i == j ? 9.0 : 0.0, g[i * 5 + j], 1e-12);
    }
  }

  @Test
  void erfAndErfinvAreInverse() {
    assertEquals(0.8427007929497149, Init.erf(1.0), 1e-15);
    assertEquals(-0.9999779095030014, Init.erf(-3.0), 1e-15);
    assertEquals(0.5204998778130465, Init.erf(0.5), 1e-15);
    assertEquals(0.9927904292352575, Init.erf(1.9), 1e-15);
    assertEquals(0.9953222650189527, Init.erf(2.0), 1e-15);
    for (double y : new double[] {-0.999999, -0.9, -0.3, 1e-8, 0.2, 0.7, 0.99, 0.9999999}) {
      assertEquals(y, Init.erf(Init.erfinv(y)), 1e-14, "y=" + y);
    }
    assertEquals(Double.POSITIVE_INFINITY, Init.erfinv(1.0));
  }

  @Test
  void zeroElementTensorsAreLeftAlone() {
    Tensor t = Tensor.empty(0, 3);
    assertSame(t, Init.kaimingUniform_(t));
    assertSame(t, Init.kaimingNormal_(t));
    assertSame(t, Init.orthogonal_(t));
  }

  @Test
  void badInputIsRefusedWithPyTorchsMessages() {
    Tensor v = Tensor.empty(5);
    assertEquals("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform_(v)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Init.kaimingNormal_(v));
    assertEquals("Unsupported nonlinearity softplus",
        assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("softplus")).getMessage());
    assertEquals("Mode fan_avg not supported, please use one of [fan_in, fan_out]",
        assertThrows(IllegalArgumentException.class,
            () -> Init.kaimingUniform_(Tensor.empty(3, 4), 0, "fan_avg", "relu")).getMessage());
    assertEquals("Only tensors with 2 dimensions are supported",
        assertThrows(IllegalArgumentException.class, () -> Init.eye_(Tensor.empty(2, 2, 2))).getMessage());
    assertEquals("Only tensors with 3, 4, or 5 dimensions are supported",
        assertThrows(IllegalArgumentException.class, () -> Init.dirac_(Tensor.empty(2, 2))).getMessage());
    assertEquals("dim 0 must be divisible by groups",
        assertThrows(IllegalArgumentException.class, () -> Init.dirac_(Tensor.empty(3, 2, 3), 2)).getMessage());
    assertEquals("Only tensors with 2 or more dimensions are supported",
        assertThrows(IllegalArgumentException.class, () -> Init.orthogonal_(v)).getMessage());
  }

  private static double d(JsonObject o, String k) {
    return o.get(k).getAsDouble();
  }

  private static long[] longs(JsonArray a) {
    long[] r = new long[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsLong();
    return r;
  }

  private static double[] doubles(JsonArray a) {
    double[] r = new double[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsDouble();
    return r;
  }
}
