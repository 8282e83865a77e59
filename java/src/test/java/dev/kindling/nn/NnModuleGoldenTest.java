package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same module trees built in PyTorch (golden/gen_nn_module.py → nn_module.json) and here
 * must agree on every name users see: named_parameters, state_dict keys, named_modules,
 * named_children, named_buffers, class names and the printed tree. Linear's forward and
 * backward with fixed weights and load_state_dict's error texts are compared too.
 */
class NnModuleGoldenTest {
  static JsonObject golden;

  @BeforeAll
  static void load() throws Exception {
    try (var in = NnModuleGoldenTest.class.getResourceAsStream("/golden/nn_module.json")) {
      golden = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    }
  }

  /** The custom model of the generator: features / classifier plus two buffers. */
  static final class Net extends Module {
    final Sequential features;
    final Sequential classifier;

    Net() {
      features = register("features", new Sequential(new Linear(4, 8), new ReLU(), new Dropout(0.25), new Linear(8, 8, false)));
      classifier = register("classifier", new Sequential(new Flatten(), new Linear(8, 3), new LogSoftmax(1)));
      registerBuffer("steps", Tensor.zeros(1), true);
      registerBuffer("scratch", Tensor.zeros(2), false);
    }

    @Override
    public Tensor forward(Tensor x) {
      return classifier.forward(features.forward(x));
    }
  }

