// Convolution kernels. conv2d unfolds each sample's group of channels into a column matrix
// (im2col: one row per (channel, kh, kw), one column per output position, zeros where the
// window hangs over the padding) and multiplies it by the group's weight matrix with one BLAS
// GEMM. The transposed convolution runs the same pieces backwards: the GEMM with the transposed
// weight gives the columns, and col2im adds every column entry back onto the pixel it came from.
// Samples are spread over Kindling's pool, each thread with its own column buffer.
#include "cpu/conv.h"

#include <cblas.h>

#include <algorithm>
#include <vector>

#include "core/dtype.h"
#include "cpu/parallel.h"

namespace kd {
namespace cpu {

namespace {

inline void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                 const float* a, blasint lda, const float* b, blasint ldb, float* c, blasint ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
}
inline void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                 const double* a, blasint lda, const double* b, blasint ldb, double* c,
                 blasint ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
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
          for (int64_t x_ = 0; x_ < g.ow; ++x_) {
            int64_t xx = x_ * g.sw - g.pw + j * g.dw;
            r[x_] = (xx >= 0 && xx < g.iw) ? xr[xx] : T(0);
          }
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
          for (int64_t x_ = 0; x_ < g.ow; ++x_) {
            int64_t xx = x_ * g.sw - g.pw + j * g.dw;
            if (xx >= 0 && xx < g.iw) xr[xx] += r[x_];
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
        gemm(CblasNoTrans, CblasNoTrans, og, plane, krows, wp + gr * og * krows, krows, src,
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
        gemm(CblasTrans, CblasNoTrans, krows, plane, cg, wp + gr * cg * krows, krows, xs, plane,
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

}  // namespace

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
