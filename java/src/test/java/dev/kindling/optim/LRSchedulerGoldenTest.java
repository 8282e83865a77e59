package dev.kindling.optim;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.reflect.TypeToken;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every scheduler against torch.optim.lr_scheduler (golden/schedulers.json, written by
 * gen_schedulers.py with torch 1.13): two parameter groups of SGD (momentum 0.9) or Adam, lrs
 * 0.1 and 0.05, then
 *
 * <pre>
 *   sched = StepLR(opt, step_size=3, gamma=0.5)      # or any case of the file
 *   for i in range(n): opt.step(); sched.step()      # ReduceLROnPlateau: sched.step(metrics[i])
 *   record [g['lr'] for g in opt.param_groups], and momentum / betas[0]
 * </pre>
 *
 * The Java schedulers give the same lr (and OneCycleLR the same momentum or beta1) after
 * construction and after every step, within 1e-12 relative — bit for bit where the formulas use
 * no cos, pow or lambda, which shows they follow PyTorch's recursion; OneCycleLR refuses the step after
 * total_steps with PyTorch's message. Then each case is cut after k steps: the scheduler's and the
 * optimizer's state dicts (the scheduler's sent through JSON, as plain data) are loaded into a
 * fresh optimizer and scheduler, which continue with the same values. Bad arguments fail with
 * PyTorch's messages ("errors").
 */
class LRSchedulerGoldenTest {
  static final double RTOL = 1e-12;
  static double maxRelErr;

