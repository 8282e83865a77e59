// Pooling and upsampling kernels over contiguous [planes, H, W] buffers; one plane per task of
// the thread pool, so no two threads ever write the same element (the backward scatters stay
// race-free without atomics). Shapes and arguments are validated by ops/pool.cpp.
#pragma once
#include "core/tensor.h"
#include "ops/ops.h"

namespace kd {
namespace cpu {

void window_mean(const Tensor& x, const ops::PoolPlan& plan, const Tensor& out);
void window_mean_backward(const Tensor& grad, const ops::PoolPlan& plan, const Tensor& out);
void max_pool2d(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                const int64_t padding[2], const int64_t dilation[2], const Tensor& values,
                const Tensor& indices);
void index_scatter2d(const Tensor& grad, const Tensor& indices, const Tensor& out);
void index_gather2d(const Tensor& x, const Tensor& indices, const Tensor& out);

}  // namespace cpu
}  // namespace kd
