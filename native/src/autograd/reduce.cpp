// Differentiable reductions: sum, mean, prod, amax/amin (and max()/min() over everything),
// logsumexp, var/std, max/min along a dim with indices, softmax and log_softmax.
//
// Every formula is written with ag:: ops, so that with create_graph the backward pass is itself
// recorded and can be differentiated again (double backward, as a WGAN-GP gradient penalty
// needs). Masks (ties of amax, zeros of prod, the one-hot of a max index) are built with ops::
// and enter the graph as constants: the functions are piecewise smooth there, as in PyTorch.
// any/all have bool results and never record history.
#include <cmath>
#include <limits>

#include "autograd/functions.h"
#include "autograd/meta.h"
#include "autograd/saved.h"

namespace kd {
namespace ag {

namespace {

// Wrapped, sorted reduction dims (all dims when empty; none for a 0-dim tensor).
Dims reduced_dims(const Tensor& t, const Dims& dims, const char* op) {
  Dims out;
  if (dims.empty()) {
    for (int32_t i = 0; i < t.dim(); ++i) out.push_back(i);
    return out;
  }
  bool seen[kMaxDims] = {false};
  for (int32_t i = 0; i < dims.size(); ++i) seen[wrap_dim(dims[i], t.dim(), op)] = true;
  for (int32_t i = 0; i < t.dim(); ++i)
    if (seen[i]) out.push_back(i);
  return out;
}

// A reduced gradient brought back to the input's rank (size 1 at reduced dims). Recorded, so
// that it stays differentiable.
Tensor unsqueeze_reduced(const Tensor& g, const Dims& rdims, bool keepdim) {
  if (keepdim) return g;
  Tensor out = g;
  for (int32_t i = 0; i < rdims.size(); ++i) out = unsqueeze(out, rdims[i]);
  return out;
}

// The same for a tensor only used to build constants (masks): no history.
Tensor unsqueeze_reduced_const(const Tensor& t, const Dims& rdims, bool keepdim) {
  if (keepdim) return t;
  Tensor out = t;
  for (int32_t i = 0; i < rdims.size(); ++i) out = ops::unsqueeze(out, rdims[i]);
  return out;
}

// Number of elements folded into each output element.
int64_t reduced_count(const Tensor& t, const Dims& rdims) {
  int64_t n = 1;
  for (int32_t i = 0; i < rdims.size(); ++i) n *= t.size(static_cast<int32_t>(rdims[i]));
  return n;
}

// A bool mask as 0/1 in dtype dt (a constant of the graph).
Tensor as_weights(const Tensor& mask, DType dt) { return ops::to_dtype(mask, dt); }

// ---- sum / mean

struct SumBackward : Node {
  SumBackward(const char* n, const Dims& shape, const Dims& rdims, bool keepdim)
      : name_(n), shape_(shape), rdims_(rdims), keepdim_(keepdim) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    return {expand(unsqueeze_reduced(g[0], rdims_, keepdim_), shape_)};
  }
  const char* name_;
  Dims shape_, rdims_;
  bool keepdim_;
};

// mean = sum / N: the gradient spread evenly over the N elements of each reduced slice.
struct MeanBackward : Node {
  MeanBackward(const char* n, const Dims& shape, const Dims& rdims, bool keepdim, int64_t count)
      : name_(n), shape_(shape), rdims_(rdims), keepdim_(keepdim), count_(count) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    Tensor spread = expand(unsqueeze_reduced(g[0], rdims_, keepdim_), shape_);
    return {binary_scalar(KD_DIV, spread, static_cast<double>(count_), DType::Int64)};
  }
  const char* name_;
  Dims shape_, rdims_;
  bool keepdim_;
  int64_t count_;
};

// ---- prod

// d prod / d x_j = product of the other elements of x_j's slice. Without zeros that is
// result / x_j (PyTorch's fast path). With zeros, result / x_j is 0/0, so the product of the
// others is rebuilt from pieces that stay exact and differentiable:
//   P = product of the slice with zeros replaced by 1   (no zeros: its own fast path applies)
//   Z = product of the slice with non-zeros replaced by 1 (0 when the slice has a zero)
//   non-zero x_j: others = P / x_j * Z
//   zero x_j:     others = P * (product of the other zeros of the slice), which is
//                 1 with one zero, the other zero's value (S0 - x_j, S0 the slice's sum of
//                 zero entries) with two, and 0 with three or more.
// First and second derivatives are exact for any number of zeros (PyTorch gets there with
// exclusive cumulative products); from the third derivative on, a slice with three or more
// zeros is treated as if the product of the other zeros were constant.
Tensor prod_of_others(const Tensor& x, const Tensor& result_k, const Dims& rdims) {
  Tensor zero_mask = ops::binary_scalar(KD_EQ, x, 0.0, DType::Float64);
  if (ops::item(ops::reduce(KD_ANY, zero_mask, Dims(), false)) == 0) return div(result_k, x);
  const DType dt = x.dtype();
  Tensor one = ops::scalar_like_device(1.0, dt, x), zero = ops::scalar_like_device(0.0, dt, x);
  Tensor nonzero_part = where(zero_mask, one, x);
  Tensor zero_part = where(zero_mask, x, one);
  Tensor p = reduce(KD_PROD, nonzero_part, rdims, true);
  Tensor z = reduce(KD_PROD, zero_part, rdims, true);
  Tensor zeros_in_slice = ops::reduce(KD_SUM, zero_mask, rdims, true);
  Tensor s0 = sum_dims(where(zero_mask, x, zero), rdims, true);
  Tensor other_zeros =
      where(ops::binary_scalar(KD_EQ, zeros_in_slice, 1.0, DType::Int64), one,
            where(ops::binary_scalar(KD_EQ, zeros_in_slice, 2.0, DType::Int64), sub(s0, x), zero));
  return where(zero_mask, mul(p, other_zeros), mul(div(p, nonzero_part), z));
}

struct ProdBackward : Node {
  ProdBackward(const char* n, const Dims& rdims, bool keepdim) : name_(n), rdims_(rdims), keepdim_(keepdim) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    Tensor x = self_.unpack(this);
    if (x.dim() == 0) return {g[0]};
    Tensor r = result_.unpack(this);
    Tensor gk = unsqueeze_reduced(g[0], rdims_, keepdim_);
    return {mul(gk, prod_of_others(x, unsqueeze_reduced(r, rdims_, keepdim_), rdims_))};
  }
  void release_saved() override { self_.reset(); result_.reset(); }
  const char* name_;
  Dims rdims_;
  bool keepdim_;
  SavedVariable self_, result_;
};