  private static JsonObject load() {
    try (var in = LRSchedulerGoldenTest.class.getResourceAsStream("/golden/schedulers.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The lambdas of gen_schedulers.py's LAMBDAS, by name. */
  static final Map<String, IntToDoubleFunction> LAMBDAS = Map.of(
      "pow095", e -> Math.pow(0.95, e),
      "warmup10", e -> Math.min(1.0, (e + 1) / 10.0),
      "inv", e -> 1.0 / (1 + e),
      "step3", e -> Math.pow(0.5, Math.floorDiv(e, 3)));

  /** The scheduler(s) of one case: LRSchedulers stepped together, or a ReduceLROnPlateau fed metrics. */
  interface Driven {
    void step(int i);

    List<Map<String, Object>> stateDicts();

    void loadStateDicts(List<Map<String, Object>> sd);

    List<Double> lastLr();

    int lastEpoch();
  }

  static Driven build(JsonObject c, Optimizer opt) {
    String kind = c.get("kind").getAsString();
    JsonObject o = c.getAsJsonObject("options");
    if (kind.equals("ReduceLROnPlateau")) {
      ReduceLROnPlateau s = plateau(o, opt);
      double[] metrics = doubles(c.getAsJsonArray("metrics"));
      return new Driven() {
        public void step(int i) {
          s.step(metrics[i]);
        }

        public List<Map<String, Object>> stateDicts() {
          return List.of(s.stateDict());
        }

        public void loadStateDicts(List<Map<String, Object>> sd) {
          s.loadStateDict(sd.get(0));
        }

        public List<Double> lastLr() {
          return s.getLastLr();
        }

        public int lastEpoch() {
          return s.lastEpoch();
        }
      };
    }
    List<LRScheduler> all = new ArrayList<>();
    if (kind.equals("Chain")) {
      for (JsonElement e : o.getAsJsonArray("schedulers")) {
        JsonArray pair = e.getAsJsonArray();
        all.add(scheduler(pair.get(0).getAsString(), pair.get(1).getAsJsonObject(), opt));
      }
    } else {
      all.add(scheduler(kind, o, opt));
    }
    return new Driven() {
      public void step(int i) {
        for (LRScheduler s : all) s.step();
      }

      public List<Map<String, Object>> stateDicts() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LRScheduler s : all) out.add(s.stateDict());
        return out;
      }

      public void loadStateDicts(List<Map<String, Object>> sd) {
        for (int i = 0; i < all.size(); i++) all.get(i).loadStateDict(sd.get(i));
      }

      public List<Double> lastLr() {
        return all.get(all.size() - 1).getLastLr();
      }

      public int lastEpoch() {
        return all.get(0).lastEpoch();
      }
    };
  }

  /** The Java for PyTorch's constructor call with these keyword options. */
  static LRScheduler scheduler(String kind, JsonObject o, Optimizer opt) {
    int lastEpoch = o.has("last_epoch") ? o.get("last_epoch").getAsInt() : -1;
    switch (kind) {
      case "StepLR":
        return new StepLR(opt, o.get("step_size").getAsInt(), num(o, "gamma", 0.1), lastEpoch);
      case "MultiStepLR": {
        List<Integer> m = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("milestones")) m.add(e.getAsInt());
        return new MultiStepLR(opt, m, num(o, "gamma", 0.1), lastEpoch);
      }
      case "ExponentialLR":
        return new ExponentialLR(opt, o.get("gamma").getAsDouble(), lastEpoch);
      case "CosineAnnealingLR":
        return new CosineAnnealingLR(opt, o.get("T_max").getAsInt(), num(o, "eta_min", 0), lastEpoch);
      case "LinearLR":
        return new LinearLR(opt, num(o, "start_factor", 1.0 / 3), num(o, "end_factor", 1.0),
            o.has("total_iters") ? o.get("total_iters").getAsInt() : 5, lastEpoch);
      case "LambdaLR": {
        JsonElement l = o.get("lr_lambda");
        if (l.isJsonArray()) {
          List<IntToDoubleFunction> fns = new ArrayList<>();
          for (JsonElement e : l.getAsJsonArray()) fns.add(LAMBDAS.get(e.getAsString()));
          return new LambdaLR(opt, fns, lastEpoch);
        }
        return new LambdaLR(opt, LAMBDAS.get(l.getAsString()), lastEpoch);
      }
      case "OneCycleLR": {
        JsonElement maxLr = o.get("max_lr");
        OneCycleLR.Builder b = maxLr.isJsonArray()
            ? OneCycleLR.builder(opt, doubles(maxLr.getAsJsonArray()))
            : OneCycleLR.builder(opt, maxLr.getAsDouble());
        if (o.has("total_steps")) b.totalSteps(o.get("total_steps").getAsInt());
        if (o.has("epochs")) b.epochs(o.get("epochs").getAsInt());
        if (o.has("steps_per_epoch")) b.stepsPerEpoch(o.get("steps_per_epoch").getAsInt());
        if (o.has("pct_start")) b.pctStart(o.get("pct_start").getAsDouble());
        if (o.has("anneal_strategy")) b.annealStrategy(o.get("anneal_strategy").getAsString());
        if (o.has("cycle_momentum")) b.cycleMomentum(o.get("cycle_momentum").getAsBoolean());
        if (o.has("three_phase")) b.threePhase(o.get("three_phase").getAsBoolean());
        if (o.has("div_factor")) b.divFactor(o.get("div_factor").getAsDouble());
        if (o.has("final_div_factor")) b.finalDivFactor(o.get("final_div_factor").getAsDouble());
        if (o.has("base_momentum")) {
          JsonElement m = o.get("base_momentum");
          if (m.isJsonArray()) b.baseMomentum(doubles(m.getAsJsonArray()));
          else b.baseMomentum(m.getAsDouble());
        }
        if (o.has("max_momentum")) {
          JsonElement m = o.get("max_momentum");
          if (m.isJsonArray()) b.maxMomentum(doubles(m.getAsJsonArray()));
          else b.maxMomentum(m.getAsDouble());
        }
        return b.lastEpoch(lastEpoch).build();
      }
      default:
        throw new IllegalArgumentException("no scheduler " + kind);
    }
  }

