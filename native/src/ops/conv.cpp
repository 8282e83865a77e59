// Convolutions (conv2d, conv_transpose2d): argument checks in PyTorch's order and wording, output
// sizes, then the im2col + GEMM kernels of cpu/conv.cpp on contiguous operands. A 3-D input is
// one unbatched sample, as in PyTorch.
#include <string>

#include "core/error.h"
#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

std::string pair_str(const Pair2& p) {
  return "(" + std::to_string(p[0]) + " x " + std::to_string(p[1]) + ")";
}

void check_params(const char* op, const Pair2& stride, const Pair2& padding,
                  const Pair2& dilation, int64_t groups) {
  KD_CHECK(groups > 0, op, ": non-positive groups is not supported");
  KD_CHECK(stride[0] > 0 && stride[1] > 0, op, ": non-positive stride is not supported");
  KD_CHECK(padding[0] >= 0 && padding[1] >= 0, op, ": negative padding is not supported");
  KD_CHECK(dilation[0] > 0 && dilation[1] > 0, op, ": dilation should be greater than zero");
}

// Checks ranks, dtypes, channel counts and the bias; returns the batched (4-D) input.
Tensor check_operands(const char* op, bool transposed, const Tensor& input, const Tensor& weight,
                      const Tensor& bias, int64_t groups) {
  check_devices(op, {&input, &weight, &bias});
  KD_CHECK(input.dim() == 3 || input.dim() == 4, "Expected 3D (unbatched) or 4D (batched) input to ",
           op, ", but got input of size: ", input.shape_str());
  KD_CHECK(weight.dim() == 4, op, ": expected weight to be 4-dimensional, but got weight of size ",
           weight.shape_str());
  if (input.dtype() != weight.dtype() || (bias.defined() && bias.dtype() != input.dtype()))
    fail(KD_ERR_DTYPE, op, ": expected input (", dtype_name(input.dtype()), "), weight (",
         dtype_name(weight.dtype()), ")", bias.defined() ? " and bias (" : "",
         bias.defined() ? dtype_name(bias.dtype()) : "", bias.defined() ? ")" : "",
         " to have the same dtype");
  KD_CHECK_DTYPE(is_floating(input.dtype()), op, ": expected a floating point input, but got ",
                 dtype_name(input.dtype()));
  Tensor x = input.dim() == 3 ? unsqueeze(input, 0) : input;
  const int64_t in_channels = transposed ? weight.size(0) : weight.size(1) * groups;
  const int64_t out_channels = transposed ? weight.size(1) * groups : weight.size(0);
  if (!transposed)
    KD_CHECK(weight.size(0) % groups == 0, op, ": Given groups=", groups,
             ", expected weight to be divisible by ", groups,
             " at dimension 0, but got weight of size ", weight.shape_str(), " instead");
  else
    KD_CHECK(weight.size(0) % groups == 0, op, ": Given transposed=1, groups=", groups,
             ", expected weight to be divisible by ", groups,
             " at dimension 0, but got weight of size ", weight.shape_str(), " instead");
  if (x.size(1) != in_channels) {
    if (transposed)
      fail(KD_ERR_ARGUMENT, op, ": Given transposed=1, weight of size ", weight.shape_str(),
           ", expected input", input.shape_str(), " to have ", in_channels,
           " channels, but got ", x.size(1), " channels instead");
    fail(KD_ERR_ARGUMENT, op, ": Given groups=", groups, ", weight of size ", weight.shape_str(),
         ", expected input", input.shape_str(), " to have ", in_channels, " channels, but got ",
         x.size(1), " channels instead");
  }
  if (bias.defined())
    KD_CHECK(bias.dim() == 1 && bias.size(0) == out_channels, op, ": Given ",
             transposed ? "transposed=1, " : "", "weight of size ", weight.shape_str(),
             ", expected bias to be 1-dimensional with ", out_channels,
             " elements, but got bias of size ", bias.shape_str(), " instead");
  return x;
}

