// Shared helpers of the C++ autograd tests: float64 leaves, host copies, and gradcheck /
// gradgradcheck of a function against central differences (second order also with respect to
// the incoming gradient, so formulas must be differentiable in it).
#pragma once
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "check.h"
#include "core/tensor.h"
#include "ops/ops.h"

namespace kdtest {

using namespace kd;

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

inline std::vector<double> vals(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  ops::copy_to_host(t, out.data(), DType::Float64, t.numel());
  return out;
}

inline Tensor make(const std::vector<double>& v, Dims shape, DType dt = DType::Float64) {
  return ops::to_dtype(ops::from_host(v.data(), DType::Float64, shape), dt);
}

inline Tensor ints(const std::vector<double>& v, Dims shape) { return make(v, shape, DType::Int64); }

// A float64 leaf that requires grad, with reproducible values.
inline Tensor leaf(Dims shape, uint64_t seed) {
  ops::manual_seed(seed);
  Tensor t = ops::randn(shape, DType::Float64);
  ag::set_requires_grad(t, true);
  return t;
}

inline Tensor leaf_of(const std::vector<double>& v, Dims shape) {
  Tensor t = make(v, shape);
  ag::set_requires_grad(t, true);
  return t;
}

inline double dot_host(const Tensor& a, const Tensor& b) {
  std::vector<double> x = vals(a), y = vals(b);
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i) s += x[i] * y[i];
  return s;
}

inline double at(const Tensor& g, size_t j) { return g.defined() ? vals(g)[j] : 0.0; }

inline std::vector<Tensor> grads_of(const Tensor& y, const std::vector<Tensor>& xs, const Tensor& w,
                             bool create_graph) {
  ag::BackwardOptions o;
  o.allow_unused = true;
  o.create_graph = create_graph;
  return ag::grad({y}, xs, {w}, o);
}

// Central differences of the scalar h(xs) with respect to every element of every input; each
// input is a contiguous float64 leaf, perturbed in place.
template <typename H>
inline void compare_numeric(const std::vector<Tensor>& xs, const std::vector<Tensor>& analytic, H h,
                     const std::string& what) {
  const double eps = 1e-6;
  for (size_t i = 0; i < xs.size(); ++i) {
    double* p = xs[i].data<double>();
    for (int64_t j = 0; j < xs[i].numel(); ++j) {
      double keep = p[j];
      p[j] = keep + eps;
      double up = h();
      p[j] = keep - eps;
      double down = h();
      p[j] = keep;
      double num = (up - down) / (2 * eps);
      double an = at(analytic[i], static_cast<size_t>(j));
      if (!(std::fabs(an - num) <= 1e-6 * (1 + std::fabs(num))))
        ::kdtest::report(__FILE__, __LINE__,
                         str(what, ": input ", i, " element ", j, ": analytic ", an, " vs numeric ", num));
    }
  }
}

// First order: the gradients of <f(xs), w> against central differences.
inline void gradcheck(const Fn& f, const std::vector<Tensor>& xs, const std::string& what) {
  Tensor y = f(xs);
  CHECK(ag::requires_grad(y));
  ops::manual_seed(99);
  Tensor w = ops::randn(y.sizes(), y.dtype());
  std::vector<Tensor> gs = grads_of(y, xs, w, false);
  for (size_t i = 0; i < xs.size(); ++i)
    if (gs[i].defined()) {
      CHECK(gs[i].sizes() == xs[i].sizes());
      CHECK(gs[i].dtype() == xs[i].dtype());
    }
  compare_numeric(xs, gs, [&] {
    ag::GradModeGuard off(false);
    return dot_host(f(xs), w);
  }, what);
}

// Flattened dot product with this family's ops (recorded, so differentiable).
inline Tensor dot_flat(const Tensor& a, const Tensor& b) {
  return ag::matmul(ag::reshape(a, Dims{a.numel()}), ag::reshape(b, Dims{b.numel()}));
}

// Second order: s = sum_i <grad_i(xs, w), v_i>, differentiated with create_graph with respect to
// the inputs and to w (so formulas must also be differentiable in the incoming gradient).
inline void gradgradcheck(const Fn& f, const std::vector<Tensor>& xs, const std::string& what) {
  Tensor y = f(xs);
  ops::manual_seed(7);
  Tensor w = ops::randn(y.sizes(), y.dtype());
  ag::set_requires_grad(w, true);
  std::vector<Tensor> vs;
  for (size_t i = 0; i < xs.size(); ++i) vs.push_back(ops::randn(xs[i].sizes(), xs[i].dtype()));

  std::vector<Tensor> gs = grads_of(y, xs, w, true);
  std::vector<Tensor> flat_g, flat_v;
  for (size_t i = 0; i < xs.size(); ++i)
    if (gs[i].defined()) {
      flat_g.push_back(ag::reshape(gs[i], Dims{gs[i].numel()}));
      flat_v.push_back(ops::reshape(vs[i], Dims{vs[i].numel()}));
    }
  CHECK(!flat_g.empty());
  Tensor s = dot_flat(ag::cat(flat_g, 0), ops::cat(flat_v, 0));
  CHECK(ag::requires_grad(s));
  std::vector<Tensor> all = xs;
  all.push_back(w);
  ag::BackwardOptions o;
  o.allow_unused = true;
  std::vector<Tensor> second = ag::grad({s}, all, {}, o);
  compare_numeric(all, second, [&] {
    std::vector<Tensor> g1 = grads_of(f(xs), xs, w, false);
    double total = 0;
    for (size_t i = 0; i < xs.size(); ++i)
      if (g1[i].defined()) total += dot_host(g1[i], vs[i]);
    return total;
  }, what + " (second order)");
}

inline void check_both(const Fn& f, const std::vector<Tensor>& xs, const std::string& what) {
  gradcheck(f, xs, what);
  gradgradcheck(f, xs, what);
}

inline std::string fn_name(const Tensor& t) {
  auto fn = ag::grad_fn(t);
  return fn ? fn->name() : "";
}

}  // namespace kdtest
