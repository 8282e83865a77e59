// CUDA pooling kernels over contiguous [planes, H, W] buffers (see cpu/pool.cpp for the
// semantics; ops/pool.cpp validates and allocates). One thread per output element:
//   - window_mean reads the plan's window; the plan's host vectors are uploaded once per call.
//   - window_mean_backward is written as a gather (one thread per input element sums the
//     outputs whose window covers it), so it needs no atomics and adds in the CPU's order. The
//     covering outputs of input row h are [lo[h], hi[h]), computed on the host from the plan when
//     its windows move monotonically (avg/adaptive pooling and nearest upsampling all do);
//     otherwise every output is tested.
//   - max_pool2d keeps the first maximum of each window (a NaN takes over, as on the CPU).
//   - index_scatter2d (max-pool backward) adds into a zeroed output with atomicAdd, since
//     overlapping windows may share an index.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "cuda/common.cuh"

namespace kd {
namespace cuda {

namespace {

int64_t planes_of(const Tensor& t) {
  const int64_t hw = t.size(t.dim() - 2) * t.size(t.dim() - 1);
  return hw == 0 ? 0 : t.numel() / hw;
}

// One axis of a plan on the device: start, end, div (out entries each), then lo, hi (in entries
// each), stored back to back in one int64 buffer.
struct AxisView {
  const int64_t* start;
  const int64_t* end;
  const int64_t* div;
  const int64_t* lo;
  const int64_t* hi;
};

// Appends the axis's vectors and its inverse ranges to buf.
void append_axis(const ops::PoolAxis& a, std::vector<int64_t>& buf) {
  const int64_t out = a.out(), in = a.in;
  buf.insert(buf.end(), a.start.begin(), a.start.end());
  buf.insert(buf.end(), a.end.begin(), a.end.end());
  buf.insert(buf.end(), a.div.begin(), a.div.end());
  bool monotone = true;
  for (int64_t o = 1; o < out; ++o)
    if (a.start[o] < a.start[o - 1] || a.end[o] < a.end[o - 1]) monotone = false;
  std::vector<int64_t> lo(static_cast<size_t>(in), 0), hi(static_cast<size_t>(in), out);
  if (monotone) {
    // With start and end non-decreasing, {o : start[o] <= i < end[o]} = [first o with end > i,
    // first o with start > i).
    int64_t a_lo = 0, a_hi = 0;
    for (int64_t i = 0; i < in; ++i) {
      while (a_lo < out && a.end[a_lo] <= i) ++a_lo;
      while (a_hi < out && a.start[a_hi] <= i) ++a_hi;
      lo[i] = a_lo;
      hi[i] = a_hi;
    }
  }
  buf.insert(buf.end(), lo.begin(), lo.end());
  buf.insert(buf.end(), hi.begin(), hi.end());
}

AxisView axis_view(const int64_t* p, const ops::PoolAxis& a) {
  const int64_t out = a.out();
  return AxisView{p, p + out, p + 2 * out, p + 3 * out, p + 3 * out + a.in};
}

// The plan on the device (kept alive by the returned tensor until the kernels are queued; the
// allocator reuses its memory only for work queued later on the same stream).
struct DevicePlan {
  Tensor buffer;
  AxisView rows, cols;
};

DevicePlan upload(const ops::PoolPlan& plan, const Tensor& like) {
  std::vector<int64_t> buf;
  append_axis(plan.rows, buf);
  const size_t cols_at = buf.size();
  append_axis(plan.cols, buf);
  DevicePlan d;
  d.buffer = Tensor::empty(Dims{static_cast<int64_t>(std::max<size_t>(1, buf.size()))}, DType::Int64,
                           Device::CUDA, like.device_index());
  memcpy_h2d(d.buffer.raw_data(), buf.data(), buf.size() * sizeof(int64_t), like.device_index());
  const int64_t* p = d.buffer.data<int64_t>();
  d.rows = axis_view(p, plan.rows);
  d.cols = axis_view(p + cols_at, plan.cols);
  return d;
}

template <typename T>
__global__ void window_mean_kernel(const T* __restrict__ in, T* __restrict__ out, int64_t total,
                                   int64_t H, int64_t W, int64_t OH, int64_t OW, AxisView rows,
                                   AxisView cols) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t ow = i % OW, oh = (i / OW) % OH, p = i / (OW * OH);
    const T* src = in + p * H * W;
    T sum = 0;
    for (int64_t h = rows.start[oh]; h < rows.end[oh]; ++h)
      for (int64_t w = cols.start[ow]; w < cols.end[ow]; ++w) sum += src[h * W + w];
    out[i] = sum / static_cast<T>(rows.div[oh] * cols.div[ow]);
  }
}

// out [planes, H, W] from grad [planes, OH, OW]: the same terms as the CPU's scatter, added in
// the same (oh, ow) order.
template <typename T>
__global__ void window_mean_backward_kernel(const T* __restrict__ grad, T* __restrict__ out,
                                            int64_t total, int64_t H, int64_t W, int64_t OH,
                                            int64_t OW, AxisView rows, AxisView cols) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t w = i % W, h = (i / W) % H, p = i / (W * H);
    const T* g = grad + p * OH * OW;
    T sum = 0;
    for (int64_t oh = rows.lo[h]; oh < rows.hi[h]; ++oh) {
      if (h < rows.start[oh] || h >= rows.end[oh]) continue;
      for (int64_t ow = cols.lo[w]; ow < cols.hi[w]; ++ow) {
        if (w < cols.start[ow] || w >= cols.end[ow]) continue;
        sum += g[oh * OW + ow] / static_cast<T>(rows.div[oh] * cols.div[ow]);
      }
    }
    out[i] = sum;
  }
}

