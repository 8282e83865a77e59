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
// out = self <= threshold ? 0 : grad (ReLU's gradient); all three share one float dtype.
void threshold_backward_kernel(const Tensor& out, const Tensor& grad, const Tensor& self,
                               double threshold);

// Joining (join.cpp). out is contiguous; inputs[0..n) fill consecutive slices of out along dim
// and have out's shape except in dim, with any dtype (converted) and any strides.
void cat_kernel(const Tensor& out, const Tensor* inputs, int32_t n, int32_t dim);

// Indexing (index.cpp). Index tensors are int64; their values are checked here (one bad value is
// a KD_ERR_INDEX naming it, never a stray read or write). All ranks are >= 1 (0-dim tensors are
// passed as [1] views).
// out = self with size(dim) replaced by index.numel(); index is 1-D; out is contiguous.
void index_select_kernel(const Tensor& out, const Tensor& self, int32_t dim, const Tensor& index);
// out has index's shape; index.size(d) <= self.size(d) for d != dim.
void gather_kernel(const Tensor& out, const Tensor& self, int32_t dim, const Tensor& index);
// self[... index[p] ...] += src[p] for p over index's shape; self has no internal overlap and
// shares no memory with index or src. Every index value is checked before anything is written.
void scatter_add_kernel(const Tensor& self, int32_t dim, const Tensor& index, const Tensor& src);

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

// Row-major c[m, n] = op(a) @ op(b) + beta * c on the pool (op = transpose when ta/tb): the one
// entry to floating-point gemm for every kernel (conv too), so BLAS never threads by itself.
template <typename T>
void parallel_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
                   const T* b, int64_t ldb, T* c, int64_t ldc, T beta);
// out[..., m, n] = a[..., m, k] @ b[..., k, n] for every batch index. The three share their
// batch sizes (a and b may have stride 0 there: broadcast) and out's dtype; out is contiguous.
// For float dtypes the last two dims of a and b satisfy gemm_layout_ok and m, n, k fit an int.
void matmul_kernel(const Tensor& out, const Tensor& a, const Tensor& b);
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
