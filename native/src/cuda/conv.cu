// Convolutions on the GPU: the CPU's im2col + GEMM scheme (cpu/conv.cpp) with the batch handed
// to the GEMM at once. im2col unfolds a whole run of samples into one column buffer on the
// device with the samples side by side ([rows, samples * positions]), so each group's product is
// one GEMM over every sample; the output is regrouped per sample afterwards. The transposed
// convolution computes the columns the same way and folds them back with a gather (each output
// pixel sums the column entries that land on it, in a fixed order: deterministic, no atomics).
// For the weight gradient the same layout makes the sum over the batch the k extent of one GEMM.
// Runs of samples are sized so a column buffer stays under kColumnBudget bytes; the DCGAN shapes
// (batch 64, 64x64 images, 4x4 kernels) fit in one run.
//
// Contracts as cpu/conv.h: contiguous float32/float64 operands validated by ops/conv.cpp, out
// freshly allocated (every element is written here).
#include <algorithm>
#include <climits>

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

// Index arithmetic is the cost of these data-movement kernels (64-bit division is emulated on
// GPUs), so each runs with 32-bit indices whenever every offset it forms fits (the common case),
// and im2col divides once per input position rather than once per column entry.
struct Geo {  // Conv2dGeometry in the kernel's index type
  int64_t n, c, ih, iw, o, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups;
};
inline Geo geo(const cpu::Conv2dGeometry& g) {
  return Geo{g.n, g.c, g.ih, g.iw, g.o, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.groups};
}
inline bool fits32(std::initializer_list<int64_t> extents) {
  for (int64_t e : extents)
    if (e >= (int64_t(1) << 31) - 1) return false;
  return true;
}

// im2col for `ns` samples: x [ns, C, ih, iw] -> column entry (s, c, i, j, y, x) at
//   s * col_s + (c / cg) * col_g + (((c % cg) * kh + i) * kw + j) * col_r + y * ow + x
// holding x[s, c, y*sh - ph + i*dh, x*sw - pw + j*dw], or 0 in the padding. One thread per
// (s, c, y, x) writes its kh * kw entries; consecutive threads write consecutive x.
template <typename T, typename I>
__global__ void im2col_kernel(const T* __restrict__ x, T* __restrict__ cols, Geo g64, I ns,
                              I col_s, I col_g, I col_r) {
  const I C = static_cast<I>(g64.c), IH = static_cast<I>(g64.ih), IW = static_cast<I>(g64.iw);
  const I OH = static_cast<I>(g64.oh), OW = static_cast<I>(g64.ow), KH = static_cast<I>(g64.kh),
          KW = static_cast<I>(g64.kw);
  const I SH = static_cast<I>(g64.sh), SW = static_cast<I>(g64.sw), PH = static_cast<I>(g64.ph),
          PW = static_cast<I>(g64.pw), DH = static_cast<I>(g64.dh), DW = static_cast<I>(g64.dw);
  const I cg = C / static_cast<I>(g64.groups);
  const I total = ns * C * OH * OW;
  for (I idx = blockIdx.x * static_cast<I>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<I>(gridDim.x) * blockDim.x) {
    I r = idx;
    const I ox = r % OW;
    r /= OW;
    const I oy = r % OH;
    r /= OH;
    const I c = r % C;
    const I s = r / C;
    const T* xp = x + (s * C + c) * IH * IW;
    T* cp = cols + s * col_s + (c / cg) * col_g + (c % cg) * KH * KW * col_r + oy * OW + ox;
    const I y0 = oy * SH - PH, x0 = ox * SW - PW;
    for (I i = 0; i < KH; ++i) {
      const I yy = y0 + i * DH;
      const bool row_in = yy >= 0 && yy < IH;
      for (I j = 0; j < KW; ++j) {
        const I xx = x0 + j * DW;
        cp[(i * KW + j) * col_r] = (row_in && xx >= 0 && xx < IW) ? xp[yy * IW + xx] : T(0);
      }
    }
  }
}

