// Convolutions on the GPU: the CPU's im2col + GEMM scheme (cpu/conv.cpp) with the batch handed
// to the GEMM at once. im2col unfolds a whole run of samples into one column buffer on the
// device; one strided-batched GEMM per group then multiplies the shared weight matrix with every
// sample's columns. The transposed convolution computes the columns by GEMM and folds them back
// with a gather (each output pixel sums the column entries that land on it, in a fixed order:
// deterministic, no atomics). The weight gradient lays the columns out side by side for all
// samples ([rows, samples * positions]) so the sum over the batch is the k extent of one GEMM.
// Runs of samples are sized so a column buffer stays under kColumnBudget bytes; the DCGAN shapes
// (batch 64, 64x64 images, 4x4 kernels) fit in one run.
//
// Contracts as cpu/conv.h: contiguous float32/float64 operands validated by ops/conv.cpp, out
// freshly allocated (every element is written here).
#include <algorithm>
#include <climits>
#include <cstdlib>

#include "cpu/conv.h"
#include "cuda/common.cuh"
#include "cuda/gemm.cuh"

namespace kd {
namespace cuda {

namespace {

constexpr int64_t kColumnBudget = int64_t(512) << 20;

// Samples per run: as many as keep `per_sample` elements of T each under the budget (at least
// one), and keep `per_sample_k` * samples (a GEMM's k extent, when it spans samples) an int.
template <typename T>
int64_t samples_per_run(int64_t n, int64_t per_sample, int64_t per_sample_k = 1) {
  int64_t s = kColumnBudget / std::max<int64_t>(1, per_sample * static_cast<int64_t>(sizeof(T)));
  s = std::min(s, INT_MAX / std::max<int64_t>(1, per_sample_k));
  return std::max<int64_t>(1, std::min(n, s));
}

// Device scratch of `count` elements of like's dtype (caching allocator; freed after queued work is safe
// because everything runs on the device's one stream).
Tensor scratch(int64_t count, const Tensor& like) {
  return Tensor::empty(Dims{count}, like.dtype(), Device::CUDA, like.device_index());
}

// im2col for `ns` samples: x [ns, C, ih, iw] -> column entry (s, c, i, j, y, x) at
//   s * col_s + (c / cg) * col_g + (((c % cg) * kh + i) * kw + j) * col_r + y * ow + x
// holding x[s, c, y*sh - ph + i*dh, x*sw - pw + j*dw], or 0 in the padding. One thread per
// entry; consecutive threads write consecutive x (the same in both column layouts).
template <typename T>
__global__ void im2col_kernel(const T* __restrict__ x, T* __restrict__ cols, cpu::Conv2dGeometry g,
                              int64_t ns, int64_t col_s, int64_t col_g, int64_t col_r) {
  const int64_t cg = g.c / g.groups;
  const int64_t total = ns * g.c * g.kh * g.kw * g.oh * g.ow;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t r = idx;
    const int64_t ox = r % g.ow;
    r /= g.ow;
    const int64_t oy = r % g.oh;
    r /= g.oh;
    const int64_t j = r % g.kw;
    r /= g.kw;
    const int64_t i = r % g.kh;
    r /= g.kh;
    const int64_t c = r % g.c;
    const int64_t s = r / g.c;
    const int64_t yy = oy * g.sh - g.ph + i * g.dh;
    const int64_t xx = ox * g.sw - g.pw + j * g.dw;
    T v = T(0);
    if (yy >= 0 && yy < g.ih && xx >= 0 && xx < g.iw) v = x[((s * g.c + c) * g.ih + yy) * g.iw + xx];
    const int64_t row = ((c % cg) * g.kh + i) * g.kw + j;
    cols[s * col_s + (c / cg) * col_g + row * col_r + oy * g.ow + ox] = v;
  }
}

// The gather form of col2im for the transposed convolution: out [ns, O, ih, iw] from columns
// laid out per sample as [groups][og * kh * kw][oh * ow]. Output pixel (y, x) of channel o
// receives column (o % og, i, j) at input position (oy, ox) when y = oy*sh - ph + i*dh and
// x = ox*sw - pw + j*dw. The sum runs over i, then j, from 0, and the bias is added last: the
// CPU's order of additions for each pixel.
// Column entry (s, row, position) sits at s * col_s + row * col_r + position: per sample
// (col_s = O * kh * kw * plane, col_r = plane) or side by side (col_s = plane, col_r = ns * plane).
template <typename T>
__global__ void col2im_kernel(const T* __restrict__ cols, const T* __restrict__ bias,
                              T* __restrict__ out, cpu::Conv2dGeometry g, int64_t ns,
                              int64_t col_s, int64_t col_r) {
  const int64_t plane = g.oh * g.ow;
  const int64_t total = ns * g.o * g.ih * g.iw;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    int64_t r = idx;
    const int64_t x = r % g.iw;
    r /= g.iw;
    const int64_t y = r % g.ih;
    r /= g.ih;
    const int64_t o = r % g.o;
    const int64_t s = r / g.o;
    // Channel o's rows: sample s, group o / og, rows (o % og) * kh * kw onwards; since groups
    // are consecutive blocks of og channels, that is row o * kh * kw of the sample's columns.
    const T* base = cols + s * col_s + o * g.kh * g.kw * col_r;
    T acc = T(0);
    for (int64_t i = 0; i < g.kh; ++i) {
      const int64_t ty = y + g.ph - i * g.dh;
      if (ty < 0 || ty % g.sh != 0) continue;
      const int64_t oy = ty / g.sh;
      if (oy >= g.oh) continue;
      for (int64_t j = 0; j < g.kw; ++j) {
        const int64_t tx = x + g.pw - j * g.dw;
        if (tx < 0 || tx % g.sw != 0) continue;
        const int64_t ox = tx / g.sw;
        if (ox >= g.ow) continue;
        acc += base[(i * g.kw + j) * col_r + oy * g.ow + ox];
      }
    }
    out[idx] = bias ? acc + bias[o] : acc;
  }
}

// out [ns, O, plane] += bias[o], after the GEMM (the CPU's order: product, then bias).
template <typename T>
__global__ void add_bias_kernel(T* __restrict__ out, const T* __restrict__ bias, int64_t channels,
                                int64_t plane, int64_t total) {
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x)
    out[idx] += bias[(idx / plane) % channels];
}

