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
