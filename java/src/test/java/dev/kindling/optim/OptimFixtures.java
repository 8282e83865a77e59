package dev.kindling.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.DType;
import dev.kindling.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the optimizer tests share: golden/optim.json (written by gen_optim.py with torch 1.13),
 * the fixed problem it describes (parameters W [3, 4], b [3], c [2]; data X, Y, T), its loss, an
 * optimizer built from PyTorch option names through the Java builders, and value comparisons.
 */
final class OptimFixtures {
  private OptimFixtures() {}

  private static JsonObject golden;

  static synchronized JsonObject golden() {
    if (golden == null) {
      try (var in = OptimFixtures.class.getResourceAsStream("/golden/optim.json")) {
        golden = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return golden;
  }

  static double[] doubles(JsonArray a) {
    double[] r = new double[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsDouble();
    return r;
  }

  static long[] longs(JsonArray a) {
    long[] r = new long[a.size()];
    for (int i = 0; i < r.length; i++) r[i] = a.get(i).getAsLong();
    return r;
  }

  /** A {"shape", "data"} object as a tensor of dtype (the values were float32 in PyTorch). */
  static Tensor tensor(JsonObject j, DType dtype) {
    long[] shape = longs(j.getAsJsonArray("shape"));
    double[] d = doubles(j.getAsJsonArray("data"));
    if (dtype == DType.FLOAT64) return Tensor.fromArray(d, shape);
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
    return Tensor.fromArray(f, shape);
  }

  /** The problem's data and fresh parameters W, b, c (leaves requiring grad) in dtype. */
  static final class Problem implements AutoCloseable {
    final Tensor x, y, t, w, b, c;

    Problem(DType dtype) {
      JsonObject p = golden().getAsJsonObject("problem");
      x = tensor(p.getAsJsonObject("X"), dtype);
      y = tensor(p.getAsJsonObject("Y"), dtype);
      t = tensor(p.getAsJsonObject("T"), dtype);
      w = tensor(p.getAsJsonObject("W"), dtype).requiresGrad_();
      b = tensor(p.getAsJsonObject("b"), dtype).requiresGrad_();
      c = tensor(p.getAsJsonObject("c"), dtype).requiresGrad_();
    }

    List<Tensor> params() {
      return List.of(w, b, c);
    }

    /**
     * mean((X W^T + b - (Y + shift))^2), plus sum((c - (T + shift))^2) on every third step (so c
     * has no gradient on the others), negated for the maximize cases; shift = ((7 step) mod 11 - 5)
     * / 10 moves the target every step so that the gradients never fade into their rounding.
     */
    Tensor loss(int step, boolean negate) {
      double shift = ((7 * step) % 11 - 5) / 10.0;
      Tensor loss = x.matmul(w.t()).add(b).sub(y.add(shift)).pow(2L).mean();
      if (step % 3 == 0) loss = loss.add(c.sub(t.add(shift)).pow(2L).sum());
      return negate ? loss.neg() : loss;
    }

    @Override
    public void close() {
      for (Tensor v : List.of(x, y, t, w, b, c)) v.close();
    }
  }

  /** A JSON option value as ParamGroup takes it: Double, Boolean or double[]. */
  static Object value(JsonElement v) {
    if (v.isJsonArray()) return doubles(v.getAsJsonArray());
    if (v.getAsJsonPrimitive().isBoolean()) return v.getAsBoolean();
    return v.getAsDouble();
  }

  /**
   * The optimizer named algo over params (a list of tensors or of ParamGroups), its options given
   * by PyTorch name and set through the Java builder methods, so each builder name is exercised.
   */
  static Optimizer build(String algo, JsonObject options, List<?> params) {
    boolean groups = !params.isEmpty() && params.get(0) instanceof ParamGroup;
    @SuppressWarnings("unchecked")
    List<Tensor> ts = groups ? null : (List<Tensor>) params;
    @SuppressWarnings("unchecked")
    List<ParamGroup> gs = groups ? (List<ParamGroup>) params : null;
    switch (algo) {
      case "SGD": {
        SGD.Options o = SGD.options();
        for (Map.Entry<String, JsonElement> e : options.entrySet()) {
          JsonElement v = e.getValue();
          switch (e.getKey()) {
            case "lr" -> o.lr(v.getAsDouble());
            case "momentum" -> o.momentum(v.getAsDouble());
            case "dampening" -> o.dampening(v.getAsDouble());
            case "weight_decay" -> o.weightDecay(v.getAsDouble());
            case "nesterov" -> o.nesterov(v.getAsBoolean());
            case "maximize" -> o.maximize(v.getAsBoolean());
            default -> fail("unknown SGD option " + e.getKey());
          }
        }
        return groups ? new SGD(gs, o) : new SGD(ts, o);
      }
      case "Adam":
      case "AdamW": {
        Adam.Options o = algo.equals("Adam") ? Adam.options() : AdamW.options();
        for (Map.Entry<String, JsonElement> e : options.entrySet()) {
          JsonElement v = e.getValue();
          switch (e.getKey()) {
            case "lr" -> o.lr(v.getAsDouble());
            case "betas" -> o.betas(v.getAsJsonArray().get(0).getAsDouble(), v.getAsJsonArray().get(1).getAsDouble());
            case "eps" -> o.eps(v.getAsDouble());
            case "weight_decay" -> o.weightDecay(v.getAsDouble());
            case "amsgrad" -> o.amsgrad(v.getAsBoolean());
            case "maximize" -> o.maximize(v.getAsBoolean());
            default -> fail("unknown Adam option " + e.getKey());
          }
        }
        if (algo.equals("Adam")) return groups ? new Adam(gs, o) : new Adam(ts, o);
        return groups ? new AdamW(gs, o) : new AdamW(ts, o);
      }
      case "RMSprop": {
        RMSprop.Options o = RMSprop.options();
        for (Map.Entry<String, JsonElement> e : options.entrySet()) {
          JsonElement v = e.getValue();
          switch (e.getKey()) {
            case "lr" -> o.lr(v.getAsDouble());
            case "alpha" -> o.alpha(v.getAsDouble());
            case "eps" -> o.eps(v.getAsDouble());
            case "weight_decay" -> o.weightDecay(v.getAsDouble());
            case "momentum" -> o.momentum(v.getAsDouble());
            case "centered" -> o.centered(v.getAsBoolean());
            case "maximize" -> o.maximize(v.getAsBoolean());
            default -> fail("unknown RMSprop option " + e.getKey());
          }
        }
        return groups ? new RMSprop(gs, o) : new RMSprop(ts, o);
      }
      case "Adagrad": {
        Adagrad.Options o = Adagrad.options();
        for (Map.Entry<String, JsonElement> e : options.entrySet()) {
          JsonElement v = e.getValue();
          switch (e.getKey()) {
            case "lr" -> o.lr(v.getAsDouble());
            case "lr_decay" -> o.lrDecay(v.getAsDouble());
            case "weight_decay" -> o.weightDecay(v.getAsDouble());
            case "initial_accumulator_value" -> o.initialAccumulatorValue(v.getAsDouble());
            case "eps" -> o.eps(v.getAsDouble());
            case "maximize" -> o.maximize(v.getAsBoolean());
            default -> fail("unknown Adagrad option " + e.getKey());
          }
        }
        return groups ? new Adagrad(gs, o) : new Adagrad(ts, o);
      }
      default:
        throw new IllegalArgumentException("unknown optimizer " + algo);
    }
  }

  /**
   * Equal within the rounding of the dtype, relative to the tensor's scale (its largest magnitude):
   * the updates are PyTorch's to the bit, but the gradients they start from are computed by another
   * library, and a buffer that sums many terms (momentum) carries their rounding at the terms'
   * scale even where the sum nearly cancels.
   */
  static void assertClose(double[] expected, double[] actual, DType dtype, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    double scale = 0;
    for (double e : expected) scale = Math.max(scale, Math.abs(e));
    double atol = dtype == DType.FLOAT64 ? 1e-12 : 5e-6, rtol = dtype == DType.FLOAT64 ? 1e-10 : 1e-5;
    double tol = atol + rtol * scale;
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(expected[i] - actual[i]) <= tol))
        fail(what + "[" + i + "]: expected " + expected[i] + " but was " + actual[i] + " (|diff| "
            + Math.abs(expected[i] - actual[i]) + " > " + tol + ")");
    }
  }

  /** Every element of a and b has the same bits. */
  static void assertBitEqual(Tensor a, Tensor b, String what) {
    double[] x = a.toDoubleArray(), y = b.toDoubleArray();
    assertEquals(x.length, y.length, what);
    for (int i = 0; i < x.length; i++)
      assertTrue(Double.doubleToRawLongBits(x[i]) == Double.doubleToRawLongBits(y[i]),
          what + "[" + i + "]: " + x[i] + " vs " + y[i]);
  }

  static List<double[]> values(List<Tensor> ts) {
    List<double[]> out = new ArrayList<>();
    for (Tensor t : ts) out.add(t.toDoubleArray());
    return out;
  }
}
