// Differentiable convolutions. conv2d and conv_transpose2d record one node each, named
// ConvolutionBackward0 as in PyTorch. Every gradient is itself a convolution, written with these
// same ag:: functions so that gradients of gradients (WGAN-GP with a conv critic) work:
//   conv2d:            grad_input  = conv_transpose2d(g, weight)
//                      grad_weight = conv2d_weight(input, g), a kernel of its own (im2col of
//                                    each sample times g, summed over the batch) recorded with
//                                    ConvolutionBackwardBackward0 for the second order
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
        out[1] = conv2d_weight(x, g, kh, kw, p.stride, p.padding, p.dilation, p.groups);
    } else {
      if (needs_input_grad(0)) {
        Tensor gi = conv2d(g, w, Tensor(), p.stride, p.padding, p.dilation, p.groups);
        if (gi.size(2) != x.size(2)) gi = narrow(gi, 2, 0, x.size(2));
        if (gi.size(3) != x.size(3)) gi = narrow(gi, 3, 0, x.size(3));
        out[0] = gi;
      }
      if (needs_input_grad(1))
        out[1] = conv2d_weight(g, x, kh, kw, p.stride, p.padding, p.dilation, p.groups);
    }
    if (needs_input_grad(2)) out[2] = bias_grad(g);
    return out;
  }
  void release_saved() override { input_.reset(); weight_.reset(); }
};

// W = conv2d_weight(x, g) is bilinear: with ggW the gradient arriving for W,
//   grad_x = conv_transpose2d(g, ggW)  (conv2d's input-gradient formula, ggW as the weight)
//   grad_g = conv2d(x, ggW).
struct ConvolutionBackwardBackward0 : Node {
  SavedVariable input_, grad_output_;
  ConvParams p{};
  const char* name() const override { return "ConvolutionBackwardBackward0"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out(2);
    const Tensor& gw = grads[0];
    if (!gw.defined()) return out;
    Tensor x = input_.unpack(this), g = grad_output_.unpack(this);
    if (needs_input_grad(0)) {
      Pair2 op{};
      for (int d = 0; d < 2; ++d)
        op[d] = x.size(2 + d) - ((g.size(2 + d) - 1) * p.stride[d] - 2 * p.padding[d] +
                                 p.dilation[d] * (gw.size(2 + d) - 1) + 1);
      out[0] = conv_transpose2d(g, gw, Tensor(), p.stride, p.padding, op, p.dilation, p.groups);
    }
    if (needs_input_grad(1)) {
      Tensor gg = conv2d(x, gw, Tensor(), p.stride, p.padding, p.dilation, p.groups);
      if (gg.size(2) != g.size(2)) gg = narrow(gg, 2, 0, g.size(2));
      if (gg.size(3) != g.size(3)) gg = narrow(gg, 3, 0, g.size(3));
      out[1] = gg;
    }
    return out;
  }
  void release_saved() override { input_.reset(); grad_output_.reset(); }
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

Tensor conv2d_weight(const Tensor& input, const Tensor& grad_output, int64_t kh, int64_t kw,
                     const Pair2& stride, const Pair2& padding, const Pair2& dilation,
                     int64_t groups) {
  Tensor out = ops::conv2d_weight(input, grad_output, kh, kw, stride, padding, dilation, groups);
  if (!any_requires_grad({&input, &grad_output})) return out;
  auto n = make_node<ConvolutionBackwardBackward0>({&input, &grad_output});
  n->input_ = SavedVariable(input, false);
  n->grad_output_ = SavedVariable(grad_output, false);
  n->p = ConvParams{stride, padding, {0, 0}, dilation, groups};
  set_history(out, n);
  return out;
}

}  // namespace ag
}  // namespace kd
