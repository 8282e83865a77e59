// Pooling and upsampling: argument checks and output sizes with PyTorch's formulas and error
// messages; the loops are in cpu/pool.cpp. avg_pool2d, adaptive_avg_pool2d and
// upsample_nearest2d are described as a separable window-average plan (one PoolAxis per spatial
// dim), so one forward kernel and one backward kernel serve all three.
#include <cmath>

#include "core/error.h"
#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

// [N, C, H, W] or [C, H, W] with non-empty C, H, W (N may be 0), floating point.
void check_input(const Tensor& x, const char* op) {
  bool ok = (x.dim() == 3 || x.dim() == 4);
  for (int32_t i = x.dim() - 3; ok && i < x.dim(); ++i) ok = x.size(i) > 0;
  if (!ok)
    fail(KD_ERR_ARGUMENT, op, ": non-empty 3D or 4D (batch mode) tensor expected for input, but got ",
         x.sizes().str());
  if (!is_floating(x.dtype()))
    fail(KD_ERR_DTYPE, op, ": expected a floating point tensor, got ", dtype_name(x.dtype()));
}

int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// PyTorch's pooling_output_shape: the last window must start inside the input or left padding.
int64_t pool_out(int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d, bool ceil_mode) {
  int64_t out = floor_div(in + 2 * pad - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0), s) + 1;
  if (ceil_mode && (out - 1) * s >= in + pad) --out;
  return out;
}

Dims with_spatial(const Tensor& x, int64_t oh, int64_t ow) {
  Dims out = x.sizes();
  out[out.size() - 2] = oh;
  out[out.size() - 1] = ow;
  return out;
}

// Checks kernel/stride/padding/dilation and returns the output's spatial sizes.
void pool_shape(const Tensor& x, const int64_t k[2], const int64_t s[2], const int64_t p[2],
                const int64_t d[2], bool ceil_mode, const char* op, int64_t out[2]) {
  if (k[0] <= 0 || k[1] <= 0)
    fail(KD_ERR_ARGUMENT, op, ": kernel size should be greater than zero, but got kH: ", k[0], " kW: ", k[1]);
  if (s[0] <= 0 || s[1] <= 0)
    fail(KD_ERR_ARGUMENT, op, ": stride should be greater than zero, but got dH: ", s[0], " dW: ", s[1]);
  if (d[0] <= 0 || d[1] <= 0)
    fail(KD_ERR_ARGUMENT, op, ": dilation should be greater than zero, but got dilationH: ", d[0],
         " dilationW: ", d[1]);
  if (p[0] < 0 || p[1] < 0)
    fail(KD_ERR_ARGUMENT, op, ": padding should be non-negative, but got padH: ", p[0], " padW: ", p[1]);
  for (int i = 0; i < 2; ++i)
    if (p[i] > k[i] / 2)
      fail(KD_ERR_ARGUMENT, op, ": pad should be at most half of kernel size, but got pad=", p[i],
           " and kernel_size=", k[i]);
  check_input(x, op);
  const int64_t H = x.size(x.dim() - 2), W = x.size(x.dim() - 1), C = x.size(x.dim() - 3);
  out[0] = pool_out(H, k[0], p[0], s[0], d[0], ceil_mode);
  out[1] = pool_out(W, k[1], p[1], s[1], d[1], ceil_mode);
  if (out[0] < 1 || out[1] < 1)
    fail(KD_ERR_ARGUMENT, op, ": Given input size: (", C, "x", H, "x", W, "). Calculated output size: (", C,
         "x", out[0], "x", out[1], "). Output size is too small");
}

PoolAxis avg_axis(int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, bool count_include_pad) {
  PoolAxis a;
  a.in = in;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * s - p;
    int64_t end = std::min(start + k, in + p);
    int64_t padded = end - start;
    start = std::max<int64_t>(start, 0);
    end = std::min(end, in);
    a.start.push_back(start);
    a.end.push_back(end);
    a.div.push_back(count_include_pad ? padded : std::max<int64_t>(end - start, 1));
  }
  return a;
}

PoolAxis adaptive_axis(int64_t in, int64_t out) {
  PoolAxis a;
  a.in = in;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = (o * in) / out;
    int64_t end = ((o + 1) * in + out - 1) / out;
    a.start.push_back(start);
    a.end.push_back(end);
    a.div.push_back(end - start);
  }
  return a;
}

