// Convolution kernels. conv2d unfolds each sample's group of channels into a column matrix
// (im2col: one row per (channel, kh, kw), one column per output position, zeros where the
// window hangs over the padding) and multiplies it by the group's weight matrix with one BLAS
// GEMM. The transposed convolution runs the same pieces backwards: the GEMM with the transposed
// weight gives the columns, and col2im adds every column entry back onto the pixel it came from.
// Samples are spread over Kindling's pool, each thread with its own column buffer.
#include "cpu/conv.h"

#include <algorithm>
#include <vector>

#include "core/dtype.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"
#include "cpu/vec.h"

namespace kd {
namespace cpu {

namespace {

// c = a @ b (transposed where asked); the pool's gemm, which runs inline inside a pool task.
template <typename T>
inline void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
                 const T* b, int64_t ldb, T* c, int64_t ldc, T beta = T(0)) {
  parallel_gemm<T>(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, beta);
}

// dst[0, n) = src[0, n) for the short runs of im2col (a row of a small feature map, 7-28
// elements): whole vectors then single elements, inline; std::copy becomes a memmove call
// whose overhead is most of the cost at these lengths.
template <typename T>
inline void copy_run(const T* src, T* dst, int64_t n) {
  typedef T V __attribute__((vector_size(vec::kBytes)));
  constexpr int64_t L = vec::kBytes / sizeof(T);
  int64_t i = 0;
  for (; i + L <= n; i += L) vec::store(dst + i, vec::load<V>(src + i));
  for (; i < n; ++i) dst[i] = src[i];
}

// dst[0, n) += src[0, n) for col2im's short rows, likewise (the buffers never overlap).
template <typename T>
inline void add_run(const T* src, T* dst, int64_t n) {
  typedef T V __attribute__((vector_size(vec::kBytes)));
  constexpr int64_t L = vec::kBytes / sizeof(T);
  int64_t i = 0;
  for (; i + L <= n; i += L) vec::store(dst + i, vec::load<V>(dst + i) + vec::load<V>(src + i));
  for (; i < n; ++i) dst[i] += src[i];
}

// dst[0, n) = 0 for the padding borders (usually 0 or 1 element): the empty asm keeps GCC from
// turning the loop into a memset call.
template <typename T>
inline void zero_run(T* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = T(0);
    asm volatile("" ::: "memory");
  }
}

// x: [cg, ih, iw] of one sample and group -> cols [cg*kh*kw, oh*ow].
template <typename T>
void im2col(const T* x, T* cols, int64_t cg, const Conv2dGeometry& g) {
  const int64_t plane = g.oh * g.ow;
  for (int64_t c = 0; c < cg; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        T* row = cols + ((c * g.kh + i) * g.kw + j) * plane;
        const T* xc = x + c * g.ih * g.iw;
        for (int64_t y = 0; y < g.oh; ++y) {
          int64_t yy = y * g.sh - g.ph + i * g.dh;
          T* r = row + y * g.ow;
          if (yy < 0 || yy >= g.ih) {
            std::fill(r, r + g.ow, T(0));
            continue;
          }
          const T* xr = xc + yy * g.iw;
          // Output columns whose input column lies inside the row: [lo, hi); zeros around.
          const int64_t off = j * g.dw - g.pw;
          int64_t lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
          int64_t hi = g.iw - off <= 0 ? 0 : (g.iw - off + g.sw - 1) / g.sw;
          lo = std::min(lo, g.ow);
          hi = std::max(lo, std::min(hi, g.ow));
          zero_run(r, lo);
          if (g.sw == 1) {
            copy_run(xr + lo + off, r + lo, hi - lo);
          } else {
            for (int64_t x_ = lo; x_ < hi; ++x_) r[x_] = xr[x_ * g.sw + off];
          }
          zero_run(r + hi, g.ow - hi);
        }
      }
}

// The adjoint of im2col: x[cg, ih, iw] += cols scattered back (x must start zeroed).
template <typename T>
void col2im(const T* cols, T* x, int64_t cg, const Conv2dGeometry& g) {
  const int64_t plane = g.oh * g.ow;
  for (int64_t c = 0; c < cg; ++c)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) {
        const T* row = cols + ((c * g.kh + i) * g.kw + j) * plane;
        T* xc = x + c * g.ih * g.iw;
        for (int64_t y = 0; y < g.oh; ++y) {
          int64_t yy = y * g.sh - g.ph + i * g.dh;
          if (yy < 0 || yy >= g.ih) continue;
          const T* r = row + y * g.ow;
          T* xr = xc + yy * g.iw;
          const int64_t off = j * g.dw - g.pw;
          int64_t lo = off >= 0 ? 0 : (-off + g.sw - 1) / g.sw;
          int64_t hi = g.iw - off <= 0 ? 0 : (g.iw - off + g.sw - 1) / g.sw;
          lo = std::min(lo, g.ow);
          hi = std::max(lo, std::min(hi, g.ow));
          if (g.sw == 1) {
            add_run(r + lo, xr + off + lo, hi - lo);
          } else {
            for (int64_t x_ = lo; x_ < hi; ++x_) xr[x_ * g.sw + off] += r[x_];
          }
        }
      }
}

// A 1x1 kernel with unit stride and no padding needs no unfolding: the input is the columns.
bool pointwise(const Conv2dGeometry& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
}

