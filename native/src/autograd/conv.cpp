// Differentiable convolutions. conv2d and conv_transpose2d record one node each, named
// ConvolutionBackward0 as in PyTorch. Every gradient is itself a convolution, written with these
// same ag:: functions so that gradients of gradients (WGAN-GP with a conv critic) work:
//   conv2d:            grad_input  = conv_transpose2d(g, weight)
//                      grad_weight = conv2d of the input and g with batch and channels swapped
//                                    (stride and dilation trade places), cut to the kernel size
//   conv_transpose2d:  grad_input  = conv2d(g, weight)
//                      grad_weight = the same weight formula with g as the input side
//   both:              grad_bias   = g summed over batch, height and width.
// A 3-D (unbatched) input is unsqueezed to a batch of one around the recorded op.
#include "autograd/functions.h"
#include "autograd/meta.h"
#include "autograd/saved.h"
#include "core/error.h"

namespace kd {
namespace ag {

namespace {

using ops::Pair2;

// d conv2d(x, w) / d w contracted with gout: x [N, G*Cg, H, W], gout [N, G*Og, OH, OW]
// -> [G*Og, Cg, kh, kw].
Tensor conv_weight_grad(const Tensor& x, const Tensor& gout, int64_t kh, int64_t kw,
                        const Pair2& stride, const Pair2& padding, const Pair2& dilation,
                        int64_t groups) {
  const int64_t n = x.size(0), cg = x.size(1) / groups;
  Tensor xs = reshape(x, Dims{n, groups, cg, x.size(2), x.size(3)});
  xs = reshape(permute(xs, Dims{2, 1, 0, 3, 4}), Dims{cg, groups * n, x.size(2), x.size(3)});
  Tensor ws = transpose(gout, 0, 1);
  Tensor r = conv2d(xs, ws, Tensor(), dilation, padding, stride, groups);  // [Cg, O, kh', kw']
  if (r.size(2) != kh) r = narrow(r, 2, 0, kh);
  if (r.size(3) != kw) r = narrow(r, 3, 0, kw);
  return transpose(r, 0, 1);
}

Tensor bias_grad(const Tensor& g) { return sum_dims(g, Dims{0, 2, 3}, false); }

struct ConvParams {
  Pair2 stride, padding, output_padding, dilation;
  int64_t groups;
};

struct ConvolutionBackward0 : Node {
  SavedVariable input_, weight_;
  ConvParams p{};
  bool transposed = false;
  const char* name() const override { return "ConvolutionBackward0"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out(3);
    const Tensor& g = grads[0];
    if (!g.defined()) return out;
    Tensor x = input_.unpack(this), w = weight_.unpack(this);
    const int64_t kh = w.size(2), kw = w.size(3);
    if (!transposed) {
      if (needs_input_grad(0)) {
        // The rows and columns the forward's floor division dropped come back as output_padding.
        Pair2 op{};
        for (int d = 0; d < 2; ++d)
          op[d] = x.size(2 + d) - ((g.size(2 + d) - 1) * p.stride[d] - 2 * p.padding[d] +
                                   p.dilation[d] * (w.size(2 + d) - 1) + 1);
        out[0] = conv_transpose2d(g, w, Tensor(), p.stride, p.padding, op, p.dilation, p.groups);
      }
      if (needs_input_grad(1))
        out[1] = conv_weight_grad(x, g, kh, kw, p.stride, p.padding, p.dilation, p.groups);
    } else {
      if (needs_input_grad(0)) {
        Tensor gi = conv2d(g, w, Tensor(), p.stride, p.padding, p.dilation, p.groups);
        if (gi.size(2) != x.size(2)) gi = narrow(gi, 2, 0, x.size(2));
        if (gi.size(3) != x.size(3)) gi = narrow(gi, 3, 0, x.size(3));
        out[0] = gi;
      }
      if (needs_input_grad(1))
        out[1] = conv_weight_grad(g, x, kh, kw, p.stride, p.padding, p.dilation, p.groups);
    }
    if (needs_input_grad(2)) out[2] = bias_grad(g);
    return out;
  }
  void release_saved() override { input_.reset(); weight_.reset(); }
};

Tensor record(Tensor out, const Tensor& x, const Tensor& w, const Tensor& b, bool transposed,
              const ConvParams& p) {
  if (!any_requires_grad({&x, &w, &b})) return out;
  auto n = make_node<ConvolutionBackward0>({&x, &w, &b});
  n->input_ = SavedVariable(x, false);
  n->weight_ = SavedVariable(w, false);
  n->p = p;
  n->transposed = transposed;
  set_history(out, n);
  return out;
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Pair2& stride,
              const Pair2& padding, const Pair2& dilation, int64_t groups) {
  if (input.dim() == 3 && any_requires_grad({&input, &weight, &bias})) {
    return squeeze_dim(conv2d(unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups), 0);
  }
  Tensor out = ops::conv2d(input, weight, bias, stride, padding, dilation, groups);
  return record(out, input, weight, bias, false, ConvParams{stride, padding, {0, 0}, dilation, groups});
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const Pair2& stride, const Pair2& padding, const Pair2& output_padding,
                        const Pair2& dilation, int64_t groups) {
  if (input.dim() == 3 && any_requires_grad({&input, &weight, &bias})) {
    return squeeze_dim(conv_transpose2d(unsqueeze(input, 0), weight, bias, stride, padding,
                                        output_padding, dilation, groups), 0);
  }
  Tensor out = ops::conv_transpose2d(input, weight, bias, stride, padding, output_padding,
                                     dilation, groups);
  return record(out, input, weight, bias, true,
                ConvParams{stride, padding, output_padding, dilation, groups});
}

}  // namespace ag
}  // namespace kd