// ---- amax / amin (and max()/min() without a dim)

// The gradient is split evenly among the elements equal to the extreme (ties share it).
// Over all dims a NaN result takes the NaN elements as its ties, as PyTorch's
// evenly_distribute_backward does.
struct ExtremeBackward : Node {
  ExtremeBackward(const char* n, const Dims& rdims, bool keepdim, bool all_dims)
      : name_(n), rdims_(rdims), keepdim_(keepdim), all_dims_(all_dims) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    Tensor x = self_.unpack(this);
    Tensor r = unsqueeze_reduced_const(result_.unpack(this), rdims_, keepdim_);
    Tensor mask;
    if (all_dims_ && std::isnan(ops::item(r))) mask = ops::binary(KD_NE, x, x);
    else mask = ops::binary(KD_EQ, x, r);
    Tensor w = as_weights(mask, g[0].dtype());
    Tensor ties = ops::reduce(KD_SUM, w, rdims_, true);
    return {mul(div(unsqueeze_reduced(g[0], rdims_, keepdim_), ties), w)};
  }
  void release_saved() override { self_.reset(); result_.reset(); }
  const char* name_;
  Dims rdims_;
  bool keepdim_, all_dims_;
  SavedVariable self_, result_;
};

// ---- logsumexp

struct LogsumexpBackward0 : Node {
  LogsumexpBackward0(const Dims& rdims, bool keepdim) : rdims_(rdims), keepdim_(keepdim) {}
  const char* name() const override { return "LogsumexpBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor x = self_.unpack(this);
    Tensor r = unsqueeze_reduced(result_.unpack(this), rdims_, keepdim_);
    return {mul(unsqueeze_reduced(g[0], rdims_, keepdim_), unary(KD_EXP, sub(x, r)))};
  }
  void release_saved() override { self_.reset(); result_.reset(); }
  Dims rdims_;
  bool keepdim_;
  SavedVariable self_, result_;
};

// ---- var / std

