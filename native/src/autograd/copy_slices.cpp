// In-place ops on views (PyTorch's CopySlices). When an op writes into a view V of a base B, B's
// history becomes CopySlices: its backward takes B's gradient, runs the op's backward on the part
// V covers, writes the result for V's old value back into that part, and passes the rest of B's
// gradient through unchanged. V becomes a plain view of the new B (AsStridedBackward0). The two
// helpers region_of / embed (reading and writing that part) are each other's backward, so all of
// this stays differentiable for double backward.
#include "autograd/functions.h"
#include "autograd/meta.h"
#include "core/error.h"

namespace kd {
namespace ag {

namespace {

struct ViewGeometry {
  Dims sizes, strides;
  int64_t offset;    // elements from the base's first element
  Dims base_sizes;   // the base is contiguous
};

Tensor region_of(const Tensor& g, const ViewGeometry& geo);
Tensor embed(const Tensor& r, const ViewGeometry& geo);

// Backward of region_of: the view's gradient placed into zeros of the base's shape.
struct AsStridedBackward0 : Node {
  explicit AsStridedBackward0(const ViewGeometry& g) : geo(g) {}
  const char* name() const override { return "AsStridedBackward0"; }
  TensorList apply(TensorList&& g) override { return {embed(g[0], geo)}; }
  ViewGeometry geo;
};

// Backward of embed: the base-shaped gradient read at the view.
struct AsStridedScatterBackward0 : Node {
  explicit AsStridedScatterBackward0(const ViewGeometry& g) : geo(g) {}
  const char* name() const override { return "AsStridedScatterBackward0"; }
  TensorList apply(TensorList&& g) override { return {region_of(g[0], geo)}; }
  ViewGeometry geo;
};

Tensor region_of(const Tensor& g, const ViewGeometry& geo) {
  Tensor c = ops::contiguous(g);
  Tensor out = ops::contiguous(Tensor::view_of(c, geo.sizes, geo.strides, c.offset() + geo.offset));
  if (any_requires_grad({&g})) set_history(out, make_node<AsStridedBackward0>({&g}, geo));
  return out;
}

Tensor embed(const Tensor& r, const ViewGeometry& geo) {
  Tensor z = ops::full_like_device(geo.base_sizes, 0.0, r.dtype(), r);
  ops::copy_(Tensor::view_of(z, geo.sizes, geo.strides, z.offset() + geo.offset), r);
  if (any_requires_grad({&r})) set_history(z, make_node<AsStridedScatterBackward0>({&r}, geo));
  return z;
}

struct CopySlices : Node {
  CopySlices(const ViewGeometry& g, std::shared_ptr<Node> f) : geo(g), fn(std::move(f)) {}
  const char* name() const override { return "CopySlices"; }

  TensorList apply(TensorList&& grads) override {
    const Tensor& gb = grads[0];
    TensorList out(next_edges.size());
    TensorList res;
    bool fn_needed = false;
    for (size_t i = 0; i < fn->next_edges.size(); ++i) fn_needed = fn_needed || fn->needs_input_grad(i);
    if (fn_needed) {
      TensorList in;
      in.push_back(region_of(gb, geo));
      res = fn->apply(std::move(in));
    }
    if (needs_input_grad(0)) {
      // Outside the view the base's gradient passes through; inside, the op's gradient for the
      // view's old value replaces it.
      Tensor keep = ops::full_like_device(geo.base_sizes, 1.0, gb.dtype(), gb);
      ops::fill_(Tensor::view_of(keep, geo.sizes, geo.strides, keep.offset() + geo.offset), 0.0);
      Tensor base_grad = mul(gb, keep);
      if (!res.empty() && res[0].defined()) {
        Tensor rv = res[0];
        if (rv.sizes() != geo.sizes) rv = sum_to(rv, geo.sizes);
        if (rv.dtype() != gb.dtype()) rv = to_dtype(rv, gb.dtype());
        base_grad = add(base_grad, embed(rv, geo));
      }
      out[0] = base_grad;
    }
    for (size_t i = 1; i < out.size() && i < res.size(); ++i) out[i] = res[i];
    return out;
  }

  void release_saved() override { fn->release_saved(); }

  ViewGeometry geo;
  std::shared_ptr<Node> fn;
};

}  // namespace

void rebase_history(const Tensor& t, const std::shared_ptr<Node>& node) {
  if (!t.impl()->is_view || !t.impl()->view_base) {
    set_history(t, node);
    return;
  }
  Tensor base(t.impl()->view_base);
  ViewGeometry geo{t.sizes(), t.strides(), t.offset() - base.offset(), base.sizes()};
  auto cs = std::make_shared<CopySlices>(geo, node);
  cs->next_edges.push_back(gradient_edge(base));  // the base's history before the write
  cs->input_meta.push_back({base.sizes(), base.dtype()});
  for (size_t i = 1; i < node->next_edges.size(); ++i) {
    cs->next_edges.push_back(node->next_edges[i]);
    cs->input_meta.push_back(node->input_meta[i]);
  }
  set_history(base, cs);
  auto vb = std::make_shared<AsStridedBackward0>(geo);
  vb->next_edges.push_back({cs, 0});
  vb->input_meta.push_back({base.sizes(), base.dtype()});
  set_history(t, vb);
}

}  // namespace ag
}  // namespace kd
