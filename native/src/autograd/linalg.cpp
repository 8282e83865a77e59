// Differentiable matrix products. mm and bmm have their own nodes (grad_a = g @ b^T,
// grad_b = a^T @ g). matmul is built, as in PyTorch, from simpler recorded ops: a dot or
// matrix-vector node for the 1-D cases, mm for matrices, and for batches the operands are
// expanded to the broadcast batch, folded to 3-D and multiplied with bmm, so the gradients of
// batch broadcasting come out of the expand and reshape formulas with no code of their own.
// Every formula is written with ag:: ops, so gradients of gradients work. Without anything to
// record, matmul is the plain op (one kernel, no copies).
#include <algorithm>

#include "autograd/functions.h"
#include "autograd/meta.h"
#include "autograd/saved.h"
#include "core/error.h"

namespace kd {
namespace ag {

namespace {

Tensor mv(const Tensor& a, const Tensor& v);

// s * v for a one-element s, written as the outer product [1, 1] @ [1, k] so that it stays
// differentiable with this family's own ops.
Tensor scale(const Tensor& s, const Tensor& v) {
  return view(mm(reshape(s, Dims{1, 1}), unsqueeze(v, 0)), v.sizes());
}

// a[m] (x) b[n] -> [m, n].
Tensor outer(const Tensor& a, const Tensor& b) { return mm(unsqueeze(a, 1), unsqueeze(b, 0)); }

// A 2-D tensor laid out as the transpose of a contiguous one (W.t() of a Linear weight).
bool is_transposed_contiguous(const Tensor& t) {
  return t.defined() && t.dim() == 2 && t.size(0) > 1 && t.size(1) > 1 && t.stride(0) == 1 && t.stride(1) == t.size(0);
}

struct MmBackward0 : Node {
  SavedVariable self_, other_;
  const char* name() const override { return "MmBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(2);
    const Tensor self = self_.unpack(this), other = other_.unpack(this);
    // As PyTorch's mm_mat1/mm_mat2_backward: an operand that is a transposed contiguous tensor
    // gets its gradient as the transpose of a contiguous product ((g^T a)^T rather than a^T g),
    // so that after the transpose's own backward the gradient arrives contiguous, in the
    // weight's layout (and AccumulateGrad can keep it instead of copying it).
    if (needs_input_grad(0))
      out[0] = is_transposed_contiguous(self) ? transpose(mm(other, transpose(g[0], 0, 1)), 0, 1)
                                              : mm(g[0], transpose(other, 0, 1));
    if (needs_input_grad(1))
      out[1] = is_transposed_contiguous(other) ? transpose(mm(transpose(g[0], 0, 1), self), 0, 1)
                                               : mm(transpose(self, 0, 1), g[0]);
    return out;
  }
  void release_saved() override { self_.reset(); other_.reset(); }
};

struct BmmBackward0 : Node {
  SavedVariable self_, other_;
  const char* name() const override { return "BmmBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(2);
    if (needs_input_grad(0)) out[0] = bmm(g[0], transpose(other_.unpack(this), 1, 2));
    if (needs_input_grad(1)) out[1] = bmm(transpose(self_.unpack(this), 1, 2), g[0]);
    return out;
  }
  void release_saved() override { self_.reset(); other_.reset(); }
};

// a[k] . b[k] -> 0-dim.
struct DotBackward0 : Node {
  SavedVariable self_, other_;
  const char* name() const override { return "DotBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(2);
    if (needs_input_grad(0)) out[0] = scale(g[0], other_.unpack(this));
    if (needs_input_grad(1)) out[1] = scale(g[0], self_.unpack(this));
    return out;
  }
  void release_saved() override { self_.reset(); other_.reset(); }
};

// a[m, k] @ v[k] -> [m].
struct MvBackward0 : Node {
  SavedVariable self_, other_;
  const char* name() const override { return "MvBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(2);
    if (needs_input_grad(0)) out[0] = outer(g[0], other_.unpack(this));
    if (needs_input_grad(1)) out[1] = mv(transpose(self_.unpack(this), 0, 1), g[0]);
    return out;
  }
  void release_saved() override { self_.reset(); other_.reset(); }
};

// A reshape of a product's fresh result: the gradient is reshaped back (the name says which
// PyTorch op made it: _unsafe_view, or the in-place squeeze_ of a 1-D @ 2-D product).
struct ReshapeProductBackward : Node {
  ReshapeProductBackward(const char* n, const Dims& in_shape) : name_(n), in_shape_(in_shape) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& g) override { return {reshape(g[0], in_shape_)}; }
  const char* name_;
  Dims in_shape_;
};

Tensor reshape_product(const char* name, const Tensor& t, const Dims& shape) {
  Tensor out = ops::unsafe_view(t, shape);
  if (any_requires_grad({&t})) set_history(out, make_node<ReshapeProductBackward>({&t}, name, t.sizes()));
  return out;
}

// Records a two-input product node; each operand is saved only where the other one's gradient
// needs it.
template <typename N>
Tensor record_product(const Tensor& a, const Tensor& b, Tensor out) {
  if (!is_floating(out.dtype()) || !any_requires_grad({&a, &b})) return out;
  auto n = make_node<N>({&a, &b});
  if (n->needs_input_grad(1)) n->self_ = SavedVariable(a, false);
  if (n->needs_input_grad(0)) n->other_ = SavedVariable(b, false);
  set_history(out, n);
  return out;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  return record_product<DotBackward0>(a, b, ops::matmul(a, b));
}

Tensor mv(const Tensor& a, const Tensor& v) {
  return record_product<MvBackward0>(a, v, ops::matmul(a, v));
}

// The shape checks of ops::matmul (same messages), for the recorded path that composes other
// ops and would otherwise report their names. Returns the broadcast batch dims.
Dims matmul_batch(const Tensor& a, const Tensor& b) {
  int64_t k = a.size(a.dim() - 1);
  int64_t kb = b.dim() == 1 ? b.size(0) : b.size(b.dim() - 2);
  if (k != kb)
    fail(KD_ERR_ARGUMENT, "matmul: shapes ", a.shape_str(), " and ", b.shape_str(),
         " cannot be multiplied");
  int32_t ra = std::max(a.dim() - 2, 0), rb = std::max(b.dim() - 2, 0);
  Dims batch_a(a.sizes().data(), ra), batch_b(b.sizes().data(), rb);
  Dims batch = Dims::filled(std::max(ra, rb), 1);
  for (int32_t i = 0; i < batch.size(); ++i) {
    int32_t ia = ra - batch.size() + i, ib = rb - batch.size() + i;
    int64_t x = ia >= 0 ? batch_a[ia] : 1, y = ib >= 0 ? batch_b[ib] : 1;
    if (x != y && x != 1 && y != 1)
      fail(KD_ERR_ARGUMENT, "matmul: batch dimensions ", batch_a.str(), " and ", batch_b.str(),
           " of shapes ", a.shape_str(), " and ", b.shape_str(), " cannot be broadcast");
    batch[i] = x == 1 ? y : x;
  }
  return batch;
}

// t (already [..., r, c]) as [B, r, c] over the broadcast batch: expanded only where the batch
// differs, and reshaped (a copy only when an expanded dim forces one) only when not 3-D yet.
Tensor to_batch3(const Tensor& t, const Dims& batch, int64_t r, int64_t c) {
  Dims full = batch;
  full.push_back(r);
  full.push_back(c);
  Tensor out = t.sizes() == full ? t : expand(t, full);
  Dims three{batch.numel(), r, c};
  return out.sizes() == three ? out : reshape(out, three);
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) { return record_product<MmBackward0>(a, b, ops::mm(a, b)); }

Tensor bmm(const Tensor& a, const Tensor& b) { return record_product<BmmBackward0>(a, b, ops::bmm(a, b)); }

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (!any_requires_grad({&a, &b})) return ops::matmul(a, b);
  const int32_t da = a.dim(), db = b.dim();
  // Rank, dtype and bool errors: the plain op reports them (and computes nothing).
  if (da == 0 || db == 0) return ops::matmul(a, b);
  Dims batch = matmul_batch(a, b);
  if (a.dtype() != b.dtype() || !is_floating(a.dtype())) return ops::matmul(a, b);

