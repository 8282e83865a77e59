// Optimizer steps: each fused kernel against a straightforward reference that runs PyTorch 1.13's
// single-tensor update op by op over whole arrays (mul_, add with alpha, addcmul_, sqrt, division
// by a scalar, add_, addcdiv_), rounding each op's result to the dtype as PyTorch's CPU kernels do
// (add with alpha and addcmul fuse their multiply-add; the others do not). The kernel must give
// the very same bits for float32 and float64, for small tensors and for ones large enough to be
// split across threads, over several steps, for several parameters with different options in one
// call, and for non-contiguous tensors. Then the checks: bad dtypes, shapes, missing buffers,
// shared memory and overlapping outputs are refused before anything is written.
#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "check.h"
#include "core/tensor.h"
#include "ops/ops.h"

using namespace kd;
using namespace kdtest;

namespace {

template <typename T>
using Vec = std::vector<T>;

// ---- PyTorch's tensor ops, one pass each -----------------------------------------------------

template <typename T>
Vec<T> neg(const Vec<T>& a) {
  Vec<T> r(a.size());
  for (size_t i = 0; i < a.size(); ++i) r[i] = -a[i];
  return r;
}
// a.add(b, alpha): a + alpha * b with one rounding (PyTorch's CPU add uses fmadd).
template <typename T>
Vec<T> add(const Vec<T>& a, const Vec<T>& b, double alpha) {
  const T c = static_cast<T>(alpha);
  Vec<T> r(a.size());
  for (size_t i = 0; i < a.size(); ++i) r[i] = std::fma(b[i], c, a[i]);
  return r;
}
template <typename T>
void add_(Vec<T>& a, const Vec<T>& b, double alpha) { a = add(a, b, alpha); }
template <typename T>
void add_scalar_(Vec<T>& a, double s) {
  const T c = static_cast<T>(s);
  for (T& x : a) x = x + c;
}
template <typename T>
void mul_(Vec<T>& a, double s) {
  const T c = static_cast<T>(s);
  for (T& x : a) x = x * c;
}
template <typename T>
Vec<T> div_scalar(const Vec<T>& a, double s) {
  const T c = static_cast<T>(s);
  Vec<T> r(a.size());
  for (size_t i = 0; i < a.size(); ++i) r[i] = a[i] / c;
  return r;
}
template <typename T>
Vec<T> sqrt(const Vec<T>& a) {
  Vec<T> r(a.size());
  for (size_t i = 0; i < a.size(); ++i) r[i] = std::sqrt(a[i]);
  return r;
}
// self.addcmul_(t1, t2, value): self + (value * t1) * t2, the last multiply-add fused.
template <typename T>
void addcmul_(Vec<T>& s, const Vec<T>& t1, const Vec<T>& t2, double value) {
  const T c = static_cast<T>(value);
  for (size_t i = 0; i < s.size(); ++i) s[i] = std::fma(c * t1[i], t2[i], s[i]);
}
// self.addcdiv_(t1, t2, value): self + (value * t1) / t2, no fusing.
template <typename T>
void addcdiv_(Vec<T>& s, const Vec<T>& t1, const Vec<T>& t2, double value) {
  const T c = static_cast<T>(value);
  for (size_t i = 0; i < s.size(); ++i) s[i] = s[i] + (c * t1[i]) / t2[i];
}
template <typename T>
void maximum_(Vec<T>& a, const Vec<T>& b) {
  for (size_t i = 0; i < a.size(); ++i) a[i] = (std::isnan(a[i]) || a[i] > b[i]) ? a[i] : b[i];
}

// ---- the single-tensor updates of torch/optim/*.py -------------------------------------------

template <typename T>
void ref_sgd(const ops::SgdHyper& h, Vec<T>& p, const Vec<T>& g, Vec<T>& buf) {
  Vec<T> d = h.maximize ? neg(g) : g;
  if (h.weight_decay != 0) d = add(d, p, h.weight_decay);
  if (h.momentum != 0) {
    if (h.init_buffer) {
      buf = d;
    } else {
      mul_(buf, h.momentum);
      add_(buf, d, 1 - h.dampening);
    }
    if (h.nesterov) d = add(d, buf, h.momentum);
    else d = buf;
  }
  add_(p, d, -h.lr);
}

template <typename T>
void ref_adam(const ops::AdamHyper& h, Vec<T>& p, const Vec<T>& g, Vec<T>& m, Vec<T>& v, Vec<T>& vmax) {
  Vec<T> d = h.maximize ? neg(g) : g;
  if (h.decoupled) mul_(p, 1 - h.lr * h.weight_decay);
  else if (h.weight_decay != 0) d = add(d, p, h.weight_decay);
  mul_(m, h.beta1);
  add_(m, d, 1 - h.beta1);
  mul_(v, h.beta2);
  addcmul_(v, d, d, 1 - h.beta2);
  double bc1 = 1 - std::pow(h.beta1, h.step), bc2 = 1 - std::pow(h.beta2, h.step);
  double step_size = h.lr / bc1, bc2_sqrt = std::sqrt(bc2);
  Vec<T> denom;
  if (h.amsgrad) {
    maximum_(vmax, v);
    denom = div_scalar(sqrt(vmax), bc2_sqrt);
  } else {
    denom = div_scalar(sqrt(v), bc2_sqrt);
  }
  add_scalar_(denom, h.eps);
  addcdiv_(p, m, denom, -step_size);
}

template <typename T>
void ref_rmsprop(const ops::RmspropHyper& h, Vec<T>& p, const Vec<T>& g, Vec<T>& sq, Vec<T>& buf, Vec<T>& ga) {
  Vec<T> d = h.maximize ? neg(g) : g;
  if (h.weight_decay != 0) d = add(d, p, h.weight_decay);
  mul_(sq, h.alpha);
  addcmul_(sq, d, d, 1 - h.alpha);
  Vec<T> avg;
  if (h.centered) {
    mul_(ga, h.alpha);
    add_(ga, d, 1 - h.alpha);
    avg = sq;
    addcmul_(avg, ga, ga, -1);
    avg = sqrt(avg);
  } else {
    avg = sqrt(sq);
  }
  add_scalar_(avg, h.eps);
  if (h.momentum > 0) {
    mul_(buf, h.momentum);
    addcdiv_(buf, d, avg, 1);
    add_(p, buf, -h.lr);
  } else {
    addcdiv_(p, d, avg, -h.lr);
  }
}

template <typename T>
void ref_adagrad(const ops::AdagradHyper& h, Vec<T>& p, const Vec<T>& g, Vec<T>& sum) {
  Vec<T> d = h.maximize ? neg(g) : g;
  if (h.weight_decay != 0) d = add(d, p, h.weight_decay);
  double clr = h.lr / (1 + (h.step - 1) * h.lr_decay);
  addcmul_(sum, d, d, 1);
  Vec<T> std_ = sqrt(sum);
  add_scalar_(std_, h.eps);
  addcdiv_(p, d, std_, -clr);
}

// ---- helpers -----------------------------------------------------------------------------------

template <typename T>
constexpr DType dtype_of() {
  return sizeof(T) == 4 ? DType::Float32 : DType::Float64;
}

template <typename T>
Vec<T> random_vec(std::mt19937& rng, size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  Vec<T> v(n);
  for (T& x : v) x = static_cast<T>(u(rng));
  return v;
}

template <typename T>
Tensor tensor(const Vec<T>& v, const Dims& shape) {
  return ops::from_host(v.data(), dtype_of<T>(), shape);
}

template <typename T>
Vec<T> values(const Tensor& t) {
  Vec<T> v(t.numel());
  ops::copy_to_host(t, v.data(), dtype_of<T>(), t.numel());
  return v;
}

template <typename T>
bool same_bits(const Vec<T>& a, const Vec<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Shapes: a small odd one, and one above the parallel grain (split across threads).
const Dims kShapes[] = {Dims{3, 5}, Dims{7, 16411}};

// Runs `steps` steps of one algorithm through ops::*_step and through the reference, with a new
// gradient each step, and compares every tensor bit for bit. S = number of state buffers; `run`
// calls the op for one parameter, `ref` the reference; `state_init` gives each buffer's start.
template <typename T, int S>
void compare(const char* what, const Dims& shape, int steps,
             const std::function<void(int step, const Tensor& p, const Tensor& g, const Tensor* st)>& run,
             const std::function<void(int step, Vec<T>& p, const Vec<T>& g, Vec<T>* st)>& ref,
             const std::function<double(int k)>& state_init) {
  std::mt19937 rng(42);
  const size_t n = static_cast<size_t>(shape.numel());
  Vec<T> p = random_vec<T>(rng, n, -1, 1);
  Vec<T> st[S > 0 ? S : 1];
  for (int k = 0; k < S; ++k) st[k] = Vec<T>(n, static_cast<T>(state_init(k)));
  Tensor tp = tensor(p, shape);
  Tensor ts[S > 0 ? S : 1];
  for (int k = 0; k < S; ++k) ts[k] = tensor(st[k], shape);
  for (int s = 1; s <= steps; ++s) {
    Vec<T> g = random_vec<T>(rng, n, -2, 2);
    run(s, tp, tensor(g, shape), ts);
    ref(s, p, g, st);
  }
  bool ok = same_bits(values<T>(tp), p);
  for (int k = 0; k < S; ++k) ok = ok && same_bits(values<T>(ts[k]), st[k]);
  if (!ok) report(__FILE__, __LINE__, str(what, " ", dtype_name(dtype_of<T>()), " ", shape.str(), ": kernel differs from reference"));
}

template <typename T>
void sgd_cases() {
  struct C { const char* name; double lr, momentum, dampening, wd; bool nesterov, maximize; };
  const C cases[] = {{"plain", 0.1, 0, 0, 0, false, false},      {"momentum", 0.05, 0.9, 0, 0, false, false},
                     {"dampening", 0.05, 0.9, 0.3, 0, false, false}, {"nesterov+wd", 0.05, 0.9, 0, 0.01, true, false},
                     {"wd+maximize", 0.02, 0.5, 0.1, 0.1, false, true}};
  for (const Dims& shape : kShapes)
    for (const C& c : cases) {
      auto hyper = [&](int s) { return ops::SgdHyper{c.lr, c.momentum, c.dampening, c.wd, c.nesterov, c.maximize, s == 1}; };
      compare<T, 1>(
          c.name, shape, 4,
          [&](int s, const Tensor& p, const Tensor& g, const Tensor* st) {
            ops::SgdHyper h = hyper(s);
            ops::sgd_step(1, &p, &g, &st[0], &h);
          },
          [&](int s, Vec<T>& p, const Vec<T>& g, Vec<T>* st) { ref_sgd(hyper(s), p, g, st[0]); },
          [](int) { return 0.0; });
    }
}

template <typename T>
void adam_cases() {
  struct C { const char* name; double lr, b1, b2, eps, wd; bool amsgrad, maximize, decoupled; };
  const C cases[] = {{"adam", 0.01, 0.9, 0.999, 1e-8, 0, false, false, false},
                     {"adam amsgrad+wd", 0.01, 0.8, 0.99, 1e-6, 0.1, true, false, false},
                     {"adam maximize", 0.02, 0.9, 0.999, 1e-8, 0.05, false, true, false},
                     {"adamw", 0.01, 0.9, 0.999, 1e-8, 0.01, false, false, true},
                     {"adamw amsgrad+maximize", 0.01, 0.9, 0.99, 1e-8, 0.1, true, true, true}};
  for (const Dims& shape : kShapes)
    for (const C& c : cases) {
      auto hyper = [&](int s) {
        return ops::AdamHyper{c.lr, c.b1, c.b2, c.eps, c.wd, c.amsgrad, c.maximize, double(s), c.decoupled};
      };
      compare<T, 3>(
          c.name, shape, 4,
          [&](int s, const Tensor& p, const Tensor& g, const Tensor* st) {
            ops::AdamHyper h = hyper(s);
            ops::adam_step(1, &p, &g, &st[0], &st[1], &st[2], &h);
          },
          [&](int s, Vec<T>& p, const Vec<T>& g, Vec<T>* st) { ref_adam(hyper(s), p, g, st[0], st[1], st[2]); },
          [](int) { return 0.0; });
    }
}

template <typename T>
void rmsprop_cases() {
  struct C { const char* name; double lr, alpha, eps, wd, momentum; bool centered, maximize; };
  const C cases[] = {{"rmsprop", 0.01, 0.99, 1e-8, 0, 0, false, false},
                     {"centered", 0.01, 0.9, 1e-6, 0, 0, true, false},
                     {"momentum", 0.01, 0.99, 1e-8, 0, 0.9, false, false},
                     {"centered+momentum+wd", 0.005, 0.95, 1e-8, 0.1, 0.5, true, false},
                     {"maximize", 0.01, 0.99, 1e-8, 0.01, 0.9, false, true}};
  for (const Dims& shape : kShapes)
    for (const C& c : cases) {
      ops::RmspropHyper h{c.lr, c.alpha, c.eps, c.wd, c.momentum, c.centered, c.maximize};
      compare<T, 3>(
          c.name, shape, 4,
          [&](int, const Tensor& p, const Tensor& g, const Tensor* st) { ops::rmsprop_step(1, &p, &g, &st[0], &st[1], &st[2], &h); },
          [&](int, Vec<T>& p, const Vec<T>& g, Vec<T>* st) { ref_rmsprop(h, p, g, st[0], st[1], st[2]); },
          [](int) { return 0.0; });
    }
}

template <typename T>
void adagrad_cases() {
  struct C { const char* name; double lr, lr_decay, wd, eps, init; bool maximize; };
  const C cases[] = {{"adagrad", 0.1, 0, 0, 1e-10, 0, false},
                     {"lr_decay+wd", 0.1, 0.01, 0.1, 1e-10, 0, false},
                     {"initial accumulator", 0.05, 0, 0, 1e-6, 0.5, false},
                     {"maximize", 0.1, 0.1, 0.01, 1e-10, 0.1, true}};
  for (const Dims& shape : kShapes)
    for (const C& c : cases) {
      auto hyper = [&](int s) { return ops::AdagradHyper{c.lr, c.lr_decay, c.wd, c.eps, c.maximize, double(s)}; };
      compare<T, 1>(
          c.name, shape, 4,
          [&](int s, const Tensor& p, const Tensor& g, const Tensor* st) {
            ops::AdagradHyper h = hyper(s);
            ops::adagrad_step(1, &p, &g, &st[0], &h);
          },
          [&](int s, Vec<T>& p, const Vec<T>& g, Vec<T>* st) { ref_adagrad(hyper(s), p, g, st[0]); },
          [&](int) { return c.init; });
    }
}

}  // namespace

TEST(sgd_matches_reference) {
  sgd_cases<float>();
  sgd_cases<double>();
}

TEST(adam_and_adamw_match_reference) {
  adam_cases<float>();
  adam_cases<double>();
}

TEST(rmsprop_matches_reference) {
  rmsprop_cases<float>();
  rmsprop_cases<double>();
}

TEST(adagrad_matches_reference) {
  adagrad_cases<float>();
  adagrad_cases<double>();
}

// Several parameters of different groups (own options, own step counts) in one call give what
// separate calls give.
TEST(one_call_updates_every_parameter_with_its_own_row) {
  std::mt19937 rng(7);
  Vec<float> a = random_vec<float>(rng, 6, -1, 1), b = random_vec<float>(rng, 4, -1, 1);
  Vec<float> ga = random_vec<float>(rng, 6, -1, 1), gb = random_vec<float>(rng, 4, -1, 1);
  Tensor p[2] = {tensor(a, {2, 3}), tensor(b, {4})};
  Tensor g[2] = {tensor(ga, {2, 3}), tensor(gb, {4})};
  Tensor m[2] = {ops::full({2, 3}, 0, DType::Float32), ops::full({4}, 0.5, DType::Float32)};
  Tensor v[2] = {ops::full({2, 3}, 0, DType::Float32), ops::full({4}, 0.25, DType::Float32)};
  ops::AdamHyper h[2] = {{0.01, 0.9, 0.999, 1e-8, 0, false, false, 1, false},
                         {0.1, 0.8, 0.99, 1e-6, 0.1, false, true, 5, false}};
  ops::adam_step(2, p, g, m, v, nullptr, h);

  Vec<float> ma(6, 0), va(6, 0), mb(4, 0.5f), vb(4, 0.25f), none;
  ref_adam(h[0], a, ga, ma, va, none);
  ref_adam(h[1], b, gb, mb, vb, none);
  CHECK(same_bits(values<float>(p[0]), a));
  CHECK(same_bits(values<float>(p[1]), b));
  CHECK(same_bits(values<float>(m[1]), mb));
  CHECK(same_bits(values<float>(v[1]), vb));
}

// A transposed parameter (and gradient, and buffer) is updated as its contiguous copy would be.
TEST(non_contiguous_tensors_are_updated_in_place) {
  std::mt19937 rng(3);
  Vec<double> pv = random_vec<double>(rng, 12, -1, 1), gv = random_vec<double>(rng, 12, -1, 1);
  Tensor base = tensor(pv, {3, 4});
  Tensor p = ops::transpose(base, 0, 1);  // [4, 3], not contiguous
  Tensor g = ops::transpose(tensor(gv, {3, 4}), 0, 1);
  Tensor buf = ops::transpose(ops::full({3, 4}, 0, DType::Float64), 0, 1);
  CHECK(!p.is_contiguous());
  uint64_t version = p.storage()->version();
  ops::SgdHyper h{0.1, 0.9, 0, 0.01, false, false, true};
  ops::sgd_step(1, &p, &g, &buf, &h);
  h.init_buffer = false;
  ops::sgd_step(1, &p, &g, &buf, &h);

  Tensor pc = ops::clone(ops::transpose(tensor(pv, {3, 4}), 0, 1));
  Tensor gc = ops::clone(g), bc = ops::full({4, 3}, 0, DType::Float64);
  h.init_buffer = true;
  ops::sgd_step(1, &pc, &gc, &bc, &h);
  h.init_buffer = false;
  ops::sgd_step(1, &pc, &gc, &bc, &h);
  CHECK(same_bits(values<double>(p), values<double>(pc)));
  CHECK(same_bits(values<double>(buf), values<double>(bc)));
  // The update landed in the base's memory: base viewed transposed holds the new values.
  CHECK(same_bits(values<double>(ops::transpose(base, 0, 1)), values<double>(pc)));
  CHECK(p.storage()->version() > version);
}

TEST(written_tensors_get_a_new_version_and_the_gradient_does_not) {
  Tensor p = ops::full({5}, 1, DType::Float32), g = ops::full({5}, 0.5, DType::Float32);
  Tensor s = ops::full({5}, 0, DType::Float32);
  uint64_t vp = p.storage()->version(), vg = g.storage()->version(), vs = s.storage()->version();
  ops::AdagradHyper h{0.1, 0, 0, 1e-10, false, 1};
  ops::adagrad_step(1, &p, &g, &s, &h);
  CHECK(p.storage()->version() > vp);
  CHECK(s.storage()->version() > vs);
  CHECK_EQ(g.storage()->version(), vg);
}

// Every bad argument is refused before anything is written: the first (valid) parameter stays.
TEST(bad_arguments_are_refused_and_nothing_changes) {
  Tensor ok = ops::full({3}, 1, DType::Float32), okg = ops::full({3}, 0.5, DType::Float32);
  Tensor okb = ops::full({3}, 0, DType::Float32);
  auto sgd2 = [&](const Tensor& p, const Tensor& g, const Tensor& b, double momentum) {
    Tensor ps[2] = {ok, p}, gs[2] = {okg, g}, bs[2] = {okb, b};
    ops::SgdHyper h[2] = {{0.1, 0.9, 0, 0, false, false, true}, {0.1, momentum, 0, 0, false, false, true}};
    ops::sgd_step(2, ps, gs, bs, h);
  };
  Tensor f32 = ops::full({3}, 1, DType::Float32), f64 = ops::full({3}, 1, DType::Float64);
  Tensor i64 = ops::full({3}, 1, DType::Int64), other_shape = ops::full({1, 3}, 1, DType::Float32);
  Tensor buf = ops::full({3}, 0, DType::Float32);
  CHECK_THROWS(KD_ERR_DTYPE, sgd2(ops::full({3}, 1, DType::Float32), f64, buf, 0.9));   // grad dtype
  CHECK_THROWS(KD_ERR_DTYPE, sgd2(i64, ops::full({3}, 1, DType::Int64), Tensor(), 0));  // int param
  CHECK_THROWS(KD_ERR_ARGUMENT, sgd2(ops::full({3}, 1, DType::Float32), other_shape, buf, 0.9));
  CHECK_THROWS(KD_ERR_ARGUMENT, sgd2(ops::full({3}, 1, DType::Float32), f32, other_shape, 0.9));
  CHECK_THROWS(KD_ERR_DTYPE, sgd2(ops::full({3}, 1, DType::Float32), f32, ops::full({3}, 0, DType::Float64), 0.9));
  CHECK_THROWS(KD_ERR_STATE, sgd2(ops::full({3}, 1, DType::Float32), f32, Tensor(), 0.9));  // no buffer
  CHECK_THROWS(KD_ERR_STATE, sgd2(Tensor(), f32, buf, 0.9));                              // no param
  CHECK_THROWS(KD_ERR_STATE, sgd2(ops::full({3}, 1, DType::Float32), Tensor(), buf, 0.9)); // no grad
  Tensor shared = ops::full({6}, 1, DType::Float32);
  CHECK_THROWS(KD_ERR_ARGUMENT, sgd2(ops::narrow(shared, 0, 0, 3), ops::narrow(shared, 0, 3, 3), buf, 0.9));
  Tensor param = ops::full({3}, 1, DType::Float32);
  CHECK_THROWS(KD_ERR_ARGUMENT, sgd2(param, f32, param, 0.9));  // buffer is the parameter
  CHECK_THROWS(KD_ERR_ARGUMENT, sgd2(ops::expand(ops::full({1}, 1, DType::Float32), {3}), f32, buf, 0.9));
  CHECK(same_bits(values<float>(ok), Vec<float>(3, 1.0f)));
  // Momentum 0 needs no buffer: this one goes through.
  sgd2(ops::full({3}, 1, DType::Float32), f32, Tensor(), 0);
  CHECK(!same_bits(values<float>(ok), Vec<float>(3, 1.0f)));

  // Adam: a missing max_exp_avg_sq with amsgrad, and a bad step count.
  Tensor p = ops::full({2}, 1, DType::Float64), g = ops::full({2}, 1, DType::Float64);
  Tensor m = ops::full({2}, 0, DType::Float64), v = ops::full({2}, 0, DType::Float64);
  ops::AdamHyper ah{0.1, 0.9, 0.999, 1e-8, 0, true, false, 1, false};
  CHECK_THROWS(KD_ERR_STATE, ops::adam_step(1, &p, &g, &m, &v, nullptr, &ah));
  ah.amsgrad = false;
  ah.step = 0;
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::adam_step(1, &p, &g, &m, &v, nullptr, &ah));
  CHECK(same_bits(values<double>(p), Vec<double>(2, 1.0)));
  // RMSprop: centered needs grad_avg.
  ops::RmspropHyper rh{0.01, 0.99, 1e-8, 0, 0, true, false};
  CHECK_THROWS(KD_ERR_STATE, ops::rmsprop_step(1, &p, &g, &m, nullptr, nullptr, &rh));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::adagrad_step(-1, nullptr, nullptr, nullptr, nullptr));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::adagrad_step(1, nullptr, nullptr, nullptr, nullptr));
  CHECK(same_bits(values<double>(p), Vec<double>(2, 1.0)));
  ops::adagrad_step(0, nullptr, nullptr, nullptr, nullptr);  // nothing to do is fine
}
