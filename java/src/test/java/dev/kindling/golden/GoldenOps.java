package dev.kindling.golden;

import static dev.kindling.golden.GoldenCases.dtype;
import static dev.kindling.golden.GoldenCases.ints;
import static dev.kindling.golden.GoldenCases.longs;
import static dev.kindling.golden.GoldenCases.num;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kindling.DType;
import dev.kindling.Tensor;
import dev.kindling.golden.GoldenCases.Input;
import dev.kindling.golden.GoldenCases.Scalar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The golden data names ops as PyTorch does ({@code add}, {@code log_softmax}, {@code clamp_},
 * …); this maps each name and its arguments onto the Java call a user would write: a Python int
 * scalar goes to the {@code long} overload, a float to the {@code double} one, a bool to a 0-dim
 * bool tensor (a wrapped bool and a 0-dim bool tensor promote alike, and Java has no boolean
 * overloads), an absent dim to the all-dims form.
 */
final class GoldenOps {
  private GoldenOps() {}

  /** A tensor-tensor form and the scalar forms of one binary op (null: no such overload). */
  private record Binary(BiFunction<Tensor, Tensor, Tensor> tensor, DoubleForm dbl, LongForm lng) {}

  @FunctionalInterface
  private interface DoubleForm {
    Tensor apply(Tensor t, double s);
  }

  @FunctionalInterface
  private interface LongForm {
    Tensor apply(Tensor t, long s);
  }

  private static final Map<String, Binary> BINARY = Map.ofEntries(
      Map.entry("add", new Binary(Tensor::add, Tensor::add, Tensor::add)),
      Map.entry("sub", new Binary(Tensor::sub, Tensor::sub, Tensor::sub)),
      Map.entry("mul", new Binary(Tensor::mul, Tensor::mul, Tensor::mul)),
      Map.entry("div", new Binary(Tensor::div, Tensor::div, Tensor::div)),
      Map.entry("pow", new Binary(Tensor::pow, Tensor::pow, Tensor::pow)),
      Map.entry("remainder", new Binary(Tensor::remainder, Tensor::remainder, Tensor::remainder)),
      Map.entry("atan2", new Binary(Tensor::atan2, null, null)),
      Map.entry("maximum", new Binary(Tensor::maximum, null, null)),
      Map.entry("minimum", new Binary(Tensor::minimum, null, null)),
      Map.entry("eq", new Binary(Tensor::eq, Tensor::eq, Tensor::eq)),
      Map.entry("ne", new Binary(Tensor::ne, Tensor::ne, Tensor::ne)),
      Map.entry("lt", new Binary(Tensor::lt, Tensor::lt, Tensor::lt)),
      Map.entry("le", new Binary(Tensor::le, Tensor::le, Tensor::le)),
      Map.entry("gt", new Binary(Tensor::gt, Tensor::gt, Tensor::gt)),
      Map.entry("ge", new Binary(Tensor::ge, Tensor::ge, Tensor::ge)),
      Map.entry("logical_and", new Binary(Tensor::logicalAnd, null, null)),
      Map.entry("logical_or", new Binary(Tensor::logicalOr, null, null)),
      Map.entry("logical_xor", new Binary(Tensor::logicalXor, null, null)),
      Map.entry("add_", new Binary(Tensor::add_, Tensor::add_, Tensor::add_)),
      Map.entry("sub_", new Binary(Tensor::sub_, Tensor::sub_, Tensor::sub_)),
      Map.entry("mul_", new Binary(Tensor::mul_, Tensor::mul_, Tensor::mul_)),
      Map.entry("div_", new Binary(Tensor::div_, Tensor::div_, Tensor::div_)),
      Map.entry("pow_", new Binary(null, Tensor::pow_, null)));

  /** The name Kindling's error message must contain for op. */
  static String errorName(String op) {
    switch (op) {
      case "mT": return "transpose";
      case "get": case "select_fill_": return "select";
      case "rsub": return "sub";
      case "rdiv": return "div";
      case "rpow": return "pow";
      case "clamp_min": case "clamp_max": case "clamp_min_": case "clamp_max_": return "clamp";
      case "itemLong": return "item";
      case "toFloatArray": case "toDoubleArray": case "toLongArray": case "toBooleanArray": return "to";
      case "split": case "chunk": return op;
      default: return op.endsWith("_") ? op.substring(0, op.length() - 1) : op;
    }
  }

