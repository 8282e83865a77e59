package dev.kindling.nn;

import static dev.kindling.nn.LossGoldenTest.doubles;
import static dev.kindling.nn.LossGoldenTest.longs;
import static dev.kindling.nn.LossGoldenTest.tensor;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.Autograd;
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
 * BatchNorm1d/2d, LayerNorm and GroupNorm against torch.nn (golden/norm.json, written by
 * gen_norm.py): after three training batches the running mean, running variance and
 * num_batches_tracked equal PyTorch's for momentum 0.1 and for the cumulative average
 * (momentum = null); each training output and the input, weight and bias gradients match; the
 * eval output computed from the running statistics matches.
 */
class NormGoldenTest {
  private static JsonObject load() {
    try (var in = NormGoldenTest.class.getResourceAsStream("/golden/norm.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> normLayersMatchTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : load().getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> {
        try (Scope s = Kindling.scope()) {
          switch (c.get("kind").getAsString()) {
            case "BatchNorm1d", "BatchNorm2d" -> runBatchNorm(c);
            default -> runOther(c);
          }
        }
      }));
    }
    long before = Kindling.liveTensors();
    tests.add(DynamicTest.dynamicTest("no native tensor leaked",
        () -> LeakCheck.assertNotAbove(before, "native tensors left alive by the norm cases")));
    return tests.stream();
  }

  private static void runBatchNorm(JsonObject c) {
    String name = c.get("name").getAsString();
    long features = c.get("num_features").getAsLong();
    Double momentum = c.get("momentum").isJsonNull() ? null : c.get("momentum").getAsDouble();
    try (BatchNormBase m = c.get("kind").getAsString().equals("BatchNorm1d")
        ? new BatchNorm1d(features, 1e-5, momentum, true, true)
        : new BatchNorm2d(features, 1e-5, momentum, true, true)) {
      assertEquals(c.get("kind").getAsString(), m.getClass().getSimpleName());
      try (var g = Autograd.noGrad()) {
        m.weight().copy_(tensor(c.getAsJsonObject("weight")));
        m.bias().copy_(tensor(c.getAsJsonObject("bias")));
      }
      m.train();
      int i = 0;
      for (JsonElement be : c.getAsJsonArray("batches")) {
        JsonObject b = be.getAsJsonObject();
        String what = name + " batch " + i++;
        m.zeroGrad();
        Tensor x = tensor(b.getAsJsonObject("input")).requiresGrad_();
        Tensor y = m.forward(x);
        check(b.getAsJsonObject("out"), y, what + " output");
        y.backward(tensor(b.getAsJsonObject("grad_out")));
        check(b.getAsJsonObject("input_grad"), x.grad(), what + " input grad");
        check(b.getAsJsonObject("weight_grad"), m.weight().grad(), what + " weight grad");
        check(b.getAsJsonObject("bias_grad"), m.bias().grad(), what + " bias grad");
      }
      check(c.getAsJsonObject("running_mean"), m.runningMean(), name + " running_mean");
      check(c.getAsJsonObject("running_var"), m.runningVar(), name + " running_var");
      assertEquals(c.get("num_batches_tracked").getAsLong(), m.numBatchesTracked().itemLong(), name + " num_batches_tracked");
      m.eval();
      Tensor ye = m.forward(tensor(c.getAsJsonObject("eval_input")));
      check(c.getAsJsonObject("eval_out"), ye, name + " eval output");
      assertEquals(3, m.numBatchesTracked().itemLong(), "eval does not count batches");
    }
  }

  private static void runOther(JsonObject c) {
    String name = c.get("name").getAsString();
    boolean affine = c.get("affine").getAsBoolean();
    try (Module m = c.get("kind").getAsString().equals("LayerNorm")
        ? new LayerNorm(longs(c.getAsJsonArray("normalized_shape")), 1e-5, affine)
        : new GroupNorm(c.get("num_groups").getAsLong(), c.get("num_channels").getAsLong(), 1e-5, affine)) {
      Tensor w = m.namedParameters().get("weight");
      Tensor b = m.namedParameters().get("bias");
      if (affine) {
        try (var g = Autograd.noGrad()) {
          w.copy_(tensor(c.getAsJsonObject("weight")));
          b.copy_(tensor(c.getAsJsonObject("bias")));
        }
      } else {
        assertNull(w);
        assertNull(b);
      }
      Tensor x = tensor(c.getAsJsonObject("input")).requiresGrad_();
      Tensor y = m.forward(x);
      check(c.getAsJsonObject("out"), y, name + " output");
      y.backward(tensor(c.getAsJsonObject("grad_out")));
      check(c.getAsJsonObject("input_grad"), x.grad(), name + " input grad");
      if (affine) {
        check(c.getAsJsonObject("weight_grad"), w.grad(), name + " weight grad");
        check(c.getAsJsonObject("bias_grad"), b.grad(), name + " bias grad");
      }
    }
  }

  private static void check(JsonObject want, Tensor got, String what) {
    assertNotNull(got, what + " is null");
    assertArrayEquals(longs(want.getAsJsonArray("shape")), got.shape(), what + " shape");
    double[] w = doubles(want.getAsJsonArray("data"));
    double[] g = got.toDoubleArray();
    for (int i = 0; i < w.length; i++) {
      double tol = 2e-5 + 2e-5 * Math.abs(w[i]);
      if (!(Math.abs(w[i] - g[i]) <= tol))
        fail(what + " element " + i + ": expected " + w[i] + " but was " + g[i] + " (expected "
            + Arrays.toString(w) + ", got " + Arrays.toString(g) + ")");
    }
  }
}