struct PoolGeom {
  int64_t H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW;
};

template <typename T>
__global__ void max_pool2d_kernel(const T* __restrict__ in, T* __restrict__ values,
                                  int64_t* __restrict__ indices, int64_t total, PoolGeom g) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t ow = i % g.OW, oh = (i / g.OW) % g.OH, p = i / (g.OW * g.OH);
    const T* src = in + p * g.H * g.W;
    T best = -std::numeric_limits<T>::infinity();
    int64_t arg = -1;
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const int64_t h = oh * g.SH - g.PH + kh * g.DH;
      if (h < 0 || h >= g.H) continue;
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const int64_t w = ow * g.SW - g.PW + kw * g.DW;
        if (w < 0 || w >= g.W) continue;
        const T v = src[h * g.W + w];
        // The first maximum wins; a NaN propagates (as the CPU kernel and PyTorch).
        if (arg < 0 || v > best || v != v) {
          best = v;
          arg = h * g.W + w;
        }
      }
    }
    values[i] = best;
    indices[i] = arg;
  }
}

// grad and indices [planes, OHW], out [planes, HW] zeroed before.
template <typename T>
__global__ void index_scatter2d_kernel(const T* __restrict__ grad, const int64_t* __restrict__ idx,
                                       T* __restrict__ out, int64_t total, int64_t OHW, int64_t HW) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t k = idx[i];
    if (k < 0 || k >= HW) continue;  // not an index max_pool2d can produce
    atomicAdd(out + (i / OHW) * HW + k, grad[i]);
  }
}

template <typename T>
__global__ void index_gather2d_kernel(const T* __restrict__ x, const int64_t* __restrict__ idx,
                                      T* __restrict__ out, int64_t total, int64_t OHW, int64_t HW) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t k = idx[i];
    out[i] = (k >= 0 && k < HW) ? x[(i / OHW) * HW + k] : T(0);
  }
}

}  // namespace