// var = sum((x - mean)^2) / (N - correction): gradient 2 / (N - correction) * (x - mean).
// std = sqrt(var): the incoming gradient is first divided by 2 * std (0 where std is 0).
// Over all dims with N - correction <= 0, PyTorch returns inf (NaN where x equals the mean);
// with explicit dims it keeps the plain formula (a negative or infinite factor).
struct VarBackward : Node {
  VarBackward(bool take_sqrt, const Dims& rdims, bool keepdim, bool all_dims, double dof)
      : take_sqrt_(take_sqrt), rdims_(rdims), keepdim_(keepdim), all_dims_(all_dims), dof_(dof) {}
  const char* name() const override { return take_sqrt_ ? "StdBackward0" : "VarBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor x = self_.unpack(this);
    Tensor grad = g[0];
    if (take_sqrt_) {
      Tensor r = result_.unpack(this);
      grad = masked_fill(div(grad, mul(r, 2.0)), ops::binary_scalar(KD_EQ, r, 0.0, DType::Float64), 0.0);
    }
    grad = unsqueeze_reduced(grad, rdims_, keepdim_);
    if (all_dims_ && dof_ <= 0) {
      Tensor at_mean = ops::binary(KD_EQ, x, ops::reduce(KD_MEAN, x, Dims(), true));
      Tensor factor = ops::where(at_mean, ops::scalar_like_device(std::numeric_limits<double>::quiet_NaN(), x.dtype(), x),
                                 ops::scalar_like_device(std::numeric_limits<double>::infinity(), x.dtype(), x));
      return {mul(grad, factor)};
    }
    Tensor centered = sub(x, reduce(KD_MEAN, x, rdims_, true));
    return {mul(mul(grad, 2.0 / dof_), centered)};
  }
  void release_saved() override { self_.reset(); result_.reset(); }
  bool take_sqrt_;
  Dims rdims_;
  bool keepdim_, all_dims_;
  double dof_;
  SavedVariable self_, result_;
};

// ---- max / min along a dim

// Only the values output is differentiable: its gradient goes to the returned index. The
// one-hot of the index is a constant, so the formula is linear in the gradient and differentiable
// with respect to it.
struct ValueSelectingBackward : Node {
  ValueSelectingBackward(const char* n, int32_t dim, bool keepdim) : name_(n), dim_(dim), keepdim_(keepdim) {
    num_outputs = 2;  // values (0) and indices (1, never receives a gradient)
  }
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    Tensor idx = indices_.unpack(this);
    if (!g[0].defined()) return {Tensor()};
    const Dims& shape = input_meta[0].shape;
    if (shape.size() == 0) return {g[0]};
    Dims d{dim_};
    Tensor idx_k = unsqueeze_reduced_const(idx, d, keepdim_);
    Dims line = Dims::filled(shape.size(), 1);
    line[dim_] = shape[dim_];
    Tensor positions = ops::view(ops::arange(0.0, static_cast<double>(shape[dim_]), 1.0, DType::Int64,
                                                    g[0].device(), g[0].device_index()), line);
    Tensor one_hot = as_weights(ops::binary(KD_EQ, positions, idx_k), g[0].dtype());
    return {mul(unsqueeze_reduced(g[0], d, keepdim_), one_hot)};
  }
  void release_saved() override { indices_.reset(); }
  const char* name_;
  int32_t dim_;
  bool keepdim_;
  SavedVariable indices_;
};

// ---- softmax / log_softmax

struct SoftmaxBackward0 : Node {
  explicit SoftmaxBackward0(int64_t dim) : dim_(dim) {}
  const char* name() const override { return "SoftmaxBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor y = result_.unpack(this);
    Tensor dot = sum_dims(mul(g[0], y), Dims{dim_}, true);
    return {mul(sub(g[0], dot), y)};
  }
  void release_saved() override { result_.reset(); }
  int64_t dim_;
  SavedVariable result_;
};

struct LogSoftmaxBackward0 : Node {
  explicit LogSoftmaxBackward0(int64_t dim) : dim_(dim) {}
  const char* name() const override { return "LogSoftmaxBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor y = result_.unpack(this);
    return {sub(g[0], mul(unary(KD_EXP, y), sum_dims(g[0], Dims{dim_}, true)))};
  }
  void release_saved() override { result_.reset(); }
  int64_t dim_;
  SavedVariable result_;
};

// Names PyTorch gives the backward of each reduction (with and without explicit dims).
const char* reduce_backward_name(ReduceOp op, bool all_dims) {
  switch (op) {
    case KD_SUM: return all_dims ? "SumBackward0" : "SumBackward1";
    case KD_MEAN: return all_dims ? "MeanBackward0" : "MeanBackward1";
    case KD_PROD: return all_dims ? "ProdBackward0" : "ProdBackward1";
    // max()/min() without a dim are amax/amin over everything in Kindling.
    case KD_AMAX: return all_dims ? "MaxBackward1" : "AmaxBackward0";
    case KD_AMIN: return all_dims ? "MinBackward1" : "AminBackward0";
    default: return "LogsumexpBackward0";
  }
}

}  // namespace

