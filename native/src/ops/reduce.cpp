// Reductions (STUB: to be implemented).
#include "ops/ops.h"
namespace kd { namespace ops {
#define KD_TODO(name) fail(KD_ERR_UNSUPPORTED, name ": not implemented yet")
Tensor reduce(ReduceOp, const Tensor&, const Dims&, bool) { KD_TODO("reduce"); }
Tensor var(const Tensor&, const Dims&, double, bool, bool) { KD_TODO("var"); }
void max_dim(const Tensor&, int64_t, bool, Tensor*, Tensor*) { KD_TODO("max"); }
void min_dim(const Tensor&, int64_t, bool, Tensor*, Tensor*) { KD_TODO("min"); }
Tensor argmax(const Tensor&, int64_t, bool, bool) { KD_TODO("argmax"); }
Tensor argmin(const Tensor&, int64_t, bool, bool) { KD_TODO("argmin"); }
Tensor softmax(const Tensor&, int64_t) { KD_TODO("softmax"); }
Tensor log_softmax(const Tensor&, int64_t) { KD_TODO("log_softmax"); }
const char* reduce_name(ReduceOp) { return "reduce"; }
}}
