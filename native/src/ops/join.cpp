// Joining and splitting (STUB: to be implemented).
#include "ops/ops.h"
namespace kd { namespace ops {
#define KD_TODO(name) fail(KD_ERR_UNSUPPORTED, name ": not implemented yet")
Tensor cat(const std::vector<Tensor>&, int64_t) { KD_TODO("cat"); }
Tensor stack(const std::vector<Tensor>&, int64_t) { KD_TODO("stack"); }
std::vector<Tensor> split_with_sizes(const Tensor&, const std::vector<int64_t>&, int64_t) { KD_TODO("split"); }
}}
