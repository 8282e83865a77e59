// The CUDA generator and the random fills (uniform_, normal_, bernoulli_) on the device.
//
// The generator is Philox4x32-10 (philox.cuh), keyed by the seed. Its state on the host is only
// (seed, offset): a fill of n elements takes the blocks offset .. offset + ceil(n / 4) - 1 and
// advances offset past them, so consecutive fills never share numbers and manual_seed(s) replays
// the same sequence. Element i (in t's logical order) uses word i % 4 of block offset + i / 4;
// where it needs more than 32 random bits (float64, bernoulli) it takes the same word of the same
// block in stream 1 too (the stream is the counter's third word). Nothing depends on how the
// launch splits the elements, so results are reproducible on any GPU.
//
// The numbers are not PyTorch's CUDA numbers, but the transformations are the CPU's: 24 random
// bits for a float32 uniform, 53 for float64, x * (to - from) + from with one rounding, Box-Muller
// normals (elements 2j and 2j+1 of a block share one pair of uniforms: cos for the first, sin for
// the second), and bernoulli as a float64 uniform < p.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <mutex>

#include "cuda/common.cuh"
#include "cuda/philox.cuh"

namespace kd {
namespace cuda {

namespace {

struct Generator {
  std::mutex mu;
  uint64_t seed = 67280421310721ULL;  // the CPU generator's default seed
  uint64_t offset = 0;                // next unused Philox block
};

Generator& gen() {
  static Generator* g = new Generator();
  return *g;
}

struct Draw {
  uint64_t seed;
  uint64_t base;  // first block of this fill
};

// Reserves the blocks for n elements.
Draw reserve(int64_t n) {
  Generator& g = gen();
  std::lock_guard<std::mutex> lk(g.mu);
  Draw d{g.seed, g.offset};
  g.offset += static_cast<uint64_t>((n + 3) / 4);
  return d;
}

// Word `lane` of a block, picked with selects (a runtime index into the array would put it in
// local memory).
__device__ __forceinline__ uint32_t word(const Philox4& r, int lane) {
  const uint32_t lo = (lane & 1) ? r.v[1] : r.v[0];
  const uint32_t hi = (lane & 1) ? r.v[3] : r.v[2];
  return (lane & 2) ? hi : lo;
}

// A uniform in [0, 1) for element `lane` of `block`: 24 bits for float, 53 for double.
template <typename T>
__device__ __forceinline__ T unit_uniform(uint64_t seed, uint64_t block, int lane);

template <>
__device__ __forceinline__ float unit_uniform<float>(uint64_t seed, uint64_t block, int lane) {
  const uint32_t w = word(philox_block(seed, block, 0), lane);
  return static_cast<float>(w & ((1u << 24) - 1)) * (1.0f / (1u << 24));
}

template <>
__device__ __forceinline__ double unit_uniform<double>(uint64_t seed, uint64_t block, int lane) {
  const uint64_t hi = word(philox_block(seed, block, 0), lane);
  const uint64_t lo = word(philox_block(seed, block, 1), lane);
  const uint64_t bits = ((hi << 32) | lo) & ((1ULL << 53) - 1);
  return static_cast<double>(bits) * (1.0 / (1ULL << 53));
}

__device__ __forceinline__ float d_fma(float a, float b, float c) { return fmaf(a, b, c); }
__device__ __forceinline__ double d_fma(double a, double b, double c) { return fma(a, b, c); }
__device__ __forceinline__ float d_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double d_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float d_log(float x) { return logf(x); }
__device__ __forceinline__ double d_log(double x) { return log(x); }
__device__ __forceinline__ float d_cos(float x) { return cosf(x); }
__device__ __forceinline__ double d_cos(double x) { return cos(x); }
__device__ __forceinline__ float d_sin(float x) { return sinf(x); }
__device__ __forceinline__ double d_sin(double x) { return sin(x); }

enum class Dist { Uniform, Normal, Bernoulli };

// t[i] for i in [0, n), t walked with its own strides (flat when contiguous).
// Uniform: a = from, b = to. Normal: a = mean, b = std. Bernoulli: p (a double) in `p`.
template <typename T, Dist D>
__global__ void random_kernel(int64_t n, T* t, OffsetCalc<1> c, bool flat, Draw draw, T a, T b,
                              double p) {
  const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    const uint64_t block = draw.base + static_cast<uint64_t>(i / 4);
    const int lane = static_cast<int>(i % 4);
    T value;
    if constexpr (D == Dist::Uniform) {
      value = d_fma(unit_uniform<T>(draw.seed, block, lane), b - a, a);
    } else if constexpr (D == Dist::Normal) {
      const int first = lane & ~1;
      const T u1 = T(1) - unit_uniform<T>(draw.seed, block, first);  // in (0, 1]: log is finite
      const T u2 = unit_uniform<T>(draw.seed, block, first + 1);
      const T radius = d_sqrt(T(-2) * d_log(u1));
      const T theta = static_cast<T>(2.0 * M_PI) * u2;
      value = radius * ((lane & 1) ? d_sin(theta) : d_cos(theta)) * b + a;
    } else {
      value = static_cast<T>(unit_uniform<double>(draw.seed, block, lane) < p);
    }
    if (flat) {
      t[i] = value;
    } else {
      int64_t off[1];
      c.get(i, off);
      t[off[0]] = value;
    }
  }
}

template <typename T, Dist D>
void launch(const Tensor& t, T a, T b, double p) {
  const int64_t n = t.numel();
  if (n == 0) return;
  const Draw draw = reserve(n);
  const OffsetCalc<1> c = make_offset_calc<1>(t.sizes(), {&t});
  random_kernel<T, D><<<blocks_for(n), kBlock, 0, current_stream()>>>(n, t.data<T>(), c,
                                                                       all_flat(c), draw, a, b, p);
  KD_CUDA_LAUNCH_CHECK();
}

}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = gen();
  std::lock_guard<std::mutex> lk(g.mu);
  g.seed = seed;
  g.offset = 0;
}

void uniform_kernel(const Tensor& t, double from, double to) {
  KD_DISPATCH_FLOAT(t.dtype(), "uniform_", [&] {
    launch<scalar_t, Dist::Uniform>(t, static_cast<scalar_t>(from), static_cast<scalar_t>(to), 0);
  });
}

void normal_kernel(const Tensor& t, double mean, double std) {
  KD_DISPATCH_FLOAT(t.dtype(), "normal_", [&] {
    launch<scalar_t, Dist::Normal>(t, static_cast<scalar_t>(mean), static_cast<scalar_t>(std), 0);
  });
}

void bernoulli_kernel(const Tensor& t, double p) {
  KD_DISPATCH_ALL(t.dtype(), "bernoulli_", [&] {
    launch<scalar_t, Dist::Bernoulli>(t, scalar_t(0), scalar_t(0), p);
  });
}

}  // namespace cuda
}  // namespace kd