  static Object apply(String op, List<Object> in, JsonObject a) {
    Binary bin = BINARY.get(op);
    if (bin != null) return binary(op, bin, in, a);
    switch (op) {
      // ---- elementwise
      case "neg": return t(in, 0).neg();
      case "abs": return t(in, 0).abs();
      case "exp": return t(in, 0).exp();
      case "log": return t(in, 0).log();
      case "sqrt": return t(in, 0).sqrt();
      case "rsqrt": return t(in, 0).rsqrt();
      case "sin": return t(in, 0).sin();
      case "cos": return t(in, 0).cos();
      case "tanh": return t(in, 0).tanh();
      case "sigmoid": return t(in, 0).sigmoid();
      case "relu": return t(in, 0).relu();
      case "sign": return t(in, 0).sign();
      case "reciprocal": return t(in, 0).reciprocal();
      case "square": return t(in, 0).square();
      case "log1p": return t(in, 0).log1p();
      case "expm1": return t(in, 0).expm1();
      case "floor": return t(in, 0).floor();
      case "ceil": return t(in, 0).ceil();
      case "round": return t(in, 0).round();
      case "logical_not": return t(in, 0).logicalNot();
      case "leaky_relu": return t(in, 0).leakyRelu(d(a, "negative_slope"));
      case "rsub": return t(in, 0).rsub(s(in, 1).asDouble());
      case "rdiv": return t(in, 0).rdiv(s(in, 1).asDouble());
      case "rpow": return t(in, 0).rpow(s(in, 1).asDouble());
      case "clamp": return t(in, 0).clamp(d(a, "min"), d(a, "max"));
      case "clamp_min": return t(in, 0).clampMin(d(a, "min"));
      case "clamp_max": return t(in, 0).clampMax(d(a, "max"));
      case "where": return Tensor.where(t(in, 0), t(in, 1), t(in, 2));
      case "masked_fill": return t(in, 0).maskedFill(t(in, 1), d(a, "value"));
      case "neg_": return t(in, 0).neg_();
      case "abs_": return t(in, 0).abs_();
      case "exp_": return t(in, 0).exp_();
      case "log_": return t(in, 0).log_();
      case "sqrt_": return t(in, 0).sqrt_();
      case "tanh_": return t(in, 0).tanh_();
      case "sigmoid_": return t(in, 0).sigmoid_();
      case "relu_": return t(in, 0).relu_();
      case "clamp_": return t(in, 0).clamp_(d(a, "min"), d(a, "max"));
      case "clamp_min_": return t(in, 0).clampMin_(d(a, "min"));
      case "clamp_max_": return t(in, 0).clampMax_(d(a, "max"));
      case "fill_": return t(in, 0).fill_(d(a, "value"));
      case "zero_": return t(in, 0).zero_();
      case "copy_": return t(in, 0).copy_(t(in, 1));
      case "masked_fill_": return t(in, 0).maskedFill_(t(in, 1), d(a, "value"));

      // ---- views
      case "view": return t(in, 0).view(longs(a.getAsJsonArray("shape")));
      case "reshape": return t(in, 0).reshape(longs(a.getAsJsonArray("shape")));
      case "transpose": return t(in, 0).transpose(i(a, "dim0"), i(a, "dim1"));
      case "t": return t(in, 0).t();
      case "mT": return t(in, 0).mT();
      case "permute": return t(in, 0).permute(ints(a.getAsJsonArray("dims")));
      case "narrow": return t(in, 0).narrow(i(a, "dim"), l(a, "start"), l(a, "length"));
      case "slice": return t(in, 0).slice(i(a, "dim"), l(a, "start"), l(a, "end"), l(a, "step"));
      case "select": return t(in, 0).select(i(a, "dim"), l(a, "index"));
      case "expand": return t(in, 0).expand(longs(a.getAsJsonArray("shape")));
      case "squeeze": return a.has("dim") ? t(in, 0).squeeze(i(a, "dim")) : t(in, 0).squeeze();
      case "unsqueeze": return t(in, 0).unsqueeze(i(a, "dim"));
      case "flatten": return a.has("start_dim") ? t(in, 0).flatten(i(a, "start_dim"), i(a, "end_dim")) : t(in, 0).flatten();
      case "contiguous": return t(in, 0).contiguous();
      case "clone": return t(in, 0).clone();
      case "to": return t(in, 0).to(dtype(a.get("dtype").getAsString()));
      case "get": return t(in, 0).get(longs(a.getAsJsonArray("indices")));
      case "select_fill_": {
        Tensor x = t(in, 0);
        x.select(i(a, "dim"), l(a, "index")).fill_(d(a, "value"));
        return x;
      }

      // ---- reductions
      case "sum": return !a.has("dim") ? t(in, 0).sum() : a.get("dim").isJsonArray()
          ? t(in, 0).sum(dims(a), keep(a)) : t(in, 0).sum(i(a, "dim"), keep(a));
      case "mean": return !a.has("dim") ? t(in, 0).mean() : a.get("dim").isJsonArray()
          ? t(in, 0).mean(dims(a), keep(a)) : t(in, 0).mean(i(a, "dim"), keep(a));
      case "prod": return !a.has("dim") ? t(in, 0).prod() : t(in, 0).prod(i(a, "dim"), keep(a));
      case "amax": return t(in, 0).amax(dims(a), keep(a));
      case "amin": return t(in, 0).amin(dims(a), keep(a));
      case "logsumexp": return a.get("dim").isJsonArray()
          ? t(in, 0).logsumexp(dims(a), keep(a)) : t(in, 0).logsumexp(i(a, "dim"), keep(a));
      case "any": return !a.has("dim") ? t(in, 0).any() : t(in, 0).any(i(a, "dim"), keep(a));
      case "all": return !a.has("dim") ? t(in, 0).all() : t(in, 0).all(i(a, "dim"), keep(a));
      case "var":
      case "std": {
        Tensor x = t(in, 0);
        boolean std = op.equals("std");
        if (a.has("correction")) return std ? x.std(dims(a), d(a, "correction"), keep(a)) : x.var(dims(a), d(a, "correction"), keep(a));
        if (!a.has("dim")) return std ? x.std() : x.var();
        if (!a.has("keepdim")) return std ? x.std(i(a, "dim")) : x.var(i(a, "dim"));
        return std ? x.std(i(a, "dim"), keep(a)) : x.var(i(a, "dim"), keep(a));
      }
      case "max": return a.has("dim") ? t(in, 0).max(i(a, "dim"), keep(a)) : t(in, 0).max();
      case "min": return a.has("dim") ? t(in, 0).min(i(a, "dim"), keep(a)) : t(in, 0).min();
      case "argmax": return a.has("dim") ? t(in, 0).argmax(i(a, "dim"), keep(a)) : t(in, 0).argmax();
      case "argmin": return a.has("dim") ? t(in, 0).argmin(i(a, "dim"), keep(a)) : t(in, 0).argmin();
      case "softmax": return t(in, 0).softmax(i(a, "dim"));
      case "log_softmax": return t(in, 0).logSoftmax(i(a, "dim"));

      // ---- linear algebra
      case "matmul": return t(in, 0).matmul(t(in, 1));
      case "mm": return t(in, 0).mm(t(in, 1));
      case "bmm": return t(in, 0).bmm(t(in, 1));

      // ---- joining and indexing
      case "cat": return Tensor.cat(tensors(in), i(a, "dim"));
      case "stack": return Tensor.stack(tensors(in), i(a, "dim"));
      case "split": return a.has("sizes")
          ? t(in, 0).split(longs(a.getAsJsonArray("sizes")), i(a, "dim")) : t(in, 0).split(l(a, "split_size"), i(a, "dim"));
      case "chunk": return t(in, 0).chunk(i(a, "chunks"), i(a, "dim"));
      case "index_select": return t(in, 0).indexSelect(i(a, "dim"), t(in, 1));
      case "gather": return t(in, 0).gather(i(a, "dim"), t(in, 1));
      case "scatter_add": return t(in, 0).scatterAdd(i(a, "dim"), t(in, 1), t(in, 2));
      case "scatter_add_": return t(in, 0).scatterAdd_(i(a, "dim"), t(in, 1), t(in, 2));

      // ---- creation and reading out
      case "zeros": return dt(a) == DType.FLOAT32 ? Tensor.zeros(shape(a)) : Tensor.zeros(shape(a), dt(a));
      case "ones": return dt(a) == DType.FLOAT32 ? Tensor.ones(shape(a)) : Tensor.ones(shape(a), dt(a));
      case "full": return dt(a) == DType.FLOAT32 ? Tensor.full(shape(a), d(a, "value")) : Tensor.full(shape(a), d(a, "value"), dt(a));
      case "eye": return !a.has("m") ? Tensor.eye(l(a, "n")) : !a.has("dtype") ? Tensor.eye(l(a, "n"), l(a, "m")) : Tensor.eye(l(a, "n"), l(a, "m"), dt(a));
      case "scalar":
        switch (dt(a)) {
          case FLOAT32: return Tensor.scalar(d(a, "value"));
          case INT64: return Tensor.scalar(l(a, "value"));
          case BOOL: return Tensor.scalar(d(a, "value") != 0);
          default: return Tensor.scalar(d(a, "value"), dt(a));
        }
      case "arange":
        if (!a.has("start")) return Tensor.arange(l(a, "end"));
        if (!a.has("dtype")) return Tensor.arange(l(a, "start"), l(a, "end"), l(a, "step"));
        return Tensor.arange(d(a, "start"), d(a, "end"), d(a, "step"), dt(a));
      case "linspace": return Tensor.linspace(d(a, "start"), d(a, "end"), l(a, "steps"), dt(a));
      case "zeros_like": return Tensor.zerosLike(t(in, 0));
      case "ones_like": return Tensor.onesLike(t(in, 0));
      case "full_like": return Tensor.fullLike(t(in, 0), d(a, "value"));
      case "empty_like": return Tensor.emptyLike(t(in, 0));
      case "item": return t(in, 0).item();
      case "itemLong": return t(in, 0).itemLong();
      case "toFloatArray": return t(in, 0).toFloatArray();
      case "toDoubleArray": return t(in, 0).toDoubleArray();
      case "toLongArray": return t(in, 0).toLongArray();
      case "toBooleanArray": return t(in, 0).toBooleanArray();

      // ---- random
      case "rand": return dt(a) == DType.FLOAT32 ? Tensor.rand(shape(a)) : Tensor.rand(shape(a), dt(a));
      case "randn": return dt(a) == DType.FLOAT32 ? Tensor.randn(shape(a)) : Tensor.randn(shape(a), dt(a));
      case "randint": return Tensor.randint(l(a, "low"), l(a, "high"), shape(a));
      case "randperm": return Tensor.randperm(l(a, "n"));
      case "rand_like": return Tensor.randLike(t(in, 0));
      case "randn_like": return Tensor.randnLike(t(in, 0));
      case "uniform_": return t(in, 0).uniform_(d(a, "from"), d(a, "to"));
      case "normal_": return t(in, 0).normal_(d(a, "mean"), d(a, "std"));
      case "bernoulli_": return t(in, 0).bernoulli_(d(a, "p"));
      default: throw new AssertionError("golden data names an op the tests do not know: " + op);
    }
  }