  if (da == 1 && db == 1) return dot(a, b);
  if (da == 2 && db == 1) return mv(a, b);
  if (da == 1 && db == 2) return reshape_product("SqueezeBackward3", mm(unsqueeze(a, 0), b), Dims{b.size(1)});
  if (da == 2 && db == 2) return mm(a, b);

  const int64_t k = a.size(da - 1);
  if (da >= 3 && db <= 2) {
    // A batch of matrices times one matrix or vector: fold the batch into the rows, one product.
    Dims rows_shape(a.sizes().data(), da - 1);
    Tensor folded = reshape(a, Dims{rows_shape.numel(), k});
    Tensor prod = db == 2 ? mm(folded, b) : mv(folded, b);
    if (db == 2) rows_shape.push_back(b.size(1));
    return reshape_product("UnsafeViewBackward0", prod, rows_shape);
  }
  // Broadcast batches: [B, m, k] @ [B, k, n] with bmm. A 1-D operand is a row (left) or a
  // column (right) and loses that dim in the result.
  Tensor a2 = da == 1 ? unsqueeze(a, 0) : a;
  Tensor b2 = db == 1 ? unsqueeze(b, 1) : b;
  const int64_t m = a2.size(a2.dim() - 2), n = b2.size(b2.dim() - 1);
  Tensor prod = bmm(to_batch3(a2, batch, m, k), to_batch3(b2, batch, k, n));
  Dims result = batch;
  if (da > 1) result.push_back(m);
  if (db > 1) result.push_back(n);
  return prod.sizes() == result ? prod : reshape_product("UnsafeViewBackward0", prod, result);
}

}  // namespace ag
}  // namespace kd
