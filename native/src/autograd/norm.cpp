// Differentiable batch norm: one NativeBatchNormBackward0 node (PyTorch's name) over input,
// weight and bias. A plain backward runs the fused two-pass kernel; with create_graph the same
// gradients are written in differentiable ops, so second derivatives (a gradient penalty through
// a critic with BatchNorm) are exact:
//   xhat = (x - mean) * invstd,  gb = sum(g),  gw = sum(g * xhat),
//   training: gi = (g - mean(g) - xhat * mean(g * xhat)) * invstd * w   (mean, invstd of x)
//   eval:     gi = g * invstd * w                                     (running statistics)
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "autograd/saved.h"

namespace kd {
namespace ag {

namespace {

struct NativeBatchNormBackward0 : Node {
  SavedVariable input_, weight_;
  Tensor mean_, invstd_;  // float64 [C]: the statistics the forward used (constants for eval)
  bool training = true;
  double eps = 1e-5;
  const char* name() const override { return "NativeBatchNormBackward0"; }

  TensorList apply(TensorList&& grads) override {
    TensorList out(3);
    const Tensor& g = grads[0];
    if (!g.defined()) return out;
    Tensor x = input_.unpack(this);
    Tensor w = weight_.defined() ? weight_.unpack(this) : Tensor();
    if (!is_grad_enabled()) {
      ops::batch_norm_backward(g, x, w, mean_, invstd_, training,
                               needs_input_grad(0) ? &out[0] : nullptr,
                               needs_input_grad(1) ? &out[1] : nullptr,
                               needs_input_grad(2) ? &out[2] : nullptr);
      return out;
    }
    // create_graph: the same formulas in recorded ops.
    const int64_t c = x.size(1);
    Dims dims;
    dims.push_back(0);
    for (int32_t d = 2; d < x.dim(); ++d) dims.push_back(d);
    Dims bshape = Dims::filled(x.dim(), 1);
    bshape[1] = c;
    Tensor mean, invstd;
    if (training) {
      mean = reduce(KD_MEAN, x, dims, true);
      invstd = unary(KD_RSQRT, add(var(x, dims, 0, true, false), eps));
    } else {
      mean = view(ops::to_dtype(mean_, x.dtype()), bshape);
      invstd = view(ops::to_dtype(invstd_, x.dtype()), bshape);
    }
    Tensor xhat = mul(sub(x, mean), invstd);
    if (needs_input_grad(0)) {
      Tensor scale = w.defined() ? mul(invstd, view(w, bshape)) : invstd;
      if (training) {
        Tensor centered = sub(g, reduce(KD_MEAN, g, dims, true));
        Tensor proj = mul(xhat, reduce(KD_MEAN, mul(g, xhat), dims, true));
        out[0] = mul(sub(centered, proj), scale);
      } else {
        out[0] = mul(g, scale);
      }
    }
    if (needs_input_grad(1)) out[1] = sum_dims(mul(g, xhat), dims, false);
    if (needs_input_grad(2)) out[2] = sum_dims(g, dims, false);
    return out;
  }
  void release_saved() override {
    input_.reset();
    weight_.reset();
  }
};

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                  const Tensor& running_mean, const Tensor& running_var, bool training,
                  double momentum, double eps) {
  KD_CHECK(!running_mean.defined() || !requires_grad(running_mean),
           "batch_norm: running_mean must not require grad");
  KD_CHECK(!running_var.defined() || !requires_grad(running_var),
           "batch_norm: running_var must not require grad");
  ops::BatchNormResult r = ops::batch_norm(input, weight, bias, running_mean, running_var,
                                           training, momentum, eps);
  if (!any_requires_grad({&input, &weight, &bias})) return r.out;
  auto n = make_node<NativeBatchNormBackward0>({&input, &weight, &bias});
  n->input_ = SavedVariable(input, false);
  if (weight.defined()) n->weight_ = SavedVariable(weight, false);
  n->mean_ = r.mean;
  n->invstd_ = r.invstd;
  n->training = training;
  n->eps = eps;
  set_history(r.out, n);
  return r.out;
}

}  // namespace ag
}  // namespace kd
