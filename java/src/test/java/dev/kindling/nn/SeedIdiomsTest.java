package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Tensor;
import dev.kindling.autograd.GradCheck;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.Scope;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The idioms seed programs copy from PyTorch tutorials, written the Java way: weight-init loops,
 * freezing, clamping 1x1 convolutions, BatchNorm running statistics against torch 1.13
 * (golden/seed_idioms.json from gen_seed_idioms.py), Dropout modes and a float64 gradcheck of
 * every layer.
 */
class SeedIdiomsTest {
  /** A small DCGAN-like generator + discriminator in one Sequential. */
  static Sequential dcgan() {
    return new Sequential(
        new ConvTranspose2d(4, 8, 4, 1, 0, false), new BatchNorm2d(8), new ReLU(),
        new Conv2d(8, 8, 3, 1, 1), new BatchNorm2d(8), new LeakyReLU(0.2),
        new Conv2d(8, 4, 1), new Flatten(), new Linear(64, 1));
  }

  static Map<String, double[]> snapshot(Module m) {
    Map<String, double[]> out = new LinkedHashMap<>();
    m.namedParameters().forEach((k, v) -> out.put(k, v.toDoubleArray()));
    return out;
  }

  static double mean(double[] a) {
    double s = 0;
    for (double v : a) s += v;
    return s / a.length;
  }

  static double std(double[] a) {
    double m = mean(a), s = 0;
    for (double v : a) s += (v - m) * (v - m);
    return Math.sqrt(s / (a.length - 1));
  }

  static void assertNormal(double[] a, double mu, double sigma) {
    assertEquals(mu, mean(a), 4 * sigma / Math.sqrt(a.length) + 1e-12);
    // sample std of n normals has relative spread ~ 1/sqrt(2n): allow 5 of those
    assertEquals(sigma, std(a), sigma * 5 / Math.sqrt(2.0 * a.length));
  }

  private static void initConvWeights(Module m) {
    try (Tensor d = ((ConvNd) m).weight().data()) {
      d.normal_(0.0, 0.02);
    }
  }

  private static void checkDcganInit(Sequential net, Map<String, double[]> before, boolean bnToOne) {
    Map<String, double[]> after = snapshot(net);
    for (String k : after.keySet()) {
      double[] a = after.get(k);
      boolean convW = k.matches("[036]\\.weight");
      boolean convB = k.matches("[36]\\.bias");
      boolean bnW = k.matches("[14]\\.weight");
      boolean bnB = k.matches("[14]\\.bias");
      if (convW) assertNormal(a, 0.0, 0.02);
      else if (convB) for (double v : a) assertEquals(0.0, v);
      else if (bnW && bnToOne) assertNormal(a, 1.0, 0.02);
      else if (bnB && bnToOne) for (double v : a) assertEquals(0.0, v);
      else assertArrayEquals(before.get(k), a, 0.0, k + " must be untouched");
    }
  }

  @Test
  void weightInitByInstanceofLoopOverModules() {
    Kindling.manualSeed(0);
    try (Sequential net = dcgan()) {
      Map<String, double[]> before = snapshot(net);
      for (Module m : net.modules()) {
        if (m instanceof ConvNd c) {
          initConvWeights(c);
          if (c.bias() != null) try (Tensor b = c.bias().data()) { b.zero_(); }
        }
      }
      checkDcganInit(net, before, false);
    }
  }

  @Test
  void weightInitByApplyWithInstanceof() {
    Kindling.manualSeed(1);
    try (Sequential net = dcgan()) {
      Map<String, double[]> before = snapshot(net);
      List<Module> visited = new ArrayList<>();
      net.apply(m -> {
        visited.add(m);
        if (m instanceof Conv2d || m instanceof ConvTranspose2d) {
          initConvWeights(m);
          ConvNd c = (ConvNd) m;
          if (c.bias() != null) try (Tensor b = c.bias().data()) { b.zero_(); }
        }
      });
      assertEquals(net.modules().size(), visited.size());
      assertSame(net, visited.get(visited.size() - 1), "apply visits children first, then self");
      checkDcganInit(net, before, false);
    }
  }

  @Test
  void weightInitByClassNameMatchLikeDcganTutorial() {
    Kindling.manualSeed(2);
    try (Sequential net = dcgan()) {
      Map<String, double[]> before = snapshot(net);
      net.apply(m -> {
        String name = m.getClass().getSimpleName();
        if (name.contains("Conv")) {
          initConvWeights(m);
          ConvNd c = (ConvNd) m;
          if (c.bias() != null) try (Tensor b = c.bias().data()) { b.zero_(); }
        } else if (name.contains("BatchNorm")) {
          BatchNormBase bn = (BatchNormBase) m;
          try (Tensor w = bn.weight().data(); Tensor b = bn.bias().data()) {
            w.normal_(1.0, 0.02);
            b.fill_(0);
          }
        }
      });
      checkDcganInit(net, before, true);
    }
  }

