// The arguments of one fused optimizer update, shared by the CPU loops (cpu/optim_kernels.cpp)
// and the CUDA kernels (cuda/optim.cu): the tensors' data and every scalar already computed and
// rounded to the tensor's dtype, so both backends start from the same numbers. The scalar
// preparation follows PyTorch 1.13's Python code: bias corrections and step sizes in double
// (Python floats), then `alpha.to<scalar_t>()` where an op takes them. Flags are values of T
// (1 or 0) so that the CPU loops can select with vector masks; maximize stays a bool.
#pragma once
#include <cmath>

#include "core/tensor.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

template <typename T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

// d = maximize ? -g : g;  d = d.add(p, alpha=wd);  buf = first ? d : buf.mul_(m).add_(d, alpha=1-dampening)
// d = nesterov ? d.add(buf, alpha=m) : buf;  p.add_(d, alpha=-lr)
template <typename T>
struct SgdArgs {
  T* __restrict__ p;
  const T* __restrict__ g;
  T* __restrict__ buf;  // null when momentum == 0
  T wd, momentum, one_minus_dampening, neg_lr;
  T wd_on, nesterov_on;
  bool maximize;
};

// How an SGD step treats its momentum buffer.
enum { kNoBuffer = 0, kInitBuffer = 1, kUpdateBuffer = 2 };

template <typename T>
SgdArgs<T> sgd_args(const SgdHyper& h, const Tensor& param, const Tensor& grad, const Tensor& buf) {
  return {param.data<T>(), grad.data<T>(), data_or_null<T>(buf),
          static_cast<T>(h.weight_decay), static_cast<T>(h.momentum),
          static_cast<T>(1 - h.dampening), static_cast<T>(-h.lr),
          T(h.weight_decay != 0), T(h.nesterov), h.maximize};
}

template <typename T>
struct AdamArgs {
  T* __restrict__ p;
  const T* __restrict__ g;
  T* __restrict__ m;
  T* __restrict__ v;
  T* __restrict__ vmax;  // null unless amsgrad
  T wd, decay, beta1, one_minus_beta1, beta2, one_minus_beta2, bc2_sqrt, eps, neg_step_size;
  T wd_on;  // 1 when weight decay is added to the gradient (Adam with weight_decay != 0, not AdamW)
  bool maximize;
};

template <typename T>
AdamArgs<T> adam_args(const AdamHyper& h, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                      const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq) {
  // Python floats: bias corrections and the step size in double, as PyTorch computes them.
  const double bias_correction1 = 1 - std::pow(h.beta1, h.step);
  const double bias_correction2 = 1 - std::pow(h.beta2, h.step);
  const double step_size = h.lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  return {param.data<T>(), grad.data<T>(), exp_avg.data<T>(), exp_avg_sq.data<T>(),
          data_or_null<T>(max_exp_avg_sq),
          static_cast<T>(h.weight_decay),
          // decay is exactly 1 unless decoupled (AdamW: p.mul_(1 - lr * weight_decay))
          h.decoupled ? static_cast<T>(1 - h.lr * h.weight_decay) : T(1),
          static_cast<T>(h.beta1), static_cast<T>(1 - h.beta1),
          static_cast<T>(h.beta2), static_cast<T>(1 - h.beta2),
          static_cast<T>(bias_correction2_sqrt), static_cast<T>(h.eps),
          static_cast<T>(-step_size),
          T(!h.decoupled && h.weight_decay != 0), h.maximize};
}

template <typename T>
struct RmspropArgs {
  T* __restrict__ p;
  const T* __restrict__ g;
  T* __restrict__ sq;
  T* __restrict__ buf;  // null unless momentum > 0
  T* __restrict__ ga;   // null unless centered
  T wd, alpha, one_minus_alpha, eps, momentum, neg_lr;
  T wd_on;
  bool maximize;
};

template <typename T>
RmspropArgs<T> rmsprop_args(const RmspropHyper& h, const Tensor& param, const Tensor& grad,
                            const Tensor& square_avg, const Tensor& buf, const Tensor& grad_avg) {
  return {param.data<T>(), grad.data<T>(), square_avg.data<T>(), data_or_null<T>(buf),
          data_or_null<T>(grad_avg),
          static_cast<T>(h.weight_decay), static_cast<T>(h.alpha),
          static_cast<T>(1 - h.alpha), static_cast<T>(h.eps),
          static_cast<T>(h.momentum), static_cast<T>(-h.lr),
          T(h.weight_decay != 0), h.maximize};
}

// Which RMSprop loop: bit 0 centered, bit 1 momentum.
inline int rmsprop_mode(const RmspropHyper& h) { return (h.centered ? 1 : 0) | (h.momentum > 0 ? 2 : 0); }

template <typename T>
struct AdagradArgs {
  T* __restrict__ p;
  const T* __restrict__ g;
  T* __restrict__ sum;
  T wd, eps, neg_clr;
  T wd_on;
  bool maximize;
};

template <typename T>
AdagradArgs<T> adagrad_args(const AdagradHyper& h, const Tensor& param, const Tensor& grad, const Tensor& sum) {
  const double clr = h.lr / (1 + (h.step - 1) * h.lr_decay);
  return {param.data<T>(), grad.data<T>(), sum.data<T>(),
          static_cast<T>(h.weight_decay), static_cast<T>(h.eps), static_cast<T>(-clr),
          T(h.weight_decay != 0), h.maximize};
}

}  // namespace ops
}  // namespace kd
