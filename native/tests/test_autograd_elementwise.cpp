// Backward formulas of the elementwise family. Every op is checked three ways: its first-order
// gradient against central differences in float64, its second-order gradient (create_graph,
// then the gradient of grad . w) against central differences of the first-order gradient, and
// its grad_fn name against PyTorch's. Shapes include equal shapes, broadcasting [3] with [2, 1]
// and a 0-dim operand. Then the PyTorch conventions (abs'(0) = 0, clamp bounds inclusive, ties
// of maximum, pow at 0, ...), in-place rebasing and the errors, each with the numbers torch 1.13
// gives.
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "check.h"
#include "core/tensor.h"
#include "ops/ops.h"

using namespace kd;

namespace {

const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor f64(std::vector<double> v, Dims shape) { return ops::from_host(v.data(), DType::Float64, shape); }
Tensor f32(std::vector<float> v, Dims shape) { return ops::from_host(v.data(), DType::Float32, shape); }
Tensor boolean(std::vector<int> v, Dims shape) {
  bool raw[64];
  for (size_t i = 0; i < v.size(); ++i) raw[i] = v[i] != 0;
  return ops::from_host(raw, DType::Bool, shape);
}
std::vector<double> vals(const Tensor& t) {
  std::vector<double> out(t.numel());
  ops::copy_to_host(t, out.data(), DType::Float64, t.numel());
  return out;
}
bool same(const std::vector<double>& a, const std::vector<double>& b, double tol = 1e-6) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (std::isnan(a[i]) != std::isnan(b[i])) return false;
    } else if (a[i] != b[i] && !(std::fabs(a[i] - b[i]) <= tol * std::max(1.0, std::fabs(b[i])))) {
      return false;
    }
  }
  return true;
}
#define CHECK_VALS(t, ...) CHECK(same(vals(t), std::vector<double>(__VA_ARGS__)))

Tensor leaf(const Tensor& t) {
  Tensor x = ops::clone(t);
  ag::set_requires_grad(x, true);
  return x;
}
Tensor grad_of(const Tensor& x) { return ag::meta(x).grad; }
std::string fn_name(const Tensor& t) {
  auto fn = ag::grad_fn(t);
  return fn ? fn->name() : "None";
}
void backward_sum(const Tensor& y) { ag::backward({ag::reduce(KD_SUM, y, {}, false)}, {}, {}); }

// ---- finite differences

// Deterministic values in [lo, hi] that pass `ok` (to stay away from kinks and jumps).
struct Domain {
  double lo = -2, hi = 2;
  std::function<bool(double)> ok = [](double) { return true; };
};
bool away_from_zero(double v) { return std::fabs(v) > 0.2; }
bool away_from_half_integers(double v) {
  double f = v - std::floor(v);
  return std::fabs(f - 0.5) > 0.1 && f > 0.1 && f < 0.9;
}

Tensor sample(const Dims& shape, const Domain& d, uint64_t& seed) {
  std::vector<double> v;
  while (static_cast<int64_t>(v.size()) < shape.numel()) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    double u = static_cast<double>(seed >> 11) / 9007199254740992.0;
    double x = d.lo + (d.hi - d.lo) * u;
    if (d.ok(x)) v.push_back(x);
  }
  return f64(v, shape);
}

// sum(out * v) computed without recording.
double dot(const Tensor& out, const Tensor& v) {
  return ops::item(ops::reduce(KD_SUM, ops::binary(KD_MUL, out, v), {}, false));
}

// A copy of xs with element j of input i moved by delta.
std::vector<Tensor> moved(const std::vector<Tensor>& xs, size_t i, int64_t j, double delta) {
  std::vector<Tensor> out;
  for (size_t k = 0; k < xs.size(); ++k) {
    std::vector<double> v = vals(xs[k]);
    if (k == i) v[j] += delta;
    out.push_back(f64(v, xs[k].sizes()));
  }
  return out;
}

// Gradients of sum(f(xs) * v) w.r.t. xs (zeros for unused inputs); with create_graph the
// result stays differentiable.
std::vector<Tensor> first_grads(const Fn& f, const std::vector<Tensor>& xs, const Tensor& v, bool create) {
  std::vector<Tensor> leaves;
  for (auto& x : xs) leaves.push_back(create ? x : leaf(x));
  Tensor out = f(leaves);
  ag::BackwardOptions opts;
  opts.create_graph = create;
  opts.retain_graph = create;  // torch's default: retain_graph = create_graph
  opts.allow_unused = true;
  std::vector<Tensor> g = ag::requires_grad(out) ? ag::grad({out}, leaves, {v}, opts) : std::vector<Tensor>(xs.size());
  for (size_t i = 0; i < g.size(); ++i)
    if (!g[i].defined()) g[i] = ops::full(xs[i].sizes(), 0.0, DType::Float64);
  return g;
}

bool close_fd(double analytic, double numeric, double tol) {
  if (std::isnan(analytic) || std::isnan(numeric)) return false;
  return std::fabs(analytic - numeric) <= tol * (1.0 + std::fabs(numeric));
}

