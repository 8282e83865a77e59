package dev.kindling.golden;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.ValuesIndices;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;

/**
 * Runs the golden cases that PyTorch wrote (src/test/resources/golden/*.json, made by
 * gen_golden.py, whose header describes the format): each case becomes one named dynamic test
 * that rebuilds the inputs through the public API — base values, then the views that make them
 * non-contiguous — calls the op by its PyTorch name (see {@link GoldenOps}) and compares shape,
 * dtype and values with what PyTorch produced, or checks that Kindling refuses what PyTorch refuses.
 * Every case runs in its own scope; the family ends with a check that no native tensor leaked.
 */
final class GoldenCases {
  private GoldenCases() {}

  /** A Python scalar operand: its kind decides the Java overload (long, double, boolean). */
  record Scalar(String kind, JsonElement value) {
    boolean isInt() {
      return kind.equals("int");
    }

    boolean isBool() {
      return kind.equals("bool");
    }

    long asLong() {
      return value.getAsLong();
    }

    double asDouble() {
      return isBool() ? (value.getAsBoolean() ? 1 : 0) : num(value);
    }
  }

  /** A tensor operand: the contiguous base and the (possibly non-contiguous) view the op sees. */
  record Input(Tensor base, Tensor tensor) {}

  /** The dynamic tests of one family, then the leak check. */
  static Stream<DynamicNode> family(String name) {
    JsonObject doc = load(name);
    JsonArray cases = doc.getAsJsonArray("cases");
    assertTrue(cases.size() > 0, name + ": no cases");
    long liveBefore = Kindling.liveTensors();
    List<DynamicNode> tests = new ArrayList<>();
    for (JsonElement e : cases) {
      JsonObject c = e.getAsJsonObject();
      String caseName = c.get("name").getAsString();
      tests.add(DynamicTest.dynamicTest(caseName, () -> named(caseName, () -> run(c))));
    }
    tests.add(DynamicTest.dynamicTest("no native tensor leaked by the " + name + " cases",
        () -> dev.kindling.LeakCheck.assertNotAbove(liveBefore, "live native tensors after the " + name + " family")));
    return tests.stream();
  }

  /** Runs body; a failure's message starts with the case name (build reports show only the method). */
  private static void named(String caseName, Runnable body) {
    try {
      body.run();
    } catch (UnsupportedOperationException e) {
      throw new UnsupportedOperationException("[" + caseName + "] " + e.getMessage(), e);
    } catch (AssertionError | RuntimeException e) {
      String m = e.getMessage() == null ? e.toString() : e.getMessage();
      if (!(e instanceof AssertionError)) m = e.getClass().getSimpleName() + ": " + m;
      throw new AssertionFailedError("[" + caseName + "] " + m, e);
    }
  }

