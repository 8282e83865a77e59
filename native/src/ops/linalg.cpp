// Matrix products (STUB: to be implemented).
#include "ops/ops.h"
namespace kd { namespace ops {
#define KD_TODO(name) fail(KD_ERR_UNSUPPORTED, name ": not implemented yet")
Tensor matmul(const Tensor&, const Tensor&) { KD_TODO("matmul"); }
Tensor mm(const Tensor&, const Tensor&) { KD_TODO("mm"); }
Tensor bmm(const Tensor&, const Tensor&) { KD_TODO("bmm"); }
}}
