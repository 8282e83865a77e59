// The op list: every tensor op of the core, declared once. The C API and (later) autograd call
// these; each validates its arguments with messages that name the op, shapes and dtypes, then
// dispatches to the kernel for the tensor's device (only CPU kernels exist in this file's build
// unless CUDA is enabled). Files: views.cpp, creation.cpp, random.cpp, elementwise.cpp,
// reduce.cpp, linalg.cpp, join.cpp, index.cpp.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace kd {

// Op codes shared with the C API (kindling.h): KD_NEG..., KD_ADD..., KD_SUM...
using UnaryOp = int32_t;
using BinaryOp = int32_t;
using ReduceOp = int32_t;

namespace ops {

// ---- creation (creation.cpp). `device`/`index` place the result (CPU by default, for the C
// API's plain creation functions and the tests); ops and autograd always pass a device, usually
// through the *_like_device forms that take it from a tensor they already have.
Tensor full(const Dims& shape, double value, DType dtype, Device device = Device::CPU,
            int32_t index = 0);
Tensor full_like_device(const Dims& shape, double value, DType dtype, const Tensor& like);
Tensor scalar(double value, DType dtype, Device device = Device::CPU, int32_t index = 0);
Tensor scalar_like_device(double value, DType dtype, const Tensor& like);
// eye/arange/linspace/from_host build their values on the host, then copy them to the device.
Tensor eye(int64_t n, int64_t m, DType dtype, Device device = Device::CPU, int32_t index = 0);
Tensor arange(double start, double end, double step, DType dtype, Device device = Device::CPU,
              int32_t index = 0);
Tensor linspace(double start, double end, int64_t steps, DType dtype,
                Device device = Device::CPU, int32_t index = 0);
// Copies numel elements of the given type from host memory into a new contiguous tensor.
Tensor from_host(const void* data, DType dtype, const Dims& shape, Device device = Device::CPU,
                 int32_t index = 0);
// Copies elements in row-major order into out (converted to dtype `to`); from a CUDA tensor
// this waits for the device (a device-to-host copy).
void copy_to_host(const Tensor& t, void* out, DType to, int64_t n);
double item(const Tensor& t);

// ---- devices (transfer.cpp)
// t on (device, index): t itself when it is already there, else a copy (same dtype, contiguous).
// A CUDA target must exist (KD_ERR_UNSUPPORTED with the reason otherwise).
Tensor to_device(const Tensor& t, Device device, int32_t index);
// dst <- src for tensors of one shape on different devices (any dtypes and strides): src is
// staged contiguous in its own dtype, moved, then converted on dst's device. Used by copy_.
void copy_across_devices(const Tensor& dst, const Tensor& src);

// ---- random (random.cpp): one global generator, seeded by manual_seed
void manual_seed(uint64_t seed);
uint64_t initial_seed();
std::vector<uint8_t> rng_state();
void set_rng_state(const uint8_t* data, size_t n);
// CUDA tensors draw from the CUDA generator (its own stream of numbers, not the CPU one's);
// randint and randperm draw on the host from the CPU generator and copy the result.
Tensor rand(const Dims& shape, DType dtype, Device device = Device::CPU, int32_t index = 0);
Tensor randn(const Dims& shape, DType dtype, Device device = Device::CPU, int32_t index = 0);
Tensor randint(int64_t low, int64_t high, const Dims& shape, DType dtype,
               Device device = Device::CPU, int32_t index = 0);
Tensor randperm(int64_t n, DType dtype, Device device = Device::CPU, int32_t index = 0);
void uniform_(const Tensor& t, double from, double to);
void normal_(const Tensor& t, double mean, double std);
void bernoulli_(const Tensor& t, double p);

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
// A new shape over memory that only the caller's fresh result holds (PyTorch's _unsafe_view):
// shares nothing with anyone else, so it is not a view for autograd's in-place rules.
Tensor unsafe_view(const Tensor& fresh, const Dims& shape);
// Infers a -1 entry and checks the element count (shared by view/reshape).
Dims infer_shape(const Dims& shape, int64_t numel, const char* op);

// ---- elementwise (elementwise.cpp)
Dims broadcast_shapes(const Dims& a, const Dims& b, const char* op);
Tensor unary(UnaryOp op, const Tensor& t);
void unary_(UnaryOp op, const Tensor& t);
Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b);
void binary_(BinaryOp op, const Tensor& a, const Tensor& b);
// Scalars are wrapped numbers of kind sdtype (Float64: a float literal; Int64; Bool).
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
// self <= threshold ? 0 : grad in one pass (ReLU's gradient; not differentiable itself).
Tensor threshold_backward(const Tensor& grad, const Tensor& self, double threshold);
void fill_(const Tensor& t, double value);
// dst.copy_(src): broadcast src to dst's shape and convert to dst's dtype.
void copy_(const Tensor& dst, const Tensor& src);
const char* unary_name(UnaryOp op);
const char* binary_name(BinaryOp op);