// PyTorch's nearest_idx: the scale is computed in float, as upstream does.
PoolAxis nearest_axis(int64_t in, int64_t out, double scale_factor) {
  PoolAxis a;
  a.in = in;
  float scale = scale_factor > 0 ? static_cast<float>(1.0 / scale_factor)
                                  : static_cast<float>(in) / static_cast<float>(out);
  for (int64_t o = 0; o < out; ++o) {
    int64_t src;
    if (out == in) src = o;
    else if (out == 2 * in) src = o >> 1;
    else src = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * scale)), in - 1);
    a.start.push_back(src);
    a.end.push_back(src + 1);
    a.div.push_back(1);
  }
  return a;
}

void check_plan_input(const Tensor& t, const PoolAxis& rows, const PoolAxis& cols, const char* op) {
  if (t.dim() < 3 || t.size(t.dim() - 2) != rows.in || t.size(t.dim() - 1) != cols.in)
    fail(KD_ERR_ARGUMENT, op, ": expected spatial size [", rows.in, ", ", cols.in, "], got ", t.sizes().str());
  if (!is_floating(t.dtype()))
    fail(KD_ERR_DTYPE, op, ": expected a floating point tensor, got ", dtype_name(t.dtype()));
}

}  // namespace

PoolPlan avg_pool2d_plan(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                         const int64_t padding[2], bool ceil_mode, bool count_include_pad) {
  const int64_t one[2] = {1, 1};
  int64_t out[2];
  pool_shape(x, kernel, stride, padding, one, ceil_mode, "avg_pool2d", out);
  PoolPlan plan;
  plan.rows = avg_axis(x.size(x.dim() - 2), out[0], kernel[0], stride[0], padding[0], count_include_pad);
  plan.cols = avg_axis(x.size(x.dim() - 1), out[1], kernel[1], stride[1], padding[1], count_include_pad);
  return plan;
}

PoolPlan adaptive_avg_pool2d_plan(const Tensor& x, const int64_t output_size[2]) {
  const char* op = "adaptive_avg_pool2d";
  if (x.dim() != 3 && x.dim() != 4)
    fail(KD_ERR_ARGUMENT, op, "(): Expected 3D or 4D tensor, but got ", x.sizes().str());
  for (int32_t i = x.dim() - 3; i < x.dim(); ++i)
    if (x.size(i) == 0)
      fail(KD_ERR_ARGUMENT, op, "(): Expected input to have non-zero size for non-batch dimensions, but input has sizes ",
           x.sizes().str(), " with dimension ", i, " being empty");
  if (output_size[0] < 0 || output_size[1] < 0)
    fail(KD_ERR_ARGUMENT, op, "(): output_size must be non-negative, got [", output_size[0], ", ",
         output_size[1], "]");
  if (!is_floating(x.dtype()))
    fail(KD_ERR_DTYPE, op, ": expected a floating point tensor, got ", dtype_name(x.dtype()));
  PoolPlan plan;
  plan.rows = adaptive_axis(x.size(x.dim() - 2), output_size[0]);
  plan.cols = adaptive_axis(x.size(x.dim() - 1), output_size[1]);
  return plan;
}

PoolPlan upsample_nearest2d_plan(const Tensor& x, const int64_t output_size[2], const double scales[2]) {
  const char* op = "upsample_nearest2d";
  bool ok = x.dim() == 3 || x.dim() == 4;
  for (int32_t i = x.dim() - 3; ok && i < x.dim(); ++i) ok = x.size(i) > 0;
  if (!ok) fail(KD_ERR_ARGUMENT, op, ": Non-empty 3D or 4D data tensor expected but got a tensor with sizes ",
                x.sizes().str());
  if (!is_floating(x.dtype()))
    fail(KD_ERR_DTYPE, op, ": expected a floating point tensor, got ", dtype_name(x.dtype()));
  const int64_t H = x.size(x.dim() - 2), W = x.size(x.dim() - 1);
  int64_t oh = output_size[0], ow = output_size[1];
  if (scales[0] > 0) oh = static_cast<int64_t>(std::floor(static_cast<double>(H) * scales[0]));
  if (scales[1] > 0) ow = static_cast<int64_t>(std::floor(static_cast<double>(W) * scales[1]));
  if (oh <= 0 || ow <= 0)
    fail(KD_ERR_ARGUMENT, op, ": Input and output sizes should be greater than 0, but got input (H: ", H,
         ", W: ", W, ") output (H: ", oh, ", W: ", ow, ")");
  PoolPlan plan;
  plan.rows = nearest_axis(H, oh, scales[0]);
  plan.cols = nearest_axis(W, ow, scales[1]);
  return plan;
}