  static ReduceLROnPlateau plateau(JsonObject o, Optimizer opt) {
    ReduceLROnPlateau.Builder b = ReduceLROnPlateau.builder(opt);
    if (o.has("mode")) b.mode(o.get("mode").getAsString());
    if (o.has("factor")) b.factor(o.get("factor").getAsDouble());
    if (o.has("patience")) b.patience(o.get("patience").getAsInt());
    if (o.has("threshold")) b.threshold(o.get("threshold").getAsDouble());
    if (o.has("threshold_mode")) b.thresholdMode(o.get("threshold_mode").getAsString());
    if (o.has("cooldown")) b.cooldown(o.get("cooldown").getAsInt());
    if (o.has("eps")) b.eps(o.get("eps").getAsDouble());
    if (o.has("min_lr")) {
      JsonElement m = o.get("min_lr");
      if (m.isJsonArray()) b.minLr(doubles(m.getAsJsonArray()));
      else b.minLr(m.getAsDouble());
    }
    return b.build();
  }

  static double num(JsonObject o, String key, double dflt) {
    return o.has(key) ? o.get(key).getAsDouble() : dflt;
  }

  static double[] doubles(JsonArray a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
    return out;
  }

  static RecordingOptimizer optimizer(JsonObject c) {
    RecordingOptimizer opt = RecordingOptimizer.of(c.get("optimizer").getAsString(), doubles(c.getAsJsonArray("group_lrs")));
    if (!c.get("initial_lrs").isJsonNull()) {
      double[] initial = doubles(c.getAsJsonArray("initial_lrs"));
      for (int i = 0; i < initial.length; i++) opt.paramGroups().get(i).set("initial_lr", initial[i]);
    }
    return opt;
  }

  static double[] lrs(Optimizer opt) {
    return opt.paramGroups().stream().mapToDouble(ParamGroup::lr).toArray();
  }

  static double[] momenta(Optimizer opt) {
    boolean betas = opt.defaults().containsKey("betas");
    return opt.paramGroups().stream().mapToDouble(g -> betas ? g.betas()[0] : g.momentum()).toArray();
  }

  /**
   * True for the cases whose formulas use only +, -, *, / (no cos, pow or lambda): there the
   * chainable recursion gives PyTorch's bits exactly (a closed form would not).
   */
  static boolean exact(JsonObject c) {
    String kind = c.get("kind").getAsString();
    JsonObject o = c.getAsJsonObject("options");
    return switch (kind) {
      case "StepLR", "ExponentialLR", "LinearLR", "ReduceLROnPlateau" -> true;
      case "OneCycleLR" -> o.has("anneal_strategy") && o.get("anneal_strategy").getAsString().equals("linear");
      case "Chain" -> c.get("name").getAsString().startsWith("Chain LinearLR");
      default -> false;
    };
  }

  static void assertClose(double[] want, double[] got, boolean exact, String what) {
    if (exact) {
      assertArrayEquals(want, got, 0.0, what + " (bit for bit)");
      return;
    }
    assertEquals(want.length, got.length, what + ": number of groups");
    for (int i = 0; i < want.length; i++) {
      double err = Math.abs(want[i] - got[i]);
      double scale = Math.max(Math.abs(want[i]), Math.abs(got[i]));
      if (scale > 0) maxRelErr = Math.max(maxRelErr, err / scale);
      assertTrue(err <= RTOL * scale, what + " group " + i + ": want " + want[i] + ", got " + got[i]);
    }
  }

  /** The state at epoch i of the case matches PyTorch's. */
  static void checkEpoch(JsonObject c, int i, Optimizer opt, Driven d, String what) {
    assertClose(doubles(c.getAsJsonArray("lrs").get(i).getAsJsonArray()), lrs(opt), exact(c), what + " lr at epoch " + i);
    assertClose(doubles(c.getAsJsonArray("momentum").get(i).getAsJsonArray()), momenta(opt), exact(c), what + " momentum at epoch " + i);
    assertArrayEquals(lrs(opt), d.lastLr().stream().mapToDouble(Double::doubleValue).toArray(), what + " getLastLr at epoch " + i);
  }