Tensor sum_dims(const Tensor& t, const Dims& dims, bool keepdim) { return reduce(KD_SUM, t, dims, keepdim); }

Tensor reduce(ReduceOp op, const Tensor& t, const Dims& dims, bool keepdim) {
  Tensor out = ops::reduce(op, t, dims, keepdim);
  if (op == KD_ANY || op == KD_ALL || !is_floating(out.dtype()) || !any_requires_grad({&t})) return out;
  const char* name = reduce_backward_name(op, dims.empty());
  const Dims rdims = reduced_dims(t, dims, ops::reduce_name(op));
  const bool keep = keepdim || t.dim() == 0;
  switch (op) {
    case KD_SUM:
      set_history(out, make_node<SumBackward>({&t}, name, t.sizes(), rdims, keep));
      break;
    case KD_MEAN:
      set_history(out, make_node<MeanBackward>({&t}, name, t.sizes(), rdims, keep, reduced_count(t, rdims)));
      break;
    case KD_PROD: {
      auto node = make_node<ProdBackward>({&t}, name, rdims, keep);
      node->self_ = SavedVariable(t, false);
      set_history(out, node);
      node->result_ = SavedVariable(out, true);  // after set_history: re-attached on unpack
      break;
    }
    case KD_AMAX:
    case KD_AMIN: {
      auto node = make_node<ExtremeBackward>({&t}, name, rdims, keep, dims.empty());
      node->self_ = SavedVariable(t, false);
      set_history(out, node);
      node->result_ = SavedVariable(out, true);
      break;
    }
    case KD_LOGSUMEXP: {
      auto node = make_node<LogsumexpBackward0>({&t}, rdims, keep);
      node->self_ = SavedVariable(t, false);
      set_history(out, node);
      node->result_ = SavedVariable(out, true);
      break;
    }
    default:
      break;
  }
  return out;
}

Tensor var(const Tensor& t, const Dims& dims, double c, bool keepdim, bool take_sqrt) {
  Tensor out = ops::var(t, dims, c, keepdim, take_sqrt);
  if (!any_requires_grad({&t})) return out;
  const Dims rdims = reduced_dims(t, dims, take_sqrt ? "std" : "var");
  const double dof = static_cast<double>(reduced_count(t, rdims)) - c;
  auto node = make_node<VarBackward>({&t}, take_sqrt, rdims, keepdim || t.dim() == 0,
                                     dims.empty() || t.dim() == 0, dof);
  node->self_ = SavedVariable(t, false);
  set_history(out, node);
  if (take_sqrt) node->result_ = SavedVariable(out, true);
  return out;
}

namespace {

void extreme_dim(bool is_max, const Tensor& t, int64_t dim, bool keepdim, Tensor* v, Tensor* i) {
  if (is_max) ops::max_dim(t, dim, keepdim, v, i);
  else ops::min_dim(t, dim, keepdim, v, i);
  if (!is_floating(v->dtype()) || !any_requires_grad({&t})) return;
  const int32_t d = t.dim() == 0 ? 0 : wrap_dim(dim, t.dim(), is_max ? "max" : "min");
  auto node = make_node<ValueSelectingBackward>({&t}, is_max ? "MaxBackward0" : "MinBackward0", d,
                                                keepdim || t.dim() == 0);
  set_history(*v, node, 0);
  node->indices_ = SavedVariable(*i, true);
}

}  // namespace

void max_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* v, Tensor* i) { extreme_dim(true, t, dim, keepdim, v, i); }
void min_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* v, Tensor* i) { extreme_dim(false, t, dim, keepdim, v, i); }

Tensor softmax(const Tensor& t, int64_t dim) {
  Tensor out = ops::softmax(t, dim);
  if (!any_requires_grad({&t})) return out;
  auto node = make_node<SoftmaxBackward0>({&t}, dim);
  set_history(out, node);
  node->result_ = SavedVariable(out, true);
  return out;
}

Tensor log_softmax(const Tensor& t, int64_t dim) {
  Tensor out = ops::log_softmax(t, dim);
  if (!any_requires_grad({&t})) return out;
  auto node = make_node<LogSoftmaxBackward0>({&t}, dim);
  set_history(out, node);
  node->result_ = SavedVariable(out, true);
  return out;
}

}  // namespace ag
}  // namespace kd