// torch.autograd.gradcheck and gradgradcheck in one: first order w.r.t. every input, second
// order w.r.t. every input and the incoming gradient v.
void gradcheck(const char* what, const Fn& f, const std::vector<Tensor>& xs, uint64_t seed = 7) {
  const double eps = 1e-6, tol = 1e-5;
  Domain unit{-1, 1};
  Tensor out0;
  {
    ag::GradModeGuard off(false);
    out0 = f(xs);
  }
  Tensor v = sample(out0.sizes(), unit, seed);

  // First order.
  std::vector<Tensor> g = first_grads(f, xs, v, false);
  for (size_t i = 0; i < xs.size(); ++i) {
    std::vector<double> a = vals(g[i]);
    if (g[i].dtype() != DType::Float64) ::kdtest::report(__FILE__, __LINE__, str(what, ": grad dtype"));
    for (int64_t j = 0; j < xs[i].numel(); ++j) {
      double n = (dot(f(moved(xs, i, j, eps)), v) - dot(f(moved(xs, i, j, -eps)), v)) / (2 * eps);
      if (!close_fd(a[j], n, tol))
        ::kdtest::report(__FILE__, __LINE__,
                         str(what, ": d/d input ", i, "[", j, "] analytic ", a[j], " numeric ", n));
    }
  }

  // Second order: s = sum_i <grad_i, w_i>, differentiated w.r.t. the inputs and v.
  std::vector<Tensor> ws;
  for (auto& x : xs) ws.push_back(sample(x.sizes(), unit, seed));
  std::vector<Tensor> wrt;
  for (auto& x : xs) wrt.push_back(leaf(x));
  Tensor vl = leaf(v);
  wrt.push_back(vl);
  std::vector<Tensor> ins(wrt.begin(), wrt.end() - 1);
  std::vector<Tensor> g1 = first_grads(f, ins, vl, true);
  Tensor s;
  for (size_t i = 0; i < g1.size(); ++i) {
    Tensor term = ag::reduce(KD_SUM, ag::mul(g1[i], ws[i]), {}, false);
    s = s.defined() ? ag::add(s, term) : term;
  }
  std::vector<Tensor> gg(wrt.size());
  if (ag::requires_grad(s)) {
    ag::BackwardOptions opts;
    opts.allow_unused = true;
    gg = ag::grad({s}, wrt, {}, opts);
  }
  auto s_at = [&](const std::vector<Tensor>& point) {
    std::vector<Tensor> p(point.begin(), point.end() - 1);
    std::vector<Tensor> gp = first_grads(f, p, point.back(), false);
    double total = 0;
    for (size_t i = 0; i < gp.size(); ++i) total += dot(gp[i], ws[i]);
    return total;
  };
  std::vector<Tensor> base;
  for (auto& x : xs) base.push_back(x);
  base.push_back(v);
  for (size_t i = 0; i < base.size(); ++i) {
    std::vector<double> a = gg[i].defined() ? vals(gg[i]) : std::vector<double>(base[i].numel(), 0.0);
    for (int64_t j = 0; j < base[i].numel(); ++j) {
      double n = (s_at(moved(base, i, j, eps)) - s_at(moved(base, i, j, -eps))) / (2 * eps);
      if (!close_fd(a[j], n, tol))
        ::kdtest::report(__FILE__, __LINE__,
                         str(what, ": second order d/d ", i == xs.size() ? "v" : "input ",
                             i == xs.size() ? std::string() : std::to_string(i), "[", j, "] analytic ",
                             a[j], " numeric ", n));
    }
  }
}

// The shapes every binary op is checked on: equal, broadcast [3] with [2, 1], a 0-dim operand
// on either side.
const std::vector<std::pair<Dims, Dims>> kBinaryShapes = {
    {{2, 3}, {2, 3}}, {{3}, {2, 1}}, {{2, 3}, {}}, {{}, {3}}};

void check_unary(UnaryOp op, const char* name, const Domain& d) {
  uint64_t seed = 11 + op;
  for (Dims shape : {Dims{2, 3}, Dims{}}) {
    Fn f = [op](const std::vector<Tensor>& x) { return ag::unary(op, x[0]); };
    gradcheck(str(ops::unary_name(op), " ", shape.str()).c_str(), f, {sample(shape, d, seed)});
    Fn g = [op](const std::vector<Tensor>& x) {
      Tensor a = ag::mul(x[0], 1.0);
      ag::unary_(op, a);
      return a;
    };
    gradcheck(str(ops::unary_name(op), "_ ", shape.str()).c_str(), g, {sample(shape, d, seed)});
  }
  Tensor x = leaf(sample({2}, d, seed));
  CHECK_EQ(fn_name(ag::unary(op, x)), std::string(name));
  Tensor a = ag::mul(x, 1.0);
  ag::unary_(op, a);
  CHECK_EQ(fn_name(a), std::string(name));
}

void check_binary(BinaryOp op, const char* name, const Domain& da, const Domain& db) {
  uint64_t seed = 101 + op;
  for (auto& shapes : kBinaryShapes) {
    Fn f = [op](const std::vector<Tensor>& x) { return ag::binary(op, x[0], x[1]); };
    gradcheck(str(ops::binary_name(op), " ", shapes.first.str(), " ", shapes.second.str()).c_str(), f,
              {sample(shapes.first, da, seed), sample(shapes.second, db, seed)});
  }
  // In place: self must have the broadcast shape.
  for (Dims other : {Dims{2, 3}, Dims{3}, Dims{}}) {
    Fn f = [op](const std::vector<Tensor>& x) {
      Tensor a = ag::mul(x[0], 1.0);
      ag::binary_(op, a, x[1]);
      return a;
    };
    gradcheck(str(ops::binary_name(op), "_ [2, 3] ", other.str()).c_str(), f,
              {sample({2, 3}, da, seed), sample(other, db, seed)});
  }
  Tensor x = leaf(sample({2}, da, seed)), y = leaf(sample({2}, db, seed));
  Tensor out = ag::binary(op, x, y);
  CHECK_EQ(fn_name(out), std::string(name));
  CHECK_EQ(ag::grad_fn(out)->next_edges.size(), size_t(2));
  Tensor a = ag::mul(x, 1.0);
  ag::binary_(op, a, y);
  CHECK_EQ(fn_name(a), std::string(name));
}