// ---- reductions (reduce.cpp)
Tensor reduce(ReduceOp op, const Tensor& t, const Dims& dims, bool keepdim);
Tensor var(const Tensor& t, const Dims& dims, double correction, bool keepdim, bool take_sqrt);
void max_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* values, Tensor* indices);
void min_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* values, Tensor* indices);
Tensor argmax(const Tensor& t, int64_t dim, bool has_dim, bool keepdim);
Tensor argmin(const Tensor& t, int64_t dim, bool has_dim, bool keepdim);
Tensor softmax(const Tensor& t, int64_t dim);
Tensor log_softmax(const Tensor& t, int64_t dim);
const char* reduce_name(ReduceOp op);

// ---- linear algebra (linalg.cpp)
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);

// ---- convolutions (conv.cpp): input [N, C, H, W] or unbatched [C, H, W]; bias may be undefined.
using Pair2 = std::array<int64_t, 2>;
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Pair2& stride,
              const Pair2& padding, const Pair2& dilation, int64_t groups);
// weight [C, O/groups, kH, kW].
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const Pair2& stride, const Pair2& padding, const Pair2& output_padding,
                        const Pair2& dilation, int64_t groups);
// The weight gradient of conv2d(input, w) contracted with grad_output: [O, C/groups, kh, kw]
// from input [N, C, H, W] and grad_output [N, O, OH, OW] (OH, OW those conv2d gives).
Tensor conv2d_weight(const Tensor& input, const Tensor& grad_output, int64_t kh, int64_t kw,
                     const Pair2& stride, const Pair2& padding, const Pair2& dilation,
                     int64_t groups);

// ---- batch normalisation (norm.cpp): input [N, C, *]; weight, bias, running stats [C] or
// undefined. Training uses the batch's statistics and, when running stats are given, updates
// them in place (momentum; unbiased variance); otherwise the running stats normalise. mean and
// invstd (float64 [C]) are the statistics used, kept for the backward.
struct BatchNormResult {
  Tensor out, mean, invstd;
};
BatchNormResult batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                           const Tensor& running_mean, const Tensor& running_var, bool training,
                           double momentum, double eps);
// Gradients for the pointers given (null: not needed). training: mean and invstd were the
// batch's, so they depend on the input too.
void batch_norm_backward(const Tensor& grad, const Tensor& input, const Tensor& weight,
                         const Tensor& mean, const Tensor& invstd, bool training, Tensor* grad_input,
                         Tensor* grad_weight, Tensor* grad_bias);

// ---- joining (join.cpp) and indexing (index.cpp)
Tensor cat(const std::vector<Tensor>& ts, int64_t dim);
Tensor stack(const std::vector<Tensor>& ts, int64_t dim);
std::vector<Tensor> split_with_sizes(const Tensor& t, const std::vector<int64_t>& sizes, int64_t dim);
Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
void scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);