Tensor finish(const Tensor& out, const Tensor& input) {
  return input.dim() == 3 ? squeeze_dim(out, 0) : out;
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Pair2& stride,
              const Pair2& padding, const Pair2& dilation, int64_t groups) {
  const char* op = "conv2d";
  check_params(op, stride, padding, dilation, groups);
  Tensor x = check_operands(op, false, input, weight, bias, groups);
  cpu::Conv2dGeometry g{};
  g.n = x.size(0); g.c = x.size(1); g.ih = x.size(2); g.iw = x.size(3);
  g.o = weight.size(0); g.kh = weight.size(2); g.kw = weight.size(3);
  g.sh = stride[0]; g.sw = stride[1]; g.ph = padding[0]; g.pw = padding[1];
  g.dh = dilation[0]; g.dw = dilation[1]; g.groups = groups;
  const Pair2 padded{g.ih + 2 * g.ph, g.iw + 2 * g.pw};
  const Pair2 extent{g.dh * (g.kh - 1) + 1, g.dw * (g.kw - 1) + 1};
  if (padded[0] < extent[0] || padded[1] < extent[1])
    fail(KD_ERR_ARGUMENT, op, ": Calculated padded input size per channel: ", pair_str(padded),
         ". Kernel size: ", pair_str(extent),
         ". Kernel size can't be greater than actual input size");
  g.oh = (padded[0] - extent[0]) / g.sh + 1;
  g.ow = (padded[1] - extent[1]) / g.sw + 1;
  Tensor out = Tensor::empty_like_device(Dims{g.n, g.o, g.oh, g.ow}, x.dtype(), x);
  if (out.numel() > 0) {
    if (g.c == 0 || g.kh * g.kw == 0) {
      fill_(out, 0.0);
      if (bias.defined()) binary_(KD_ADD, out, view(bias, Dims{g.o, 1, 1}));
    } else {
      KD_KERNEL(out, conv2d_kernel, out, contiguous(x), contiguous(weight),
                bias.defined() ? contiguous(bias) : Tensor(), g);
    }
  }
  return finish(out, input);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias,
                        const Pair2& stride, const Pair2& padding, const Pair2& output_padding,
                        const Pair2& dilation, int64_t groups) {
  const char* op = "conv_transpose2d";
  check_params(op, stride, padding, dilation, groups);
  KD_CHECK(output_padding[0] >= 0 && output_padding[1] >= 0, op,
           ": negative output_padding is not supported");
  for (int d = 0; d < 2; ++d)
    KD_CHECK(output_padding[d] < stride[d] || output_padding[d] < dilation[d], op,
             ": output padding must be smaller than either stride or dilation, but got "
             "output_padding_height: ", output_padding[0], " output_padding_width: ",
             output_padding[1], " stride_height: ", stride[0], " stride_width: ", stride[1],
             " dilation_height: ", dilation[0], " dilation_width: ", dilation[1]);
  Tensor x = check_operands(op, true, input, weight, bias, groups);
  cpu::Conv2dGeometry g{};
  g.n = x.size(0); g.c = x.size(1); g.oh = x.size(2); g.ow = x.size(3);
  g.o = weight.size(1) * groups; g.kh = weight.size(2); g.kw = weight.size(3);
  g.sh = stride[0]; g.sw = stride[1]; g.ph = padding[0]; g.pw = padding[1];
  g.dh = dilation[0]; g.dw = dilation[1]; g.groups = groups;
  g.ih = (g.oh - 1) * g.sh - 2 * g.ph + g.dh * (g.kh - 1) + output_padding[0] + 1;
  g.iw = (g.ow - 1) * g.sw - 2 * g.pw + g.dw * (g.kw - 1) + output_padding[1] + 1;
  if (g.ih <= 0 || g.iw <= 0)
    fail(KD_ERR_ARGUMENT, op, ": Given input size per channel: ", pair_str({g.oh, g.ow}),
         ". Calculated output size per channel: ", pair_str({g.ih, g.iw}),
         ". Output size is too small");
  Tensor out = Tensor::empty_like_device(Dims{g.n, g.o, g.ih, g.iw}, x.dtype(), x);
  if (out.numel() > 0) {
    if (g.c == 0 || g.oh * g.ow == 0) {
      fill_(out, 0.0);
      if (bias.defined()) binary_(KD_ADD, out, view(bias, Dims{g.o, 1, 1}));
    } else {
      KD_KERNEL(out, conv_transpose2d_kernel, out, contiguous(x), contiguous(weight),
                bias.defined() ? contiguous(bias) : Tensor(), g);
    }
  }
  return finish(out, input);
}

Tensor conv2d_weight(const Tensor& input, const Tensor& grad_output, int64_t kh, int64_t kw,
                     const Pair2& stride, const Pair2& padding, const Pair2& dilation,
                     int64_t groups) {
  const char* op = "conv2d_weight";
  check_params(op, stride, padding, dilation, groups);
  check_devices(op, {&input, &grad_output});
  KD_CHECK(input.dim() == 4 && grad_output.dim() == 4, op,
           ": expected 4-D input and grad_output, got ", input.shape_str(), " and ",
           grad_output.shape_str());
  KD_CHECK(input.dtype() == grad_output.dtype() && is_floating(input.dtype()), op,
           ": expected input and grad_output of one floating dtype, got ", dtype_name(input.dtype()),
           " and ", dtype_name(grad_output.dtype()));
  KD_CHECK(kh > 0 && kw > 0, op, ": kernel size must be positive, got ", kh, "x", kw);
  cpu::Conv2dGeometry g{};
  g.n = input.size(0); g.c = input.size(1); g.ih = input.size(2); g.iw = input.size(3);
  g.o = grad_output.size(1); g.kh = kh; g.kw = kw;
  g.sh = stride[0]; g.sw = stride[1]; g.ph = padding[0]; g.pw = padding[1];
  g.dh = dilation[0]; g.dw = dilation[1]; g.groups = groups;
  g.oh = (g.ih + 2 * g.ph - (g.dh * (kh - 1) + 1)) / g.sh + 1;
  g.ow = (g.iw + 2 * g.pw - (g.dw * (kw - 1) + 1)) / g.sw + 1;
  KD_CHECK(g.c % groups == 0 && g.o % groups == 0, op, ": channels ", g.c, " and ", g.o,
           " must be divisible by groups=", groups);
  // The output positions are grad_output's; a transposed convolution's output_padding leaves
  // the input (its large side) room for more positions than there are, which then add nothing.
  KD_CHECK(grad_output.size(0) == g.n && grad_output.size(2) <= g.oh &&
               grad_output.size(3) <= g.ow,
           op, ": grad_output ", grad_output.shape_str(), " does not fit the output [", g.n,
           ", ", g.o, ", ", g.oh, ", ", g.ow, "] of input ", input.shape_str(), " and kernel ",
           kh, "x", kw);
  g.oh = grad_output.size(2);
  g.ow = grad_output.size(3);
  Tensor out = Tensor::empty_like_device(Dims{g.o, g.c / groups, kh, kw}, input.dtype(), input);
  if (g.n == 0 || g.oh * g.ow == 0 || g.c == 0) {
    fill_(out, 0.0);
  } else if (out.numel() > 0) {
    KD_KERNEL(out, conv2d_weight_kernel, out, contiguous(input), contiguous(grad_output), g);
  }
  return out;
}

}  // namespace ops
}  // namespace kd
