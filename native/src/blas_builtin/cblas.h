// The few CBLAS declarations Kindling's CPU kernels use, for builds without OpenBLAS
// (-DKINDLING_BLAS_DIR=builtin, e.g. a GPU machine with no network): blas_builtin.cpp implements
// them with plain blocked loops. The constants have the values of the reference CBLAS so that
// code written against OpenBLAS's header compiles unchanged.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

typedef int blasint;

typedef enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 } CBLAS_ORDER;
typedef CBLAS_ORDER CBLAS_LAYOUT;
typedef enum CBLAS_TRANSPOSE {
  CblasNoTrans = 111,
  CblasTrans = 112,
  CblasConjTrans = 113
} CBLAS_TRANSPOSE;

// c = alpha * op(a) @ op(b) + beta * c; with beta == 0, c is written without being read.
void cblas_sgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n,
                 blasint k, float alpha, const float* a, blasint lda, const float* b, blasint ldb,
                 float beta, float* c, blasint ldc);
void cblas_dgemm(CBLAS_ORDER order, CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, blasint m, blasint n,
                 blasint k, double alpha, const double* a, blasint lda, const double* b,
                 blasint ldb, double beta, double* c, blasint ldc);
// y = alpha * op(a) @ x + beta * y, a stored as m x n.
void cblas_sgemv(CBLAS_ORDER order, CBLAS_TRANSPOSE t, blasint m, blasint n, float alpha,
                 const float* a, blasint lda, const float* x, blasint incx, float beta, float* y,
                 blasint incy);
void cblas_dgemv(CBLAS_ORDER order, CBLAS_TRANSPOSE t, blasint m, blasint n, double alpha,
                 const double* a, blasint lda, const double* x, blasint incx, double beta,
                 double* y, blasint incy);
float cblas_sdot(blasint n, const float* x, blasint incx, const float* y, blasint incy);
double cblas_ddot(blasint n, const double* x, blasint incx, const double* y, blasint incy);
// Kindling runs BLAS on its own thread pool; the builtin BLAS never threads, so this does nothing.
void openblas_set_num_threads(int n);

#ifdef __cplusplus
}
#endif
