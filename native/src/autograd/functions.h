// Differentiable ops: the same list as ops/ops.h, in namespace kd::ag. Each computes with the
// plain op and, when grad mode is on and an input requires grad, records a backward Node.
// Backward formulas are written with these functions too, so with create_graph they are
// themselves differentiable (higher-order gradients). The C API calls these for every op that
// can carry gradients; ops that cannot (creation, random, comparisons, argmax, …) stay in ops::.
//
// Families (one file each, formulas next to nothing else): elementwise.cpp, reduce.cpp,
// views.cpp, linalg.cpp, join_index.cpp.
#pragma once
#include <vector>

#include "core/tensor.h"
#include "ops/ops.h"

namespace kd {
namespace ag {

// ---- views (views.cpp)
Tensor alias(const Tensor& t);
Tensor view(const Tensor& t, const Dims& shape);
Tensor reshape(const Tensor& t, const Dims& shape);
Tensor transpose(const Tensor& t, int64_t d0, int64_t d1);
Tensor permute(const Tensor& t, const Dims& dims);
Tensor slice(const Tensor& t, int64_t dim, int64_t start, int64_t end, int64_t step);
Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& t, int64_t dim, int64_t index);
Tensor expand(const Tensor& t, const Dims& shape);
Tensor squeeze(const Tensor& t);
Tensor squeeze_dim(const Tensor& t, int64_t dim);
Tensor unsqueeze(const Tensor& t, int64_t dim);
Tensor flatten(const Tensor& t, int64_t start, int64_t end);
Tensor contiguous(const Tensor& t);
Tensor clone(const Tensor& t);
Tensor to_dtype(const Tensor& t, DType dtype);
// A copy on (device, index), differentiable (ToCopyBackward0 sends the gradient back to t's
// device); t itself when it is already there.
Tensor to_device(const Tensor& t, Device device, int32_t index);
// Sums a broadcast gradient back to shape (differentiable; used by the engine).
Tensor sum_to(const Tensor& grad, const Dims& shape);

// ---- elementwise (elementwise.cpp)
Tensor unary(UnaryOp op, const Tensor& t);
void unary_(UnaryOp op, const Tensor& t);
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
void binary_(BinaryOp op, const Tensor& a, const Tensor& b);
Tensor binary_scalar(BinaryOp op, const Tensor& a, double s, DType sdtype);
void binary_scalar_(BinaryOp op, const Tensor& a, double s, DType sdtype);
Tensor scalar_binary(BinaryOp op, double s, DType sdtype, const Tensor& b);
Tensor add_scaled(const Tensor& a, const Tensor& b, double alpha);
void add_scaled_(const Tensor& a, const Tensor& b, double alpha);
Tensor leaky_relu(const Tensor& t, double slope);
Tensor clamp(const Tensor& t, double lo, double hi, bool has_lo, bool has_hi);
void clamp_(const Tensor& t, double lo, double hi, bool has_lo, bool has_hi);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
Tensor masked_fill(const Tensor& t, const Tensor& mask, double value);
void masked_fill_(const Tensor& t, const Tensor& mask, double value);
void fill_(const Tensor& t, double value);
void copy_(const Tensor& dst, const Tensor& src);

// ---- reductions (reduce.cpp)
Tensor reduce(ReduceOp op, const Tensor& t, const Dims& dims, bool keepdim);
Tensor var(const Tensor& t, const Dims& dims, double correction, bool keepdim, bool take_sqrt);
void max_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* values, Tensor* indices);
void min_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* values, Tensor* indices);
Tensor softmax(const Tensor& t, int64_t dim);
Tensor log_softmax(const Tensor& t, int64_t dim);

// ---- linear algebra (linalg.cpp)
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);

// ---- convolutions (conv.cpp): one ConvolutionBackward0 node each; bias may be undefined.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const ops::Pair2& stride, const ops::Pair2& padding, const ops::Pair2& dilation,
              int64_t groups);
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const ops::Pair2& stride, const ops::Pair2& padding,
                        const ops::Pair2& output_padding, const ops::Pair2& dilation,
                        int64_t groups);
// The weight gradient of conv2d (ops::conv2d_weight), itself differentiable in both inputs.
Tensor conv2d_weight(const Tensor& input, const Tensor& grad_output, int64_t kh, int64_t kw,
                     const ops::Pair2& stride, const ops::Pair2& padding, const ops::Pair2& dilation,
                     int64_t groups);

// ---- joining and indexing (join_index.cpp)
Tensor cat(const std::vector<Tensor>& ts, int64_t dim);
Tensor stack(const std::vector<Tensor>& ts, int64_t dim);
std::vector<Tensor> split_with_sizes(const Tensor& t, const std::vector<int64_t>& sizes, int64_t dim);
Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
void scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);

// ---- batch norm (norm.cpp): one NativeBatchNormBackward0 node; see ops::batch_norm.
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps);

// ---- pooling and upsampling (pool.cpp)
Tensor max_pool2d(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                  const int64_t padding[2], const int64_t dilation[2], bool ceil_mode);
Tensor avg_pool2d(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                  const int64_t padding[2], bool ceil_mode, bool count_include_pad);
Tensor adaptive_avg_pool2d(const Tensor& x, const int64_t output_size[2]);
Tensor upsample_nearest2d(const Tensor& x, const int64_t output_size[2], const double scales[2]);

// Convenience for formulas.
inline Tensor add(const Tensor& a, const Tensor& b) { return binary(KD_ADD, a, b); }
inline Tensor sub(const Tensor& a, const Tensor& b) { return binary(KD_SUB, a, b); }
inline Tensor mul(const Tensor& a, const Tensor& b) { return binary(KD_MUL, a, b); }
inline Tensor div(const Tensor& a, const Tensor& b) { return binary(KD_DIV, a, b); }
inline Tensor mul(const Tensor& a, double s) { return binary_scalar(KD_MUL, a, s, DType::Float64); }
inline Tensor add(const Tensor& a, double s) { return binary_scalar(KD_ADD, a, s, DType::Float64); }
inline Tensor neg(const Tensor& a) { return unary(KD_NEG, a); }
Tensor sum_dims(const Tensor& t, const Dims& dims, bool keepdim);

}  // namespace ag
}  // namespace kd