// tensor op scalar (and in place), with PyTorch's name and number of edges.
void check_tensor_scalar(BinaryOp op, double s, const char* name, size_t edges, const Domain& d) {
  uint64_t seed = 201 + op;
  for (Dims shape : {Dims{2, 3}, Dims{}}) {
    Fn f = [op, s](const std::vector<Tensor>& x) { return ag::binary_scalar(op, x[0], s, DType::Float64); };
    gradcheck(str(ops::binary_name(op), " scalar ", shape.str()).c_str(), f, {sample(shape, d, seed)});
    Fn g = [op, s](const std::vector<Tensor>& x) {
      Tensor a = ag::mul(x[0], 1.0);
      ag::binary_scalar_(op, a, s, DType::Float64);
      return a;
    };
    gradcheck(str(ops::binary_name(op), "_ scalar ", shape.str()).c_str(), g, {sample(shape, d, seed)});
  }
  Tensor x = leaf(sample({2}, d, seed));
  Tensor out = ag::binary_scalar(op, x, s, DType::Float64);
  CHECK_EQ(fn_name(out), std::string(name));
  CHECK_EQ(ag::grad_fn(out)->next_edges.size(), edges);
  Tensor a = ag::mul(x, 1.0);
  ag::binary_scalar_(op, a, s, DType::Int64);
  CHECK_EQ(fn_name(a), std::string(name));
}

// scalar op tensor (rsub, rdiv, rpow, ...).
void check_scalar_tensor(BinaryOp op, double s, const char* name, size_t edges, const Domain& d) {
  uint64_t seed = 301 + op;
  for (Dims shape : {Dims{2, 3}, Dims{}}) {
    Fn f = [op, s](const std::vector<Tensor>& x) { return ag::scalar_binary(op, s, DType::Float64, x[0]); };
    gradcheck(str("scalar ", ops::binary_name(op), " ", shape.str()).c_str(), f, {sample(shape, d, seed)});
  }
  Tensor out = ag::scalar_binary(op, s, DType::Float64, leaf(sample({2}, d, seed)));
  CHECK_EQ(fn_name(out), std::string(name));
  CHECK_EQ(ag::grad_fn(out)->next_edges.size(), edges);
}

const Domain kAny{-2, 2};
const Domain kPositive{0.5, 2};
const Domain kNonZero{-2, 2, away_from_zero};

}  // namespace

// ---- every op, first and second order

TEST(unary_ops_match_finite_differences) {
  check_unary(KD_NEG, "NegBackward0", kAny);
  check_unary(KD_ABS, "AbsBackward0", kNonZero);
  check_unary(KD_EXP, "ExpBackward0", Domain{-1, 1});
  check_unary(KD_LOG, "LogBackward0", kPositive);
  check_unary(KD_SQRT, "SqrtBackward0", kPositive);
  check_unary(KD_RSQRT, "RsqrtBackward0", kPositive);
  check_unary(KD_SIN, "SinBackward0", kAny);
  check_unary(KD_COS, "CosBackward0", kAny);
  check_unary(KD_TANH, "TanhBackward0", kAny);
  check_unary(KD_SIGMOID, "SigmoidBackward0", kAny);
  check_unary(KD_RELU, "ReluBackward0", kNonZero);
  check_unary(KD_SIGN, "SignBackward0", kNonZero);
  check_unary(KD_RECIPROCAL, "ReciprocalBackward0", kNonZero);
  check_unary(KD_SQUARE, "PowBackward0", kAny);
  check_unary(KD_LOG1P, "Log1PBackward0", Domain{-0.5, 2});
  check_unary(KD_EXPM1, "Expm1Backward0", Domain{-1, 1});
  check_unary(KD_FLOOR, "FloorBackward0", Domain{-3, 3, away_from_half_integers});
  check_unary(KD_CEIL, "CeilBackward0", Domain{-3, 3, away_from_half_integers});
  check_unary(KD_ROUND, "RoundBackward0", Domain{-3, 3, away_from_half_integers});
  check_unary(KD_ERF, "ErfBackward0", Domain{-2.5, 2.5});
}

// erf against torch.erf (values, first and second derivative from torch.autograd.grad with
// create_graph); integer and bool inputs give float32, like exp.
TEST(erf_values_and_gradients_match_pytorch) {
  Tensor y = ops::unary(KD_ERF, f64({-2.0, -0.5, 0.0, 0.3, 1.5, kInf, -kInf, kNaN}, {8}));
  CHECK_VALS(y, {-0.9953222650189527, -0.5204998778130465, 0.0, 0.3286267594591274,
                 0.9661051464753108, 1.0, -1.0, kNaN});
  CHECK(ops::unary(KD_ERF, ops::full({2}, 1.0, DType::Int64)).dtype() == DType::Float32);
  CHECK(ops::unary(KD_ERF, boolean({1, 0}, {2})).dtype() == DType::Float32);
  CHECK_VALS(ops::unary(KD_ERF, f32({0.3f}, {1})), {0.3286267594591274});

  Tensor x = leaf(f64({-2.0, -0.5, 0.0, 0.3, 1.5}, {5}));
  Tensor out = ag::unary(KD_ERF, x);
  CHECK_EQ(fn_name(out), std::string("ErfBackward0"));
  ag::BackwardOptions opts;
  opts.create_graph = true;
  opts.retain_graph = true;
  Tensor g = ag::grad({ag::reduce(KD_SUM, out, {}, false)}, {x}, {}, opts)[0];
  CHECK_VALS(g, {0.020666985354092053, 0.8787825789354448, 1.1283791670955126, 1.031260909618963,
                 0.11893028922362936});
  CHECK(ag::requires_grad(g));
  backward_sum(g);
  CHECK_VALS(grad_of(x), {0.08266794141636821, 0.8787825789354448, 0.0, -0.6187565457713778,
                          -0.3567908676708881});
}

TEST(binary_ops_match_finite_differences) {
  check_binary(KD_ADD, "AddBackward0", kAny, kAny);
  check_binary(KD_SUB, "SubBackward0", kAny, kAny);
  check_binary(KD_MUL, "MulBackward0", kAny, kAny);
  check_binary(KD_DIV, "DivBackward0", kAny, kNonZero);
  check_binary(KD_POW, "PowBackward1", kPositive, kAny);
  check_binary(KD_MAXIMUM, "MaximumBackward0", kAny, kAny);
  check_binary(KD_MINIMUM, "MinimumBackward0", kAny, kAny);
  check_binary(KD_REMAINDER, "RemainderBackward1", Domain{0.1, 5}, Domain{0.7, 1.9});
  check_binary(KD_ATAN2, "Atan2Backward0", kNonZero, kNonZero);
}

