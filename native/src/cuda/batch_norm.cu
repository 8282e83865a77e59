// Batch normalisation on the device as one op (ops::batch_norm / ops::batch_norm_backward in
// ops/norm.cpp give the semantics), with every per-channel number computed by kernels so a
// training step never waits for the host:
//   forward (training): channel_sums  -> per-channel float64 sums of (x - K), (x - K)^2 over
//                                        (N, S), K = the channel's first element (a shift that
//                                        keeps the one-pass variance accurate);
//                       forward_coeffs -> mean, biased variance, running-stat update (momentum,
//                                        unbiased variance, in the buffers' own dtype), invstd,
//                                        scale and shift;
//                       affine         -> out = x * scale[c] + shift[c].
//   forward (eval):     forward_coeffs from the running stats, then affine.
//   backward:           channel_sums of g and g * (x - mean), backward_coeffs (grad_weight,
//                       grad_bias and the grad_input coefficients), affine-like grad_input pass.
// The channel reductions run as a grid of (channel, split of the batch) blocks writing partial
// sums; the coefficient kernel adds the splits in a fixed order (deterministic, no atomics).
// Tensors are viewed as contiguous [N, C, S] (S = product of the spatial dims).
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "cuda/block_reduce.cuh"
#include "cuda/common.cuh"

namespace kd {
namespace cuda {

namespace {

constexpr int64_t kMaxGrid = 1LL << 20;
constexpr int64_t kMinPerBlock = 2048;  // elements a channel-reduction block should at least get

// A per-channel vector of any floating dtype and stride (p null: absent).
struct ChannelVec {
  void* p;
  int32_t dtype;
  int64_t stride;