  /** A model that freezes its backbone in its constructor (transfer-learning style). */
  static final class FrozenBackbone extends Module {
    final Sequential backbone = register("backbone", new Sequential(new Linear(4, 6), new ReLU()));
    final Linear head = register("head", new Linear(6, 2));

    FrozenBackbone() {
      for (Tensor p : backbone.parameters()) p.requiresGrad_(false);
    }

    @Override
    public Tensor forward(Tensor x) {
      return head.call(backbone.call(x));
    }
  }

  @Test
  void freezingTheFirstKChildrenByCountingAndCollectingTrainableParameters() {
    try (Sequential model = new Sequential(new Linear(4, 5), new ReLU(), new Linear(5, 5), new Linear(5, 2))) {
      int k = 2, count = 0;
      for (Module child : model.children()) {
        if (count < k) for (Tensor p : child.parameters()) p.requiresGrad_(false);
        count++;
      }
      List<Tensor> trainable = model.parameters().stream().filter(Tensor::requiresGrad).collect(Collectors.toList());
      List<String> names = model.namedParameters().entrySet().stream()
          .filter(e -> e.getValue().requiresGrad()).map(Map.Entry::getKey).collect(Collectors.toList());
      // torch: [n for n, p in model.named_parameters() if p.requires_grad]
      assertEquals(List.of("2.weight", "2.bias", "3.weight", "3.bias"), names);
      assertEquals(4, trainable.size());
      try (Tensor x = Tensor.randn(3, 4); Tensor y = model.call(x); Tensor s = y.sum()) {
        s.backward();
      }
      model.namedParameters().forEach((n, p) -> {
        if (names.contains(n)) assertNotNull(p.grad(), n);
        else assertNull(p.grad(), n + " is frozen");
      });
    }
  }

  @Test
  void freezingInsideAConstructor() {
    try (FrozenBackbone m = new FrozenBackbone()) {
      List<String> names = m.namedParameters().entrySet().stream()
          .filter(e -> e.getValue().requiresGrad()).map(Map.Entry::getKey).collect(Collectors.toList());
      assertEquals(List.of("head.weight", "head.bias"), names);
      try (Tensor x = Tensor.randn(3, 4); Tensor y = m.call(x); Tensor s = y.sum()) {
        s.backward();
      }
      assertNull(m.backbone.parameters().get(0).grad());
      assertNotNull(m.head.weight().grad());
    }
  }

  @Test
  void clampingOnlyTheOneByOneConvolutions() {
    Kindling.manualSeed(3);
    try (Sequential net = new Sequential(new Conv2d(3, 8, 1), new Conv2d(8, 8, 3), new Conv2d(8, 4, 1), new Linear(4, 4))) {
      try (var g = Autograd.noGrad()) {
        for (Tensor p : net.parameters()) p.mul_(10.0);
      }
      Map<String, double[]> before = snapshot(net);
      for (Module m : net.modules())
        if (m instanceof Conv2d c && c.kernelSize()[0] == 1 && c.kernelSize()[1] == 1)
          try (Tensor d = c.weight().data()) { d.clamp_(-0.01, 0.01); }
      Map<String, double[]> after = snapshot(net);
      for (String k : after.keySet()) {
        if (k.equals("0.weight") || k.equals("2.weight")) {
          double[] b = before.get(k), a = after.get(k);
          for (int i = 0; i < a.length; i++) assertEquals((float) Math.max(-0.01, Math.min(0.01, b[i])), (float) a[i], 0.0f);
          assertTrue(java.util.Arrays.stream(b).anyMatch(v -> Math.abs(v) > 0.01), "the test must clamp something");
        } else {
          assertArrayEquals(before.get(k), after.get(k), 0.0, k + " untouched");
        }
      }
    }
  }

