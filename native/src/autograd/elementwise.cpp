// Differentiable elementwise ops (PLACEHOLDER: forwards to ops:: without recording history;
// the backward formulas for this family are being written).
#include "autograd/functions.h"
#include "autograd/meta.h"

namespace kd {
namespace ag {

Tensor unary(UnaryOp op, const Tensor& t) { return ops::unary(op, t); }
void unary_(UnaryOp op, const Tensor& t) { check_inplace(t, ops::unary_name(op)); ops::unary_(op, t); }
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) { return ops::binary(op, a, b); }
void binary_(BinaryOp op, const Tensor& a, const Tensor& b) { check_inplace(a, ops::binary_name(op)); ops::binary_(op, a, b); }
Tensor binary_scalar(BinaryOp op, const Tensor& a, double s, DType sd) { return ops::binary_scalar(op, a, s, sd); }
void binary_scalar_(BinaryOp op, const Tensor& a, double s, DType sd) { check_inplace(a, ops::binary_name(op)); ops::binary_scalar_(op, a, s, sd); }
Tensor scalar_binary(BinaryOp op, double s, DType sd, const Tensor& b) { return ops::scalar_binary(op, s, sd, b); }
Tensor add_scaled(const Tensor& a, const Tensor& b, double alpha) { return ops::add_scaled(a, b, alpha); }
void add_scaled_(const Tensor& a, const Tensor& b, double alpha) { check_inplace(a, "add_"); ops::add_scaled_(a, b, alpha); }
Tensor leaky_relu(const Tensor& t, double slope) { return ops::leaky_relu(t, slope); }
Tensor clamp(const Tensor& t, double lo, double hi, bool hl, bool hh) { return ops::clamp(t, lo, hi, hl, hh); }
void clamp_(const Tensor& t, double lo, double hi, bool hl, bool hh) { check_inplace(t, "clamp_"); ops::clamp_(t, lo, hi, hl, hh); }
Tensor where(const Tensor& c, const Tensor& a, const Tensor& b) { return ops::where(c, a, b); }
Tensor masked_fill(const Tensor& t, const Tensor& m, double v) { return ops::masked_fill(t, m, v); }
void masked_fill_(const Tensor& t, const Tensor& m, double v) { check_inplace(t, "masked_fill_"); ops::masked_fill_(t, m, v); }
void fill_(const Tensor& t, double v) { check_inplace(t, "fill_"); ops::fill_(t, v); }
void copy_(const Tensor& d, const Tensor& s) { check_inplace(d, "copy_"); ops::copy_(d, s); }

}  // namespace ag
}  // namespace kd
