// A small, portable stand-in for the CBLAS routines Kindling calls (cblas.h here), used when the
// build is configured with -DKINDLING_BLAS_DIR=builtin: on a machine without OpenBLAS (the GPU
// check machine has no network to fetch the bytedeco jar) the CPU side must still be correct, as
// it is the reference the CUDA parity test compares against. Speed is secondary: the products
// are cut into cache-sized blocks, packed, and accumulated four rows at a time so the compiler
// vectorises the inner loop, which is enough for tests and small models. Single-threaded, like
// Kindling's use of OpenBLAS (the pool splits large products itself).
#include "cblas.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace {

// Element (i, p) of op(m) for a row-major matrix with leading dimension ld.
template <typename T>
inline T at(const T* m, bool trans, int64_t ld, int64_t i, int64_t p) {
  return trans ? m[p * ld + i] : m[i * ld + p];
}

// Row-major c[m, n] = alpha * op(a)[m, k] @ op(b)[k, n] + beta * c.
template <typename T>
void gemm_row_major(bool ta, bool tb, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
                    int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    if (beta == T(0)) std::fill(row, row + n, T(0));  // never read: c may hold NaN garbage
    else if (beta != T(1)) for (int64_t j = 0; j < n; ++j) row[j] *= beta;
  }
  if (k <= 0 || alpha == T(0)) return;

  constexpr int64_t kMB = 64, kNB = 256, kKB = 128;
  std::vector<T> apack(static_cast<size_t>(kMB * kKB)), bpack(static_cast<size_t>(kKB * kNB));
  for (int64_t j0 = 0; j0 < n; j0 += kNB) {
    const int64_t nb = std::min(kNB, n - j0);
    for (int64_t p0 = 0; p0 < k; p0 += kKB) {
      const int64_t kb = std::min(kKB, k - p0);
      T* bp = bpack.data();
      for (int64_t p = 0; p < kb; ++p)
        for (int64_t j = 0; j < nb; ++j) bp[p * nb + j] = at(b, tb, ldb, p0 + p, j0 + j);
      for (int64_t i0 = 0; i0 < m; i0 += kMB) {
        const int64_t mb = std::min(kMB, m - i0);
        T* ap = apack.data();
        for (int64_t i = 0; i < mb; ++i)
          for (int64_t p = 0; p < kb; ++p) ap[i * kb + p] = alpha * at(a, ta, lda, i0 + i, p0 + p);
        int64_t i = 0;
        // Four rows of c share each loaded row of the packed b.
        for (; i + 4 <= mb; i += 4) {
          T* __restrict c0 = c + (i0 + i) * ldc + j0;
          T* __restrict c1 = c0 + ldc;
          T* __restrict c2 = c1 + ldc;
          T* __restrict c3 = c2 + ldc;
          const T* a0 = ap + i * kb;
          for (int64_t p = 0; p < kb; ++p) {
            const T x0 = a0[p], x1 = a0[kb + p], x2 = a0[2 * kb + p], x3 = a0[3 * kb + p];
            const T* __restrict br = bp + p * nb;
            for (int64_t j = 0; j < nb; ++j) {
              const T y = br[j];
              c0[j] += x0 * y;
              c1[j] += x1 * y;
              c2[j] += x2 * y;
              c3[j] += x3 * y;
            }
          }
        }
        for (; i < mb; ++i) {
          T* __restrict c0 = c + (i0 + i) * ldc + j0;
          const T* a0 = ap + i * kb;
          for (int64_t p = 0; p < kb; ++p) {
            const T x0 = a0[p];
            const T* __restrict br = bp + p * nb;
            for (int64_t j = 0; j < nb; ++j) c0[j] += x0 * br[j];
          }
        }
      }
    }
  }
}