  private static JsonObject golden() {
    try (var in = SeedIdiomsTest.class.getResourceAsStream("/golden/seed_idioms.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void trainableNamesAfterFreezingTwoChildrenMatchTorch() {
    List<String> torch = new ArrayList<>();
    for (JsonElement e : golden().getAsJsonArray("trainable_after_freezing_two")) torch.add(e.getAsString());
    assertEquals(List.of("2.weight", "2.bias", "3.weight", "3.bias"), torch);
  }

  @Test
  void batchNormRunningStatsAfterTrainingBatchesAndEvalOutputMatchTorch() {
    JsonObject g = golden();
    try (Scope s = Kindling.scope();
        Sequential net = new Sequential(new Conv2d(2, 3, 3, 1, 1), new BatchNorm2d(3), new ReLU())) {
      Map<String, Tensor> state = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : g.getAsJsonObject("state").entrySet())
        state.put(e.getKey(), LossGoldenTest.tensor(e.getValue().getAsJsonObject()));
      net.loadStateDict(state);
      net.train();
      try (var ng = Autograd.noGrad()) {
        for (JsonElement b : g.getAsJsonArray("batches")) net.call(LossGoldenTest.tensor(b.getAsJsonObject()));
      }
      BatchNorm2d bn = (BatchNorm2d) net.get(1);
      assertArrayEquals(LossGoldenTest.doubles(g.getAsJsonObject("running_mean").getAsJsonArray("data")),
          bn.runningMean().toDoubleArray(), 1e-5);
      assertArrayEquals(LossGoldenTest.doubles(g.getAsJsonObject("running_var").getAsJsonArray("data")),
          bn.runningVar().toDoubleArray(), 1e-5);
      assertEquals(g.get("num_batches_tracked").getAsLong(), (long) bn.numBatchesTracked().item());
      net.eval();
      Tensor out = net.call(LossGoldenTest.tensor(g.getAsJsonObject("probe")));
      assertArrayEquals(LossGoldenTest.doubles(g.getAsJsonObject("eval_out").getAsJsonArray("data")),
          out.toDoubleArray(), 1e-5);
    }
  }

  @Test
  void dropoutActiveInTrainIdentityInEval() {
    Kindling.manualSeed(4);
    try (Dropout d = new Dropout(0.5); Tensor x = Tensor.ones(1000)) {
      try (Tensor y = d.call(x)) {
        double[] v = y.toDoubleArray();
        long zeros = java.util.Arrays.stream(v).filter(e -> e == 0.0).count();
        for (double e : v) assertTrue(e == 0.0 || e == 2.0);
        assertTrue(zeros > 400 && zeros < 600, "zeros=" + zeros);
      }
      d.eval();
      try (Tensor y = d.call(x)) {
        assertArrayEquals(x.toDoubleArray(), y.toDoubleArray(), 0.0);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // (f) float64 gradcheck of every layer, through the input and the parameters

  private static void gradcheckLayer(String label, Module m, long... inputShape) {
    m.toDouble();
    try (Tensor x = Tensor.randn(inputShape, DType.FLOAT64).requiresGrad_()) {
      List<Tensor> inputs = new ArrayList<>();
      inputs.add(x);
      inputs.addAll(m.parameters());
      for (Tensor p : m.parameters()) assertSame(DType.FLOAT64, p.dtype(), label);
      assertTrue(GradCheck.gradcheck(in -> m.call(in.get(0)), inputs), label);
    } finally {
      m.close();
    }
  }

  @Test
  void gradcheckEveryLayerInFloat64() {
    Kindling.manualSeed(5);
    gradcheckLayer("Linear", new Linear(3, 2), 2, 3);
    gradcheckLayer("Conv1d", new Conv1d(2, 3, 3), 2, 2, 5);
    gradcheckLayer("Conv2d", new Conv2d(2, 2, 3, 1, 1), 1, 2, 4, 4);
    gradcheckLayer("ConvTranspose2d", new ConvTranspose2d(2, 2, 3, 2, 1), 1, 2, 3, 3);
    gradcheckLayer("BatchNorm1d", new BatchNorm1d(3), 4, 3);
    gradcheckLayer("BatchNorm2d", new BatchNorm2d(2), 2, 2, 3, 3);
    gradcheckLayer("LayerNorm", new LayerNorm(4), 3, 4);
    gradcheckLayer("GroupNorm", new GroupNorm(2, 4), 2, 4, 3);
    gradcheckLayer("MaxPool2d", new MaxPool2d(2), 1, 2, 4, 4);
    gradcheckLayer("AvgPool2d", new AvgPool2d(2), 1, 2, 4, 4);
    gradcheckLayer("AdaptiveAvgPool2d", new AdaptiveAvgPool2d(2, 3), 1, 2, 5, 5);
    gradcheckLayer("Upsample", Upsample.ofScale(2.0), 1, 2, 3, 3);
    gradcheckLayer("ReLU", new ReLU(), 3, 4);
    gradcheckLayer("LeakyReLU", new LeakyReLU(0.1), 3, 4);
    gradcheckLayer("ELU", new ELU(), 3, 4);
    gradcheckLayer("SiLU", new SiLU(), 3, 4);
    gradcheckLayer("Sigmoid", new Sigmoid(), 3, 4);
    gradcheckLayer("Tanh", new Tanh(), 3, 4);
    gradcheckLayer("Softmax", new Softmax(1), 3, 4);
    gradcheckLayer("LogSoftmax", new LogSoftmax(1), 3, 4);
    gradcheckLayer("Flatten", new Flatten(), 2, 3, 2);
    gradcheckLayer("Unflatten", new Unflatten(1, 2, 3), 2, 6);
    Dropout dropout = new Dropout(0.5);
    dropout.eval();
    gradcheckLayer("Dropout(eval)", dropout, 3, 4);
  }

  @Test
  void gradcheckEmbeddingWeightsInFloat64() {
    Kindling.manualSeed(6);
    try (Embedding e = new Embedding(5, 3); Tensor idx = Tensor.of(0L, 2L, 2L, 4L)) {
      e.toDouble();
      assertTrue(GradCheck.gradcheck(in -> e.call(idx), List.of(e.weight())));
    }
  }
}
