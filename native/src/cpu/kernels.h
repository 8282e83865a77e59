// CPU kernels. They trust their callers (the ops layer) to have validated shapes and dtypes and
// to have expanded inputs to the output's shape; they only loop.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace kd {
namespace cpu {

// Elementwise (elementwise.cpp). `in`/`a`/`b` have out's shape (stride 0 where broadcast).
// unary: in has out's dtype, except LOGICAL_NOT which writes bool.
void unary_kernel(int32_t op, const Tensor& out, const Tensor& in);
// binary: a and b share one dtype; out has that dtype, or bool for comparisons/logical ops.
void binary_kernel(int32_t op, const Tensor& out, const Tensor& a, const Tensor& b);
void add_scaled_kernel(const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
void copy_kernel(const Tensor& dst, const Tensor& src);  // converts between dtypes
void fill_kernel(const Tensor& t, double value);
void leaky_relu_kernel(const Tensor& out, const Tensor& in, double slope);
void clamp_kernel(const Tensor& out, const Tensor& in, double lo, double hi, bool has_lo,
                  bool has_hi);
void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
void masked_fill_kernel(const Tensor& t, const Tensor& mask, double value);

}  // namespace cpu
}  // namespace kd

namespace kd {
namespace cpu {

// Matrix products (gemm.cpp). float32/float64 go to OpenBLAS (sgemm/dgemm; gemv and dot for
// vector-shaped products); int64 runs a blocked loop.
//
// True when a rows x cols matrix with these element strides can be handed to BLAS without a
// copy: row-major (unit column stride) or column-major (unit row stride, i.e. a transposed
// view) with a leading stride that covers the other extent and fits BLAS's int.
bool gemm_layout_ok(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride);
// out[..., m, n] = a[..., m, k] @ b[..., k, n] for every batch index. The three share their
// batch sizes (a and b may have stride 0 there: broadcast) and out's dtype; out is contiguous.
// For float dtypes the last two dims of a and b satisfy gemm_layout_ok and m, n, k fit an int.
void matmul_kernel(const Tensor& out, const Tensor& a, const Tensor& b);

}  // namespace cpu
}  // namespace kd
