// The one GEMM entry of the CUDA backend (implemented in blas.cu), shared by matmul and the
// convolutions so that both run on cuBLAS when it could be loaded and on the in-house tiled
// kernel otherwise. Row-major like cpu::parallel_gemm: the caller never thinks about cuBLAS's
// column-major convention. Included only by .cu files of this folder.
#pragma once
#include <cstdint>

namespace kd {
namespace cuda {

// For z in [0, batch): C_z[m, n] = op(A_z) @ op(B_z) + beta * C_z, on the current device's
// stream, where X_z = x + z * stride_x (a stride may be 0: the operand is shared by the batch).
// op(A) = A stored row-major [m, k] with leading dim lda, or with ta the transpose of a stored
// row-major [k, m]; likewise op(B) from [k, n] or (tb) [n, k]. m, n, k and the leading dims must
// fit an int (the callers guarantee it); batch and strides may be any size. With beta == 0, C is
// never read (NaN garbage in it does not leak); k == 0 gives beta * C. Float and double only;
// m, n or batch of 0 do nothing.
template <typename T>
void gemm_strided_batched(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a,
                          int64_t lda, int64_t stride_a, const T* b, int64_t ldb, int64_t stride_b,
                          T* c, int64_t ldc, int64_t stride_c, int64_t batch, T beta);

}  // namespace cuda
}  // namespace kd
