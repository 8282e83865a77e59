// Batch normalisation as one op (PyTorch's native_batch_norm): statistics, running-stat update
// and normalisation in a few passes instead of the dozen that mean/var/sub/mul/add take, and a
// backward of two passes. Per-channel vectors are kept in float64.
#include <cmath>
#include <vector>

#include "core/error.h"
#include "cpu/batch_norm.h"
#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

struct Shape3 {
  int64_t n, c, s;
};

Shape3 shape3(const Tensor& x) {
  int64_t s = 1;
  for (int32_t d = 2; d < x.dim(); ++d) s *= x.size(d);
  return {x.size(0), x.size(1), s};
}

std::vector<double> as_doubles(const Tensor& t) {
  Tensor d = contiguous(to_dtype(t, DType::Float64));
  const double* p = d.data<double>();
  return std::vector<double>(p, p + d.numel());
}

Tensor from_doubles(const std::vector<double>& v) {
  return from_host(v.data(), DType::Float64, Dims{static_cast<int64_t>(v.size())}, Device::CPU, 0);
}

void check_channel_vector(const Tensor& t, const char* what, int64_t c, const Tensor& x) {
  if (!t.defined()) return;
  KD_CHECK(t.dim() == 1 && t.size(0) == c, "batch_norm: ", what, " should contain ", c,
           " elements (the channels of input ", x.shape_str(), "), got shape ", t.shape_str());
  KD_CHECK(is_floating(t.dtype()), "batch_norm: ", what, " must be floating point, got ",
           dtype_name(t.dtype()));
}

}  // namespace

BatchNormResult batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                           const Tensor& running_mean, const Tensor& running_var, bool training,
                           double momentum, double eps) {
  check_devices("batch_norm", {&input, &weight, &bias, &running_mean, &running_var});
  KD_CHECK(input.dim() >= 2, "batch_norm: expected an input with at least 2 dims, got ",
           input.shape_str());
  KD_CHECK(is_floating(input.dtype()), "batch_norm: expected a floating point input, got ",
           dtype_name(input.dtype()));
  const Shape3 sh = shape3(input);
  check_channel_vector(weight, "weight", sh.c, input);
  check_channel_vector(bias, "bias", sh.c, input);
  check_channel_vector(running_mean, "running_mean", sh.c, input);
  check_channel_vector(running_var, "running_var", sh.c, input);
  KD_CHECK(running_mean.defined() == running_var.defined(),
           "batch_norm: running_mean and running_var must both be given or both be absent");
  KD_CHECK(training || running_mean.defined(),
           "batch_norm: running_mean and running_var are needed when not training");
  const int64_t count = sh.n * sh.s;
  if (training)
    KD_CHECK(count > 1, "batch_norm: Expected more than 1 value per channel when training, got input size ",
             input.shape_str());
  if (input.is_cuda()) {
    // The per-channel arithmetic below reads values on the host; the CUDA backend does the
    // whole op on the device instead.
    cuda::set_device(input.device_index());
    return cuda::batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps);
  }
  Tensor x = contiguous(input);
  std::vector<double> mean(static_cast<size_t>(sh.c)), var(static_cast<size_t>(sh.c));
  if (training) {
    if (count > 0) cpu::batch_norm_stats(x, sh.n, sh.c, sh.s, mean.data(), var.data());
    if (running_mean.defined()) {
      std::vector<double> rm = as_doubles(running_mean), rv = as_doubles(running_var);
      const double unbias = count > 1 ? static_cast<double>(count) / static_cast<double>(count - 1) : 1.0;
      for (int64_t ch = 0; ch < sh.c; ++ch) {
        rm[ch] = (1 - momentum) * rm[ch] + momentum * mean[ch];
        rv[ch] = (1 - momentum) * rv[ch] + momentum * var[ch] * unbias;
      }
      copy_(running_mean, from_doubles(rm));
      copy_(running_var, from_doubles(rv));
    }
  } else {
    mean = as_doubles(running_mean);
    var = as_doubles(running_var);
  }
  std::vector<double> invstd(static_cast<size_t>(sh.c)), scale(static_cast<size_t>(sh.c)),
      shift(static_cast<size_t>(sh.c));
  std::vector<double> w = weight.defined() ? as_doubles(weight) : std::vector<double>(sh.c, 1.0);
  std::vector<double> b = bias.defined() ? as_doubles(bias) : std::vector<double>(sh.c, 0.0);
  for (int64_t ch = 0; ch < sh.c; ++ch) {
    invstd[ch] = 1.0 / std::sqrt(var[ch] + eps);
    scale[ch] = invstd[ch] * w[ch];
    shift[ch] = b[ch] - mean[ch] * scale[ch];
  }
  BatchNormResult r;
  r.out = Tensor::empty_like_device(input.sizes(), input.dtype(), input);
  if (r.out.numel() > 0) cpu::batch_norm_apply(x, r.out, sh.n, sh.c, sh.s, scale.data(), shift.data());
  r.mean = from_doubles(mean);
  r.invstd = from_doubles(invstd);
  return r;
}