TEST(tensor_scalar_ops_match_finite_differences) {
  // x + 2., x - 2., x * 2., x / 2. keep an empty edge for the wrapped scalar; x ** 2. and
  // x % 2. have one edge (torch 1.13 next_functions).
  check_tensor_scalar(KD_ADD, 2.5, "AddBackward0", 2, kAny);
  check_tensor_scalar(KD_SUB, 2.5, "SubBackward0", 2, kAny);
  check_tensor_scalar(KD_MUL, -1.5, "MulBackward0", 2, kAny);
  check_tensor_scalar(KD_DIV, 0.75, "DivBackward0", 2, kAny);
  check_tensor_scalar(KD_POW, 2.5, "PowBackward0", 1, kPositive);
  check_tensor_scalar(KD_POW, -2.0, "PowBackward0", 1, kNonZero);
  check_tensor_scalar(KD_REMAINDER, 0.75, "RemainderBackward0", 1, Domain{0.1, 5});
  check_tensor_scalar(KD_MAXIMUM, 0.3, "MaximumBackward0", 2, kAny);
  check_tensor_scalar(KD_MINIMUM, 0.3, "MinimumBackward0", 2, kAny);
  check_tensor_scalar(KD_ATAN2, 0.7, "Atan2Backward0", 2, kAny);
}

TEST(scalar_tensor_ops_match_finite_differences) {
  check_scalar_tensor(KD_SUB, 2.5, "RsubBackward1", 1, kAny);           // torch.rsub(x, 2.5)
  check_scalar_tensor(KD_DIV, 1.5, "DivBackward0", 2, kNonZero);        // torch.div(tensor(1.5), x)
  check_scalar_tensor(KD_POW, 1.7, "PowBackward2", 1, kAny);            // torch.pow(1.7, x)
  check_scalar_tensor(KD_ADD, 1.5, "AddBackward0", 2, kAny);
  check_scalar_tensor(KD_MUL, 1.5, "MulBackward0", 2, kAny);
  check_scalar_tensor(KD_REMAINDER, 2.5, "RemainderBackward1", 2, Domain{0.7, 1.9});
}

TEST(add_with_alpha_matches_finite_differences) {
  for (double alpha : {2.5, -1.5}) {
    uint64_t seed = 5;
    for (auto& shapes : kBinaryShapes) {
      Fn f = [alpha](const std::vector<Tensor>& x) { return ag::add_scaled(x[0], x[1], alpha); };
      gradcheck(str("add alpha ", alpha, " ", shapes.first.str(), " ", shapes.second.str()).c_str(), f,
                {sample(shapes.first, kAny, seed), sample(shapes.second, kAny, seed)});
    }
    Fn g = [alpha](const std::vector<Tensor>& x) {
      Tensor a = ag::mul(x[0], 1.0);
      ag::add_scaled_(a, x[1], alpha);
      return a;
    };
    gradcheck("add_ alpha", g, {sample({2, 3}, kAny, seed), sample({3}, kAny, seed)});
  }
  Tensor x = leaf(f64({1, 2}, {2})), y = leaf(f64({3, 4}, {2}));
  CHECK_EQ(fn_name(ag::add_scaled(x, y, 2.0)), std::string("AddBackward0"));
}

TEST(leaky_relu_clamp_where_masked_fill_match_finite_differences) {
  uint64_t seed = 17;
  for (Dims shape : {Dims{2, 3}, Dims{}}) {
    gradcheck("leaky_relu", [](const std::vector<Tensor>& x) { return ag::leaky_relu(x[0], 0.1); },
              {sample(shape, kNonZero, seed)});
    Domain away_from_bounds{-2, 2, [](double v) { return std::fabs(v + 0.5) > 0.1 && std::fabs(v - 0.8) > 0.1; }};
    gradcheck("clamp", [](const std::vector<Tensor>& x) { return ag::clamp(x[0], -0.5, 0.8, true, true); },
              {sample(shape, away_from_bounds, seed)});
    gradcheck("clamp min", [](const std::vector<Tensor>& x) { return ag::clamp(x[0], -0.5, 0, true, false); },
              {sample(shape, away_from_bounds, seed)});
    gradcheck("clamp max", [](const std::vector<Tensor>& x) { return ag::clamp(x[0], 0, 0.8, false, true); },
              {sample(shape, away_from_bounds, seed)});
    gradcheck("clamp_",
              [](const std::vector<Tensor>& x) {
                Tensor a = ag::mul(x[0], 1.0);
                ag::clamp_(a, -0.5, 0.8, true, true);
                return a;
              },
              {sample(shape, away_from_bounds, seed)});
  }
  // where(cond[2, 3], a[3], b[2, 1]) and with a 0-dim b.
  Tensor cond = boolean({1, 0, 1, 0, 0, 1}, {2, 3});
  Fn w = [cond](const std::vector<Tensor>& x) { return ag::where(cond, x[0], x[1]); };
  gradcheck("where", w, {sample({3}, kAny, seed), sample({2, 1}, kAny, seed)});
  gradcheck("where 0-dim", w, {sample({2, 3}, kAny, seed), sample({}, kAny, seed)});
  // masked_fill: out of place self broadcasts to the mask's shape.
  Tensor mask = boolean({0, 1, 1, 0, 0, 1}, {2, 3});
  Fn m = [mask](const std::vector<Tensor>& x) { return ag::masked_fill(x[0], mask, 0.5); };
  gradcheck("masked_fill", m, {sample({2, 3}, kAny, seed)});
  gradcheck("masked_fill broadcast self", m, {sample({3}, kAny, seed)});
  gradcheck("masked_fill 0-dim self", m, {sample({}, kAny, seed)});
  Fn mi = [mask](const std::vector<Tensor>& x) {
    Tensor a = ag::mul(x[0], 1.0);
    ag::masked_fill_(a, ops::select(mask, 0, 0), -1.0);
    return a;
  };
  gradcheck("masked_fill_", mi, {sample({2, 3}, kAny, seed)});

  Tensor x = leaf(f64({1, -2}, {2})), y = leaf(f64({3, 4}, {2}));
  CHECK_EQ(fn_name(ag::leaky_relu(x, 0.1)), std::string("LeakyReluBackward0"));
  CHECK_EQ(fn_name(ag::clamp(x, 0, 1, true, true)), std::string("ClampBackward1"));
  CHECK_EQ(fn_name(ag::where(boolean({1, 0}, {2}), x, y)), std::string("WhereBackward0"));
  CHECK_EQ(fn_name(ag::masked_fill(x, boolean({1, 0}, {2}), 1)), std::string("MaskedFillBackward0"));
}

