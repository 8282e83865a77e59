// Matrix-product kernels. Floating point products are handed to OpenBLAS as they lie in memory:
// a transposed view is passed with the transpose flag and its leading stride, never copied,
// and a batch is walked by pointer offsets (stride 0 for a broadcast operand), so an expanded
// batch is never materialised. Vector-shaped products go to dot/gemv, which BLAS runs faster
// than a degenerate gemm; a batch of small products is spread over Kindling's pool (each one
// single-threaded inside BLAS). cblas_?gemm_batch is avoided on purpose: in OpenBLAS 0.3.31
// built with DYNAMIC_ARCH (the bytedeco build) its small-matrix path jumps through an
// unresolved kernel table and crashes (fixed upstream later). int64 has no BLAS: a blocked loop on
// Kindling's own pool, wrapping on overflow as PyTorch's int64 arithmetic does.
#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/parallel.h"

namespace kd {
namespace cpu {

namespace {

// One operand as BLAS sees it (row-major): the stored matrix is the operand itself (NoTrans)
// or its transpose (Trans), with leading dimension ld.
struct BlasMat {
  CBLAS_TRANSPOSE trans;
  blasint ld;
};

bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, BlasMat* out) {
  // A size-1 extent never advances, so its stride is free; BLAS still wants ld >= 1.
  if ((cols == 1 || cs == 1) &&
      (rows == 1 || (rs >= std::max<int64_t>(1, cols) && rs <= INT_MAX))) {
    *out = {CblasNoTrans, static_cast<blasint>(rows == 1 ? std::max<int64_t>(1, cols) : rs)};
    return true;
  }
  if ((rows == 1 || rs == 1) &&
      (cols == 1 || (cs >= std::max<int64_t>(1, rows) && cs <= INT_MAX))) {
    *out = {CblasTrans, static_cast<blasint>(cols == 1 ? std::max<int64_t>(1, rows) : cs)};
    return true;
  }
  return false;
}

// ---- typed entry points of cblas (overloads so the drivers below are written once)
inline void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                      const float* a, blasint lda, const float* b, blasint ldb, float* c,
                      blasint ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
}
inline void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                      const double* a, blasint lda, const double* b, blasint ldb, double* c,
                      blasint ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, ldc);
}
inline void blas_gemv(CBLAS_TRANSPOSE t, blasint rows, blasint cols, const float* a, blasint lda,
                      const float* x, blasint incx, float* y) {
  cblas_sgemv(CblasRowMajor, t, rows, cols, 1.0f, a, lda, x, incx, 0.0f, y, 1);
}
inline void blas_gemv(CBLAS_TRANSPOSE t, blasint rows, blasint cols, const double* a,
                      blasint lda, const double* x, blasint incx, double* y) {
  cblas_dgemv(CblasRowMajor, t, rows, cols, 1.0, a, lda, x, incx, 0.0, y, 1);
}
inline float blas_dot(blasint n, const float* x, blasint incx, const float* y, blasint incy) {
  return cblas_sdot(n, x, incx, y, incy);
}
inline double blas_dot(blasint n, const double* x, blasint incx, const double* y,
                       blasint incy) {
  return cblas_ddot(n, x, incx, y, incy);
}
// The vector stride BLAS needs: any non-zero value when the vector has one element.
inline blasint vec_inc(int64_t len, int64_t stride) {
  return static_cast<blasint>(len > 1 ? stride : 1);
}

// OpenBLAS runs a product on the calling thread alone below these sizes (m*n*k for gemm,
// SMP_THRESHOLD_MIN * GEMM_MULTITHREAD_THRESHOLD; m*k for gemv and dot), so a batch of such
// products can be spread over Kindling's pool without oversubscribing BLAS's threads. Larger
// products are left to BLAS's own threading, one after another.
constexpr int64_t kSerialGemm = 65536 * 4;
constexpr int64_t kSerialGemv = 2304 * 4;

// Offsets (in elements) of each batch's matrix, walking the leading dims of t in row-major order.
std::vector<int64_t> batch_offsets(const Tensor& t, int32_t nbdims, int64_t nb) {
  std::vector<int64_t> off(static_cast<size_t>(nb));
  Dims idx = Dims::filled(nbdims, 0);
  int64_t cur = 0;
  for (int64_t i = 0; i < nb; ++i) {
    off[static_cast<size_t>(i)] = cur;
    for (int32_t d = nbdims - 1; d >= 0; --d) {
      cur += t.stride(d);
      if (++idx[d] < t.size(d)) break;
      cur -= t.stride(d) * t.size(d);
      idx[d] = 0;
    }
  }
  return off;
}

// Sizes and BLAS views of one product's operands (shared by every matrix of a batch).
struct Problem {
  int64_t m, n, k;
  BlasMat la, lb;
  int64_t a_cs, b_rs;  // strides along k: a's row and b's column, when used as vectors
};

// c (contiguous m x n) = a @ b for one matrix.
template <typename T>
void one_product(const Problem& p, const T* a, const T* b, T* c) {
  auto m = static_cast<blasint>(p.m), n = static_cast<blasint>(p.n),
       k = static_cast<blasint>(p.k);
  if (m == 1 && n == 1) {
    c[0] = blas_dot(k, a, vec_inc(k, p.a_cs), b, vec_inc(k, p.b_rs));
    return;
  }
  if (n == 1 || m == 1) {
    // gemv with beta 0 may still scale y by 0, which keeps NaN garbage: clear it first.
    std::memset(c, 0, sizeof(T) * static_cast<size_t>(p.m * p.n));
    if (n == 1) {  // c = a x, x a column of b
      blasint incx = vec_inc(k, p.b_rs);
      if (p.la.trans == CblasNoTrans) blas_gemv(CblasNoTrans, m, k, a, p.la.ld, b, incx, c);
      else blas_gemv(CblasTrans, k, m, a, p.la.ld, b, incx, c);
    } else {  // c^T = b^T x, x the row of a
      blasint incx = vec_inc(k, p.a_cs);
      if (p.lb.trans == CblasNoTrans) blas_gemv(CblasTrans, k, n, b, p.lb.ld, a, incx, c);
      else blas_gemv(CblasNoTrans, n, k, b, p.lb.ld, a, incx, c);
    }
    return;
  }
  blas_gemm(p.la.trans, p.lb.trans, m, n, k, a, p.la.ld, b, p.lb.ld, c, n);
}

