// Shared by the CUDA kernel files: error checks, the device's stream, launch sizes and the
// strided offset calculator that lets one kernel read broadcast (stride 0) and non-contiguous
// operands. Included only by .cu files of this folder.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <initializer_list>

#include "core/dtype.h"
#include "core/error.h"
#include "core/tensor.h"
#include "cuda/cuda.h"

namespace kd {
namespace cuda {

// A failed CUDA runtime call: KD_ERR_MEMORY for allocation failures, else KD_ERR_INTERNAL.
[[noreturn]] void raise_cuda_error(cudaError_t err, const char* what, const char* file, int line);

#define KD_CUDA_CHECK(expr)                                                          \
  do {                                                                               \
    cudaError_t kd_err_ = (expr);                                                    \
    if (kd_err_ != cudaSuccess) ::kd::cuda::raise_cuda_error(kd_err_, #expr, __FILE__, __LINE__); \
  } while (0)
// After a <<<...>>> launch: reports a bad launch configuration at once (faults inside the kernel
// surface at the next synchronising call).
#define KD_CUDA_LAUNCH_CHECK() KD_CUDA_CHECK(cudaGetLastError())

// The stream every kernel and copy of `device` runs on (created on first use).
cudaStream_t stream(int32_t device);
// The stream of the current device.
cudaStream_t current_stream();

constexpr int kBlock = 256;
// Blocks for n elements with kBlock threads each (grid-stride loops cover the rest).
inline unsigned int blocks_for(int64_t n, int block = kBlock) {
  int64_t b = (n + block - 1) / block;
  if (b < 1) b = 1;
  if (b > 65535LL * 32) b = 65535LL * 32;
  return static_cast<unsigned int>(b);
}

// Element offsets of N operands that share one shape: offsets[k] = sum_d index_d * strides[k][d].
// Dims of size 1 are dropped and adjacent dims that are contiguous for every operand are merged
// on the host, so the common cases (contiguous, a broadcast row) index with one or two divisions.
template <int N>
struct OffsetCalc {
  int32_t ndim;
  int64_t sizes[kMaxDims];
  int64_t strides[N][kMaxDims];

  __device__ __forceinline__ void get(int64_t linear, int64_t (&off)[N]) const {
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] = 0;
    for (int32_t d = ndim - 1; d >= 0; --d) {
      const int64_t size = sizes[d];
      const int64_t i = linear % size;
      linear /= size;
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] += i * strides[k][d];
    }
  }
};

// Builds the calculator over `shape` with each tensor's strides (each has `shape`, strides 0
// where broadcast).
template <int N>
OffsetCalc<N> make_offset_calc(const Dims& shape, const Tensor* const (&ts)[N]) {
  OffsetCalc<N> c{};
  // Keep dims of size != 1, outermost first.
  int32_t nd = 0;
  for (int32_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    c.sizes[nd] = shape[d];
    for (int k = 0; k < N; ++k) c.strides[k][nd] = ts[k]->stride(d);
    ++nd;
  }
  // Merge dim d into d+1 when every operand steps through d as one run of d+1.
  int32_t out = 0;
  for (int32_t d = 0; d < nd; ++d) {
    if (out > 0) {
      bool merge = true;
      for (int k = 0; k < N; ++k)
        if (c.strides[k][out - 1] != c.strides[k][d] * c.sizes[d]) merge = false;
      if (merge) {
        c.sizes[out - 1] *= c.sizes[d];
        for (int k = 0; k < N; ++k) c.strides[k][out - 1] = c.strides[k][d];
        continue;
      }
    }
    c.sizes[out] = c.sizes[d];
    for (int k = 0; k < N; ++k) c.strides[k][out] = c.strides[k][d];
    ++out;
  }
  c.ndim = out;
  return c;
}

// True when every operand is contiguous in `shape`'s order (one flat index serves all).
template <int N>
bool all_flat(const OffsetCalc<N>& c) {
  if (c.ndim == 0) return true;
  if (c.ndim != 1) return false;
  for (int k = 0; k < N; ++k)
    if (c.strides[k][0] != 1) return false;
  return true;
}

}  // namespace cuda
}  // namespace kd