TEST(fill_and_copy_match_finite_differences) {
  uint64_t seed = 23;
  // y = x * 1; y.fill_(2.); (y * x).sum(): the filled values carry no gradient.
  gradcheck("fill_",
            [](const std::vector<Tensor>& x) {
              Tensor a = ag::mul(x[0], 1.0);
              ag::fill_(a, 2.0);
              return ag::mul(a, x[0]);
            },
            {sample({2, 3}, kAny, seed)});
  // dst = x * 1; dst.copy_(src[3]): the gradient reaches src summed over the broadcast dim.
  gradcheck("copy_",
            [](const std::vector<Tensor>& x) {
              Tensor a = ag::mul(x[0], 1.0);
              ag::copy_(a, ag::mul(x[1], x[1]));
              return ag::mul(a, x[0]);
            },
            {sample({2, 3}, kAny, seed), sample({3}, kAny, seed)});

  Tensor x = leaf(f64({1, 2}, {2})), y = leaf(f64({3, 4}, {2}));
  Tensor a = ag::mul(x, 1.0);
  ag::fill_(a, 0.0);
  CHECK_EQ(fn_name(a), std::string("FillBackward2"));
  Tensor b = ag::mul(x, 1.0);
  ag::copy_(b, y);
  CHECK_EQ(fn_name(b), std::string("CopyBackwards"));
  CHECK_EQ(ag::grad_fn(b)->next_edges.size(), size_t(2));
  // A plain buffer written from a tensor that requires grad takes its history (torch: same).
  Tensor buf = ops::full({2}, 0.0, DType::Float64);
  ag::copy_(buf, y);
  CHECK(ag::requires_grad(buf));
  backward_sum(ag::mul(buf, buf));
  CHECK_VALS(grad_of(y), {6, 8});
}

TEST(comparisons_and_logical_not_carry_no_history) {
  Tensor x = leaf(f64({1, 2}, {2})), y = leaf(f64({3, 1}, {2}));
  for (BinaryOp op : {KD_EQ, KD_NE, KD_LT, KD_LE, KD_GT, KD_GE, KD_LOGICAL_AND, KD_LOGICAL_OR, KD_LOGICAL_XOR}) {
    Tensor c = ag::binary(op, x, y);
    CHECK(c.dtype() == DType::Bool);
    CHECK(!ag::requires_grad(c));
    CHECK(!ag::requires_grad(ag::binary_scalar(op, x, 1.5, DType::Float64)));
  }
  Tensor n = ag::unary(KD_LOGICAL_NOT, x);
  CHECK(n.dtype() == DType::Bool);
  CHECK(!ag::requires_grad(n));
  // a = x * 1; a.gt_(y) writes 0/1 and records GtBackward1 with zero gradients.
  Tensor a = ag::mul(x, 1.0);
  ag::binary_(KD_GT, a, y);
  CHECK_EQ(fn_name(a), std::string("GtBackward1"));
  Tensor b = ag::mul(x, 1.0);
  ag::binary_scalar_(KD_LT, b, 1.5, DType::Float64);
  CHECK_EQ(fn_name(b), std::string("LtBackward0"));
  backward_sum(ag::add(a, b));
  CHECK_VALS(grad_of(x), {0, 0});
  CHECK_VALS(grad_of(y), {0, 0});
}

// ---- PyTorch's conventions, numbers from torch 1.13

// ReLU forward and its fused backward (threshold_backward) run whole vectors on unit-stride
// runs and a scalar loop on the rest: every length up to a few vectors, -0 and NaN, float32 and
// float64, a contiguous and a transposed gradient, against the definitions.
TEST(relu_and_its_gradient_on_vector_paths_and_tails) {
  for (DType dt : {DType::Float32, DType::Float64})
    for (int64_t n = 1; n <= 21; ++n) {
      std::vector<double> v(static_cast<size_t>(2 * n)), w(v.size());
      for (size_t i = 0; i < v.size(); ++i) {
        const int k = static_cast<int>((i * 7 + n) % 6);
        v[i] = k == 0 ? kNaN : k == 1 ? -0.0 : k == 2 ? 0.0 : k == 3 ? -1.5 : double(i) * 0.25 + 0.5;
        w[i] = double(i) - 3.0;
      }
      Tensor x = leaf(ops::to_dtype(f64(v, {2, n}), dt));
      Tensor y = ag::unary(KD_RELU, x);
      std::vector<double> yv = vals(y);
      for (size_t i = 0; i < v.size(); ++i) {
        const double want = v[i] < 0 ? 0.0 : v[i];
        const bool ok = std::isnan(want) ? std::isnan(yv[i]) : (yv[i] == want && std::signbit(yv[i]) == std::signbit(want));
        if (!ok) ::kdtest::report(__FILE__, __LINE__, str("relu n=", n, " element ", i, ": ", yv[i]));
      }
      // The gradient arrives contiguous ((y * W).sum()), then transposed (W laid out [n, 2]).
      for (bool transposed : {false, true}) {
        Tensor wt = transposed ? ops::transpose(ops::to_dtype(f64(w, {n, 2}), dt), 0, 1)
                               : ops::to_dtype(f64(w, {2, n}), dt);
        Tensor yk = ag::unary(KD_RELU, x);
        ag::meta(x).grad = Tensor();
        ag::backward({ag::reduce(KD_SUM, ag::mul(yk, wt), {}, false)}, {}, {});
        std::vector<double> gv = vals(grad_of(x)), wv = vals(wt);
        for (size_t i = 0; i < v.size(); ++i) {
          const double want = v[i] <= 0 ? 0.0 : wv[i];  // NaN <= 0 is false: NaN passes its gradient
          if (gv[i] != want)
            ::kdtest::report(__FILE__, __LINE__, str("relu grad n=", n, transposed ? " transposed" : "",
                                                     " element ", i, ": ", gv[i], " want ", want));
        }
        CHECK(grad_of(x).dtype() == dt);
      }
    }
}

