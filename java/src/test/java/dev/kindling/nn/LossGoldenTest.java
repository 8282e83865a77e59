package dev.kindling.nn;

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
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every loss of {@link F} against torch.nn.functional (golden/losses.json, written by
 * gen_losses.py): for each reduction, with weights, pos_weight, ignore_index, label smoothing,
 * probability targets and spatial inputs, the loss value and its gradient with respect to the
 * input match PyTorch's within float32 tolerance.
 */
class LossGoldenTest {
  private static JsonObject load() {
    try (var in = LossGoldenTest.class.getResourceAsStream("/golden/losses.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> lossesAndGradientsMatchTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : load().getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> run(c)));
    }
    long before = Kindling.liveTensors();
    tests.add(DynamicTest.dynamicTest("no native tensor leaked",
        () -> LeakCheck.assertNotAbove(before, "native tensors left alive by the loss cases")));
    return tests.stream();
  }

  private static void run(JsonObject c) {
    try (Scope s = Kindling.scope()) {
      Tensor x = tensor(c.getAsJsonObject("input")).requiresGrad_();
      Tensor t = tensor(c.getAsJsonObject("target"));
      Tensor w = c.has("weight") ? tensor(c.getAsJsonObject("weight")) : null;
      Tensor pw = c.has("pos_weight") ? tensor(c.getAsJsonObject("pos_weight")) : null;
      JsonObject o = c.getAsJsonObject("options");
      Reduction r = Reduction.of(c.get("reduction").getAsString());
      long ignore = o.has("ignore_index") ? o.get("ignore_index").getAsLong() : -100;
      Tensor out = switch (c.get("fn").getAsString()) {
        case "mse_loss" -> F.mseLoss(x, t, r);
        case "l1_loss" -> F.l1Loss(x, t, r);
        case "smooth_l1_loss" -> F.smoothL1Loss(x, t, r, o.get("beta").getAsDouble());
        case "binary_cross_entropy" -> F.binaryCrossEntropy(x, t, w, r);
        case "binary_cross_entropy_with_logits" -> F.binaryCrossEntropyWithLogits(x, t, w, pw, r);
        case "cross_entropy" -> F.crossEntropy(x, t, w, ignore, r,
            o.has("label_smoothing") ? o.get("label_smoothing").getAsDouble() : 0.0);
        case "nll_loss" -> F.nllLoss(x, t, w, ignore, r);
        case "kl_div" -> F.klDiv(x, t, r, o.has("log_target") && o.get("log_target").getAsBoolean());
        default -> throw new AssertionError("unknown fn " + c.get("fn"));
      };
      String name = c.get("name").getAsString();
      JsonObject want = c.getAsJsonObject("out");
      assertArrayEquals(longs(want.getAsJsonArray("shape")), out.shape(), name + " shape");
      assertEquals(DType.FLOAT32, out.dtype());
      assertClose(doubles(want.getAsJsonArray("data")), out.toDoubleArray(), name + " value");
      out.backward(tensor(c.getAsJsonObject("grad_out")));
      assertClose(doubles(c.getAsJsonObject("grad").getAsJsonArray("data")), x.grad().toDoubleArray(),
          name + " grad");
    }
  }

  private static void assertClose(double[] want, double[] got, String what) {
    assertEquals(want.length, got.length, what + " numel");
    for (int i = 0; i < want.length; i++) {
      double tol = 1e-5 + 1e-5 * Math.abs(want[i]);
      if (!(Math.abs(want[i] - got[i]) <= tol)) {
        fail(what + " element " + i + ": expected " + want[i] + " but was " + got[i]
            + " (expected " + Arrays.toString(want) + ", got " + Arrays.toString(got) + ")");
      }
    }
  }

  static Tensor tensor(JsonObject j) {
    long[] shape = longs(j.getAsJsonArray("shape"));
    JsonArray data = j.getAsJsonArray("data");
    if (j.get("dtype").getAsString().equals("int64")) {
      return Tensor.fromArray(longs(data), shape);
    }
    double[] d = doubles(data);
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return Tensor.fromArray(f, shape);
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