// [ns, rows, plane] -> [rows, ns * plane]: the samples of each row side by side.
template <typename T>
__global__ void rows_side_by_side(const T* __restrict__ src, T* __restrict__ dst, int64_t ns,
                                  int64_t rows, int64_t plane) {
  const int64_t total = ns * rows * plane;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t p = idx % plane;
    const int64_t s = (idx / plane) % ns;
    const int64_t row = idx / (plane * ns);
    dst[idx] = src[(s * rows + row) * plane + p];
  }
}

// [rows, ns * plane] -> [ns, rows, plane]: back to one block per sample.
template <typename T>
__global__ void rows_per_sample(const T* __restrict__ src, T* __restrict__ dst, int64_t ns,
                                int64_t rows, int64_t plane) {
  const int64_t total = ns * rows * plane;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t p = idx % plane;
    const int64_t row = (idx / plane) % rows;
    const int64_t s = idx / (plane * rows);
    dst[idx] = src[(row * ns + s) * plane + p];
  }
}

// Side-by-side ("wide") GEMMs: with the samples of a run laid side by side, each group's product
// is ONE GEMM whose n extent is samples * positions, instead of a batch of per-sample GEMMs with
// n = positions — far better shaped for the small feature maps of DCGAN-like nets (4x4, 8x8).
// KINDLING_CONV_WIDE=0 selects the per-sample batched form (for comparison).
bool wide_enabled() {
  static const bool on = [] {
    const char* e = std::getenv("KINDLING_CONV_WIDE");
    return !(e && e[0] == '0');
  }();
  return on;
}

// A 1x1 kernel with unit stride and no padding needs no unfolding: the input is the columns.
bool pointwise(const cpu::Conv2dGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
}

