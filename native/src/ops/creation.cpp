// Creation ops (full, eye, arange, linspace, from host memory) and host copies.
#include <cmath>
#include <cstring>

#include "cpu/kernels.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

Tensor full(const Dims& shape, double value, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  cpu::fill_kernel(t, value);
  return t;
}

Tensor scalar(double value, DType dtype) { return full(Dims{}, value, dtype); }

Tensor eye(int64_t n, int64_t m, DType dtype) {
  if (n < 0) fail(KD_ERR_ARGUMENT, "eye: n must be greater or equal to 0, got ", n);
  if (m < 0) fail(KD_ERR_ARGUMENT, "eye: m must be greater or equal to 0, got ", m);
  Tensor t = full(Dims{n, m}, 0.0, dtype);
  int64_t k = n < m ? n : m;
  KD_DISPATCH_ALL(dtype, "eye", [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < k; ++i) p[i * m + i] = scalar_t(1);
  });
  return t;
}

Tensor arange(double start, double end, double step, DType dtype) {
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
  Tensor t = Tensor::empty(Dims{len}, dtype);
  KD_DISPATCH_NUMERIC(dtype, "arange", [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < len; ++i) p[i] = static_cast<scalar_t>(start + i * step);
  });
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  if (steps < 0) fail(KD_ERR_ARGUMENT, "linspace: number of steps must be non-negative, got ", steps);
  if (dtype == DType::Bool) fail(KD_ERR_DTYPE, "linspace: not implemented for bool");
  Tensor t = Tensor::empty(Dims{steps}, dtype);
  if (steps == 0) return t;
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
  return t;
}

Tensor from_host(const void* data, DType dtype, const Dims& shape) {
  Tensor t = Tensor::empty(shape, dtype);
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
  return t;
}

void copy_to_host(const Tensor& t, void* out, DType to, int64_t n) {
  check_cpu(t, "copy_to_host");
  if (n > t.numel()) n = t.numel();
  if (n <= 0) return;
  if (!out) fail(KD_ERR_ARGUMENT, "copy_to_host: null destination");
  Tensor src = t;
  if (src.dtype() != to || !src.is_contiguous()) {
    Tensor c = Tensor::empty(t.sizes(), to);
    cpu::copy_kernel(c, t);
    src = c;
  }
  std::memcpy(out, src.raw_data(), static_cast<size_t>(n) * element_size(to));
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