void batch_norm_backward(const Tensor& grad, const Tensor& input, const Tensor& weight,
                         const Tensor& mean, const Tensor& invstd, bool training, Tensor* grad_input,
                         Tensor* grad_weight, Tensor* grad_bias) {
  check_devices("batch_norm_backward", {&grad, &input, &weight, &mean, &invstd});
  KD_CHECK(grad.sizes() == input.sizes(), "batch_norm_backward: grad ", grad.shape_str(),
           " and input ", input.shape_str(), " differ in shape");
  if (input.is_cuda()) {
    cuda::set_device(input.device_index());
    cuda::batch_norm_backward(grad, input, weight, mean, invstd, training, grad_input, grad_weight,
                              grad_bias);
    return;
  }
  const Shape3 sh = shape3(input);
  Tensor g = contiguous(to_dtype(grad, input.dtype())), x = contiguous(input);
  std::vector<double> m = as_doubles(mean), inv = as_doubles(invstd);
  std::vector<double> sum_g(static_cast<size_t>(sh.c), 0.0), sum_gx(static_cast<size_t>(sh.c), 0.0);
  if (x.numel() > 0) cpu::batch_norm_backward_reduce(g, x, sh.n, sh.c, sh.s, m.data(), sum_g.data(), sum_gx.data());
  if (grad_input) {
    std::vector<double> w = weight.defined() ? as_doubles(weight) : std::vector<double>(sh.c, 1.0);
    std::vector<double> a(static_cast<size_t>(sh.c), 0.0), b(static_cast<size_t>(sh.c), 0.0),
        k(static_cast<size_t>(sh.c));
    const double count = static_cast<double>(sh.n * sh.s);
    for (int64_t ch = 0; ch < sh.c; ++ch) {
      k[ch] = inv[ch] * w[ch];
      if (training) {
        a[ch] = sum_g[ch] / count;
        b[ch] = sum_gx[ch] / count * inv[ch] * inv[ch];
      }
    }
    *grad_input = Tensor::empty_like_device(input.sizes(), input.dtype(), input);
    if (x.numel() > 0)
      cpu::batch_norm_backward_apply(g, x, *grad_input, sh.n, sh.c, sh.s, m.data(), a.data(), b.data(), k.data());
  }
  const DType wdt = weight.defined() ? weight.dtype() : input.dtype();
  if (grad_weight) {
    std::vector<double> gw(static_cast<size_t>(sh.c));
    for (int64_t ch = 0; ch < sh.c; ++ch) gw[ch] = sum_gx[ch] * inv[ch];
    *grad_weight = to_dtype(from_doubles(gw), wdt);
  }
  if (grad_bias) *grad_bias = to_dtype(from_doubles(sum_g), wdt);
}

}  // namespace ops
}  // namespace kd