// ---- pooling and upsampling (pool.cpp); inputs [N, C, H, W] or [C, H, W]
// A window-average map, one axis at a time: output position o of an axis reads the input range
// [start[o], end[o]) and divides by div[o]; the 2-D divisor is the product of both axes' divisors.
// avg_pool2d, adaptive_avg_pool2d and upsample_nearest2d are all such maps.
struct PoolAxis {
  int64_t in = 0;
  std::vector<int64_t> start, end, div;
  int64_t out() const { return static_cast<int64_t>(start.size()); }
};
struct PoolPlan {
  PoolAxis rows, cols;
};
PoolPlan avg_pool2d_plan(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                         const int64_t padding[2], bool ceil_mode, bool count_include_pad);
PoolPlan adaptive_avg_pool2d_plan(const Tensor& x, const int64_t output_size[2]);
// scales[i] > 0: PyTorch's scale_factor (output = floor(in * scale)); otherwise output_size is used.
PoolPlan upsample_nearest2d_plan(const Tensor& x, const int64_t output_size[2], const double scales[2]);
// Applies the map (x's last two dims must be the plan's input sizes) and its transpose.
Tensor window_mean(const Tensor& x, const PoolPlan& plan);
Tensor window_mean_backward(const Tensor& grad, const PoolPlan& plan);
// Max pooling with the flat index (h * W + w) of each maximum within its plane.
void max_pool2d_with_indices(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                             const int64_t padding[2], const int64_t dilation[2], bool ceil_mode,
                             Tensor* values, Tensor* indices);
// Routes grad [..., oh, ow] to the indices in planes of size h x w (sums repeated indices).
Tensor max_pool2d_scatter(const Tensor& grad, const Tensor& indices, int64_t h, int64_t w);
// Reads x [..., h, w] at the indices [..., oh, ow].
Tensor max_pool2d_gather(const Tensor& x, const Tensor& indices);

// ---- optimizer steps (optim.cpp) ------------------------------------------------------------
// One call updates n parameters in place, outside autograd (no graph is recorded; the version
// counter of every written tensor is bumped, so a saved tensor changed by a step is detected).
// Parameter i has its own hyper-parameters (hyper[i]), so every group of a step shares the call.
// State buffers that an update does not use are undefined Tensors. Everything is validated
// before anything is written; non-contiguous tensors are updated through contiguous copies.
struct SgdHyper {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize;
  bool init_buffer;  // the momentum buffer has no value yet: it receives the gradient (1st step)
};
struct AdamHyper {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad, maximize;
  double step;      // the step being taken, counting from 1
  bool decoupled;   // AdamW: decay the parameter by lr * weight_decay instead of the gradient
};
struct RmspropHyper {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
};
struct AdagradHyper {
  double lr, lr_decay, weight_decay, eps;
  bool maximize;
  double step;  // the step being taken, counting from 1
};
// momentum_buffers[i] is needed when momentum != 0.
void sgd_step(int64_t n, const Tensor* params, const Tensor* grads, const Tensor* momentum_buffers,
              const SgdHyper* hyper);
// max_exp_avg_sqs[i] is needed when amsgrad.
void adam_step(int64_t n, const Tensor* params, const Tensor* grads, const Tensor* exp_avgs,
               const Tensor* exp_avg_sqs, const Tensor* max_exp_avg_sqs, const AdamHyper* hyper);
// momentum_buffers[i] is needed when momentum > 0, grad_avgs[i] when centered.
void rmsprop_step(int64_t n, const Tensor* params, const Tensor* grads, const Tensor* square_avgs,
                  const Tensor* momentum_buffers, const Tensor* grad_avgs, const RmspropHyper* hyper);
void adagrad_step(int64_t n, const Tensor* params, const Tensor* grads, const Tensor* sums,
                  const AdagradHyper* hyper);

}  // namespace ops
}  // namespace kd
