// Creation ops (full, eye, arange, linspace, from host memory) and host copies. full fills on
// the target device; the others compute their values on the host (they are small or made once)
// and copy them over, so no device needs a kernel of its own for them.
#include <cmath>
#include <cstring>

#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {
// A tensor built on the host, moved to where the caller asked for it.
Tensor placed(const Tensor& host, Device device, int32_t index) {
  return device == Device::CPU ? host : to_device(host, device, index);
}
}  // namespace

Tensor full(const Dims& shape, double value, DType dtype, Device device, int32_t index) {
  Tensor t = Tensor::empty(shape, dtype, device, index);
  if (t.numel() > 0) KD_KERNEL(t, fill_kernel, t, value);
  return t;
}

Tensor full_like_device(const Dims& shape, double value, DType dtype, const Tensor& like) {
  return full(shape, value, dtype, like.device(), like.device_index());
}

Tensor scalar(double value, DType dtype, Device device, int32_t index) {
  return full(Dims{}, value, dtype, device, index);
}

Tensor scalar_like_device(double value, DType dtype, const Tensor& like) {
  return full(Dims{}, value, dtype, like.device(), like.device_index());
}

Tensor eye(int64_t n, int64_t m, DType dtype, Device device, int32_t index) {
  if (n < 0) fail(KD_ERR_ARGUMENT, "eye: n must be greater or equal to 0, got ", n);
  if (m < 0) fail(KD_ERR_ARGUMENT, "eye: m must be greater or equal to 0, got ", m);
  if (device == Device::CUDA) cuda::check_device(index, "eye");
  Tensor t = full(Dims{n, m}, 0.0, dtype, Device::CPU, 0);
  int64_t k = n < m ? n : m;
  KD_DISPATCH_ALL(dtype, "eye", [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < k; ++i) p[i * m + i] = scalar_t(1);
  });
  return placed(t, device, index);
}

Tensor arange(double start, double end, double step, DType dtype, Device device, int32_t index) {
  if (step == 0) fail(KD_ERR_ARGUMENT, "arange: step must be nonzero");
  if (!std::isfinite(start) || !std::isfinite(end))
    fail(KD_ERR_ARGUMENT, "arange: unsupported range: ", start, " -> ", end);
  if ((step > 0 && end < start) || (step < 0 && end > start))
    fail(KD_ERR_ARGUMENT, "arange: upper bound and larger bound inconsistent with step sign (start ",
         start, ", end ", end, ", step ", step, ")");
  if (dtype == DType::Bool) fail(KD_ERR_DTYPE, "arange: not implemented for bool");
  if (dtype == DType::Int64) {
    // PyTorch converts the bounds and the step to the integer type first (toward zero).
    start = std::trunc(start);
    end = std::trunc(end);
    step = std::trunc(step);
    if (step == 0) fail(KD_ERR_ARGUMENT, "arange: step must be nonzero (after conversion to int64)");
  }
  double n = std::ceil((end - start) / step);
  if (n > 9.2e18) fail(KD_ERR_ARGUMENT, "arange: too many elements (", n, ")");
  int64_t len = static_cast<int64_t>(n);
  if (device == Device::CUDA) cuda::check_device(index, "arange");
  Tensor t = Tensor::empty(Dims{len}, dtype, Device::CPU);
  KD_DISPATCH_NUMERIC(dtype, "arange", [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < len; ++i) p[i] = static_cast<scalar_t>(start + i * step);
  });
  return placed(t, device, index);
}

Tensor linspace(double start, double end, int64_t steps, DType dtype, Device device,
                int32_t index) {
  if (steps < 0) fail(KD_ERR_ARGUMENT, "linspace: number of steps must be non-negative, got ", steps);
  if (dtype == DType::Bool) fail(KD_ERR_DTYPE, "linspace: not implemented for bool");
  if (device == Device::CUDA) cuda::check_device(index, "linspace");
  Tensor t = Tensor::empty(Dims{steps}, dtype, Device::CPU);
  if (steps == 0) return placed(t, device, index);
  KD_DISPATCH_NUMERIC(dtype, "linspace", [&] {
    scalar_t* p = t.data<scalar_t>();
    if (steps == 1) {
      p[0] = static_cast<scalar_t>(start);
      return;
    }
    // Like PyTorch: the first half counts up from start, the second half down from end.
    double step = (end - start) / static_cast<double>(steps - 1);
    int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; ++i)
      p[i] = static_cast<scalar_t>(i < half ? start + step * i : end - step * (steps - i - 1));
  });
  return placed(t, device, index);
}

Tensor from_host(const void* data, DType dtype, const Dims& shape, Device device, int32_t index) {
  if (device == Device::CUDA) cuda::check_device(index, "tensor");
  Tensor t = Tensor::empty(shape, dtype, Device::CPU);
  int64_t n = t.numel();
  if (n) {
    if (!data) fail(KD_ERR_ARGUMENT, "from_host: null data for ", n, " elements");
    std::memcpy(t.raw_data(), data, static_cast<size_t>(n) * element_size(dtype));
  }
  if (dtype == DType::Bool) {
    // Normalise any non-zero byte to true so bool storage only ever holds 0 or 1.
    uint8_t* b = static_cast<uint8_t*>(t.raw_data());
    for (int64_t i = 0; i < n; ++i) b[i] = b[i] != 0;
  }
  return placed(t, device, index);
}

void copy_to_host(const Tensor& t, void* out, DType to, int64_t n) {
  if (n > t.numel()) n = t.numel();
  if (n <= 0) return;
  if (!out) fail(KD_ERR_ARGUMENT, "copy_to_host: null destination");
  Tensor src = t;
  if (src.dtype() != to || !src.is_contiguous()) {
    // Converted and made contiguous where the data lives (on the device for a CUDA tensor).
    Tensor c = Tensor::empty_like_device(t.sizes(), to, t);
    KD_KERNEL(c, copy_kernel, c, t);
    src = c;
  }
  const size_t nbytes = static_cast<size_t>(n) * element_size(to);
  if (src.is_cuda()) cuda::memcpy_d2h(out, src.raw_data(), nbytes, src.device_index());
  else std::memcpy(out, src.raw_data(), nbytes);
}

double item(const Tensor& t) {
  if (t.numel() != 1)
    fail(KD_ERR_ARGUMENT, "item: a Tensor with ", t.numel(), " elements cannot be converted to Scalar");
  double v = 0;
  copy_to_host(t, &v, DType::Float64, 1);
  return v;
}

}  // namespace ops
}  // namespace kd
