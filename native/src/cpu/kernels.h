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

// Reductions (reduce.cpp). Bit d of `reduced` marks input dim d as reduced; `out` is fresh and
// contiguous, shaped like `in` without those dims (or with them as size 1), with the dtype the
// op yields for in's dtype (sum/prod of int64 or bool: int64; any/all: bool; others: in's).
void reduce_kernel(int32_t op, const Tensor& out, const Tensor& in, uint32_t reduced);
// var/std: sum((x - mean)^2) / max(0, N - correction), square-rooted when take_sqrt.
void var_kernel(const Tensor& out, const Tensor& in, uint32_t reduced, double correction,
                bool take_sqrt);
// Extreme along dim (size >= 1) and the index of its first occurrence; NaN counts as the
// extreme. `values` may be undefined (argmax/argmin); `indices` is int64.
void max_min_dim_kernel(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in,
                        int32_t dim);
// softmax.cpp: `in` is contiguous floating point; `out` is fresh with in's shape and dtype.
void softmax_kernel(const Tensor& out, const Tensor& in, int32_t dim, bool log);

}  // namespace cpu
}  // namespace kd