// Column-major c = op(a) op(b) is row-major c^T = op(b)^T op(a)^T: swap the operands.
template <typename T>
void gemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n,
          blasint k, T alpha, const T* a, blasint lda, const T* b, blasint ldb, T beta, T* c,
          blasint ldc) {
  const bool at_ = ta != CblasNoTrans, bt = tb != CblasNoTrans;
  if (order == CblasRowMajor) gemm_row_major<T>(at_, bt, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else gemm_row_major<T>(bt, at_, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);
}

// BLAS vectors with a negative increment are walked from their far end.
template <typename T>
inline int64_t vec_start(int64_t len, blasint inc) {
  return inc >= 0 ? 0 : (1 - len) * static_cast<int64_t>(inc);
}

template <typename T>
T dot(blasint n, const T* x, blasint incx, const T* y, blasint incy) {
  if (n <= 0) return T(0);
  const T* xp = x + vec_start<T>(n, incx);
  const T* yp = y + vec_start<T>(n, incy);
  T s[4] = {0, 0, 0, 0};
  int64_t i = 0;
  if (incx == 1 && incy == 1) {
    for (; i + 4 <= n; i += 4)
      for (int r = 0; r < 4; ++r) s[r] += xp[i + r] * yp[i + r];
  }
  for (; i < n; ++i) s[0] += xp[i * incx] * yp[i * incy];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// Row-major a[rows, cols]: y = alpha * op(a) x + beta * y.
template <typename T>
void gemv_row_major(bool trans, int64_t rows, int64_t cols, T alpha, const T* a, int64_t lda,
                    const T* x, blasint incx, T beta, T* y, blasint incy) {
  const int64_t ylen = trans ? cols : rows, xlen = trans ? rows : cols;
  if (ylen <= 0) return;
  const T* xp = x + vec_start<T>(xlen, incx);
  T* yp = y + vec_start<T>(ylen, incy);
  for (int64_t i = 0; i < ylen; ++i) {
    T& yi = yp[i * incy];
    yi = beta == T(0) ? T(0) : beta * yi;
  }
  if (xlen <= 0 || alpha == T(0)) return;
  if (!trans) {
    for (int64_t i = 0; i < rows; ++i) {
      const T* row = a + i * lda;
      T s = 0;
      for (int64_t j = 0; j < cols; ++j) s += row[j] * xp[j * incx];
      yp[i * incy] += alpha * s;
    }
  } else {
    // y += alpha * sum_i x_i * a[i, :]: walks a by rows.
    std::vector<T> acc(static_cast<size_t>(cols), T(0));
    for (int64_t i = 0; i < rows; ++i) {
      const T xi = xp[i * incx];
      const T* row = a + i * lda;
      for (int64_t j = 0; j < cols; ++j) acc[static_cast<size_t>(j)] += xi * row[j];
    }
    for (int64_t j = 0; j < cols; ++j) yp[j * incy] += alpha * acc[static_cast<size_t>(j)];
  }
}

// A column-major m x n matrix is the row-major n x m matrix of its transpose.
template <typename T>
void gemv(CBLAS_ORDER order, CBLAS_TRANSPOSE t, blasint m, blasint n, T alpha, const T* a,
          blasint lda, const T* x, blasint incx, T beta, T* y, blasint incy) {
  const bool trans = t != CblasNoTrans;
  if (order == CblasRowMajor) gemv_row_major<T>(trans, m, n, alpha, a, lda, x, incx, beta, y, incy);
  else gemv_row_major<T>(!trans, n, m, alpha, a, lda, x, incx, beta, y, incy);
}

}  // namespace

extern "C" {

void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n,
                 blasint k, float alpha, const float* a, blasint lda, const float* b, blasint ldb,
                 float beta, float* c, blasint ldc) {
  gemm<float>(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_dgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n,
                 blasint k, double alpha, const double* a, blasint lda, const double* b,
                 blasint ldb, double beta, double* c, blasint ldc) {
  gemm<double>(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void cblas_sgemv(CBLAS_ORDER order, CBLAS_TRANSPOSE t, blasint m, blasint n, float alpha,
                 const float* a, blasint lda, const float* x, blasint incx, float beta, float* y,
                 blasint incy) {
  gemv<float>(order, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
void cblas_dgemv(CBLAS_ORDER order, CBLAS_TRANSPOSE t, blasint m, blasint n, double alpha,
                 const double* a, blasint lda, const double* x, blasint incx, double beta,
                 double* y, blasint incy) {
  gemv<double>(order, t, m, n, alpha, a, lda, x, incx, beta, y, incy);
}
float cblas_sdot(blasint n, const float* x, blasint incx, const float* y, blasint incy) {
  return dot<float>(n, x, incx, y, incy);
}
double cblas_ddot(blasint n, const double* x, blasint incx, const double* y, blasint incy) {
  return dot<double>(n, x, incx, y, incy);
}
void openblas_set_num_threads(int) {}

}  // extern "C"
