// Differentiable joining and indexing. Joining ops hand each input its part of the gradient
// (cat: narrow, stack: select) and split joins the pieces' gradients back with cat. Indexing
// ops move gradients with their mirror op: what gather / index_select read, scatter_add writes
// back (accumulating repeated indices), and scatter_add's src receives a gather of the gradient.
// gather and scatter_add are each other's backward, so every formula here is differentiable
// again (gradients of gradients) with no extra code.
#include "autograd/functions.h"
#include "autograd/meta.h"
#include "autograd/saved.h"

namespace kd {
namespace ag {

namespace {

// PyTorch's cat skips 1-D empty tensors (legacy); they get an empty gradient back.
bool skipped_by_cat(const Tensor& t) { return t.dim() == 1 && t.size(0) == 0; }

// Zeros on `like`'s device (gradients stay on the device of the tensors they belong to).
Tensor zeros(const Dims& shape, DType dtype, const Tensor& like) {
  return ops::full_like_device(shape, 0.0, dtype, like);
}

struct CatBackward0 : Node {
  CatBackward0(int64_t dim, std::vector<int64_t> sizes) : dim_(dim), sizes_(std::move(sizes)) {}
  const char* name() const override { return "CatBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(sizes_.size());
    int64_t offset = 0;
    for (size_t i = 0; i < sizes_.size(); ++i) {
      if (sizes_[i] < 0) {  // a skipped legacy empty input
        if (needs_input_grad(i)) out[i] = zeros(Dims{0}, g[0].dtype(), g[0]);
        continue;
      }
      if (needs_input_grad(i)) out[i] = narrow(g[0], dim_, offset, sizes_[i]);
      offset += sizes_[i];
    }
    return out;
  }
  int64_t dim_;                 // wrapped
  std::vector<int64_t> sizes_;  // each input's size along dim_; -1 for skipped inputs
};

struct StackBackward0 : Node {
  explicit StackBackward0(int64_t dim) : dim_(dim) {}
  const char* name() const override { return "StackBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(next_edges.size());
    for (size_t i = 0; i < out.size(); ++i)
      if (needs_input_grad(i)) out[i] = select(g[0], dim_, static_cast<int64_t>(i));
    return out;
  }
  int64_t dim_;  // wrapped
};

// One node for all pieces: piece i is output i. Pieces that received no gradient count as zeros.
struct SplitWithSizesBackward0 : Node {
  SplitWithSizesBackward0(const Dims& shape, int64_t dim, std::vector<int64_t> sizes)
      : shape_(shape), dim_(dim), sizes_(std::move(sizes)) {}
  const char* name() const override { return "SplitWithSizesBackward0"; }
  TensorList apply(TensorList&& g) override {
    DType dtype = DType::Float32;
    Tensor like;  // a gradient that arrived: the pieces that did not get zeros on its device
    for (const Tensor& t : g)
      if (t.defined()) dtype = t.dtype(), like = t;
    std::vector<Tensor> pieces;
    pieces.reserve(sizes_.size());
    for (size_t i = 0; i < sizes_.size(); ++i) {
      if (i < g.size() && g[i].defined()) {
        pieces.push_back(g[i]);
      } else {
        Dims s = shape_;
        s[static_cast<int32_t>(dim_)] = sizes_[i];
        pieces.push_back(zeros(s, dtype, like));
      }
    }
    return {cat(pieces, dim_)};
  }
  Dims shape_;
  int64_t dim_;  // wrapped
  std::vector<int64_t> sizes_;
};

// The gradient of gather / index_select: g added into zeros of the input's shape at index.
struct GatherBackward0 : Node {
  GatherBackward0(const char* n, const Dims& shape, int64_t dim) : name_(n), shape_(shape), dim_(dim) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override {
    Tensor index = index_.unpack(this);
    if (expand_index_) {
      // index_select: one index per position along dim, the same across the other dims.
      if (shape_.empty()) return {g[0]};  // a 0-dim input: the one element read
      Dims ishape = Dims::filled(g[0].dim(), 1);
      ishape[static_cast<int32_t>(dim_)] = index.numel();
      index = ops::expand(ops::reshape(index, ishape), g[0].sizes());
    }
    return {scatter_add(zeros(shape_, g[0].dtype(), g[0]), dim_, index, g[0])};
  }
  void release_saved() override { index_.reset(); }
  const char* name_;
  Dims shape_;
  int64_t dim_;
  bool expand_index_ = false;
  SavedVariable index_;
};

// src's gradient: what each src element was added into. Where index is smaller than src, the
// elements it never reaches get zeros (PyTorch raises a shape error there instead).
Tensor fit_to(Tensor r, const Dims& shape) {
  if (r.sizes() == shape) return r;
  if (r.dim() == 0) r = reshape(r, Dims{1});
  Dims target = shape.empty() ? Dims{1} : shape;
  for (int32_t j = 0; j < r.dim(); ++j) {
    if (r.size(j) >= target[j]) continue;
    Dims z = r.sizes();
    z[j] = target[j] - r.size(j);
    r = cat({r, zeros(z, r.dtype(), r)}, j);
  }
  return r.sizes() == shape ? r : reshape(r, shape);
}

struct ScatterAddBackward0 : Node {
  ScatterAddBackward0(int64_t dim, const Dims& src_shape) : dim_(dim), src_shape_(src_shape) {}
  const char* name() const override { return "ScatterAddBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(2);
    if (needs_input_grad(0)) out[0] = g[0];
    if (needs_input_grad(1)) {
      Tensor index = index_.unpack(this);
      out[1] = index.numel() == 0 ? zeros(src_shape_, g[0].dtype(), g[0])
                                  : fit_to(gather(g[0], dim_, index), src_shape_);
    }
    return out;
  }
  void release_saved() override { index_.reset(); }
  int64_t dim_;
  Dims src_shape_;
  SavedVariable index_;
};

}  // namespace

Tensor cat(const std::vector<Tensor>& ts, int64_t dim) {
  Tensor out = ops::cat(ts, dim);
  if (!is_floating(out.dtype()) || !any_requires_grad(ts)) return out;
  const Tensor* ref = nullptr;
  for (const Tensor& t : ts)
    if (!skipped_by_cat(t)) {
      ref = &t;
      break;
    }
  // Only legacy empties: an empty result whose inputs get empty gradients back.
  const int32_t d = ref ? wrap_dim(dim, ref->dim(), "cat") : 0;
  std::vector<int64_t> sizes;
  std::vector<const Tensor*> inputs;
  for (const Tensor& t : ts) {
    sizes.push_back(skipped_by_cat(t) ? -1 : t.size(d));
    inputs.push_back(&t);
  }
  set_history(out, make_node<CatBackward0>(inputs, d, std::move(sizes)));
  return out;
}

Tensor stack(const std::vector<Tensor>& ts, int64_t dim) {
  Tensor out = ops::stack(ts, dim);
  if (!is_floating(out.dtype()) || !any_requires_grad(ts)) return out;
  std::vector<const Tensor*> inputs;
  for (const Tensor& t : ts) inputs.push_back(&t);
  set_history(out, make_node<StackBackward0>(inputs, wrap_dim(dim, ts[0].dim() + 1, "stack")));
  return out;
}

std::vector<Tensor> split_with_sizes(const Tensor& t, const std::vector<int64_t>& sizes, int64_t dim) {
  std::vector<Tensor> parts = ops::split_with_sizes(t, sizes, dim);
  if (!any_requires_grad({&t})) return parts;
  auto n = make_node<SplitWithSizesBackward0>({&t}, t.sizes(), wrap_dim(dim, t.dim(), "split"), sizes);
  for (size_t i = 0; i < parts.size(); ++i) set_history(parts[i], n, static_cast<uint32_t>(i));
  return parts;
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
  Tensor out = ops::index_select(t, dim, index);
  if (!any_requires_grad({&t})) return out;
  int64_t d = t.dim() == 0 ? 0 : wrap_dim(dim, t.dim(), "index_select");
  auto n = make_node<GatherBackward0>({&t}, "IndexSelectBackward0", t.sizes(), d);
  n->expand_index_ = true;
  n->index_ = SavedVariable(index, false);
  set_history(out, n);
  return out;
}

Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) {
  Tensor out = ops::gather(t, dim, index);
  if (!any_requires_grad({&t})) return out;
  auto n = make_node<GatherBackward0>({&t}, "GatherBackward0", t.sizes(), dim);
  n->index_ = SavedVariable(index, false);
  set_history(out, n);
  return out;
}

Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor out = ops::scatter_add(t, dim, index, src);
  if (!is_floating(out.dtype()) || !any_requires_grad({&t, &src})) return out;
  auto n = make_node<ScatterAddBackward0>({&t, &src}, dim, src.sizes());
  n->index_ = SavedVariable(index, false);
  set_history(out, n);
  return out;
}

void scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  check_inplace(t, "scatter_add_");
  const bool records = is_floating(t.dtype()) && any_requires_grad({&t, &src});
  check_inplace_view(t, records, "scatter_add_");
  std::shared_ptr<ScatterAddBackward0> n;
  if (records) {
    // Wired before the write: self's edge is t's old history (PyTorch's rebase_history).
    n = make_node<ScatterAddBackward0>({&t, &src}, dim, src.sizes());
    n->index_ = SavedVariable(index, false);
  }
  ops::scatter_add_(t, dim, index, src);
  if (records) rebase_history(t, n);
}

}  // namespace ag
}  // namespace kd
