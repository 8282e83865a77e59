// Differentiable matrix products (PLACEHOLDER: forwards to ops:: without recording history; the
// backward formulas for this family are being written).
#include "autograd/functions.h"
#include "autograd/meta.h"

namespace kd {
namespace ag {

Tensor matmul(const Tensor& a, const Tensor& b) { return ops::matmul(a, b); }
Tensor mm(const Tensor& a, const Tensor& b) { return ops::mm(a, b); }
Tensor bmm(const Tensor& a, const Tensor& b) { return ops::bmm(a, b); }

}  // namespace ag
}  // namespace kd