// The gather form of col2im for the transposed convolution: out [ns, O, ih, iw] from columns.
// Column entry (s, row, position) sits at s * col_s + row * col_r + position: per sample
// (col_s = O * kh * kw * plane, col_r = plane) or side by side (col_s = plane, col_r = ns * plane).
// Output pixel (y, x) of channel o receives column (o, i, j) at input position (oy, ox) when
// y = oy*sh - ph + i*dh and x = ox*sw - pw + j*dw. The sum runs over i, then j, from 0, and the
// bias is added last: the CPU's order of additions for each pixel.
template <typename T, typename I>
__global__ void col2im_kernel(const T* __restrict__ cols, const T* __restrict__ bias,
                              T* __restrict__ out, Geo g64, I ns, I col_s, I col_r) {
  const I O = static_cast<I>(g64.o), IH = static_cast<I>(g64.ih), IW = static_cast<I>(g64.iw);
  const I OH = static_cast<I>(g64.oh), OW = static_cast<I>(g64.ow), KH = static_cast<I>(g64.kh),
          KW = static_cast<I>(g64.kw);
  const I SH = static_cast<I>(g64.sh), SW = static_cast<I>(g64.sw), PH = static_cast<I>(g64.ph),
          PW = static_cast<I>(g64.pw), DH = static_cast<I>(g64.dh), DW = static_cast<I>(g64.dw);
  const I total = ns * O * IH * IW;
  for (I idx = blockIdx.x * static_cast<I>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<I>(gridDim.x) * blockDim.x) {
    I r = idx;
    const I x = r % IW;
    r /= IW;
    const I y = r % IH;
    r /= IH;
    const I o = r % O;
    const I s = r / O;
    const T* base = cols + s * col_s + o * KH * KW * col_r;
    T acc = T(0);
    for (I i = 0; i < KH; ++i) {
      const I ty = y + PH - i * DH;
      if (ty < 0) break;  // ty only decreases with i
      const I oy = ty / SH;
      if (oy * SH != ty || oy >= OH) continue;
      for (I j = 0; j < KW; ++j) {
        const I tx = x + PW - j * DW;
        if (tx < 0) break;
        const I ox = tx / SW;
        if (ox * SW != tx || ox >= OW) continue;
        acc += base[(i * KW + j) * col_r + oy * OW + ox];
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

// [ns, rows, plane] -> [rows, ns * plane] (to_wide) or back (!to_wide).
template <typename T, typename I, bool to_wide>
__global__ void regroup_kernel(const T* __restrict__ src, T* __restrict__ dst, I ns, I rows,
                               I plane) {
  const I total = ns * rows * plane;
  for (I idx = blockIdx.x * static_cast<I>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<I>(gridDim.x) * blockDim.x) {
    const I p = idx % plane;
    if (to_wide) {  // idx walks dst [rows][ns][plane]
      const I s = (idx / plane) % ns;
      const I row = idx / (plane * ns);
      dst[idx] = src[(s * rows + row) * plane + p];
    } else {        // idx walks dst [ns][rows][plane]
      const I row = (idx / plane) % rows;
      const I s = idx / (plane * rows);
      dst[idx] = src[(row * ns + s) * plane + p];
    }
  }
}

// Host launchers: pick 32-bit indices when every offset fits.
template <typename T>
void im2col(const T* x, T* cols, const cpu::Conv2dGeometry& g, int64_t ns, int64_t col_s,
            int64_t col_g, int64_t col_r) {
  const int64_t threads = ns * g.c * g.oh * g.ow;
  if (threads == 0) return;
  const int64_t cols_total = ns * g.c * g.kh * g.kw * g.oh * g.ow;
  if (fits32({threads, cols_total, ns * g.c * g.ih * g.iw, ns * col_s + g.groups * col_g + cols_total}))
    im2col_kernel<T, int32_t><<<blocks_for(threads), kBlock, 0, current_stream()>>>(
        x, cols, geo(g), static_cast<int32_t>(ns), static_cast<int32_t>(col_s),
        static_cast<int32_t>(col_g), static_cast<int32_t>(col_r));
  else
    im2col_kernel<T, int64_t><<<blocks_for(threads), kBlock, 0, current_stream()>>>(
        x, cols, geo(g), ns, col_s, col_g, col_r);
  KD_CUDA_LAUNCH_CHECK();
}

template <typename T>
void col2im(const T* cols, const T* bias, T* out, const cpu::Conv2dGeometry& g, int64_t ns,
            int64_t col_s, int64_t col_r) {
  const int64_t threads = ns * g.o * g.ih * g.iw;
  if (threads == 0) return;
  const int64_t cols_total = ns * g.o * g.kh * g.kw * g.oh * g.ow;
  if (fits32({threads, cols_total, ns * col_s + g.o * g.kh * g.kw * col_r}))
    col2im_kernel<T, int32_t><<<blocks_for(threads), kBlock, 0, current_stream()>>>(
        cols, bias, out, geo(g), static_cast<int32_t>(ns), static_cast<int32_t>(col_s),
        static_cast<int32_t>(col_r));
  else
    col2im_kernel<T, int64_t><<<blocks_for(threads), kBlock, 0, current_stream()>>>(
        cols, bias, out, geo(g), ns, col_s, col_r);
  KD_CUDA_LAUNCH_CHECK();
}

template <typename T, bool to_wide>
void regroup(const T* src, T* dst, int64_t ns, int64_t rows, int64_t plane) {
  const int64_t total = ns * rows * plane;
  if (total == 0) return;
  if (fits32({total}))
    regroup_kernel<T, int32_t, to_wide><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        src, dst, static_cast<int32_t>(ns), static_cast<int32_t>(rows), static_cast<int32_t>(plane));
  else
    regroup_kernel<T, int64_t, to_wide><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        src, dst, ns, rows, plane);
  KD_CUDA_LAUNCH_CHECK();
}

// Side-by-side ("wide") GEMMs: with the samples of a run laid side by side, each group's product
// is ONE GEMM whose n extent is samples * positions, rather than a batch of per-sample GEMMs with
// n = positions — far better shaped for the small feature maps of DCGAN-like nets (4x4, 8x8): on
// an H200 it took a DCGAN step from 13.8 to 13.1 ms, and with the index work above to 7.9 ms.

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
  if (pointwise(g)) {
    // The input is already the columns: out_s,g [og, plane] = W_g [og, cg] @ x_s,g [cg, plane]
    // for every sample s, one strided-batched GEMM per group.
    const int64_t run = samples_per_run<T>(g.n, 1);
    for (int64_t s0 = 0; s0 < g.n; s0 += run) {
      const int64_t ns = std::min(run, g.n - s0);
      for (int64_t gr = 0; gr < g.groups; ++gr)
        gemm_strided_batched<T>(false, false, og, plane, krows, wp + gr * og * krows, krows, 0,
                                xp + s0 * in_sample + gr * cg * plane, plane, in_sample,
                                op + (s0 * g.o + gr * og) * plane, plane, g.o * plane, ns, T(0));
    }
  } else {
    // cols [groups][krows][ns * plane] -> wide [o][ns * plane] -> out [ns][o][plane].
    const int64_t run = samples_per_run<T>(g.n, cols_sample + g.o * plane, plane);
    Tensor cols = scratch(run * cols_sample, x), wide_out = scratch(run * g.o * plane, x);
    T* cp = cols.data<T>();
    T* wo = wide_out.data<T>();
    for (int64_t s0 = 0; s0 < g.n; s0 += run) {
      const int64_t ns = std::min(run, g.n - s0), wide = ns * plane;
      im2col<T>(xp + s0 * in_sample, cp, g, ns, plane, krows * wide, wide);
      gemm_strided_batched<T>(false, false, og, wide, krows, wp, krows, og * krows, cp, wide,
                              krows * wide, wo, wide, og * wide, g.groups, T(0));
      regroup<T, false>(wo, op + s0 * g.o * plane, ns, g.o, plane);
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
  // x [ns][c][plane] -> xw [c][ns * plane]; cols [o * kh * kw][ns * plane] = W^T @ xw per group;
  // then the gather folds the side-by-side columns back.
  const int64_t run = samples_per_run<T>(g.n, cols_sample + g.c * plane, plane);
  Tensor cols = scratch(run * cols_sample, x), xwide = scratch(run * g.c * plane, x);
  T* cp = cols.data<T>();
  T* xw = xwide.data<T>();
  for (int64_t s0 = 0; s0 < g.n; s0 += run) {
    const int64_t ns = std::min(run, g.n - s0), wide = ns * plane;
    regroup<T, true>(xp + s0 * g.c * plane, xw, ns, g.c, plane);
    gemm_strided_batched<T>(true, false, krows, wide, cg, wp, krows, cg * krows, xw, wide,
                            cg * wide, cp, wide, krows * wide, g.groups, T(0));
    col2im<T>(cp, bp, op + s0 * g.o * g.ih * g.iw, g, ns, plane, wide);
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
    im2col<T>(xp + s0 * in_sample, cp, g, ns, plane, krows * wide, wide);
    regroup<T, true>(gp + s0 * g.o * plane, gw, ns, g.o, plane);
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