TEST(conventions_at_kinks_follow_pytorch) {
  // t = torch.tensor([nan, 0., 1.], requires_grad=True); t.relu().sum().backward() -> [1, 0, 1]
  Tensor t = leaf(f64({kNaN, 0, 1}, {3}));
  backward_sum(ag::unary(KD_RELU, t));
  CHECK_VALS(grad_of(t), {1, 0, 1});
  // t.abs(): [0, 0, 1] (sign(nan) = 0 and abs'(0) = 0)
  Tensor u = leaf(f64({kNaN, 0, 1}, {3}));
  backward_sum(ag::unary(KD_ABS, u));
  CHECK_VALS(grad_of(u), {0, 0, 1});
  // torch.tensor([0., 1., -0.]).sqrt() backward: [inf, 0.5, -inf]
  Tensor s = leaf(f64({0, 1, -0.0}, {3}));
  backward_sum(ag::unary(KD_SQRT, s));
  CHECK_VALS(grad_of(s), {kInf, 0.5, -kInf});
  // leaky_relu(x, 0.1) at 0 takes the slope: x = [-1, 0, 2] -> [0.1, 0.1, 1]
  Tensor l = leaf(f64({-1, 0, 2}, {3}));
  backward_sum(ag::leaky_relu(l, 0.1));
  CHECK_VALS(grad_of(l), {0.1, 0.1, 1});
  // x.clamp(0, 1) on [-1, 0, 0.5, 1, 2, nan]: the bounds pass the gradient -> [0, 1, 1, 1, 0, 0]
  Tensor c = leaf(f64({-1, 0, 0.5, 1, 2, kNaN}, {6}));
  backward_sum(ag::clamp(c, 0, 1, true, true));
  CHECK_VALS(grad_of(c), {0, 1, 1, 1, 0, 0});
  Tensor cm = leaf(f64({-1, 0, 2}, {3}));
  backward_sum(ag::clamp(cm, 0, 0, true, false));  // clamp(min=0)
  CHECK_VALS(grad_of(cm), {0, 1, 1});
}

TEST(maximum_minimum_split_ties) {
  // torch.maximum(p, q) with p = [1, 2, 3], q = [1, 1, 4]: p.grad [0.5, 1, 0], q.grad [0.5, 0, 1]
  Tensor p = leaf(f64({1, 2, 3}, {3})), q = leaf(f64({1, 1, 4}, {3}));
  backward_sum(ag::binary(KD_MAXIMUM, p, q));
  CHECK_VALS(grad_of(p), {0.5, 1, 0});
  CHECK_VALS(grad_of(q), {0.5, 0, 1});
  Tensor r = leaf(f64({1, 2, 3}, {3})), s = leaf(f64({1, 1, 4}, {3}));
  backward_sum(ag::binary(KD_MINIMUM, r, s));
  CHECK_VALS(grad_of(r), {0.5, 0, 1});
  CHECK_VALS(grad_of(s), {0.5, 1, 0});
}

TEST(pow_at_zero_follows_pytorch) {
  // b = [0, 0, 2], e = [0, 2, -1]: b.pow(e) -> b.grad [0, 0, -0.25], e.grad [0, 0, log(2)/2]
  Tensor b = leaf(f64({0, 0, 2}, {3})), e = leaf(f64({0, 2, -1}, {3}));
  backward_sum(ag::binary(KD_POW, b, e));
  CHECK_VALS(grad_of(b), {0, 0, -0.25});
  CHECK_VALS(grad_of(e), {0, 0, 0.34657359027997264});
  // b.pow(0.) -> zeros, also at b = 0
  Tensor b0 = leaf(f64({0, 0, 2}, {3}));
  backward_sum(ag::binary_scalar(KD_POW, b0, 0.0, DType::Float64));
  CHECK_VALS(grad_of(b0), {0, 0, 0});
  // torch.pow(0., e) -> [0, 0, -inf]
  Tensor e0 = leaf(f64({0, 2, -1}, {3}));
  backward_sum(ag::scalar_binary(KD_POW, 0.0, DType::Float64, e0));
  CHECK_VALS(grad_of(e0), {0, 0, -kInf});
}

TEST(remainder_gradient_of_other_is_minus_floor_quotient) {
  // x = [5.5, -5.5, 7], y = [2, 2, -3]: torch.remainder(x, y) -> x.grad 1, y.grad -floor(x / y)
  Tensor x = leaf(f64({5.5, -5.5, 7}, {3})), y = leaf(f64({2, 2, -3}, {3}));
  backward_sum(ag::binary(KD_REMAINDER, x, y));
  CHECK_VALS(grad_of(x), {1, 1, 1});
  CHECK_VALS(grad_of(y), {-2, 3, 3});
}

// ---- broadcasting and dtypes

