// Optimizer update loops (see optim.h for the contract). Each element is updated by one pass that
// follows PyTorch 1.13's single-tensor code op by op, with the same roundings.
//
// Why two compiled copies of every loop: where PyTorch fuses a multiply-add (add with alpha,
// addcmul) the loops call std::fma, which must be exact. On baseline x86-64 that is a libm call
// per element; compiled for AVX2+FMA it is one instruction and the loop vectorises. So each loop
// is built twice, for the baseline and for AVX2+FMA, and the second is picked at run time when
// the CPU has it: both give identical numbers (fma is exactly rounded either way). This file is
// compiled with -ffp-contract=off (no fusing that PyTorch does not do), -fno-math-errno and
// -fno-trapping-math (so sqrt and the value selects may vectorise; neither changes a result), see
// native/CMakeLists.txt.
#include <cmath>

#include "cpu/optim.h"
#include "cpu/parallel.h"
#include "ops/optim_args.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KD_OPTIM_FMA_CLONE 1
#define KD_TARGET_FMA __attribute__((target("avx2,fma")))
#else
#define KD_OPTIM_FMA_CLONE 0
#define KD_TARGET_FMA
#endif
#define KD_INLINE inline __attribute__((always_inline))

namespace kd {
namespace cpu {

namespace {

using ops::AdagradArgs;
using ops::AdamArgs;
using ops::RmspropArgs;
using ops::SgdArgs;
using ops::kInitBuffer;
using ops::kNoBuffer;
using ops::kUpdateBuffer;

bool cpu_has_fma() {
#if KD_OPTIM_FMA_CLONE
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
#else
  return false;
#endif
}

// torch.maximum: NaN wins.
template <typename T>
KD_INLINE T nan_max(T a, T b) {
  T m = a > b ? a : b;
  return a != a ? a : m;
}

// ---- SGD ---------------------------------------------------------------------------------------
// d = maximize ? -g : g;  d = d.add(p, alpha=wd);  buf = first ? d : buf.mul_(m).add_(d, alpha=1-dampening)
// d = nesterov ? d.add(buf, alpha=m) : buf;  p.add_(d, alpha=-lr)
// MODE: kNoBuffer (momentum 0), kInitBuffer (its first step), kUpdateBuffer.
template <typename T, int MODE>
KD_INLINE void sgd_body(const SgdArgs<T>& a, int64_t begin, int64_t end) {
  T* __restrict p = a.p;
  const T* __restrict g = a.g;
  T* __restrict buf = a.buf;
  const T wd = a.wd, m = a.momentum, omd = a.one_minus_dampening, neg_lr = a.neg_lr;
  const T wd_on = a.wd_on, nesterov_on = a.nesterov_on;
  const T sign = a.maximize ? T(-1) : T(1);
  for (int64_t i = begin; i < end; ++i) {
    T d = g[i] * sign;  // -g when maximizing: multiplying by -1 is exact
    const T dw = std::fma(p[i], wd, d);
    d = wd_on != T(0) ? dw : d;
    if (MODE != kNoBuffer) {
      T b;
      if (MODE == kInitBuffer) {
        b = d;
      } else {
        b = buf[i] * m;
        b = std::fma(d, omd, b);
      }
      buf[i] = b;
      const T dn = std::fma(b, m, d);
      d = nesterov_on != T(0) ? dn : b;
    }
    p[i] = std::fma(d, neg_lr, p[i]);
  }
}

// ---- Adam / AdamW ------------------------------------------------------------------------------
// d = maximize ? -g : g;  AdamW: p.mul_(1 - lr*wd)  |  Adam: d = d.add(p, alpha=wd)
// m.mul_(b1).add_(d, alpha=1-b1);  v.mul_(b2).addcmul_(d, d, value=1-b2)
// amsgrad: vmax = maximum(vmax, v), s = vmax else s = v
// denom = (s.sqrt() / sqrt(bc2)).add_(eps);  p.addcdiv_(m, denom, value=-lr/bc1)
// MODE: 1 with amsgrad.
template <typename T, int MODE>
KD_INLINE void adam_body(const AdamArgs<T>& a, int64_t begin, int64_t end) {
  T* __restrict p = a.p;
  const T* __restrict g = a.g;
  T* __restrict m = a.m;
  T* __restrict v = a.v;
  T* __restrict vmax = a.vmax;
  const T wd = a.wd, decay = a.decay, b1 = a.beta1, omb1 = a.one_minus_beta1, b2 = a.beta2,
          omb2 = a.one_minus_beta2, bc2s = a.bc2_sqrt, eps = a.eps, neg_step = a.neg_step_size;
  const T wd_on = a.wd_on;
  const T sign = a.maximize ? T(-1) : T(1);
  for (int64_t i = begin; i < end; ++i) {
    T d = g[i] * sign;  // -g when maximizing: multiplying by -1 is exact
    const T pi = p[i] * decay;  // decay is 1 (exact) unless decoupled
    const T dw = std::fma(pi, wd, d);
    d = wd_on != T(0) ? dw : d;  // wd_on is 0 when decoupled
    T mi = m[i] * b1;
    mi = std::fma(d, omb1, mi);
    T vi = v[i] * b2;
    vi = std::fma(omb2 * d, d, vi);
    m[i] = mi;
    v[i] = vi;
    T s = vi;
    if (MODE == 1) {
      s = nan_max(vmax[i], vi);
      vmax[i] = s;
    }
    T denom = std::sqrt(s) / bc2s + eps;
    p[i] = pi + (neg_step * mi) / denom;
  }
}

// ---- RMSprop -----------------------------------------------------------------------------------
// d = maximize ? -g : g;  d = d.add(p, alpha=wd);  sq.mul_(alpha).addcmul_(d, d, value=1-alpha)
// centered: ga.mul_(alpha).add_(d, alpha=1-alpha); avg = sq.addcmul(ga, ga, value=-1).sqrt_()
// else avg = sq.sqrt();  avg.add_(eps)
// momentum > 0: buf.mul_(momentum).addcdiv_(d, avg); p.add_(buf, alpha=-lr)  else p.addcdiv_(d, avg, value=-lr)
// MODE: bit 0 centered, bit 1 momentum.
template <typename T, int MODE>
KD_INLINE void rmsprop_body(const RmspropArgs<T>& a, int64_t begin, int64_t end) {
  T* __restrict p = a.p;
  const T* __restrict g = a.g;
  T* __restrict sq = a.sq;
  T* __restrict buf = a.buf;
  T* __restrict ga = a.ga;
  const T wd = a.wd, al = a.alpha, oma = a.one_minus_alpha, eps = a.eps, mom = a.momentum, neg_lr = a.neg_lr;
  const T wd_on = a.wd_on;
  const T sign = a.maximize ? T(-1) : T(1);
  for (int64_t i = begin; i < end; ++i) {
    T d = g[i] * sign;  // -g when maximizing: multiplying by -1 is exact
    const T dw = std::fma(p[i], wd, d);
    d = wd_on != T(0) ? dw : d;
    T s = sq[i] * al;
    s = std::fma(oma * d, d, s);
    sq[i] = s;
    T avg;
    if (MODE & 1) {
      T gi = ga[i] * al;
      gi = std::fma(d, oma, gi);
      ga[i] = gi;
      avg = std::sqrt(std::fma(-gi, gi, s));
    } else {
      avg = std::sqrt(s);
    }
    avg = avg + eps;
    if (MODE & 2) {
      T b = buf[i] * mom;
      b = b + d / avg;
      buf[i] = b;
      p[i] = std::fma(b, neg_lr, p[i]);
    } else {
      p[i] = p[i] + (neg_lr * d) / avg;
    }
  }
}

// ---- Adagrad -----------------------------------------------------------------------------------
// d = maximize ? -g : g;  d = d.add(p, alpha=wd);  sum.addcmul_(d, d, value=1)
// std = sum.sqrt().add_(eps);  p.addcdiv_(d, std, value=-clr)
template <typename T, int MODE>
KD_INLINE void adagrad_body(const AdagradArgs<T>& a, int64_t begin, int64_t end) {
  T* __restrict p = a.p;
  const T* __restrict g = a.g;
  T* __restrict sum = a.sum;
  const T wd = a.wd, eps = a.eps, neg_clr = a.neg_clr;
  const T wd_on = a.wd_on;
  const T sign = a.maximize ? T(-1) : T(1);
  for (int64_t i = begin; i < end; ++i) {
    T d = g[i] * sign;  // -g when maximizing: multiplying by -1 is exact
    const T dw = std::fma(p[i], wd, d);
    d = wd_on != T(0) ? dw : d;
    T s = std::fma(d, d, sum[i]);
    sum[i] = s;
    T sd = std::sqrt(s) + eps;
    p[i] = p[i] + (neg_clr * d) / sd;
  }
}

// ---- the two builds of each loop and the parallel driver ---------------------------------------
// MODE (a template argument) selects which state buffers a loop reads and writes: a store that
// happens only under a run-time flag would keep the loop from vectorising. The flags that only
// pick values (maximize, weight decay, nesterov, decoupled) stay run-time values: a sign, a
// factor of exactly 1, or a select between two computed values.

#define KD_OPTIM_LOOPS(NAME, ARGS)                                                                   \
  template <typename T, int MODE>                                                                   \
  void NAME##_base(const ARGS<T>& a, int64_t b, int64_t e) { NAME##_body<T, MODE>(a, b, e); }       \
  template <typename T, int MODE>                                                                   \
  KD_TARGET_FMA void NAME##_fma(const ARGS<T>& a, int64_t b, int64_t e) { NAME##_body<T, MODE>(a, b, e); }

KD_OPTIM_LOOPS(sgd, SgdArgs)
KD_OPTIM_LOOPS(adam, AdamArgs)
KD_OPTIM_LOOPS(rmsprop, RmspropArgs)
KD_OPTIM_LOOPS(adagrad, AdagradArgs)

template <typename A>
using Loop = void (*)(const A&, int64_t, int64_t);

template <typename A>
void run(int64_t n, const A& args, Loop<A> base, Loop<A> fast) {
  Loop<A> fn = (KD_OPTIM_FMA_CLONE && cpu_has_fma()) ? fast : base;
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { fn(args, b, e); });
}

}  // namespace

void sgd_kernel(const SgdHyper& h, const Tensor& param, const Tensor& grad, const Tensor& buf) {
  KD_DISPATCH_FLOAT(param.dtype(), "sgd", [&] {
    using T = scalar_t;
    const auto a = ops::sgd_args<T>(h, param, grad, buf);
    using A = SgdArgs<T>;
    if (h.momentum == 0) run<A>(param.numel(), a, &sgd_base<T, kNoBuffer>, &sgd_fma<T, kNoBuffer>);
    else if (h.init_buffer) run<A>(param.numel(), a, &sgd_base<T, kInitBuffer>, &sgd_fma<T, kInitBuffer>);
    else run<A>(param.numel(), a, &sgd_base<T, kUpdateBuffer>, &sgd_fma<T, kUpdateBuffer>);
  });
}

void adam_kernel(const AdamHyper& h, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                 const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  KD_DISPATCH_FLOAT(param.dtype(), "adam", [&] {
    using T = scalar_t;
    const auto a = ops::adam_args<T>(h, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq);
    using A = AdamArgs<T>;
    if (h.amsgrad) run<A>(param.numel(), a, &adam_base<T, 1>, &adam_fma<T, 1>);
    else run<A>(param.numel(), a, &adam_base<T, 0>, &adam_fma<T, 0>);
  });
}

void rmsprop_kernel(const RmspropHyper& h, const Tensor& param, const Tensor& grad,
                    const Tensor& square_avg, const Tensor& buf, const Tensor& grad_avg) {
  KD_DISPATCH_FLOAT(param.dtype(), "rmsprop", [&] {
    using T = scalar_t;
    const auto a = ops::rmsprop_args<T>(h, param, grad, square_avg, buf, grad_avg);
    using A = RmspropArgs<T>;
    switch (ops::rmsprop_mode(h)) {
      case 0: run<A>(param.numel(), a, &rmsprop_base<T, 0>, &rmsprop_fma<T, 0>); break;
      case 1: run<A>(param.numel(), a, &rmsprop_base<T, 1>, &rmsprop_fma<T, 1>); break;
      case 2: run<A>(param.numel(), a, &rmsprop_base<T, 2>, &rmsprop_fma<T, 2>); break;
      default: run<A>(param.numel(), a, &rmsprop_base<T, 3>, &rmsprop_fma<T, 3>); break;
    }
  });
}

void adagrad_kernel(const AdagradHyper& h, const Tensor& param, const Tensor& grad, const Tensor& sum) {
  KD_DISPATCH_FLOAT(param.dtype(), "adagrad", [&] {
    using T = scalar_t;
    const auto a = ops::adagrad_args<T>(h, param, grad, sum);
    run<AdagradArgs<T>>(param.numel(), a, &adagrad_base<T, 0>, &adagrad_fma<T, 0>);
  });
}

}  // namespace cpu
}  // namespace kd
