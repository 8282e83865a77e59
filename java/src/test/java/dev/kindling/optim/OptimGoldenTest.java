package dev.kindling.optim;

import static dev.kindling.optim.OptimFixtures.assertClose;
import static dev.kindling.optim.OptimFixtures.doubles;
import static dev.kindling.optim.OptimFixtures.golden;
import static dev.kindling.optim.OptimFixtures.value;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * 50-step trajectories against torch.optim (golden/optim.json, gen_optim.py, torch 1.13 with
 * foreach=False). Each case does what the PyTorch script does:
 *
 * <pre>
 * opt = torch.optim.Adam(params_or_groups, lr=0.01, amsgrad=True, ...)
 * for step in range(1, 51):
 *     opt.zero_grad(set_to_none=True); loss_at(step).backward(); opt.step()
 *     # some cases then change an option: opt.param_groups[g]['lr'] = ...
 * </pre>
 *
 * where loss_at(step) is a least-squares loss whose target moves every step (and whose c term
 * appears every third step only), and the Java does the same with {@code new Adam(params, Adam.options().lr(0.01).amsgrad(true))},
 * {@code zeroGrad()}, {@code backward()}, {@code step()} and {@code paramGroups().get(g).lr(...)}.
 * The parameters at steps 1, 2, 3, 5, 10, 20, 21, 30, 40, 50 and the per-parameter state after
 * step 50 (PyTorch's names; step counts that lag for the parameter without a gradient on two
 * steps out of three) must match: float32 within float32 rounding of the gradients, float64 to
 * 1e-12.
 */
class OptimGoldenTest {
  @TestFactory
  Stream<DynamicTest> trajectoriesMatchTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : golden().getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(c.get("name").getAsString(), () -> runCase(c)));
    }
    long before = Kindling.liveTensors();
    tests.add(DynamicTest.dynamicTest("no native tensor leaked",
        () -> LeakCheck.assertNotAbove(before, "native tensors left alive by the optimizer cases")));
    return tests.stream();
  }

  private static void runCase(JsonObject c) {
    String name = c.get("name").getAsString();
    DType dtype = c.get("dtype").getAsString().equals("float64") ? DType.FLOAT64 : DType.FLOAT32;
    boolean negate = c.get("maximize_loss").getAsBoolean();
    try (var pb = new OptimFixtures.Problem(dtype)) {
      List<Tensor> params = pb.params();
      // The order of the parameters in the state dict: group by group.
      List<Integer> order = new ArrayList<>();
      List<Object> arg = new ArrayList<>();
      if (c.get("groups").isJsonNull()) {
        arg.addAll(params);
        for (int i = 0; i < params.size(); i++) order.add(i);
      } else {
        for (JsonElement ge : c.getAsJsonArray("groups")) {
          JsonObject g = ge.getAsJsonObject();
          List<Tensor> ps = new ArrayList<>();
          for (JsonElement i : g.getAsJsonArray("params")) {
            ps.add(params.get(i.getAsInt()));
            order.add(i.getAsInt());
          }
          ParamGroup group = ParamGroup.of(ps);
          for (Map.Entry<String, JsonElement> o : g.getAsJsonObject("options").entrySet()) group.set(o.getKey(), value(o.getValue()));
          arg.add(group);
        }
      }
      try (Optimizer opt = OptimFixtures.build(c.get("algo").getAsString(), c.getAsJsonObject("options"), arg)) {
        var trajectory = c.getAsJsonArray("trajectory");
        int next = 0;
        for (int step = 1; step <= golden().get("steps").getAsInt(); step++) {
          try (Scope s = Kindling.scope()) {
            opt.zeroGrad();
            pb.loss(step, negate).backward();
            opt.step();
          }
          JsonObject rec = trajectory.get(next).getAsJsonObject();
          if (rec.get("step").getAsInt() == step) {
            var expected = rec.getAsJsonArray("params");
            for (int i = 0; i < params.size(); i++)
              assertClose(doubles(expected.get(i).getAsJsonArray()), params.get(i).toDoubleArray(), dtype,
                  name + " step " + step + " param " + i);
            next = Math.min(next + 1, trajectory.size() - 1);
          }
          for (JsonElement ch : c.getAsJsonArray("changes")) {
            JsonObject change = ch.getAsJsonObject();
            if (change.get("after_step").getAsInt() != step) continue;
            ParamGroup g = opt.paramGroups().get(change.get("group").getAsInt());
            String key = change.get("key").getAsString();
            if (key.equals("lr")) g.lr(change.get("value").getAsDouble());
            else g.set(key, value(change.get("value")));
          }
        }
        checkFinalState(name, c, opt, order, dtype);
      }
    }
  }

  /** The state after the last step: the same names and values as PyTorch's, parameter by parameter. */
  private static void checkFinalState(String name, JsonObject c, Optimizer opt, List<Integer> order, DType dtype) {
    var expectedStates = c.getAsJsonArray("final_state");
    try (Scope s = Kindling.scope()) {
      OptimizerStateDict sd = opt.stateDict();
      for (int k = 0; k < order.size(); k++) {
        JsonObject expected = expectedStates.get(order.get(k)).getAsJsonObject();
        Map<String, Object> actual = sd.state().get(k);
        if (expected.size() == 0) {
          assertNull(actual, name + ": parameter " + order.get(k) + " has state but PyTorch's has none");
          continue;
        }
        assertNotNull(actual, name + ": no state for parameter " + order.get(k));
        assertEquals(expected.keySet(), actual.keySet(), name + ": state names of parameter " + order.get(k));
        for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
          Object v = actual.get(e.getKey());
          String what = name + ": state '" + e.getKey() + "' of parameter " + order.get(k);
          if (e.getValue().isJsonNull()) {
            assertNull(v, what);
          } else if (e.getKey().equals("step")) {
            assertInstanceOf(Long.class, v, what);
            assertEquals(e.getValue().getAsDouble(), ((Long) v).doubleValue(), 0.0, what);
          } else {
            assertInstanceOf(Tensor.class, v, what);
            assertEquals(dtype, ((Tensor) v).dtype(), what);
            assertClose(doubles(e.getValue().getAsJsonArray()), ((Tensor) v).toDoubleArray(), dtype, what);
          }
        }
      }
    }
  }
}
