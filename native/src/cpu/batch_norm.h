// Batch-norm kernels (batch_norm.cpp). Tensors are contiguous [N, C, S] (S = the product of the
// spatial dims, 1 for [N, C] inputs); per-channel vectors are float64 [C]; sums accumulate in
// float64 whatever the input dtype.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace kd {
namespace cpu {

// mean[c] and the biased variance var[c] of x over N and S (two passes: mean, then squared
// deviations).
void batch_norm_stats(const Tensor& x, int64_t n, int64_t c, int64_t s, double* mean, double* var);
// out = x * scale[c] + shift[c].
void batch_norm_apply(const Tensor& x, const Tensor& out, int64_t n, int64_t c, int64_t s,
                      const double* scale, const double* shift);
// sum_g[c] = sum of g, sum_gx[c] = sum of g * (x - mean[c]).
void batch_norm_backward_reduce(const Tensor& g, const Tensor& x, int64_t n, int64_t c, int64_t s,
                                const double* mean, double* sum_g, double* sum_gx);
// gi = (g - a[c] - (x - mean[c]) * b[c]) * k[c].
void batch_norm_backward_apply(const Tensor& g, const Tensor& x, const Tensor& gi, int64_t n,
                               int64_t c, int64_t s, const double* mean, const double* a,
                               const double* b, const double* k);

}  // namespace cpu
}  // namespace kd
