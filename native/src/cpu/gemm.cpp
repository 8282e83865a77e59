// Matrix-product kernels. Floating point products are handed to OpenBLAS as they lie in memory:
// a transposed view is passed with the transpose flag and its leading stride, never copied,
// and a batch is walked by pointer offsets (stride 0 for a broadcast operand), so an expanded
// batch is never materialised. Vector-shaped products go to dot/gemv, which BLAS runs faster
// than a degenerate gemm. OpenBLAS is kept single-threaded: Kindling's pool is the only source
// of threads (DESIGN.md section 3), so a large product is cut into column or row blocks run on
// the pool, and a product inside a pool task (a convolution's per-image gemm, a batch of small
// products) runs on that task's thread. With OpenBLAS's own threads on as well, its helper
// threads spin after each call and take a core from the pool: on 2 cores a small CNN's training
// step measured about 2x slower that way. cblas_?gemm_batch is avoided on purpose: in OpenBLAS
// 0.3.31 built with DYNAMIC_ARCH (the bytedeco build) its small-matrix path jumps through an
// unresolved kernel table and crashes (fixed upstream later). int64 has no BLAS: a blocked loop on
// Kindling's own pool, wrapping on overflow as PyTorch's int64 arithmetic does.
#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <type_traits>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/parallel.h"

namespace kd {
namespace cpu {

// c = a @ b (+ beta * c) with single-threaded BLAS calls on blocks of c: the longer side of c is
// cut into one block per pool thread (a multiple of 16 wide, so each block keeps BLAS's
// register tiles full). Inside a pool task parallel_for runs inline: one call, this thread.
// A product below this many multiply-adds runs whole on one thread.
constexpr int64_t kSerialGemm = 65536 * 4;

template <typename T>
void parallel_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
                   const T* b, int64_t ldb, T* c, int64_t ldc, T beta) {
  auto call = [&](int64_t i0, int64_t rows, int64_t j0, int64_t cols) {
    const T* ab = a + (ta ? i0 : i0 * lda);
    const T* bb = b + (tb ? j0 * ldb : j0);
    if constexpr (std::is_same_v<T, float>)
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                  static_cast<blasint>(rows), static_cast<blasint>(cols), static_cast<blasint>(k),
                  1.0f, ab, static_cast<blasint>(lda), bb, static_cast<blasint>(ldb), beta,
                  c + i0 * ldc + j0, static_cast<blasint>(ldc));
    else
      cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                  static_cast<blasint>(rows), static_cast<blasint>(cols), static_cast<blasint>(k),
                  1.0, ab, static_cast<blasint>(lda), bb, static_cast<blasint>(ldb), beta,
                  c + i0 * ldc + j0, static_cast<blasint>(ldc));
  };
  const int threads = num_threads();
  if (threads <= 1 || m * n * k <= kSerialGemm || (m < 32 && n < 32)) {
    call(0, m, 0, n);
    return;
  }
  const bool by_rows = m >= n;
  const int64_t len = by_rows ? m : n;
  int64_t block = (len + threads - 1) / threads;
  block = (block + 15) / 16 * 16;
  const int64_t blocks = (len + block - 1) / block;
  parallel_for(blocks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      int64_t s0 = t * block, s1 = std::min(len, s0 + block);
      if (by_rows) call(s0, s1 - s0, 0, n);
      else call(0, m, s0, s1 - s0);
    }
  });
}

template void parallel_gemm<float>(bool, bool, int64_t, int64_t, int64_t, const float*, int64_t,
                                   const float*, int64_t, float*, int64_t, float);
template void parallel_gemm<double>(bool, bool, int64_t, int64_t, int64_t, const double*,
                                    int64_t, const double*, int64_t, double*, int64_t, double);

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

// OpenBLAS starts with one thread per core; from the moment libkindling is loaded (OpenBLAS,
// a dependency, is initialised before it) every BLAS call runs on its caller's thread.
[[maybe_unused]] const bool kBlasSingleThreaded = [] {
  openblas_set_num_threads(1);
  return true;
}();

// ---- typed entry points of cblas (overloads so the drivers below are written once)
inline void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                      const float* a, blasint lda, const float* b, blasint ldb, float* c,
                      blasint ldc) {
  parallel_gemm(ta == CblasTrans, tb == CblasTrans, m, n, k, a, lda, b, ldb, c, ldc, 0.0f);
}
inline void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n, blasint k,
                      const double* a, blasint lda, const double* b, blasint ldb, double* c,
                      blasint ldc) {
  parallel_gemm(ta == CblasTrans, tb == CblasTrans, m, n, k, a, lda, b, ldb, c, ldc, 0.0);
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

// Below kSerialGemm (m*n*k for gemm; kSerialGemv, m*k, for gemv and dot) a batch of products is
// spread over the pool one product per task; larger products are split themselves
// (parallel_gemm), one after another.
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
  // Large matrices: each product is split over the pool; the batch runs in order.
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
