// Optimizer updates on the GPU: one pass per parameter computing PyTorch 1.13's single-tensor
// update element by element, with the roundings of cpu/optim_kernels.cpp (see cpu/optim.h for
// why a fused pass can be exact). nvcc would contract a multiply followed by an add into a fused
// multiply-add wherever it likes; the CPU loops are compiled without contraction and fuse only
// where PyTorch does (add with alpha, addcmul). So every step here is written with an explicitly
// rounded intrinsic: mul/add/div/sqrt (__fmul_rn, __dadd_rn, ...), which nvcc never fuses, and
// fma (__fmaf_rn, __fma_rn) exactly where the CPU loop calls std::fma. The scalars are rounded to
// the tensor's dtype on the host by the same code as on the CPU (ops/optim_args.h), and nothing
// is read back.
#include <cmath>

#include "cpu/optim.h"
#include "ops/optim_args.h"
#include "cuda/common.cuh"

namespace kd {
namespace cuda {

namespace {

using ops::AdagradArgs;
using ops::AdamArgs;
using ops::RmspropArgs;
using ops::SgdArgs;
using ops::kInitBuffer;
using ops::kNoBuffer;
using ops::kUpdateBuffer;

// ---- correctly rounded arithmetic, never contracted ------------------------------------------
__device__ __forceinline__ float mul(float a, float b) { return __fmul_rn(a, b); }
__device__ __forceinline__ double mul(double a, double b) { return __dmul_rn(a, b); }
__device__ __forceinline__ float add(float a, float b) { return __fadd_rn(a, b); }
__device__ __forceinline__ double add(double a, double b) { return __dadd_rn(a, b); }
__device__ __forceinline__ float div(float a, float b) { return __fdiv_rn(a, b); }
__device__ __forceinline__ double div(double a, double b) { return __ddiv_rn(a, b); }
__device__ __forceinline__ float sqrt_rn(float a) { return __fsqrt_rn(a); }
__device__ __forceinline__ double sqrt_rn(double a) { return __dsqrt_rn(a); }
__device__ __forceinline__ float fma_rn(float a, float b, float c) { return __fmaf_rn(a, b, c); }
__device__ __forceinline__ double fma_rn(double a, double b, double c) { return __fma_rn(a, b, c); }

// torch.maximum: NaN wins.
template <typename T>
__device__ __forceinline__ T nan_max(T a, T b) {
  T m = a > b ? a : b;
  return a != a ? a : m;
}

#define KD_GRID_STRIDE(i, n)                                                         \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

// ---- SGD (see cpu/optim_kernels.cpp for the PyTorch ops each line follows) ------------------------
template <typename T, int MODE>
__global__ void sgd_update(SgdArgs<T> a, int64_t n) {
  const T sign = a.maximize ? T(-1) : T(1);
  KD_GRID_STRIDE(i, n) {
    const T pi = a.p[i];
    T d = mul(a.g[i], sign);
    if (a.wd_on != T(0)) d = fma_rn(pi, a.wd, d);
    if (MODE != kNoBuffer) {
      T b;
      if (MODE == kInitBuffer) {
        b = d;
      } else {
        b = mul(a.buf[i], a.momentum);
        b = fma_rn(d, a.one_minus_dampening, b);
      }
      a.buf[i] = b;
      d = a.nesterov_on != T(0) ? fma_rn(b, a.momentum, d) : b;
    }
    a.p[i] = fma_rn(d, a.neg_lr, pi);
  }
}

// ---- Adam / AdamW ----------------------------------------------------------------------------------
// AMSGRAD: 1 with amsgrad.
template <typename T, int AMSGRAD>
__global__ void adam_update(AdamArgs<T> a, int64_t n) {
  const T sign = a.maximize ? T(-1) : T(1);
  KD_GRID_STRIDE(i, n) {
    T d = mul(a.g[i], sign);
    const T pi = mul(a.p[i], a.decay);  // decay is exactly 1 unless decoupled (AdamW)
    if (a.wd_on != T(0)) d = fma_rn(pi, a.wd, d);
    T mi = mul(a.m[i], a.beta1);
    mi = fma_rn(d, a.one_minus_beta1, mi);
    T vi = mul(a.v[i], a.beta2);
    vi = fma_rn(mul(a.one_minus_beta2, d), d, vi);
    a.m[i] = mi;
    a.v[i] = vi;
    T s = vi;
    if (AMSGRAD) {
      s = nan_max(a.vmax[i], vi);
      a.vmax[i] = s;
    }
    const T denom = add(div(sqrt_rn(s), a.bc2_sqrt), a.eps);
    a.p[i] = add(pi, div(mul(a.neg_step_size, mi), denom));
  }
}

// ---- RMSprop -----------------------------------------------------------------------------------
// MODE: bit 0 centered, bit 1 momentum.
template <typename T, int MODE>
__global__ void rmsprop_update(RmspropArgs<T> a, int64_t n) {
  const T sign = a.maximize ? T(-1) : T(1);
  KD_GRID_STRIDE(i, n) {
    const T pi = a.p[i];
    T d = mul(a.g[i], sign);
    if (a.wd_on != T(0)) d = fma_rn(pi, a.wd, d);
    T s = mul(a.sq[i], a.alpha);
    s = fma_rn(mul(a.one_minus_alpha, d), d, s);
    a.sq[i] = s;
    T avg;
    if (MODE & 1) {
      T gi = mul(a.ga[i], a.alpha);
      gi = fma_rn(d, a.one_minus_alpha, gi);
      a.ga[i] = gi;
      avg = sqrt_rn(fma_rn(-gi, gi, s));
    } else {
      avg = sqrt_rn(s);
    }
    avg = add(avg, a.eps);
    if (MODE & 2) {
      T b = mul(a.buf[i], a.momentum);
      b = add(b, div(d, avg));
      a.buf[i] = b;
      a.p[i] = fma_rn(b, a.neg_lr, pi);
    } else {
      a.p[i] = add(pi, div(mul(a.neg_lr, d), avg));
    }
  }
}

// ---- Adagrad -----------------------------------------------------------------------------------
template <typename T>
__global__ void adagrad_update(AdagradArgs<T> a, int64_t n) {
  const T sign = a.maximize ? T(-1) : T(1);
  KD_GRID_STRIDE(i, n) {
    const T pi = a.p[i];
    T d = mul(a.g[i], sign);
    if (a.wd_on != T(0)) d = fma_rn(pi, a.wd, d);
    const T s = fma_rn(d, d, a.sum[i]);
    a.sum[i] = s;
    const T sd = add(sqrt_rn(s), a.eps);
    a.p[i] = add(pi, div(mul(a.neg_clr, d), sd));
  }
}

#undef KD_GRID_STRIDE

// Launches kernel(args, n) over n elements on the current stream (nothing for n == 0).
template <typename Args>
void launch(void (*kernel)(Args, int64_t), const Args& args, int64_t n) {
  if (n == 0) return;
  kernel<<<blocks_for(n), kBlock, 0, current_stream()>>>(args, n);
  KD_CUDA_LAUNCH_CHECK();
}

}  // namespace

void sgd_kernel(const ops::SgdHyper& h, const Tensor& param, const Tensor& grad,
                const Tensor& buf) {
  KD_DISPATCH_FLOAT(param.dtype(), "sgd", [&] {
    using T = scalar_t;
    const auto a = ops::sgd_args<T>(h, param, grad, buf);
    const int64_t n = param.numel();
    if (h.momentum == 0) launch(&sgd_update<T, kNoBuffer>, a, n);
    else if (h.init_buffer) launch(&sgd_update<T, kInitBuffer>, a, n);
    else launch(&sgd_update<T, kUpdateBuffer>, a, n);
  });
}

void adam_kernel(const ops::AdamHyper& h, const Tensor& param, const Tensor& grad,
                 const Tensor& exp_avg, const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  KD_DISPATCH_FLOAT(param.dtype(), "adam", [&] {
    using T = scalar_t;
    const auto a = ops::adam_args<T>(h, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq);
    const int64_t n = param.numel();
    if (h.amsgrad) launch(&adam_update<T, 1>, a, n);
    else launch(&adam_update<T, 0>, a, n);
  });
}

void rmsprop_kernel(const ops::RmspropHyper& h, const Tensor& param, const Tensor& grad,
                    const Tensor& square_avg, const Tensor& buf, const Tensor& grad_avg) {
  KD_DISPATCH_FLOAT(param.dtype(), "rmsprop", [&] {
    using T = scalar_t;
    const auto a = ops::rmsprop_args<T>(h, param, grad, square_avg, buf, grad_avg);
    const int64_t n = param.numel();
    switch (ops::rmsprop_mode(h)) {
      case 0: launch(&rmsprop_update<T, 0>, a, n); break;
      case 1: launch(&rmsprop_update<T, 1>, a, n); break;
      case 2: launch(&rmsprop_update<T, 2>, a, n); break;
      default: launch(&rmsprop_update<T, 3>, a, n); break;
    }
  });
}

void adagrad_kernel(const ops::AdagradHyper& h, const Tensor& param, const Tensor& grad,
                    const Tensor& sum) {
  KD_DISPATCH_FLOAT(param.dtype(), "adagrad", [&] {
    using T = scalar_t;
    const auto a = ops::adagrad_args<T>(h, param, grad, sum);
    launch(&adagrad_update<T>, a, param.numel());
  });
}

}  // namespace cuda
}  // namespace kd
