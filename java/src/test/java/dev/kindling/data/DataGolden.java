package dev.kindling.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** golden/data.json, written by gen_data.py with PyTorch 1.13, and helpers to read it. */
final class DataGolden {
  private DataGolden() {}

  private static JsonObject cached;

  static synchronized JsonObject load() {
    if (cached == null) {
      try (var in = DataGolden.class.getResourceAsStream("/golden/data.json")) {
        cached = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return cached;
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

  static float[] floats(JsonArray a) {
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsFloat();
    return out;
  }

  static JsonObject find(JsonArray cases, String key, String value) {
    for (JsonElement e : cases) {
      JsonObject o = e.getAsJsonObject();
      if (o.has(key) && o.get(key).getAsString().equals(value)) return o;
    }
    throw new IllegalArgumentException("no case with " + key + " = " + value);
  }
}
