// Differentiable reductions (PARTIAL: sum is done; the other formulas of this family are being
// written and forward to ops:: without recording history meanwhile).
#include "autograd/functions.h"
#include "autograd/meta.h"

namespace kd {
namespace ag {

namespace {

// Wrapped, sorted reduction dims (all dims when empty).
Dims reduced_dims(const Tensor& t, const Dims& dims) {
  Dims out;
  if (dims.empty()) {
    for (int32_t i = 0; i < t.dim(); ++i) out.push_back(i);
    return out;
  }
  bool seen[kMaxDims] = {false};
  for (int32_t i = 0; i < dims.size(); ++i) seen[wrap_dim(dims[i], t.dim(), "sum")] = true;
  for (int32_t i = 0; i < t.dim(); ++i)
    if (seen[i]) out.push_back(i);
  return out;
}

// A reduced gradient brought back to the input's rank (size 1 at reduced dims).
Tensor unsqueeze_reduced(const Tensor& g, const Dims& rdims, bool keepdim) {
  if (keepdim) return g;
  Tensor out = g;
  for (int32_t i = 0; i < rdims.size(); ++i) out = unsqueeze(out, rdims[i]);
  return out;
}

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

}  // namespace

Tensor sum_dims(const Tensor& t, const Dims& dims, bool keepdim) { return reduce(KD_SUM, t, dims, keepdim); }

Tensor reduce(ReduceOp op, const Tensor& t, const Dims& dims, bool keepdim) {
  Tensor out = ops::reduce(op, t, dims, keepdim);
  if (op == KD_SUM && any_requires_grad({&t})) {
    auto node = make_node<SumBackward>({&t}, dims.empty() ? "SumBackward0" : "SumBackward1",
                                       t.sizes(), reduced_dims(t, dims), keepdim || t.dim() == 0);
    set_history(out, node);
  }
  return out;
}

Tensor var(const Tensor& t, const Dims& dims, double c, bool keepdim, bool take_sqrt) {
  return ops::var(t, dims, c, keepdim, take_sqrt);
}
void max_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* v, Tensor* i) { ops::max_dim(t, dim, keepdim, v, i); }
void min_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* v, Tensor* i) { ops::min_dim(t, dim, keepdim, v, i); }
Tensor softmax(const Tensor& t, int64_t dim) { return ops::softmax(t, dim); }
Tensor log_softmax(const Tensor& t, int64_t dim) { return ops::log_softmax(t, dim); }

}  // namespace ag
}  // namespace kd