Tensor window_mean(const Tensor& x, const PoolPlan& plan) {
  check_plan_input(x, plan.rows, plan.cols, "window_mean");
  Tensor src = contiguous(x);
  Tensor out = Tensor::empty_like_device(with_spatial(x, plan.rows.out(), plan.cols.out()), x.dtype(), x);
  if (out.numel() > 0) KD_KERNEL(out, window_mean, src, plan, out);
  return out;
}

Tensor window_mean_backward(const Tensor& grad, const PoolPlan& plan) {
  PoolAxis orows, ocols;  // the transposed map reads the output's sizes
  orows.in = plan.rows.out();
  ocols.in = plan.cols.out();
  check_plan_input(grad, orows, ocols, "window_mean_backward");
  Tensor g = contiguous(grad);
  Tensor out = Tensor::empty_like_device(with_spatial(grad, plan.rows.in, plan.cols.in), grad.dtype(), grad);
  if (out.numel() > 0) KD_KERNEL(out, window_mean_backward, g, plan, out);
  return out;
}

void max_pool2d_with_indices(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                             const int64_t padding[2], const int64_t dilation[2], bool ceil_mode,
                             Tensor* values, Tensor* indices) {
  int64_t out[2];
  pool_shape(x, kernel, stride, padding, dilation, ceil_mode, "max_pool2d", out);
  Tensor src = contiguous(x);
  Dims shape = with_spatial(x, out[0], out[1]);
  *values = Tensor::empty_like_device(shape, x.dtype(), x);
  *indices = Tensor::empty_like_device(shape, DType::Int64, x);
  if (values->numel() > 0)
    KD_KERNEL(src, max_pool2d, src, kernel, stride, padding, dilation, *values, *indices);
}

Tensor max_pool2d_scatter(const Tensor& grad, const Tensor& indices, int64_t h, int64_t w) {
  check_devices("max_pool2d_backward", {&grad, &indices});
  if (grad.sizes() != indices.sizes() || indices.dtype() != DType::Int64 || grad.dim() < 3)
    fail(KD_ERR_ARGUMENT, "max_pool2d_backward: grad ", grad.sizes().str(), " and indices ",
         indices.sizes().str(), " must have the same shape");
  if (!is_floating(grad.dtype()))
    fail(KD_ERR_DTYPE, "max_pool2d_backward: expected a floating point tensor, got ", dtype_name(grad.dtype()));
  Tensor out = Tensor::empty_like_device(with_spatial(grad, h, w), grad.dtype(), grad);
  if (out.numel() > 0) KD_KERNEL(out, index_scatter2d, contiguous(grad), contiguous(indices), out);
  return out;
}

Tensor max_pool2d_gather(const Tensor& x, const Tensor& indices) {
  check_devices("max_pool2d_gather", {&x, &indices});
  bool ok = x.dim() == indices.dim() && x.dim() >= 3 && indices.dtype() == DType::Int64;
  for (int32_t i = 0; ok && i < x.dim() - 2; ++i) ok = x.size(i) == indices.size(i);
  if (!ok)
    fail(KD_ERR_ARGUMENT, "max_pool2d_gather: input ", x.sizes().str(), " and indices ",
         indices.sizes().str(), " do not match");
  if (!is_floating(x.dtype()))
    fail(KD_ERR_DTYPE, "max_pool2d_gather: expected a floating point tensor, got ", dtype_name(x.dtype()));
  Tensor out = Tensor::empty_like_device(indices.sizes(), x.dtype(), x);
  if (out.numel() > 0) KD_KERNEL(out, index_gather2d, contiguous(x), contiguous(indices), out);
  return out;
}

}  // namespace ops
}  // namespace kd