template <typename T>
void conv2d_impl(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias,
                 const cpu::Conv2dGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const int64_t krows = cg * g.kh * g.kw, plane = g.oh * g.ow;
  const int64_t in_sample = g.c * g.ih * g.iw, cols_sample = g.groups * krows * plane;
  const T* xp = x.data<T>();
  const T* wp = w.data<T>();
  T* op = out.data<T>();
  const bool direct = pointwise(g);
  if (!direct && wide_enabled()) {
    // cols [groups][krows][ns * plane] -> wide [o][ns * plane] -> out [ns][o][plane].
    const int64_t run = samples_per_run<T>(g.n, cols_sample + g.o * plane, plane);
    Tensor cols = scratch(run * cols_sample, x), wide_out = scratch(run * g.o * plane, x);
    T* cp = cols.data<T>();
    T* wo = wide_out.data<T>();
    for (int64_t s0 = 0; s0 < g.n; s0 += run) {
      const int64_t ns = std::min(run, g.n - s0), wide = ns * plane;
      const int64_t total = ns * cols_sample;
      im2col_kernel<T><<<blocks_for(total), kBlock, 0, current_stream()>>>(
          xp + s0 * in_sample, cp, g, ns, plane, krows * wide, wide);
      KD_CUDA_LAUNCH_CHECK();
      gemm_strided_batched<T>(false, false, og, wide, krows, wp, krows, og * krows, cp, wide,
                              krows * wide, wo, wide, og * wide, g.groups, T(0));
      const int64_t otal = ns * g.o * plane;
      rows_per_sample<T><<<blocks_for(otal), kBlock, 0, current_stream()>>>(
          wo, op + s0 * g.o * plane, ns, g.o, plane);
      KD_CUDA_LAUNCH_CHECK();
    }
  } else {
  const int64_t run = samples_per_run<T>(g.n, direct ? 1 : cols_sample);
  Tensor cols = direct ? Tensor() : scratch(run * cols_sample, x);
  for (int64_t s0 = 0; s0 < g.n; s0 += run) {
    const int64_t ns = std::min(run, g.n - s0);
    const T* xs = xp + s0 * in_sample;
    const T* src = xs;            // columns of sample 0, group 0
    int64_t src_sample = in_sample, src_group = cg * plane;
    if (!direct) {
      T* cp = cols.data<T>();
      const int64_t total = ns * cols_sample;
      im2col_kernel<T><<<blocks_for(total), kBlock, 0, current_stream()>>>(
          xs, cp, g, ns, cols_sample, krows * plane, plane);
      KD_CUDA_LAUNCH_CHECK();
      src = cp;
      src_sample = cols_sample;
      src_group = krows * plane;
    }
    // out_s,g [og, plane] = W_g [og, krows] @ cols_s,g [krows, plane] for every sample s.
    for (int64_t gr = 0; gr < g.groups; ++gr)
      gemm_strided_batched<T>(false, false, og, plane, krows, wp + gr * og * krows, krows, 0,
                              src + gr * src_group, plane, src_sample,
                              op + (s0 * g.o + gr * og) * plane, plane, g.o * plane, ns, T(0));
  }
  }
  if (bias.defined()) {
    const int64_t total = out.numel();
    add_bias_kernel<T><<<blocks_for(total), kBlock, 0, current_stream()>>>(op, bias.data<T>(), g.o,
                                                                           plane, total);
    KD_CUDA_LAUNCH_CHECK();
  }
}

// Transposed: x [n, c, oh, ow] (the small side), w [c, og, kh, kw], out [n, o, ih, iw].
template <typename T>
void conv_transpose2d_impl(const Tensor& out, const Tensor& x, const Tensor& w,
                           const Tensor& bias, const cpu::Conv2dGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const int64_t krows = og * g.kh * g.kw, plane = g.oh * g.ow;
  const int64_t cols_sample = g.groups * krows * plane;  // = o * kh * kw * plane
  const T* xp = x.data<T>();
  const T* wp = w.data<T>();
  const T* bp = bias.defined() ? bias.data<T>() : nullptr;
  T* op = out.data<T>();
  if (wide_enabled()) {
    // x [ns][c][plane] -> xw [c][ns * plane]; cols [o * kh * kw][ns * plane] = W^T @ xw per
    // group; then the gather folds the side-by-side columns back.
    const int64_t run = samples_per_run<T>(g.n, cols_sample + g.c * plane, plane);
    Tensor cols = scratch(run * cols_sample, x), xwide = scratch(run * g.c * plane, x);
    T* cp = cols.data<T>();
    T* xw = xwide.data<T>();
    for (int64_t s0 = 0; s0 < g.n; s0 += run) {
      const int64_t ns = std::min(run, g.n - s0), wide = ns * plane;
      const int64_t xtotal = ns * g.c * plane;
      rows_side_by_side<T><<<blocks_for(xtotal), kBlock, 0, current_stream()>>>(
          xp + s0 * g.c * plane, xw, ns, g.c, plane);
      KD_CUDA_LAUNCH_CHECK();
      gemm_strided_batched<T>(true, false, krows, wide, cg, wp, krows, cg * krows, xw, wide,
                              cg * wide, cp, wide, krows * wide, g.groups, T(0));
      const int64_t total = ns * g.o * g.ih * g.iw;
      col2im_kernel<T><<<blocks_for(total), kBlock, 0, current_stream()>>>(
          cp, bp, op + s0 * g.o * g.ih * g.iw, g, ns, plane, wide);
      KD_CUDA_LAUNCH_CHECK();
    }
    return;
  }
  const int64_t run = samples_per_run<T>(g.n, cols_sample);
  Tensor cols = scratch(run * cols_sample, x);
  T* cp = cols.data<T>();
  for (int64_t s0 = 0; s0 < g.n; s0 += run) {
    const int64_t ns = std::min(run, g.n - s0);
    // cols_s,g [krows, plane] = W_g^T [krows, cg] @ x_s,g [cg, plane]; W_g is stored [cg, krows].
    for (int64_t gr = 0; gr < g.groups; ++gr)
      gemm_strided_batched<T>(true, false, krows, plane, cg, wp + gr * cg * krows, krows, 0,
                              xp + (s0 * g.c + gr * cg) * plane, plane, g.c * plane,
                              cp + gr * krows * plane, plane, cols_sample, ns, T(0));
    const int64_t total = ns * g.o * g.ih * g.iw;
    col2im_kernel<T><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        cp, bp, op + s0 * g.o * g.ih * g.iw, g, ns, cols_sample, plane);
    KD_CUDA_LAUNCH_CHECK();
  }
}

