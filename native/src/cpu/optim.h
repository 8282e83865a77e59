// Optimizer update kernels: one fused pass per parameter over the parameter, its gradient and its
// state buffers, computing PyTorch 1.13's single-tensor (foreach=False) update element by element.
//
// Why fused yet exact: PyTorch runs each update as a chain of tensor ops (mul_, add_, addcmul_,
// sqrt, addcdiv_), each rounding its result to the tensor's dtype. The kernels keep every
// intermediate in a variable of that dtype, round each scalar to it where PyTorch's op does
// (`alpha.to<scalar_t>()`), and fuse a multiply-add exactly where PyTorch's CPU kernel does
// (add with alpha and addcmul use a fused multiply-add; addcdiv and plain mul/div do not), so one
// pass over memory reproduces the chain's numbers. The ops layer (ops/optim.cpp) validates and
// hands in contiguous tensors of one floating dtype and one element count; the hyper-parameter
// structs are declared with the ops in ops/ops.h.
#pragma once
#include "core/tensor.h"
#include "ops/ops.h"

namespace kd {
namespace cpu {

using ops::AdagradHyper;
using ops::AdamHyper;
using ops::RmspropHyper;
using ops::SgdHyper;

// buf is undefined when momentum == 0.
void sgd_kernel(const SgdHyper& h, const Tensor& param, const Tensor& grad, const Tensor& buf);
// max_exp_avg_sq is undefined unless amsgrad.
void adam_kernel(const AdamHyper& h, const Tensor& param, const Tensor& grad, const Tensor& exp_avg,
                 const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq);
// buf is undefined unless momentum > 0, grad_avg unless centered.
void rmsprop_kernel(const RmspropHyper& h, const Tensor& param, const Tensor& grad,
                    const Tensor& square_avg, const Tensor& buf, const Tensor& grad_avg);
void adagrad_kernel(const AdagradHyper& h, const Tensor& param, const Tensor& grad, const Tensor& sum);

}  // namespace cpu
}  // namespace kd
