// Convolution kernels (conv.cpp): im2col/col2im around one GEMM per sample and group. The op
// layer (ops/conv.cpp) validates shapes and hands over contiguous float32/float64 tensors.
#pragma once
#include <cstdint>

#include "core/tensor.h"

namespace kd {
namespace cpu {

// Geometry of a 2-D convolution; in/out sizes are those of the (non-transposed) convolution's
// input (ih, iw) and output (oh, ow).
struct Conv2dGeometry {
  int64_t n, c, ih, iw;   // input batch, channels, height, width
  int64_t o, oh, ow;      // output channels, height, width
  int64_t kh, kw;
  int64_t sh, sw, ph, pw, dh, dw;
  int64_t groups;
};

// out[n, o, oh, ow] = bias[o] + sum over the group's channels and the kernel window.
// x [n, c, ih, iw], w [o, c/groups, kh, kw], bias [o] or undefined; all contiguous.
void conv2d_kernel(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias,
                   const Conv2dGeometry& g);

// The gradient of conv2d's output with respect to its weight: out [o, c/groups, kh, kw] from
// x [n, c, ih, iw] and gout [n, o, oh, ow]; all contiguous.
void conv2d_weight_kernel(const Tensor& out, const Tensor& x, const Tensor& gout,
                          const Conv2dGeometry& g);

// The transposed convolution (the adjoint of conv2d in its input). Here x [n, c, g.oh, g.ow] is
// the small side, w [c, o/groups, kh, kw] and out [n, o, g.ih, g.iw] the large side.
void conv_transpose2d_kernel(const Tensor& out, const Tensor& x, const Tensor& w,
                             const Tensor& bias, const Conv2dGeometry& g);

}  // namespace cpu
}  // namespace kd