// dW_g [og, krows] = sum over samples s of gout_s,g [og, plane] @ cols_s,g^T [plane, krows].
// With the samples side by side (columns [groups][krows][ns * plane], gradient [o][ns * plane])
// that sum is one GEMM with k = ns * plane, batched over the groups; later runs of samples
// accumulate (beta 1).
template <typename T>
void conv2d_weight_impl(const Tensor& out, const Tensor& x, const Tensor& gout,
                        const cpu::Conv2dGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const int64_t krows = cg * g.kh * g.kw, plane = g.oh * g.ow;
  T* op = out.data<T>();
  if (g.n == 0 || plane == 0) {  // an empty sum
    KD_CUDA_CHECK(cudaMemsetAsync(op, 0, static_cast<size_t>(out.numel()) * sizeof(T),
                                  current_stream()));
    return;
  }
  const int64_t in_sample = g.c * g.ih * g.iw, cols_sample = g.groups * krows * plane;
  const T* xp = x.data<T>();
  const T* gp = gout.data<T>();
  const int64_t run = samples_per_run<T>(g.n, cols_sample + g.o * plane, plane);
  Tensor cols = scratch(run * cols_sample, x);
  Tensor gwide = scratch(run * g.o * plane, x);
  T* cp = cols.data<T>();
  T* gw = gwide.data<T>();
  for (int64_t s0 = 0; s0 < g.n; s0 += run) {
    const int64_t ns = std::min(run, g.n - s0);
    const int64_t wide = ns * plane;
    const int64_t total = ns * cols_sample;
    im2col_kernel<T><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        xp + s0 * in_sample, cp, g, ns, plane, krows * wide, wide);
    KD_CUDA_LAUNCH_CHECK();
    const int64_t gtotal = ns * g.o * plane;
    rows_side_by_side<T><<<blocks_for(gtotal), kBlock, 0, current_stream()>>>(
        gp + s0 * g.o * plane, gw, ns, g.o, plane);
    KD_CUDA_LAUNCH_CHECK();
    gemm_strided_batched<T>(false, true, og, krows, wide, gw, wide, og * wide, cp, wide,
                            krows * wide, op, krows, og * krows, g.groups,
                            s0 == 0 ? T(0) : T(1));
  }
}

}  // namespace

void conv2d_kernel(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias,
                   const cpu::Conv2dGeometry& g) {
  if (out.numel() == 0) return;
  if (x.dtype() == DType::Float32) conv2d_impl<float>(out, x, w, bias, g);
  else conv2d_impl<double>(out, x, w, bias, g);
}

void conv2d_weight_kernel(const Tensor& out, const Tensor& x, const Tensor& gout,
                          const cpu::Conv2dGeometry& g) {
  if (out.numel() == 0) return;
  if (x.dtype() == DType::Float32) conv2d_weight_impl<float>(out, x, gout, g);
  else conv2d_weight_impl<double>(out, x, gout, g);
}

void conv_transpose2d_kernel(const Tensor& out, const Tensor& x, const Tensor& w,
                             const Tensor& bias, const cpu::Conv2dGeometry& g) {
  if (out.numel() == 0) return;
  if (x.dtype() == DType::Float32) conv_transpose2d_impl<float>(out, x, w, bias, g);
  else conv_transpose2d_impl<double>(out, x, w, bias, g);
}

}  // namespace cuda
}  // namespace kd