template <typename T>
void blas_matmul(const Tensor& out, const Tensor& a, const Tensor& b, const Problem& p,
                 int32_t nbdims, int64_t nb) {
  const T* ap = a.data<T>();
  const T* bp = b.data<T>();
  T* cp = out.data<T>();
  if (nb == 1) {
    one_product(p, ap, bp, cp);
    return;
  }
  std::vector<int64_t> aoff = batch_offsets(a, nbdims, nb), boff = batch_offsets(b, nbdims, nb);
  int64_t csz = p.m * p.n, work = p.m * p.n * p.k;
  if (work <= (p.m == 1 || p.n == 1 ? kSerialGemv : kSerialGemm)) {
    parallel_for(nb, std::max<int64_t>(1, kGrain / work), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i)
        one_product(p, ap + aoff[static_cast<size_t>(i)], bp + boff[static_cast<size_t>(i)],
                    cp + i * csz);
    });
    return;
  }
  // Large matrices: BLAS threads each product; the batch runs in order on this thread.
  for (int64_t i = 0; i < nb; ++i) {
    one_product(p, ap + aoff[static_cast<size_t>(i)], bp + boff[static_cast<size_t>(i)],
                cp + i * csz);
  }
}

// int64: rows of the batched output are split across the pool; each row accumulates
// a[i, p] * b[p, j-block] in unsigned arithmetic (two's-complement wrap, no UB).
void int64_matmul(const Tensor& out, const Tensor& a, const Tensor& b, int64_t m, int64_t n,
                  int64_t k, int32_t nbdims, int64_t nb) {
  std::vector<int64_t> aoff = batch_offsets(a, nbdims, nb), boff = batch_offsets(b, nbdims, nb);
  const auto* ap = reinterpret_cast<const uint64_t*>(a.data<int64_t>());
  const auto* bp = reinterpret_cast<const uint64_t*>(b.data<int64_t>());
  auto* cp = reinterpret_cast<uint64_t*>(out.data<int64_t>());
  int64_t ars = a.stride(nbdims), acs = a.stride(nbdims + 1);
  int64_t brs = b.stride(nbdims), bcs = b.stride(nbdims + 1);
  constexpr int64_t kBlockN = 256;
  int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, n * k));
  parallel_for(nb * m, grain, [&](int64_t lo, int64_t hi) {
    for (int64_t row = lo; row < hi; ++row) {
      int64_t bi = row / m, i = row % m;
      const uint64_t* arow = ap + aoff[static_cast<size_t>(bi)] + i * ars;
      const uint64_t* bmat = bp + boff[static_cast<size_t>(bi)];
      uint64_t* crow = cp + row * n;
      std::fill(crow, crow + n, uint64_t(0));
      for (int64_t j0 = 0; j0 < n; j0 += kBlockN) {
        int64_t j1 = std::min(n, j0 + kBlockN);
        for (int64_t q = 0; q < k; ++q) {
          uint64_t x = arow[q * acs];
          const uint64_t* brow = bmat + q * brs;
          if (bcs == 1) {
            for (int64_t j = j0; j < j1; ++j) crow[j] += x * brow[j];
          } else {
            for (int64_t j = j0; j < j1; ++j) crow[j] += x * brow[j * bcs];
          }
        }
      }
    }
  });
}

}  // namespace

bool gemm_layout_ok(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  BlasMat unused;
  return blas_layout(rows, cols, row_stride, col_stride, &unused);
}

void matmul_kernel(const Tensor& out, const Tensor& a, const Tensor& b) {
  int32_t nbdims = out.dim() - 2;
  int64_t m = out.size(nbdims), n = out.size(nbdims + 1), k = a.size(nbdims + 1);
  if (out.numel() == 0) return;
  if (k == 0) {  // an empty sum: every entry is 0
    fill_kernel(out, 0.0);
    return;
  }
  int64_t nb = 1;
  for (int32_t d = 0; d < nbdims; ++d) nb *= out.size(d);
  if (out.dtype() == DType::Int64) {
    int64_matmul(out, a, b, m, n, k, nbdims, nb);
    return;
  }
  Problem p{m, n, k, {}, {}, a.stride(nbdims + 1), b.stride(nbdims)};
  bool ok = blas_layout(m, k, a.stride(nbdims), a.stride(nbdims + 1), &p.la) &&
            blas_layout(k, n, b.stride(nbdims), b.stride(nbdims + 1), &p.lb);
  if (!ok) fail(KD_ERR_INTERNAL, "matmul_kernel: operand layout not accepted by BLAS");
  if (out.dtype() == DType::Float32) blas_matmul<float>(out, a, b, p, nbdims, nb);
  else if (out.dtype() == DType::Float64) blas_matmul<double>(out, a, b, p, nbdims, nb);
  else fail(KD_ERR_INTERNAL, "matmul_kernel: unexpected dtype ", dtype_name(out.dtype()));
}

}  // namespace cpu
}  // namespace kd