TEST(broadcast_gradients_reduce_to_input_shapes) {
  // x = torch.tensor([1., 2, 3]), y = torch.tensor([[1.], [2]]); (x * y).sum().backward()
  // -> x.grad [3, 3, 3], y.grad [[6], [6]]
  Tensor x = leaf(f64({1, 2, 3}, {3})), y = leaf(f64({1, 2}, {2, 1}));
  backward_sum(ag::mul(x, y));
  CHECK(grad_of(x).sizes() == Dims{3});
  CHECK(grad_of(y).sizes() == (Dims{2, 1}));
  CHECK_VALS(grad_of(x), {3, 3, 3});
  CHECK_VALS(grad_of(y), {6, 6});
  // A 0-dim operand gets a 0-dim gradient: (x / s).sum() with s = tensor(2.) -> s.grad = -6/4
  Tensor s = leaf(f64({2}, {}));
  backward_sum(ag::div(x, s));
  CHECK(grad_of(s).sizes() == Dims{});
  CHECK_VALS(grad_of(s), {-1.5});
}

TEST(mixed_float32_float64_inputs_get_gradients_in_their_own_dtypes) {
  // x = torch.tensor([1., 2, 3]) (float32), y = torch.tensor([[0.5], [2]], dtype=float64)
  // (x * y).sum().backward(): x.grad float32 [2.5, 2.5, 2.5], y.grad float64 [[6], [6]]
  Tensor x = leaf(f32({1, 2, 3}, {3})), y = leaf(f64({0.5, 2}, {2, 1}));
  Tensor out = ag::mul(x, y);
  CHECK(out.dtype() == DType::Float64);
  backward_sum(out);
  CHECK(grad_of(x).dtype() == DType::Float32);
  CHECK(grad_of(y).dtype() == DType::Float64);
  CHECK_VALS(grad_of(x), {2.5, 2.5, 2.5});
  CHECK_VALS(grad_of(y), {6, 6});
  // A 0-dim float64 with a dimensioned float32 gives float32; the 0-dim gets float64 back.
  Tensor a = leaf(f32({1, 2}, {2})), s = leaf(f64({3}, {}));
  Tensor o = ag::binary(KD_POW, a, s);
  CHECK(o.dtype() == DType::Float32);
  backward_sum(o);
  CHECK(grad_of(a).dtype() == DType::Float32);
  CHECK(grad_of(s).dtype() == DType::Float64);
  CHECK_VALS(grad_of(a), {3, 12});
  CHECK_VALS(grad_of(s), {8 * std::log(2.0)});
  // where(cond, float32, float64) and copy_ of float32 into float64.
  Tensor p = leaf(f32({1, 2}, {2})), q = leaf(f64({3, 4}, {2}));
  backward_sum(ag::where(boolean({1, 0}, {2}), p, q));
  CHECK(grad_of(p).dtype() == DType::Float32);
  CHECK_VALS(grad_of(p), {1, 0});
  CHECK_VALS(grad_of(q), {0, 1});
  Tensor src = leaf(f32({1, 2}, {2}));
  Tensor dst = ops::full({2, 2}, 0.0, DType::Float64);
  ag::copy_(dst, src);
  backward_sum(ag::mul(dst, 3.0));
  CHECK(grad_of(src).dtype() == DType::Float32);
  CHECK_VALS(grad_of(src), {6, 6});
}

// ---- gradient accumulation: a leaf's first gradient is the incoming tensor when nothing else
// holds it, else a copy; either way .grad never aliases memory someone else can write.

TEST(accumulate_grad_takes_or_copies_the_incoming_gradient) {
  // A gradient the user still holds (x.backward(g) on a leaf) is copied: writing into g later
  // leaves x.grad alone.
  Tensor x = leaf(f64({1, 2, 3}, {3}));
  Tensor g = f64({1, 1, 1}, {3});
  ag::backward({x}, {g}, {});
  CHECK(grad_of(x).data<double>() != g.data<double>());
  ops::fill_(g, 5.0);
  CHECK_VALS(grad_of(x), {1, 1, 1});
  // ... and so is one a hook keeps (as a Java hook's handle would).
  Tensor kept;
  Tensor w = leaf(f64({1, 2}, {2}));
  ag::register_hook(w, 1, [&](const Tensor& t) {
    kept = t;
    return Tensor();
  });
  backward_sum(ag::mul(w, 2.0));
  CHECK(grad_of(w).data<double>() != kept.data<double>());
  ops::fill_(kept, 7.0);
  CHECK_VALS(grad_of(w), {2, 2});
  // A fresh gradient no one else holds becomes .grad as it is; accumulating into it later is
  // still in place and right.
  Tensor v = leaf(f64({1, 2}, {2}));
  backward_sum(ag::mul(v, 3.0));
  const double* first = grad_of(v).data<double>();
  backward_sum(ag::mul(v, 4.0));
  CHECK(grad_of(v).data<double>() == first);
  CHECK_VALS(grad_of(v), {7, 7});
  // A gradient that is a view of a larger buffer (sum's expand is not dense) is copied into a
  // contiguous tensor of the leaf's shape.
  Tensor s = leaf(f64({1, 2, 3, 4}, {2, 2}));
  backward_sum(s);
  CHECK(grad_of(s).is_contiguous());
  CHECK_VALS(grad_of(s), {1, 1, 1, 1});
}

// ---- in place

TEST(inplace_ops_rebase_history) {
  // y = x * 2; y.mul_(3); y.sum().backward() -> x.grad = 6
  Tensor x = leaf(f64({1, 2}, {2}));
  Tensor y = ag::mul(x, 2.0);
  ag::binary_scalar_(KD_MUL, y, 3, DType::Int64);
  CHECK_EQ(fn_name(y), std::string("MulBackward0"));
  CHECK_EQ(ag::grad_fn(y)->next_edges[0].fn->name(), std::string("MulBackward0"));
  backward_sum(y);
  CHECK_VALS(grad_of(x), {6, 6});
  // y = x * 1; y.sin_(); y.mul_(y_other) reads the old values: x = [1, 2], w = [3, 4]
  // (x.sin() * w).sum() -> x.grad = cos(x) * w, w.grad = sin(x)
  Tensor x2 = leaf(f64({1, 2}, {2})), w = leaf(f64({3, 4}, {2}));
  Tensor z = ag::mul(x2, 1.0);
  ag::unary_(KD_SIN, z);
  ag::binary_(KD_MUL, z, w);
  backward_sum(z);
  CHECK_VALS(grad_of(x2), {std::cos(1.0) * 3, std::cos(2.0) * 4});
  CHECK_VALS(grad_of(w), {std::sin(1.0), std::sin(2.0)});
}