  static int steps(JsonObject c) {
    return c.getAsJsonArray("lrs").size() - 1;
  }

  static void runTrajectory(JsonObject c) {
    String name = c.get("name").getAsString();
    RecordingOptimizer opt = optimizer(c);
    Driven d = build(c, opt);
    checkEpoch(c, 0, opt, d, name);
    int n = steps(c);
    for (int i = 0; i < n; i++) {
      opt.step();
      d.step(i);
      checkEpoch(c, i + 1, opt, d, name);
    }
    assertEquals(c.get("last_epoch").getAsInt(), d.lastEpoch(), name + ": last_epoch");
    if (c.has("past_end_error")) {
      double[] before = lrs(opt);
      double[] momentaBefore = momenta(opt);
      int epoch = d.lastEpoch();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.step(n), name + ": a step past total_steps");
      assertTrue(e.getMessage().contains(c.get("past_end_error").getAsString()), "message: " + e.getMessage());
      assertArrayEquals(before, lrs(opt), name + ": a refused step changes no lr");
      assertArrayEquals(momentaBefore, momenta(opt), name + ": a refused step changes no momentum");
      assertEquals(epoch, d.lastEpoch(), name + ": a refused step leaves last_epoch");
    }
  }

  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

  /** Sends a state dict through JSON: integers come back as doubles, lists as ArrayLists. */
  static Map<String, Object> throughJson(Map<String, Object> sd) {
    String json = GSON.toJson(sd);
    return GSON.fromJson(json, new TypeToken<LinkedHashMap<String, Object>>() {}.getType());
  }

  static void runResume(JsonObject c, int k) {
    String name = c.get("name").getAsString() + " resumed after " + k;
    int n = steps(c);
    RecordingOptimizer first = optimizer(c);
    Driven a = build(c, first);
    for (int i = 0; i < k; i++) {
      first.step();
      a.step(i);
    }
    List<Map<String, Object>> saved = a.stateDicts();
    List<Map<String, Object>> sent = new ArrayList<>();
    for (Map<String, Object> sd : saved) sent.add(throughJson(sd));
    OptimizerStateDict optState = first.stateDict();

    RecordingOptimizer opt = optimizer(c);
    Driven b = build(c, opt);
    opt.loadStateDict(optState);
    b.loadStateDicts(sent);
    assertEquals(saved, b.stateDicts(), name + ": the loaded state dict reads back the same");
    checkEpoch(c, k, opt, b, name);
    for (int i = k; i < n; i++) {
      opt.step();
      b.step(i);
      checkEpoch(c, i + 1, opt, b, name);
    }
    assertEquals(c.get("last_epoch").getAsInt(), b.lastEpoch(), name + ": last_epoch");
  }

  @TestFactory
  Stream<DynamicTest> schedulersMatchTorch() {
    JsonObject golden = load();
    List<DynamicTest> tests = new ArrayList<>();
    long before = Kindling.liveTensors();
    for (JsonElement e : golden.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      String name = c.get("name").getAsString();
      tests.add(DynamicTest.dynamicTest(name, () -> {
        try (Scope s = Kindling.scope()) {
          runTrajectory(c);
        }
      }));
      tests.add(DynamicTest.dynamicTest(name + ": state dict round trip", () -> {
        int n = steps(c);
        for (int k : new int[] {0, 1, n / 2, n - 1}) {
          try (Scope s = Kindling.scope()) {
            runResume(c, k);
          }
        }
      }));
    }
    tests.add(DynamicTest.dynamicTest("within " + RTOL + " relative of torch", () -> {
      System.out.println("LRSchedulerGoldenTest: largest relative difference from torch " + maxRelErr);
      assertTrue(maxRelErr <= RTOL);
    }));
    tests.add(DynamicTest.dynamicTest("no native tensor leaked",
        () -> LeakCheck.assertNotAbove(before, "native tensors left alive by the scheduler cases")));
    return tests.stream();
  }

  /** Java for each bad call of gen_schedulers.py's "errors", by key. */
  static Executable badCall(String key) {
    return switch (key) {
      case "initial_lr missing" -> () -> new StepLR(RecordingOptimizer.sgd(0.1, 0.05), 3, 0.1, 4);
      case "LambdaLR count" -> () -> new LambdaLR(RecordingOptimizer.sgd(0.1, 0.05), List.of(LAMBDAS.get("inv"), LAMBDAS.get("inv"), LAMBDAS.get("inv")));
      case "LinearLR start_factor" -> () -> new LinearLR(RecordingOptimizer.sgd(0.1, 0.05), 1.5, 1.0, 5);
      case "LinearLR end_factor" -> () -> new LinearLR(RecordingOptimizer.sgd(0.1, 0.05), 1.0 / 3, -0.1, 5);
      case "OneCycleLR no total" -> () -> OneCycleLR.builder(RecordingOptimizer.sgd(0.1, 0.05), 0.1).build();
      case "OneCycleLR total_steps" -> () -> OneCycleLR.builder(RecordingOptimizer.sgd(0.1, 0.05), 0.1).totalSteps(0).build();
      case "OneCycleLR epochs" -> () -> OneCycleLR.builder(RecordingOptimizer.sgd(0.1, 0.05), 0.1).epochs(-2).stepsPerEpoch(3).build();
      case "OneCycleLR steps_per_epoch" -> () -> OneCycleLR.builder(RecordingOptimizer.sgd(0.1, 0.05), 0.1).epochs(2).stepsPerEpoch(0).build();
      case "OneCycleLR pct_start" -> () -> OneCycleLR.builder(RecordingOptimizer.sgd(0.1, 0.05), 0.1).totalSteps(10).pctStart(1.5).build();
      case "OneCycleLR anneal_strategy" -> () -> OneCycleLR.builder(RecordingOptimizer.sgd(0.1, 0.05), 0.1).totalSteps(10).annealStrategy("exp").build();
      case "OneCycleLR max_lr count" -> () -> OneCycleLR.builder(RecordingOptimizer.sgd(0.1, 0.05), 0.1, 0.2, 0.3).totalSteps(10).build();
      case "OneCycleLR base_momentum count" -> () -> OneCycleLR.builder(RecordingOptimizer.sgd(0.1, 0.05), 0.1).totalSteps(10).baseMomentum(new double[] {0.8}).build();
      case "OneCycleLR no momentum" -> () -> OneCycleLR.builder(RecordingOptimizer.withoutMomentum(0.1), 0.1).totalSteps(10).build();
      case "ReduceLROnPlateau factor" -> () -> ReduceLROnPlateau.builder(RecordingOptimizer.sgd(0.1, 0.05)).factor(1.0).build();
      case "ReduceLROnPlateau mode" -> () -> ReduceLROnPlateau.builder(RecordingOptimizer.sgd(0.1, 0.05)).mode("mean").build();
      case "ReduceLROnPlateau threshold_mode" -> () -> ReduceLROnPlateau.builder(RecordingOptimizer.sgd(0.1, 0.05)).thresholdMode("pct").build();
      case "ReduceLROnPlateau min_lr count" -> () -> ReduceLROnPlateau.builder(RecordingOptimizer.sgd(0.1, 0.05)).minLr(new double[] {0.1}).build();
      default -> throw new IllegalArgumentException("no Java call for error case '" + key + "'");
    };
  }

  @TestFactory
  Stream<DynamicTest> badArgumentsFailWithTorchsMessages() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : load().getAsJsonObject("errors").entrySet()) {
      String want = e.getValue().getAsString();
      tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
        try (Scope s = Kindling.scope()) {
          IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, badCall(e.getKey()));
          assertTrue(ex.getMessage().contains(want), "want PyTorch's \"" + want + "\", got \"" + ex.getMessage() + "\"");
        }
      }));
    }
    return tests.stream();
  }
}