  private static Object binary(String op, Binary b, List<Object> in, JsonObject a) {
    Tensor x = t(in, 0);
    Object y = in.get(1);
    if (y instanceof Scalar s) {
      if (s.isBool()) return b.tensor().apply(x, Tensor.scalar(s.value().getAsBoolean()));
      if (s.isInt() && b.lng() != null) return b.lng().apply(x, s.asLong());
      return b.dbl().apply(x, s.asDouble());
    }
    if (a.has("alpha")) {
      double alpha = d(a, "alpha");
      switch (op) {
        case "add": return x.add(t(in, 1), alpha);
        case "sub": return x.sub(t(in, 1), alpha);
        case "add_": return x.add_(t(in, 1), alpha);
        case "sub_": return x.sub_(t(in, 1), alpha);
        default: throw new AssertionError(op + " has no alpha");
      }
    }
    return b.tensor().apply(x, t(in, 1));
  }

  private static Tensor t(List<Object> in, int i) {
    return ((Input) in.get(i)).tensor();
  }

  private static Scalar s(List<Object> in, int i) {
    return (Scalar) in.get(i);
  }

  private static List<Tensor> tensors(List<Object> in) {
    List<Tensor> out = new ArrayList<>();
    for (Object o : in) out.add(((Input) o).tensor());
    return out;
  }

  private static double d(JsonObject a, String k) {
    JsonElement e = a.get(k);
    if (e == null) throw new AssertionError("missing argument " + k);
    return e.getAsJsonPrimitive().isBoolean() ? (e.getAsBoolean() ? 1 : 0) : num(e);
  }

  private static long l(JsonObject a, String k) {
    return a.get(k).getAsLong();
  }

  private static int i(JsonObject a, String k) {
    return a.get(k).getAsInt();
  }

  private static boolean keep(JsonObject a) {
    return a.has("keepdim") && a.get("keepdim").getAsBoolean();
  }

  /** "dim" as an array: an int becomes one dim, absence means all dims. */
  private static int[] dims(JsonObject a) {
    if (!a.has("dim")) return new int[0];
    JsonElement e = a.get("dim");
    return e.isJsonArray() ? ints(e.getAsJsonArray()) : new int[] {e.getAsInt()};
  }

  private static long[] shape(JsonObject a) {
    return longs(a.getAsJsonArray("shape"));
  }

  private static DType dt(JsonObject a) {
    return a.has("dtype") ? dtype(a.get("dtype").getAsString()) : DType.FLOAT32;
  }
}
