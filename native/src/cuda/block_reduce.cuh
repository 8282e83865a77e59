// Tree reductions inside one thread block, shared by reduce.cu and batch_norm.cu. The kernels use
// 2-D blocks of exactly kBlock threads: blockDim.x is a power of two (the lanes that cooperate on
// one row when reducing "along x") and blockDim.y = kBlock / blockDim.x. Reducing along x uses
// warp shuffles (and, for rows wider than a warp, one round through shared memory); reducing
// along y goes through a shared-memory tree. Every thread of the block must call these helpers
// (they synchronise), so callers keep out-of-range threads alive holding the identity.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "cuda/common.cuh"

namespace kd {
namespace cuda {

constexpr int kWarp = 32;
constexpr unsigned kFullMask = 0xffffffffu;

// Warp shuffles for the accumulator types in use (bool travels as int).
__device__ __forceinline__ float shfl_down(float v, unsigned d) { return __shfl_down_sync(kFullMask, v, d); }
__device__ __forceinline__ double shfl_down(double v, unsigned d) { return __shfl_down_sync(kFullMask, v, d); }
__device__ __forceinline__ long long shfl_down(long long v, unsigned d) { return __shfl_down_sync(kFullMask, v, d); }
__device__ __forceinline__ unsigned long long shfl_down(unsigned long long v, unsigned d) {
  return __shfl_down_sync(kFullMask, v, d);
}
__device__ __forceinline__ long shfl_down(long v, unsigned d) {
  return static_cast<long>(__shfl_down_sync(kFullMask, static_cast<long long>(v), d));
}
__device__ __forceinline__ unsigned long shfl_down(unsigned long v, unsigned d) {
  return static_cast<unsigned long>(__shfl_down_sync(kFullMask, static_cast<unsigned long long>(v), d));
}
__device__ __forceinline__ bool shfl_down(bool v, unsigned d) {
  return __shfl_down_sync(kFullMask, static_cast<int>(v), d) != 0;
}

__device__ __forceinline__ float shfl_idx(float v, int src) { return __shfl_sync(kFullMask, v, src); }
__device__ __forceinline__ double shfl_idx(double v, int src) { return __shfl_sync(kFullMask, v, src); }

// Reduces v over the blockDim.x lanes of each row with comb (associative; the order of the tree
// is fixed, so results are reproducible). The result is valid in the row's lane 0 only.
// A is any type with a shfl_down overload (or a member-wise one declared before the call).
template <typename A, typename Comb>
__device__ __forceinline__ A reduce_x(A v, Comb comb) {
  const unsigned bx = blockDim.x;
  const unsigned width = bx < kWarp ? bx : kWarp;
  for (unsigned off = width / 2; off > 0; off /= 2) v = comb(v, shfl_down(v, off));
  if (bx <= kWarp) return v;
  // Rows span bx / 32 whole warps: each warp's lane 0 parks its value, lane 0 of the row
  // combines them in warp order.
  __shared__ A parked[kBlock / kWarp];
  const unsigned tid = threadIdx.y * bx + threadIdx.x;
  if (tid % kWarp == 0) parked[tid / kWarp] = v;
  __syncthreads();
  if (threadIdx.x == 0) {
    const unsigned per_row = bx / kWarp, first = threadIdx.y * per_row;
    v = parked[first];
    for (unsigned w = 1; w < per_row; ++w) v = comb(v, parked[first + w]);
  }
  __syncthreads();  // parked may be reused by the next call
  return v;
}

// Hands lane 0's value of each row to every lane of that row.
template <typename A>
__device__ __forceinline__ A broadcast_x(A v) {
  const unsigned bx = blockDim.x;
  if (bx <= kWarp) {
    const int lane = static_cast<int>(threadIdx.x + threadIdx.y * bx) % kWarp;
    return shfl_idx(v, lane & ~static_cast<int>(bx - 1));
  }
  __shared__ A row_value[kBlock / kWarp];  // bx > 32 leaves at most kBlock / 64 rows
  if (threadIdx.x == 0) row_value[threadIdx.y] = v;
  __syncthreads();
  v = row_value[threadIdx.y];
  __syncthreads();
  return v;
}

// Reduces v over the blockDim.y threads of each column (threads sharing threadIdx.x) with comb.
// Every thread receives its column's result.
template <typename A, typename Comb>
__device__ __forceinline__ A reduce_y(A v, Comb comb) {
  __shared__ A cell[kBlock];
  const unsigned bx = blockDim.x, tid = threadIdx.y * bx + threadIdx.x;
  cell[tid] = v;
  __syncthreads();
  for (unsigned s = blockDim.y / 2; s > 0; s /= 2) {
    if (threadIdx.y < s) cell[tid] = comb(cell[tid], cell[tid + s * bx]);
    __syncthreads();
  }
  v = cell[threadIdx.x];
  __syncthreads();  // cell may be reused by the next call
  return v;
}

// The smallest power of two >= n, capped to [1, cap].
inline unsigned pow2_at_least(int64_t n, unsigned cap) {
  unsigned p = 1;
  while (p < cap && static_cast<int64_t>(p) < n) p *= 2;
  return p;
}

// Streaming multiprocessors of the current device (cached per device).
int sm_count();

}  // namespace cuda
}  // namespace kd
