package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.internal.TensorFormatter;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Tensor.toString()} prints exactly what PyTorch's {@code repr(tensor)} prints. The
 * expected strings come from PyTorch itself: golden/gen_repr.py builds each tensor in Python,
 * records its values, shape, dtype, the views applied to it and {@code repr(t)} in repr.json;
 * this test builds the same tensor with Kindling and compares the strings character for character.
 */
class TensorFormatterTest {
  static Stream<Arguments> goldenCases() throws Exception {
    try (InputStream in = TensorFormatterTest.class.getResourceAsStream("/golden/repr.json")) {
      assertNotNull(in, "golden/repr.json is missing: run gen_repr.py");
      JsonObject root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
      List<Arguments> cases = new ArrayList<>();
      for (JsonElement e : root.getAsJsonArray("cases")) {
        JsonObject c = e.getAsJsonObject();
        cases.add(Arguments.of(c.get("name").getAsString(), c));
      }
      return cases.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void printsLikePyTorch(String name, JsonObject c) {
    try (Scope s = Kindling.scope()) {
      Tensor t = build(c);
      // the non-contiguous cases must really print a strided view
      if (!c.get("contiguous").getAsBoolean()) assertFalse(t.isContiguous(), "layout of " + name);
      assertEquals(c.get("repr").getAsString(), t.toString());
    }
  }

  @Test
  void thereAreEnoughGoldenCases() throws Exception {
    assertTrue(goldenCases().count() >= 30);
  }

  @Test
  void printingLeavesNothingBehind() {
    // A summarised print reads edge blocks through temporary views; none may outlive it.
    try (Scope s = Kindling.scope()) {
      Tensor big = Tensor.arange(0, 5000).view(50, 100);
      long live = Kindling.liveTensors();
      int owned = s.size();
      String text = big.toString();
      assertTrue(text.contains("..."), text);
      dev.kindling.LeakCheck.assertNotAbove(live, "live native tensors");
      assertEquals(owned, s.size());
    }
  }

  @Test
  void suffixesFromAutogradFollowTheDtype() {
    // torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)
    try (Scope s = Kindling.scope()) {
      Tensor t = Tensor.of(1.0, 2.0);
      assertEquals("tensor([1., 2.], dtype=torch.float64, requires_grad=True)",
          TensorFormatter.format(t, List.of("requires_grad=True")));
      // a suffix that would pass column 80 goes on its own line, indented under "tensor("
      Tensor wide = Tensor.arange(0.0, 12.0, 1.0).add(0.5);
      assertEquals(
          "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n"
              + "         8.5000,  9.5000, 10.5000, 11.5000], grad_fn=<AddBackward0>)",
          TensorFormatter.format(wide, List.of("grad_fn=<AddBackward0>")));
    }
  }

  @Test
  void aClosedTensorSaysSo() {
    Tensor t = Tensor.ones(2);
    t.close();
    assertEquals("tensor(<closed>)", t.toString());
  }

  /** The golden case's tensor: the base values in their dtype and shape, then the views. */
  private static Tensor build(JsonObject c) {
    JsonArray values = c.getAsJsonArray("values");
    JsonArray shapeJson = c.getAsJsonArray("shape");
    long[] shape = new long[shapeJson.size()];
    for (int i = 0; i < shape.length; i++) shape[i] = shapeJson.get(i).getAsLong();
    int n = values.size();
    Tensor t;
    switch (c.get("dtype").getAsString()) {
      case "float32": {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) parsePythonFloat(values.get(i).getAsString());
        t = Tensor.fromArray(v, n).view(shape);
        break;
      }
      case "float64": {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = parsePythonFloat(values.get(i).getAsString());
        t = Tensor.fromArray(v, n).view(shape);
        break;
      }
      case "int64": {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = values.get(i).getAsLong();
        t = Tensor.fromArray(v, n).view(shape);
        break;
      }
      case "bool": {
        boolean[] v = new boolean[n];
        for (int i = 0; i < n; i++) v[i] = values.get(i).getAsBoolean();
        t = Tensor.fromArray(v, n).view(shape);
        break;
      }
      default:
        throw new AssertionError("unknown dtype in golden file: " + c.get("dtype"));
    }
    for (JsonElement e : c.getAsJsonArray("ops")) {
      JsonArray op = e.getAsJsonArray();
      switch (op.get(0).getAsString()) {
        case "transpose":
          t = t.transpose(op.get(1).getAsInt(), op.get(2).getAsInt());
          break;
        case "slice":
          t = t.slice(op.get(1).getAsInt(), op.get(2).getAsLong(), op.get(3).getAsLong(), op.get(4).getAsLong());
          break;
        default:
          throw new AssertionError("unknown op in golden file: " + op);
      }
    }
    return t;
  }

  /** Python's repr of a float: "0.1", "1e-05", "-0.0", "nan", "inf", "-inf". */
  private static double parsePythonFloat(String s) {
    switch (s) {
      case "nan": return Double.NaN;
      case "inf": return Double.POSITIVE_INFINITY;
      case "-inf": return Double.NEGATIVE_INFINITY;
      default: return Double.parseDouble(s);
    }
  }
}