  __device__ __forceinline__ double load(int64_t c, double absent) const {
    if (p == nullptr) return absent;
    if (dtype == static_cast<int32_t>(DType::Float32)) return static_cast<const float*>(p)[c * stride];
    return static_cast<const double*>(p)[c * stride];
  }
  __device__ __forceinline__ void store(int64_t c, double v) const {
    if (p == nullptr) return;
    if (dtype == static_cast<int32_t>(DType::Float32)) static_cast<float*>(p)[c * stride] = static_cast<float>(v);
    else static_cast<double*>(p)[c * stride] = v;
  }
};

ChannelVec channel_vec(const Tensor& t) {
  if (!t.defined()) return ChannelVec{nullptr, 0, 0};
  KD_CHECK(t.dtype() == DType::Float32 || t.dtype() == DType::Float64,
           "batch_norm: per-channel tensors must be floating point, got ", dtype_name(t.dtype()));
  return ChannelVec{t.raw_data(), static_cast<int32_t>(t.dtype()), t.dim() == 0 ? 0 : t.stride(0)};
}

// t as a contiguous tensor of dtype dt on its device (t itself when it already is one).
Tensor dense(const Tensor& t, DType dt) {
  if (t.dtype() == dt && t.is_contiguous()) return t;
  Tensor out = Tensor::empty(t.sizes(), dt, Device::CUDA, t.device_index());
  if (out.numel() > 0) copy_kernel(out, t);
  return out;
}

struct Shape3 {
  int64_t n, c, s;
};

Shape3 shape3(const Tensor& x) {
  int64_t s = 1;
  for (int32_t d = 2; d < x.dim(); ++d) s *= x.size(d);
  return {x.size(0), x.size(1), s};
}

Tensor doubles(int64_t n, const Tensor& like) {
  return Tensor::empty(Dims{std::max<int64_t>(1, n)}, DType::Float64, Device::CUDA, like.device_index());
}

// Two sums carried together through the block reduction.
struct Sums {
  double a, b;
};
__device__ __forceinline__ Sums shfl_down(Sums v, unsigned d) {
  return Sums{::kd::cuda::shfl_down(v.a, d), ::kd::cuda::shfl_down(v.b, d)};
}
struct AddSums {
  __device__ __forceinline__ Sums operator()(Sums x, Sums y) const { return Sums{x.a + y.a, x.b + y.b}; }
};

// Launch shape of the channel passes: blockDim.x lanes along S, blockDim.y along the batch.
struct PlaneBlock {
  unsigned bx, by;
  explicit PlaneBlock(int64_t s) : bx(pow2_at_least(s, kBlock)), by(kBlock / pow2_at_least(s, kBlock)) {}
};

// Splits of the batch per channel so that the grid fills the device.
int64_t batch_splits(const Shape3& sh) {
  const int64_t target = 4LL * sm_count();
  int64_t splits = (target + sh.c - 1) / sh.c;
  splits = std::min<int64_t>(splits, std::max<int64_t>(1, sh.n * sh.s / kMinPerBlock));
  splits = std::min<int64_t>(splits, std::max<int64_t>(1, sh.n));
  return std::max<int64_t>(1, std::min<int64_t>(splits, 65535));
}

// Block (c = blockIdx.x, split = blockIdx.y) sums over samples [n0, n1) of channel c:
//   kBackward false: a = sum(x - K), b = sum((x - K)^2) with K = x[0, c, 0];
//   kBackward true:  a = sum(g),     b = sum(g * (x - mean[c])).
// partial[split * C + c] receives the block's sums.
template <typename T, bool kBackward>
__global__ void channel_sums(const T* __restrict__ x, const T* __restrict__ g, ChannelVec mean,
                             int64_t N, int64_t C, int64_t S, int64_t splits, Sums* __restrict__ partial) {
  const int64_t c = blockIdx.x, split = blockIdx.y;
  const int64_t n0 = split * N / splits, n1 = (split + 1) * N / splits;
  double shift;
  if (kBackward) shift = mean.load(c, 0.0);
  else shift = static_cast<double>(x[c * S]);
  Sums acc{0.0, 0.0};
  for (int64_t n = n0 + threadIdx.y; n < n1; n += blockDim.y) {
    const int64_t base = (n * C + c) * S;
    for (int64_t s = threadIdx.x; s < S; s += blockDim.x) {
      const double d = static_cast<double>(x[base + s]) - shift;
      if (kBackward) {
        const double gv = static_cast<double>(g[base + s]);
        acc.a += gv;
        acc.b += gv * d;
      } else {
        acc.a += d;
        acc.b += d * d;
      }
    }
  }
  acc = reduce_x(acc, AddSums());   // valid in lane x == 0 of each row
  acc = reduce_y(acc, AddSums());   // column x == 0 then holds the block's total
  if (threadIdx.x == 0 && threadIdx.y == 0) partial[split * C + c] = acc;
}

// One thread per channel: statistics, running-stat update, invstd, scale and shift.
// coef[c] = scale, coef[C + c] = shift.
template <typename T>
__global__ void forward_coeffs(const T* __restrict__ x, const Sums* __restrict__ partial,
                               int64_t splits, int64_t C, int64_t S, int64_t count, bool training,
                               double momentum, double eps, ChannelVec weight, ChannelVec bias,
                               ChannelVec running_mean, ChannelVec running_var,
                               double* __restrict__ mean_out, double* __restrict__ invstd_out,
                               double* __restrict__ coef) {
  for (int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; c < C;
       c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    double mean, var;
    if (training) {
      double s1 = 0.0, s2 = 0.0;
      for (int64_t k = 0; k < splits; ++k) {
        s1 += partial[k * C + c].a;
        s2 += partial[k * C + c].b;
      }
      const double n = static_cast<double>(count);
      const double d = s1 / n;
      mean = static_cast<double>(x[c * S]) + d;
      var = fmax(0.0, s2 / n - d * d);
      if (running_mean.p != nullptr) {
        const double unbias = count > 1 ? n / static_cast<double>(count - 1) : 1.0;
        running_mean.store(c, (1 - momentum) * running_mean.load(c, 0.0) + momentum * mean);
        running_var.store(c, (1 - momentum) * running_var.load(c, 0.0) + momentum * var * unbias);
      }
    } else {
      mean = running_mean.load(c, 0.0);
      var = running_var.load(c, 1.0);
    }
    const double invstd = 1.0 / sqrt(var + eps);
    const double scale = invstd * weight.load(c, 1.0);
    mean_out[c] = mean;
    invstd_out[c] = invstd;
    coef[c] = scale;
    coef[C + c] = bias.load(c, 0.0) - mean * scale;
  }
}

// out = (g - a[c] - (x - m[c]) * b[c]) * k[c] for the backward (kBackward), else
// out = x * scale[c] + shift[c]; coef holds [C] vectors: scale, shift or m, a, b, k. Each block
// row (threadIdx.y) takes one (n, c) plane, its blockDim.x lanes walk the plane.
template <typename T, bool kBackward>
__global__ void affine(const T* __restrict__ x, const T* __restrict__ g, T* __restrict__ out,
                       const double* __restrict__ coef, int64_t planes, int64_t C, int64_t S,
                       int64_t plane_blocks) {
  for (int64_t pb = blockIdx.x; pb < plane_blocks; pb += gridDim.x) {
    const int64_t p = pb * blockDim.y + threadIdx.y;
    if (p >= planes) continue;
    const int64_t c = p % C;
    const T* src = x + p * S;
    T* dst = out + p * S;
    if (kBackward) {
      const T m = static_cast<T>(coef[c]), a = static_cast<T>(coef[C + c]),
              b = static_cast<T>(coef[2 * C + c]), k = static_cast<T>(coef[3 * C + c]);
      const T* gs = g + p * S;
      for (int64_t s = threadIdx.x; s < S; s += blockDim.x) dst[s] = (gs[s] - a - (src[s] - m) * b) * k;
    } else {
      const T a = static_cast<T>(coef[c]), b = static_cast<T>(coef[C + c]);
      for (int64_t s = threadIdx.x; s < S; s += blockDim.x) dst[s] = src[s] * a + b;
    }
  }
}

// One thread per channel: grad_weight = sum_gx * invstd, grad_bias = sum_g, and the grad_input
// coefficients m, a, b, k (a = b = 0 outside training, where mean and invstd are constants).
__global__ void backward_coeffs(const Sums* __restrict__ partial, int64_t splits, int64_t C,
                                int64_t count, bool training, ChannelVec mean, ChannelVec invstd,
                                ChannelVec weight, ChannelVec grad_weight, ChannelVec grad_bias,
                                double* __restrict__ coef) {
  for (int64_t c = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; c < C;
       c += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    double sg = 0.0, sgx = 0.0;
    for (int64_t k = 0; k < splits; ++k) {
      sg += partial[k * C + c].a;
      sgx += partial[k * C + c].b;
    }
    const double inv = invstd.load(c, 0.0);
    grad_weight.store(c, sgx * inv);
    grad_bias.store(c, sg);
    const double n = static_cast<double>(count);
    coef[c] = mean.load(c, 0.0);
    coef[C + c] = training ? sg / n : 0.0;
    coef[2 * C + c] = training ? sgx / n * inv * inv : 0.0;
    coef[3 * C + c] = inv * weight.load(c, 1.0);
  }
}

template <typename T>
void launch_sums(bool backward, const Tensor& x, const Tensor& g, ChannelVec mean, const Shape3& sh,
                 int64_t splits, Sums* partial) {
  const PlaneBlock pb(sh.s);
  const dim3 grid(static_cast<unsigned>(sh.c), static_cast<unsigned>(splits)), block(pb.bx, pb.by);
  const T* gp = g.defined() ? g.data<T>() : nullptr;
  if (backward)
    channel_sums<T, true><<<grid, block, 0, current_stream()>>>(x.data<T>(), gp, mean, sh.n, sh.c, sh.s,
                                                                splits, partial);
  else
    channel_sums<T, false><<<grid, block, 0, current_stream()>>>(x.data<T>(), gp, mean, sh.n, sh.c, sh.s,
                                                                 splits, partial);
  KD_CUDA_LAUNCH_CHECK();
}

template <typename T>
void launch_affine(bool backward, const Tensor& x, const Tensor& g, const Tensor& out,
                   const double* coef, const Shape3& sh) {
  const int64_t planes = sh.n * sh.c;
  if (planes == 0 || sh.s == 0) return;
  const PlaneBlock pb(sh.s);
  const int64_t plane_blocks = (planes + pb.by - 1) / pb.by;
  const unsigned grid = static_cast<unsigned>(std::min(plane_blocks, kMaxGrid));
  const T* gp = g.defined() ? g.data<T>() : nullptr;
  if (backward)
    affine<T, true><<<grid, dim3(pb.bx, pb.by), 0, current_stream()>>>(x.data<T>(), gp, out.data<T>(), coef,
                                                                       planes, sh.c, sh.s, plane_blocks);
  else
    affine<T, false><<<grid, dim3(pb.bx, pb.by), 0, current_stream()>>>(x.data<T>(), gp, out.data<T>(), coef,
                                                                        planes, sh.c, sh.s, plane_blocks);
  KD_CUDA_LAUNCH_CHECK();
}

}  // namespace

ops::BatchNormResult batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const Tensor& running_mean, const Tensor& running_var,
                                bool training, double momentum, double eps) {
  const Shape3 sh = shape3(input);
  const int64_t count = sh.n * sh.s;
  Tensor x = dense(input, input.dtype());
  ops::BatchNormResult r;
  r.out = Tensor::empty(input.sizes(), input.dtype(), Device::CUDA, input.device_index());
  r.mean = Tensor::empty(Dims{sh.c}, DType::Float64, Device::CUDA, input.device_index());
  r.invstd = Tensor::empty(Dims{sh.c}, DType::Float64, Device::CUDA, input.device_index());
  if (sh.c == 0) return r;
  const bool batch_stats = training && count > 0;
  KD_CHECK(batch_stats || running_mean.defined(),
           "batch_norm: running_mean and running_var are needed when not training");
  const ChannelVec w = channel_vec(weight), b = channel_vec(bias), rm = channel_vec(running_mean),
                   rv = channel_vec(running_var);
  Tensor coef = doubles(2 * sh.c, input);
  KD_DISPATCH_FLOAT(x.dtype(), "batch_norm", [&] {
    Tensor partial;
    int64_t splits = 0;
    if (batch_stats) {
      splits = batch_splits(sh);
      partial = doubles(2 * splits * sh.c, input);
      launch_sums<scalar_t>(false, x, Tensor(), ChannelVec{nullptr, 0, 0}, sh, splits,
                            static_cast<Sums*>(partial.raw_data()));
    }
    const unsigned blocks = blocks_for(sh.c);
    forward_coeffs<scalar_t><<<blocks, kBlock, 0, current_stream()>>>(
        x.data<scalar_t>(), batch_stats ? static_cast<const Sums*>(partial.raw_data()) : nullptr, splits,
        sh.c, sh.s, count, batch_stats, momentum, eps, w, b, rm, rv, r.mean.data<double>(),
        r.invstd.data<double>(), coef.data<double>());
    KD_CUDA_LAUNCH_CHECK();
    launch_affine<scalar_t>(false, x, Tensor(), r.out, coef.data<double>(), sh);
  });
  if (batch_stats && running_mean.defined()) {  // written in place, as ops::copy_ would record
    running_mean.bump_version();
    running_var.bump_version();
  }
  return r;
}

void batch_norm_backward(const Tensor& grad, const Tensor& input, const Tensor& weight,
                         const Tensor& mean, const Tensor& invstd, bool training,
                         Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias) {
  KD_CHECK(grad.sizes() == input.sizes(), "batch_norm_backward: grad ", grad.shape_str(),
           " and input ", input.shape_str(), " differ in shape");
  const Shape3 sh = shape3(input);
  const int32_t dev = input.device_index();
  const DType wdt = weight.defined() ? weight.dtype() : input.dtype();
  if (grad_weight) *grad_weight = Tensor::empty(Dims{sh.c}, wdt, Device::CUDA, dev);
  if (grad_bias) *grad_bias = Tensor::empty(Dims{sh.c}, wdt, Device::CUDA, dev);
  if (grad_input) *grad_input = Tensor::empty(input.sizes(), input.dtype(), Device::CUDA, dev);
  if (sh.c == 0) return;
  Tensor g = dense(grad, input.dtype()), x = dense(input, input.dtype());
  const ChannelVec m = channel_vec(mean), inv = channel_vec(invstd), w = channel_vec(weight);
  const ChannelVec gw = grad_weight ? channel_vec(*grad_weight) : ChannelVec{nullptr, 0, 0};
  const ChannelVec gb = grad_bias ? channel_vec(*grad_bias) : ChannelVec{nullptr, 0, 0};
  KD_DISPATCH_FLOAT(x.dtype(), "batch_norm_backward", [&] {
    // With no elements each split's block sums nothing and writes zeros.
    const int64_t splits = batch_splits(sh);
    Tensor partial = doubles(2 * splits * sh.c, input);
    Sums* part = static_cast<Sums*>(partial.raw_data());
    launch_sums<scalar_t>(true, x, g, m, sh, splits, part);
    Tensor coef = doubles(4 * sh.c, input);
    backward_coeffs<<<blocks_for(sh.c), kBlock, 0, current_stream()>>>(
        part, splits, sh.c, sh.n * sh.s, training, m, inv, w, gw, gb, coef.data<double>());
    KD_CUDA_LAUNCH_CHECK();
    if (grad_input) launch_affine<scalar_t>(true, x, g, *grad_input, coef.data<double>(), sh);
  });
}

}  // namespace cuda
}  // namespace kd
