// Differentiable view and copy ops, and sum_to. Every view's backward maps the gradient back to
// the input's layout: view/reshape/flatten/squeeze/unsqueeze reshape it; transpose/permute
// permute it back; slice/narrow/select scatter it into zeros; expand sums it (via sum_to).
#include "autograd/functions.h"
#include "autograd/meta.h"
#include "autograd/saved.h"

namespace kd {
namespace ag {

namespace {

// Backward of any op whose gradient is the incoming gradient reshaped to the input's shape.
struct ReshapeLike : Node {
  ReshapeLike(const char* n, const Dims& in_shape) : name_(n), in_shape_(in_shape) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override { return {reshape(g[0], in_shape_)}; }
  const char* name_;
  Dims in_shape_;
};

struct PermuteBackward0 : Node {
  explicit PermuteBackward0(const Dims& dims) : dims_(dims) {}
  const char* name() const override { return "PermuteBackward0"; }
  TensorList apply(TensorList&& g) override {
    Dims inv = Dims::filled(dims_.size(), 0);
    for (int32_t i = 0; i < dims_.size(); ++i) inv[static_cast<int32_t>(dims_[i])] = i;
    return {permute(g[0], inv)};
  }
  Dims dims_;  // wrapped
};

struct TransposeBackward0 : Node {
  TransposeBackward0(int64_t a, int64_t b) : a_(a), b_(b) {}
  const char* name() const override { return "TransposeBackward0"; }
  TensorList apply(TensorList&& g) override { return {transpose(g[0], a_, b_)}; }
  int64_t a_, b_;
};

// slice/narrow/select: the gradient goes into a zero tensor of the input's shape at the view.
struct SliceBackward0 : Node {
  SliceBackward0(const char* n, const Dims& shape, DType dt, int64_t dim, int64_t start, int64_t end,
                 int64_t step, bool select)
      : name_(n), shape_(shape), dtype_(dt), dim_(dim), start_(start), end_(end), step_(step),
        select_(select) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    Tensor z = ops::full_like_device(shape_, 0.0, g[0].dtype(), g[0]);
    Tensor part = select_ ? ops::select(z, dim_, start_) : ops::slice(z, dim_, start_, end_, step_);
    if (requires_grad(g[0])) {
      // Differentiable form for double backward: pad via cat of zeros is costlier; instead build
      // the result as an op on g so history flows (z is constant).
      return {scatter_into(z, g[0])};
    }
    ops::copy_(part, g[0]);
    return {z};
  }
  // Differentiable placement of g into zeros: z + (mask-free) embedding through index ops.
  Tensor scatter_into(const Tensor& z, const Tensor& g) {
    // Build index of the positions along dim_ and use index-based scatter_add (differentiable).
    int64_t n = select_ ? 1 : g.size(static_cast<int32_t>(dim_));
    Tensor idx = ops::arange(static_cast<double>(start_), static_cast<double>(start_ + n * step_),
                             static_cast<double>(step_), DType::Int64, g.device(), g.device_index());
    Tensor gg = select_ ? unsqueeze(g, dim_) : g;
    Dims ishape = Dims::filled(gg.dim(), 1);
    ishape[static_cast<int32_t>(dim_)] = n;
    Tensor index = ops::expand(ops::view(idx, ishape), gg.sizes());
    return scatter_add(z, dim_, ops::contiguous(index), gg);
  }
  const char* name_;
  Dims shape_;
  DType dtype_;
  int64_t dim_, start_, end_, step_;
  bool select_;
};

struct ExpandBackward0 : Node {
  explicit ExpandBackward0(const Dims& in_shape) : in_shape_(in_shape) {}
  const char* name() const override { return "ExpandBackward0"; }
  TensorList apply(TensorList&& g) override { return {sum_to(g[0], in_shape_)}; }
  Dims in_shape_;
};

struct AliasBackward0 : Node {
  const char* name() const override { return "AliasBackward0"; }
  TensorList apply(TensorList&& g) override { return {g[0]}; }
};

struct CloneBackward0 : Node {
  const char* name() const override { return "CloneBackward0"; }
  TensorList apply(TensorList&& g) override { return {g[0]}; }
};

// A copy to another dtype and/or device: the gradient goes back to the source's dtype and device.
struct ToCopyBackward0 : Node {
  explicit ToCopyBackward0(const Tensor& src)
      : dtype_(src.dtype()), device_(src.device()), index_(src.device_index()) {}
  const char* name() const override { return "ToCopyBackward0"; }
  TensorList apply(TensorList&& g) override {
    return {to_device(to_dtype(g[0], dtype_), device_, index_)};
  }
  DType dtype_;
  Device device_;
  int32_t index_;
};

template <typename N, typename... A>
Tensor record(const Tensor& in, Tensor out, A&&... args) {
  out = track_view(in, out);
  if (any_requires_grad({&in})) {
    auto node = make_node<N>({&in}, std::forward<A>(args)...);
    set_history(out, node);
  }
  return out;
}

Tensor reshape_like(const char* name, const Tensor& in, Tensor out) {
  out = track_view(in, out);
  if (any_requires_grad({&in})) {
    auto node = make_node<ReshapeLike>({&in}, name, in.sizes());
    set_history(out, node);
  }
  return out;
}

}  // namespace

Tensor alias(const Tensor& t) { return record<AliasBackward0>(t, ops::alias(t)); }
Tensor view(const Tensor& t, const Dims& shape) { return reshape_like("ViewBackward0", t, ops::view(t, shape)); }
Tensor reshape(const Tensor& t, const Dims& shape) {
  Tensor out = ops::reshape(t, shape);
  // A reshape that had to copy is a copy in PyTorch's graph too; either way the backward is a reshape.
  return reshape_like(out.storage() == t.storage() ? "ViewBackward0" : "UnsafeViewBackward0", t, out);
}
Tensor transpose(const Tensor& t, int64_t d0, int64_t d1) {
  return record<TransposeBackward0>(t, ops::transpose(t, d0, d1), d0, d1);
}
Tensor permute(const Tensor& t, const Dims& dims) {
  Tensor out = ops::permute(t, dims);
  Dims wrapped;
  for (int32_t i = 0; i < dims.size(); ++i) wrapped.push_back(wrap_dim(dims[i], t.dim(), "permute"));
  return record<PermuteBackward0>(t, out, wrapped);
}
Tensor slice(const Tensor& t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  Tensor out = ops::slice(t, dim, start, end, step);
  if (!any_requires_grad({&t})) return track_view(t, out);
  int32_t d = wrap_dim(dim, t.dim(), "slice");
  int64_t begin = (out.offset() - t.offset()) / (t.stride(d) == 0 ? 1 : t.stride(d));
  if (t.stride(d) == 0) begin = 0;
  return record<SliceBackward0>(t, out, "SliceBackward0", t.sizes(), t.dtype(), d, begin,
                                begin + out.size(d) * step, step, false);
}
Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  int32_t d = wrap_dim(dim, t.dim(), "narrow");
  int64_t n = t.dim() ? t.size(d) : 0;
  Tensor out = ops::narrow(t, dim, start, length);
  if (!any_requires_grad({&t})) return track_view(t, out);
  int64_t s = start < 0 ? start + n : start;
  return record<SliceBackward0>(t, out, "SliceBackward0", t.sizes(), t.dtype(), d, s, s + length, 1, false);
}
Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  Tensor out = ops::select(t, dim, index);
  if (!any_requires_grad({&t})) return track_view(t, out);
  int32_t d = wrap_dim(dim, t.dim(), "select");
  int64_t i = index < 0 ? index + t.size(d) : index;
  return record<SliceBackward0>(t, out, "SelectBackward0", t.sizes(), t.dtype(), d, i, i + 1, 1, true);
}
Tensor expand(const Tensor& t, const Dims& shape) { return record<ExpandBackward0>(t, ops::expand(t, shape), t.sizes()); }
Tensor squeeze(const Tensor& t) { return reshape_like("SqueezeBackward0", t, ops::squeeze(t)); }
Tensor squeeze_dim(const Tensor& t, int64_t dim) { return reshape_like("SqueezeBackward1", t, ops::squeeze_dim(t, dim)); }
Tensor unsqueeze(const Tensor& t, int64_t dim) { return reshape_like("UnsqueezeBackward0", t, ops::unsqueeze(t, dim)); }
Tensor flatten(const Tensor& t, int64_t start, int64_t end) {
  Tensor out = ops::flatten(t, start, end);
  return reshape_like(out.storage() == t.storage() ? "ViewBackward0" : "UnsafeViewBackward0", t, out);
}
Tensor contiguous(const Tensor& t) {
  if (t.is_contiguous()) return alias(t);
  return record<CloneBackward0>(t, ops::contiguous(t));
}
Tensor clone(const Tensor& t) { return record<CloneBackward0>(t, ops::clone(t)); }
Tensor to_dtype(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return alias(t);
  Tensor out = ops::to_dtype(t, dtype);
  if (!is_floating(dtype)) return out;  // integer/bool results carry no gradient
  return record<ToCopyBackward0>(t, out, t);
}
Tensor to_device(const Tensor& t, Device device, int32_t index) {
  Tensor out = ops::to_device(t, device, index);
  if (out.impl() == t.impl()) return out;  // already there: the tensor itself, like torch's to()
  return record<ToCopyBackward0>(t, out, t);
}

Tensor sum_to(const Tensor& grad, const Dims& shape) {
  if (grad.sizes() == shape) return grad;
  int32_t lead = grad.dim() - shape.size();
  Dims dims;
  for (int32_t i = 0; i < grad.dim(); ++i) {
    if (i < lead) dims.push_back(i);
    else if (shape[i - lead] == 1 && grad.size(i) != 1) dims.push_back(i);
  }
  Tensor s = dims.empty() ? grad : sum_dims(grad, dims, true);
  return lead > 0 || s.sizes() != shape ? view(s, shape) : s;
}

}  // namespace ag
}  // namespace kd