void window_mean(const Tensor& x, const ops::PoolPlan& plan, const Tensor& out) {
  const int64_t H = plan.rows.in, W = plan.cols.in, OH = plan.rows.out(), OW = plan.cols.out();
  const int64_t total = planes_of(out) * OH * OW;
  if (total == 0) return;
  KD_DISPATCH_FLOAT(x.dtype(), "window_mean", [&] {
    const DevicePlan d = upload(plan, x);
    window_mean_kernel<scalar_t><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        x.data<scalar_t>(), out.data<scalar_t>(), total, H, W, OH, OW, d.rows, d.cols);
    KD_CUDA_LAUNCH_CHECK();
  });
}

void window_mean_backward(const Tensor& grad, const ops::PoolPlan& plan, const Tensor& out) {
  const int64_t H = plan.rows.in, W = plan.cols.in, OH = plan.rows.out(), OW = plan.cols.out();
  const int64_t total = planes_of(out) * H * W;
  if (total == 0) return;
  KD_DISPATCH_FLOAT(grad.dtype(), "window_mean_backward", [&] {
    const DevicePlan d = upload(plan, grad);
    window_mean_backward_kernel<scalar_t><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        grad.data<scalar_t>(), out.data<scalar_t>(), total, H, W, OH, OW, d.rows, d.cols);
    KD_CUDA_LAUNCH_CHECK();
  });
}

void max_pool2d(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                const int64_t padding[2], const int64_t dilation[2], const Tensor& values,
                const Tensor& indices) {
  PoolGeom g;
  g.H = x.size(x.dim() - 2);
  g.W = x.size(x.dim() - 1);
  g.OH = values.size(values.dim() - 2);
  g.OW = values.size(values.dim() - 1);
  g.KH = kernel[0];
  g.KW = kernel[1];
  g.SH = stride[0];
  g.SW = stride[1];
  g.PH = padding[0];
  g.PW = padding[1];
  g.DH = dilation[0];
  g.DW = dilation[1];
  const int64_t total = planes_of(values) * g.OH * g.OW;
  if (total == 0) return;
  KD_DISPATCH_FLOAT(x.dtype(), "max_pool2d", [&] {
    max_pool2d_kernel<scalar_t><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        x.data<scalar_t>(), values.data<scalar_t>(), indices.data<int64_t>(), total, g);
    KD_CUDA_LAUNCH_CHECK();
  });
}

void index_scatter2d(const Tensor& grad, const Tensor& indices, const Tensor& out) {
  const int64_t HW = out.size(out.dim() - 2) * out.size(out.dim() - 1);
  const int64_t OHW = grad.size(grad.dim() - 2) * grad.size(grad.dim() - 1);
  if (out.numel() == 0) return;
  KD_CUDA_CHECK(cudaMemsetAsync(out.raw_data(), 0,
                                static_cast<size_t>(out.numel()) * element_size(out.dtype()),
                                current_stream()));
  const int64_t total = planes_of(out) * OHW;
  if (total == 0) return;
  KD_DISPATCH_FLOAT(grad.dtype(), "max_pool2d_backward", [&] {
    index_scatter2d_kernel<scalar_t><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        grad.data<scalar_t>(), indices.data<int64_t>(), out.data<scalar_t>(), total, OHW, HW);
    KD_CUDA_LAUNCH_CHECK();
  });
}

void index_gather2d(const Tensor& x, const Tensor& indices, const Tensor& out) {
  const int64_t HW = x.size(x.dim() - 2) * x.size(x.dim() - 1);
  const int64_t OHW = out.size(out.dim() - 2) * out.size(out.dim() - 1);
  const int64_t total = planes_of(out) * OHW;
  if (total == 0) return;
  KD_DISPATCH_FLOAT(x.dtype(), "max_pool2d_gather", [&] {
    index_gather2d_kernel<scalar_t><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        x.data<scalar_t>(), indices.data<int64_t>(), out.data<scalar_t>(), total, OHW, HW);
    KD_CUDA_LAUNCH_CHECK();
  });
}

}  // namespace cuda
}  // namespace kd