template <typename T>
void conv2d_impl(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias,
                 const Conv2dGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const int64_t krows = cg * g.kh * g.kw, plane = g.oh * g.ow;
  const T* xp = x.data<T>();
  const T* wp = w.data<T>();
  const T* bp = bias.defined() ? bias.data<T>() : nullptr;
  T* op = out.data<T>();
  const bool direct = pointwise(g);
  parallel_for(g.n, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> cols(direct ? 0 : static_cast<size_t>(krows * plane));
    for (int64_t b = b0; b < b1; ++b)
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const T* xs = xp + (b * g.c + gr * cg) * g.ih * g.iw;
        T* os = op + (b * g.o + gr * og) * plane;
        const T* src = xs;
        if (!direct) {
          im2col(xs, cols.data(), cg, g);
          src = cols.data();
        }
        gemm<T>(false, false, og, plane, krows, wp + gr * og * krows, krows, src,
             plane, os, plane);
        if (bp)
          for (int64_t o = 0; o < og; ++o) {
            T v = bp[gr * og + o];
            T* r = os + o * plane;
            for (int64_t p = 0; p < plane; ++p) r[p] += v;
          }
      }
  });
}

// Transposed: x [n, c, oh, ow] (the small side), w [c, og, kh, kw], out [n, o, ih, iw].
template <typename T>
void conv_transpose2d_impl(const Tensor& out, const Tensor& x, const Tensor& w,
                           const Tensor& bias, const Conv2dGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const int64_t krows = og * g.kh * g.kw, plane = g.oh * g.ow, big = g.ih * g.iw;
  const T* xp = x.data<T>();
  const T* wp = w.data<T>();
  const T* bp = bias.defined() ? bias.data<T>() : nullptr;
  T* op = out.data<T>();
  parallel_for(g.n, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> cols(static_cast<size_t>(krows * plane));
    for (int64_t b = b0; b < b1; ++b)
      for (int64_t gr = 0; gr < g.groups; ++gr) {
        const T* xs = xp + (b * g.c + gr * cg) * plane;
        T* os = op + (b * g.o + gr * og) * big;
        // cols [og*kh*kw, plane] = w_g^T [krows, cg] @ x_g [cg, plane]
        gemm<T>(true, false, krows, plane, cg, wp + gr * cg * krows, krows, xs, plane,
             cols.data(), plane);
        std::fill(os, os + og * big, T(0));
        col2im(cols.data(), os, og, g);
        if (bp)
          for (int64_t o = 0; o < og; ++o) {
            T v = bp[gr * og + o];
            T* r = os + o * big;
            for (int64_t p = 0; p < big; ++p) r[p] += v;
          }
      }
  });
}

// dW[o, c, i, j] = sum over samples and output positions of gout[o, pos] * x[c, pos + (i, j)]:
// per sample and group, dW_g [og, krows] += gout_g [og, plane] @ cols^T [plane, krows]. The
// batch is split into one run of samples per pool thread, each summing into its own buffer;
// the buffers are added up at the end, so the result does not depend on scheduling.
template <typename T>
void conv2d_weight_impl(const Tensor& out, const Tensor& x, const Tensor& gout,
                        const Conv2dGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  const int64_t krows = cg * g.kh * g.kw, plane = g.oh * g.ow;
  const int64_t wsize = g.o * krows;
  const T* xp = x.data<T>();
  const T* gp = gout.data<T>();
  T* op = out.data<T>();
  const bool direct = pointwise(g);
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(num_threads(), g.n));
  std::vector<T> partial(static_cast<size_t>((tasks - 1) * wsize));
  parallel_for(tasks, 1, [&](int64_t t0, int64_t t1) {
    std::vector<T> cols(direct ? 0 : static_cast<size_t>(krows * plane));
    for (int64_t t = t0; t < t1; ++t) {
      T* acc = t == 0 ? op : partial.data() + (t - 1) * wsize;
      std::fill(acc, acc + wsize, T(0));
      const int64_t b0 = g.n * t / tasks, b1 = g.n * (t + 1) / tasks;
      for (int64_t b = b0; b < b1; ++b)
        for (int64_t gr = 0; gr < g.groups; ++gr) {
          const T* xs = xp + (b * g.c + gr * cg) * g.ih * g.iw;
          const T* gs = gp + (b * g.o + gr * og) * plane;
          const T* src = xs;
          if (!direct) {
            im2col(xs, cols.data(), cg, g);
            src = cols.data();
          }
          gemm<T>(false, true, og, krows, plane, gs, plane, src, plane, acc + gr * og * krows,
                  krows, T(1));
        }
    }
  });
  for (int64_t t = 1; t < tasks; ++t) {
    const T* src = partial.data() + (t - 1) * wsize;
    for (int64_t i = 0; i < wsize; ++i) op[i] += src[i];
  }
}

}  // namespace

void conv2d_weight_kernel(const Tensor& out, const Tensor& x, const Tensor& gout,
                          const Conv2dGeometry& g) {
  if (x.dtype() == DType::Float32) conv2d_weight_impl<float>(out, x, gout, g);
  else conv2d_weight_impl<double>(out, x, gout, g);
}

void conv2d_kernel(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias,
                   const Conv2dGeometry& g) {
  if (x.dtype() == DType::Float32) conv2d_impl<float>(out, x, w, bias, g);
  else conv2d_impl<double>(out, x, w, bias, g);
}

void conv_transpose2d_kernel(const Tensor& out, const Tensor& x, const Tensor& w,
                             const Tensor& bias, const Conv2dGeometry& g) {
  if (x.dtype() == DType::Float32) conv_transpose2d_impl<float>(out, x, w, bias, g);
  else conv_transpose2d_impl<double>(out, x, w, bias, g);
}

}  // namespace cpu
}  // namespace kd
