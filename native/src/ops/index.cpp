// Indexing (STUB: to be implemented).
#include "ops/ops.h"
namespace kd { namespace ops {
#define KD_TODO(name) fail(KD_ERR_UNSUPPORTED, name ": not implemented yet")
Tensor index_select(const Tensor&, int64_t, const Tensor&) { KD_TODO("index_select"); }
Tensor gather(const Tensor&, int64_t, const Tensor&) { KD_TODO("gather"); }
Tensor scatter_add(const Tensor&, int64_t, const Tensor&, const Tensor&) { KD_TODO("scatter_add"); }
void scatter_add_(const Tensor&, int64_t, const Tensor&, const Tensor&) { KD_TODO("scatter_add_"); }
}}