TEST(inplace_on_saved_tensor_is_detected_at_backward) {
  // a = x * 1; b = a.sin(); a.add_(1); b.sum().backward() -> RuntimeError "... modified by an
  // inplace operation"
  Tensor x = leaf(f64({1, 2}, {2}));
  Tensor a = ag::mul(x, 1.0);
  Tensor b = ag::unary(KD_SIN, a);
  ag::binary_scalar_(KD_ADD, a, 1, DType::Int64);
  bool thrown = false;
  try {
    backward_sum(b);
  } catch (const Error& e) {
    thrown = true;
    CHECK_EQ(e.code(), KD_ERR_STATE);
    CHECK(std::string(e.what()).find("modified by an inplace operation") != std::string::npos);
  }
  CHECK(thrown);
  // y = x.exp(); y.add_(1); y.sum().backward(): exp saved its result, now overwritten.
  Tensor y = ag::unary(KD_EXP, x);
  ag::binary_scalar_(KD_ADD, y, 1, DType::Int64);
  CHECK_THROWS(KD_ERR_STATE, backward_sum(y));
  // a.mul_(a): the saved other is self, overwritten by the write (torch raises too).
  Tensor m = ag::mul(x, 1.0);
  ag::binary_(KD_MUL, m, m);
  CHECK_THROWS(KD_ERR_STATE, backward_sum(m));
  // a.add_(a) saves nothing: gradient 2.
  Tensor x3 = leaf(f64({1, 2}, {2}));
  Tensor n = ag::mul(x3, 1.0);
  ag::binary_(KD_ADD, n, n);
  backward_sum(n);
  CHECK_VALS(grad_of(x3), {2, 2});
}

TEST(inplace_on_leaf_that_requires_grad_is_an_error) {
  Tensor x = leaf(f64({1, 2}, {2}));
  Tensor y = f64({1, 1}, {2});
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::binary_scalar_(KD_MUL, x, 2, DType::Int64));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::unary_(KD_EXP, x));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::binary_(KD_ADD, x, y));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::add_scaled_(x, y, 2));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::clamp_(x, 0, 1, true, true));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::masked_fill_(x, boolean({1, 0}, {2}), 0));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::fill_(x, 0));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::copy_(x, y));
  CHECK_VALS(x, {1, 2});  // nothing was written
  // with torch.no_grad(): x.mul_(2) is allowed and records nothing
  {
    ag::GradModeGuard off(false);
    ag::binary_scalar_(KD_MUL, x, 2, DType::Int64);
  }
  CHECK_VALS(x, {2, 4});
  CHECK(ag::is_leaf(x));
}

TEST(inplace_on_view_rebases_the_base_history) {
  // y = x * 1; y[0].mul_(2); y.sum().backward() -> x.grad = [[2, 2], [1, 1]] (CopySlices)
  Tensor x = leaf(f64({1, 2, 3, 4}, {2, 2}));
  Tensor y = ag::mul(x, 1.0);
  Tensor row = ag::select(y, 0, 0);
  ag::binary_scalar_(KD_MUL, row, 2, DType::Int64);
  CHECK_EQ(std::string(ag::grad_fn(y)->name()), std::string("CopySlices"));
  ag::backward({ag::reduce(KD_SUM, y, {}, false)}, {}, {});
  CHECK_VALS(ag::meta(x).grad, {2, 2, 1, 1});
  // a view of an untracked view (detach) is refused rather than computed wrongly
  Tensor d = ag::detach(y);
  Tensor w = leaf(f64({5, 6}, {2}));
  CHECK_THROWS(KD_ERR_UNSUPPORTED, ag::copy_(ag::select(d, 0, 1), w));
}

TEST(saved_tensors_are_freed_after_backward) {
  // y = x.exp(); y.sum().backward(); y.sum().backward() -> "backward through the graph a second time"
  Tensor x = leaf(f64({1, 2}, {2}));
  Tensor y = ag::unary(KD_EXP, x);
  Tensor s = ag::reduce(KD_SUM, y, {}, false);
  ag::backward({s}, {}, {});
  CHECK_THROWS(KD_ERR_STATE, ag::backward({s}, {}, {}));
  // clamp_ keeps its mask the same way
  Tensor a = ag::mul(x, 1.0);
  ag::clamp_(a, 0, 1.5, true, true);
  Tensor t = ag::reduce(KD_SUM, a, {}, false);
  ag::backward({t}, {}, {});
  CHECK_THROWS(KD_ERR_STATE, ag::backward({t}, {}, {}));
}

TEST(double_backward_of_tanh_goes_through_the_saved_result) {
  // x = tensor([0.5, -1.]); g, = grad(x.tanh().sum(), x, create_graph=True); g.sum().backward()
  // -> x.grad = -2 tanh(x) (1 - tanh(x)^2)
  Tensor x = leaf(f64({0.5, -1}, {2}));
  ag::BackwardOptions opts;
  opts.create_graph = opts.retain_graph = true;
  Tensor g = ag::grad({ag::reduce(KD_SUM, ag::unary(KD_TANH, x), {}, false)}, {x}, {}, opts)[0];
  CHECK(ag::requires_grad(g));
  backward_sum(g);
  double t0 = std::tanh(0.5), t1 = std::tanh(-1.0);
  CHECK_VALS(grad_of(x), {-2 * t0 * (1 - t0 * t0), -2 * t1 * (1 - t1 * t1)});
}