  static JsonObject load(String name) {
    String path = "/golden/" + name + ".json";
    try (InputStream in = GoldenCases.class.getResourceAsStream(path)) {
      assertNotNull(in, "missing test resource " + path + " (run gen_golden.py)");
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(JsonObject c) {
    try (Scope s = Kindling.scope()) {
      if (c.has("calls")) {
        // random: manual_seed, then every call in order on the same generator stream
        Kindling.manualSeed(c.get("seed").getAsLong());
        int i = 0;
        for (JsonElement call : c.getAsJsonArray("calls")) runOne(call.getAsJsonObject(), c.get("name").getAsString() + " call " + i++);
      } else {
        runOne(c, c.get("name").getAsString());
      }
    }
  }

  private static void runOne(JsonObject c, String label) {
    String op = c.get("op").getAsString();
    JsonObject args = c.has("args") ? c.getAsJsonObject("args") : new JsonObject();
    List<Object> in = new ArrayList<>();
    for (JsonElement e : c.getAsJsonArray("inputs")) in.add(input(e.getAsJsonObject()));

    if (c.has("error")) {
      expectError(op, in, args, c.get("error").getAsString());
      return;
    }
    Object result = GoldenOps.apply(op, in, args);
    Tol tol = Tol.of(c);
    Tensor first = in.isEmpty() || !(in.get(0) instanceof Input) ? null : ((Input) in.get(0)).tensor();
    if (op.endsWith("_") && first != null) assertSame(first, result, op + " works in place and returns self");
    if (c.has("out")) compareResult(c.getAsJsonObject("out"), result, first, tol, label);
    if (c.has("outs")) compareList(c.getAsJsonArray("outs"), result, first, tol, label);
    if (c.has("base_out")) compareTensor(c.getAsJsonObject("base_out"), ((Input) in.get(0)).base(), null, tol, label + " (base written through the view)");
    if (c.has("exact") && !c.get("exact").getAsBoolean() && result instanceof Tensor t)
      reportExactness(c.getAsJsonObject("out"), t, label);
  }

  /** PyTorch raised: Kindling must throw a clear Java exception naming the op. */
  private static void expectError(String op, List<Object> in, JsonObject args, String torchError) {
    RuntimeException e;
    try {
      Object r = GoldenOps.apply(op, in, args);
      fail("PyTorch raises (" + torchError + ") but Kindling returned " + describe(r));
      return;
    } catch (UnsupportedOperationException u) {
      throw u;  // an op that is not there yet fails its cases with its own message
    } catch (IllegalArgumentException | IndexOutOfBoundsException x) {
      e = x;
    }
    if (torchError.startsWith("IndexError") && torchError.contains("out of range"))
      assertInstanceOf(IndexOutOfBoundsException.class, e, "PyTorch raises " + torchError + "; Kindling: " + e);
    String name = GoldenOps.errorName(op);
    assertTrue(e.getMessage() != null && e.getMessage().contains(name),
        "the message should name the op '" + name + "': " + e.getMessage() + " (PyTorch: " + torchError + ")");
  }

  private static String describe(Object r) {
    if (r instanceof Tensor t) return "a tensor of shape " + Arrays.toString(t.shape()) + " " + t.dtype() + ": " + t;
    return String.valueOf(r);
  }

  // ------------------------------------------------------------------------------------------
  // inputs

  private static Object input(JsonObject spec) {
    if (spec.has("scalar")) return new Scalar(spec.get("kind").getAsString(), spec.get("scalar"));
    Tensor base = tensor(spec);
    Tensor t = base;
    if (spec.has("ops")) {
      for (JsonElement e : spec.getAsJsonArray("ops")) {
        JsonArray o = e.getAsJsonArray();
        switch (o.get(0).getAsString()) {
          case "transpose" -> t = t.transpose(o.get(1).getAsInt(), o.get(2).getAsInt());
          case "permute" -> t = t.permute(ints(o.get(1).getAsJsonArray()));
          case "slice" -> t = t.slice(o.get(1).getAsInt(), o.get(2).getAsLong(), o.get(3).getAsLong(), o.get(4).getAsLong());
          case "narrow" -> t = t.narrow(o.get(1).getAsInt(), o.get(2).getAsLong(), o.get(3).getAsLong());
          case "expand" -> t = t.expand(longs(o.get(1).getAsJsonArray()));
          case "select" -> t = t.select(o.get(1).getAsInt(), o.get(2).getAsLong());
          default -> throw new AssertionError("unknown view op in golden data: " + o);
        }
      }
    }
    return new Input(base, t);
  }

  /** A contiguous tensor from {"dtype", "shape", "data"} through Tensor.fromArray. */
  static Tensor tensor(JsonObject spec) {
    DType dt = dtype(spec.get("dtype").getAsString());
    long[] shape = longs(spec.getAsJsonArray("shape"));
    JsonArray data = spec.getAsJsonArray("data");
    int n = data.size();
    switch (dt) {
      case FLOAT32: {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = f32(data.get(i));
        return Tensor.fromArray(v, shape);
      }
      case FLOAT64: {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = num(data.get(i));
        return Tensor.fromArray(v, shape);
      }
      case INT64: {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = data.get(i).getAsLong();
        return Tensor.fromArray(v, shape);
      }
      default: {
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) v[i] = data.get(i).getAsBoolean();
        return Tensor.fromArray(v, shape);
      }
    }
  }

  static DType dtype(String name) {
    for (DType d : DType.values()) if (d.torchName().equals(name)) return d;
    throw new AssertionError("unknown dtype " + name);
  }

  /** A JSON number, or one of the strings "nan", "inf", "-inf". */
  static double num(JsonElement e) {
    if (e.getAsJsonPrimitive().isString()) {
      switch (e.getAsString()) {
        case "nan": return Double.NaN;
        case "inf": return Double.POSITIVE_INFINITY;
        case "-inf": return Double.NEGATIVE_INFINITY;
        default: throw new AssertionError("bad number " + e);
      }
    }
    return e.getAsDouble();
  }

  private static float f32(JsonElement e) {
    // Parse the text straight to float: the generator wrote the shortest float32 round trip.
    return e.getAsJsonPrimitive().isString() ? (float) num(e) : Float.parseFloat(e.getAsString());
  }

  static long[] longs(JsonArray a) {
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsLong();
    return out;
  }

  static int[] ints(JsonArray a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // comparing

  /** Tolerances: float32 rtol 1e-5 / atol 1e-6, float64 1e-12, exact otherwise (or the case's own). */
  record Tol(double rtol, double atol, boolean exact, boolean given) {
    static Tol of(JsonObject c) {
      if (c.has("exact") && c.get("exact").getAsBoolean()) return new Tol(0, 0, true, true);
      if (c.has("rtol")) return new Tol(c.get("rtol").getAsDouble(), c.get("atol").getAsDouble(), false, true);
      return new Tol(0, 0, false, false);
    }

    double rtolFor(DType d) {
      return given ? rtol : (d == DType.FLOAT32 ? 1e-5 : 1e-12);
    }

    double atolFor(DType d) {
      return given ? atol : (d == DType.FLOAT32 ? 1e-6 : 1e-12);
    }
  }

  private static void compareResult(JsonObject want, Object got, Tensor first, Tol tol, String label) {
    if (got instanceof Tensor t) {
      compareTensor(want, t, first, tol, label);
    } else if (got instanceof Double d) {
      compareValues(label + " (item)", new double[] {d}, want, DType.FLOAT64, tol);
    } else if (got instanceof Long l) {
      assertEquals(want.getAsJsonArray("data").get(0).getAsLong(), l.longValue(), label + " (itemLong)");
    } else if (got instanceof float[] a) {
      assertEquals("float32", want.get("dtype").getAsString(), label);
      double[] d = new double[a.length];
      for (int i = 0; i < a.length; i++) d[i] = a[i];
      compareValues(label, d, want, DType.FLOAT32, tol);
    } else if (got instanceof double[] a) {
      assertEquals("float64", want.get("dtype").getAsString(), label);
      compareValues(label, a, want, DType.FLOAT64, tol);
    } else if (got instanceof long[] a) {
      assertEquals("int64", want.get("dtype").getAsString(), label);
      assertArrayEquals(longs(want.getAsJsonArray("data")), a, label);
    } else if (got instanceof boolean[] a) {
      assertEquals("bool", want.get("dtype").getAsString(), label);
      assertArrayEquals(bools(want.getAsJsonArray("data")), a, label);
    } else {
      fail(label + ": unexpected result " + got);
    }
  }

  private static void compareList(JsonArray want, Object got, Tensor first, Tol tol, String label) {
    List<Tensor> ts;
    if (got instanceof ValuesIndices vi) ts = List.of(vi.values(), vi.indices());
    else if (got instanceof List<?> l) ts = l.stream().map(Tensor.class::cast).toList();
    else throw new AssertionError(label + ": expected several tensors, got " + got);
    assertEquals(want.size(), ts.size(), label + ": number of results");
    for (int i = 0; i < ts.size(); i++) compareTensor(want.get(i).getAsJsonObject(), ts.get(i), first, tol, label + " result " + i);
  }

  static void compareTensor(JsonObject want, Tensor got, Tensor first, Tol tol, String label) {
    DType dt = dtype(want.get("dtype").getAsString());
    assertEquals(dt, got.dtype(), label + ": dtype");
    assertArrayEquals(longs(want.getAsJsonArray("shape")), got.shape(), label + ": shape");
    if (want.has("strides")) assertArrayEquals(longs(want.getAsJsonArray("strides")), got.stride(), label + ": strides");
    if (want.has("offset")) assertEquals(want.get("offset").getAsLong(), got.storageOffset(), label + ": storage offset");
    if (want.has("shares") && first != null)
      assertEquals(want.get("shares").getAsBoolean(), got.sharesStorageWith(first), label + ": shares storage with the input");
    if (!want.has("data")) return;  // e.g. empty_like: values are undefined
    switch (dt) {
      case FLOAT32: {
        float[] a = got.toFloatArray();
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        compareValues(label, d, want, dt, tol);
        break;
      }
      case FLOAT64:
        compareValues(label, got.toDoubleArray(), want, dt, tol);
        break;
      case INT64:
        assertArrayEquals(longs(want.getAsJsonArray("data")), got.toLongArray(), label + ": values");
        break;
      default:
        assertArrayEquals(bools(want.getAsJsonArray("data")), got.toBooleanArray(), label + ": values");
    }
  }

  private static void compareValues(String label, double[] got, JsonObject want, DType dt, Tol tol) {
    JsonArray data = want.getAsJsonArray("data");
    assertEquals(data.size(), got.length, label + ": number of values");
    double rtol = tol.rtolFor(dt), atol = tol.atolFor(dt);
    for (int i = 0; i < got.length; i++) {
      double e = dt == DType.FLOAT32 ? f32(data.get(i)) : num(data.get(i));
      double g = got[i];
      boolean ok;
      if (Double.isNaN(e) || Double.isNaN(g)) ok = Double.isNaN(e) && Double.isNaN(g);
      else if (Double.isInfinite(e) || Double.isInfinite(g)) ok = e == g;
      else ok = tol.exact() ? e == g : Math.abs(g - e) <= atol + rtol * Math.abs(e);
      if (!ok) fail(label + ": value " + i + " is " + g + ", PyTorch gives " + e + " (rtol " + rtol + ", atol " + atol + ")"
          + "\n  Kindling: " + Arrays.toString(got) + "\n  PyTorch:  " + data);
    }
  }

  private static boolean[] bools(JsonArray a) {
    boolean[] out = new boolean[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsBoolean();
    return out;
  }

  /** For the ops PyTorch computes with other math (Box-Muller): say whether they match bit for bit. */
  private static void reportExactness(JsonObject want, Tensor got, String label) {
    JsonArray data = want.getAsJsonArray("data");
    double[] g = got.toDoubleArray();
    int same = 0;
    for (int i = 0; i < g.length; i++) {
      double e = got.dtype() == DType.FLOAT32 ? f32(data.get(i)) : num(data.get(i));
      if (e == g[i]) same++;
    }
    System.out.println("[golden] " + label + ": " + same + " of " + g.length + " values bit-identical to PyTorch");
  }
}
