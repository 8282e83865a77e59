package dev.kindling.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.DType;
import dev.kindling.Tensor;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Golden files of gen_io.py and the model they were saved from. */
final class IoFixtures {
  private IoFixtures() {}

  static Path golden(String name) {
    try {
      return Path.of(IoFixtures.class.getResource("/golden/io/" + name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException("missing golden file " + name, e);
    }
  }

  static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(golden(name));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject json() {
    try (var in = IoFixtures.class.getResourceAsStream("/golden/io.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** gen_io.py's Small: Conv2d(1, 2, 3) -> BatchNorm2d(2) -> ReLU -> Flatten -> Linear(8, 3). */
  static Sequential small() {
    return new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new ReLU(), new Flatten(), new Linear(8, 3));
  }

  /** Every value of every parameter and buffer, for "untouched" checks. */
  static Map<String, double[]> snapshot(Module m) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
      try (Tensor t = e.getValue()) {
        out.put(e.getKey(), t.toDoubleArray());
      }
    }
    return out;
  }

  static void assertSameSnapshot(Map<String, double[]> a, Map<String, double[]> b) {
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
  }

  /** Asserts t has the golden {shape, dtype, data} exactly. */
  static void assertTensor(JsonObject g, Tensor t, String what) {
    JsonArray shape = g.getAsJsonArray("shape");
    long[] s = new long[shape.size()];
    for (int i = 0; i < s.length; i++) s[i] = shape.get(i).getAsLong();
    assertArrayEquals(s, t.shape(), what + " shape");
    String dtype = g.get("dtype").getAsString();
    assertEquals(dtype, t.dtype().torchName(), what + " dtype");
    JsonArray data = g.getAsJsonArray("data");
    if (t.dtype() == DType.BOOL) {
      boolean[] v = t.toBooleanArray();
      for (int i = 0; i < v.length; i++) assertEquals(data.get(i).getAsBoolean(), v[i], what + "[" + i + "]");
    } else if (t.dtype() == DType.INT64) {
      long[] v = t.toLongArray();
      for (int i = 0; i < v.length; i++) assertEquals(data.get(i).getAsLong(), v[i], what + "[" + i + "]");
    } else {
      double[] v = t.toDoubleArray();
      assertEquals(data.size(), v.length, what + " numel");
      for (int i = 0; i < v.length; i++) assertEquals(data.get(i).getAsDouble(), v[i], 0.0, what + "[" + i + "]");
    }
  }
}