  /** One Linear registered under two names, as {@code self.b = self.a} does. */
  static final class Shared extends Module {
    Shared() {
      Linear a = register("a", new Linear(2, 2));
      register("b", a);
      register("head", new Linear(2, 1));
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  static Module build(String name) {
    switch (name) {
      case "seq":
        return new Sequential(new Linear(784, 512), new ReLU(), new Sequential(new Linear(512, 10), new Dropout(0.5)));
      case "net":
        return new Net();
      case "shared":
        return new Shared();
      case "activations":
        return new Sequential(new LeakyReLU(0.2), new LeakyReLU(), new Sigmoid(), new Tanh(), new Softmax(-1),
            new Identity(), new Flatten(0, 2), new Unflatten(1, 2, 5), new Unflatten(0, 4), new Dropout2d(0.1),
            new Dropout(1e-05));
      case "containers":
        return new Sequential(
            new ModuleList(new Linear(1, 2), new ModuleDict(new LinkedHashMap<>(Map.of("left", new Linear(2, 2))))
                .put("right", new Tanh())),
            new ModuleList(), new Linear(2, 2, false));
      default:
        throw new AssertionError(name);
    }
  }

  static List<String> strings(JsonElement e) {
    List<String> out = new ArrayList<>();
    for (JsonElement x : e.getAsJsonArray()) out.add(x.getAsString());
    return out;
  }

  @Test
  void namesOrderAndReprMatchPyTorch() {
    JsonObject nets = golden.getAsJsonObject("nets");
    assertEquals(5, nets.size());
    for (String name : nets.keySet()) {
      JsonObject g = nets.getAsJsonObject(name);
      try (Module m = build(name)) {
        assertEquals(strings(g.get("named_parameters")), new ArrayList<>(m.namedParameters().keySet()), name + " named_parameters");
        assertEquals(m.parameters().size(), m.namedParameters().size(), name);
        List<String> sdKeys;
        try (var s = Kindling.scope()) {
          sdKeys = new ArrayList<>(m.stateDict().keySet());
        }
        assertEquals(strings(g.get("state_dict")), sdKeys, name + " state_dict");
        assertEquals(strings(g.get("named_buffers")), new ArrayList<>(m.namedBuffers().keySet()), name + " named_buffers");
        assertEquals(strings(g.get("named_modules")), new ArrayList<>(m.namedModules().keySet()), name + " named_modules");
        assertEquals(strings(g.get("named_children")), new ArrayList<>(m.namedChildren().keySet()), name + " named_children");
        List<String> classes = new ArrayList<>();
        for (Module x : m.modules()) classes.add(x.getClass().getSimpleName());
        assertEquals(strings(g.get("module_classes")), classes, name + " classes");
        assertEquals(g.get("repr").getAsString(), m.toString(), name + " repr");
      }
    }
  }

  static double[][] matrix(JsonElement e) {
    JsonArray rows = e.getAsJsonArray();
    double[][] out = new double[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      JsonArray r = rows.get(i).getAsJsonArray();
      out[i] = new double[r.size()];
      for (int j = 0; j < r.size(); j++) out[i][j] = r.get(j).getAsDouble();
    }
    return out;
  }

  static double[] vector(JsonElement e) {
    JsonArray r = e.getAsJsonArray();
    double[] out = new double[r.size()];
    for (int j = 0; j < r.size(); j++) out[j] = r.get(j).getAsDouble();
    return out;
  }

  static double[] flat(double[][] m) {
    return java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  @Test
  void linearForwardAndBackwardMatchPyTorch() {
    JsonObject g = golden.getAsJsonObject("linear");
    try (var s = Kindling.scope(); Linear lin = new Linear(3, 2)) {
      Map<String, Tensor> sd = new LinkedHashMap<>();
      // Kindling's loadStateDict refuses a dtype other than the model's (PyTorch casts silently),
      // so the float64 golden values are converted to the model's float32 first.
      sd.put("weight", Tensor.of(matrix(g.get("weight"))).toFloat());
      sd.put("bias", Tensor.of(vector(g.get("bias"))).toFloat());
      IncompatibleKeys r = lin.loadStateDict(sd);
      assertEquals(List.of(), r.missingKeys());
      assertEquals(List.of(), r.unexpectedKeys());
      // the module is float32, so compare at float tolerance
      Tensor x = Tensor.of(matrix(g.get("x"))).toFloat().requiresGrad_();
      Tensor y = lin.forward(x);
      assertArrayEquals(flat(matrix(g.get("y"))), y.toDouble().toDoubleArray(), 1e-5);
      y.mul(Tensor.of(matrix(g.get("upstream"))).toFloat()).sum().backward();
      assertArrayEquals(flat(matrix(g.get("x_grad"))), x.grad().toDouble().toDoubleArray(), 1e-5);
      assertArrayEquals(flat(matrix(g.get("weight_grad"))), lin.weight().grad().toDouble().toDoubleArray(), 1e-5);
      assertArrayEquals(vector(g.get("bias_grad")), lin.bias().grad().toDouble().toDoubleArray(), 1e-5);
      assertEquals(DType.FLOAT32, lin.weight().dtype());
    }
  }

  @Test
  void linearDefaultInitDrawsThePyTorchNumbersForTheSameSeed() {
    JsonObject g = golden.getAsJsonObject("linear_init");
    Kindling.manualSeed(g.get("seed").getAsLong());
    try (Linear lin = new Linear(5, 3)) {
      assertArrayEquals(flat(matrix(g.get("weight"))), lin.weight().detach().toDouble().toDoubleArray(), 1e-7);
      assertArrayEquals(vector(g.get("bias")), lin.bias().detach().toDouble().toDoubleArray(), 1e-7);
    }
  }

  /** A module with one child "fc", as the generator's Small. */
  static final class Small extends Module {
    Small() {
      register("fc", new Linear(3, 4));
    }

    @Override
    public Tensor forward(Tensor x) {
      return x;
    }
  }

  @Test
  void loadStateDictErrorsMatchPyTorchWording() {
    JsonObject g = golden.getAsJsonObject("load_state_dict");
    try (var s = Kindling.scope(); Small m = new Small()) {
      Map<String, Tensor> sd = new LinkedHashMap<>();
      sd.put("fc.weight", Tensor.zeros(2, 3));
      sd.put("fc.bias", Tensor.zeros(4));
      var e = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(sd));
      // PyTorch prints shapes as torch.Size([2, 3]); Kindling as [2, 3]
      String expected = g.get("size_mismatch").getAsString().replaceAll("torch\\.Size\\((\\[[^]]*])\\)", "$1");
      assertEquals(expected, e.getMessage());
      assertTrue(e.getMessage().contains(
          "size mismatch for fc.weight: copying a param with shape [2, 3] from checkpoint, the shape in current model is [4, 3]."));

      Map<String, Tensor> sd2 = new LinkedHashMap<>();
      sd2.put("fc.weight", Tensor.zeros(4, 3));
      sd2.put("extra.weight", Tensor.zeros(1));
      sd2.put("fcx", Tensor.zeros(1));
      var e2 = assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(sd2, true));
      assertEquals(g.get("missing_unexpected").getAsString(), e2.getMessage());

      sd2.remove("fcx");
      IncompatibleKeys r = m.loadStateDict(sd2, false);
      JsonObject ns = g.getAsJsonObject("non_strict");
      assertEquals(strings(ns.get("missing")), r.missingKeys());
      assertEquals(strings(ns.get("unexpected")), r.unexpectedKeys());
      // the matching key was copied in
      assertEquals(0.0, m.namedParameters().get("fc.weight").abs().sum().item());
    }
  }
}
