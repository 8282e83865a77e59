// Matrix products on the GPU. cuBLAS is found at run time with dlopen, never linked: the shipped
// library must load on machines without it (and nothing here includes a cuBLAS header: the few
// entry points are declared below with their documented C ABI). When it cannot be loaded (or
// KINDLING_CUBLAS=none), an in-house tiled shared-memory kernel computes every GEMM, so the
// backend works either way; gemm_backend() says which one is in use.
//
// cuBLAS is column-major and Kindling row-major. A row-major matrix is the column-major storage
// of its transpose, so row-major C = op(A) op(B) is computed as column-major
// C^T = op(B)^T op(A)^T: the operands swap places, m and n swap, and each keeps its own transpose
// flag and leading dimension. FP32 stays exact FP32 (CUBLAS_DEFAULT_MATH, no TF32), as PyTorch
// computes float matmuls by default (allow_tf32 = False).
//
// matmul_kernel has cpu::matmul_kernel's contract: out [..., m, n] contiguous, a and b with the
// same batch sizes (stride 0 where broadcast), float matrices in a layout BLAS can read (row- or
// column-major with a leading stride); int64 goes through a plain kernel that wraps on overflow.
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdlib>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "cuda/common.cuh"
#include "cuda/gemm.cuh"

namespace kd {
namespace cuda {

namespace {

// ---- the cuBLAS C ABI (cublas_api.h), declared by hand ----------------------------------------
using cublasHandle_t = void*;  // pointer to an opaque cublasContext
using cublasStatus_t = int;
constexpr int CUBLAS_STATUS_SUCCESS = 0;
constexpr int CUBLAS_OP_N = 0;
constexpr int CUBLAS_OP_T = 1;
constexpr int CUBLAS_DEFAULT_MATH = 0;  // cublasMath_t: no tensor-op (TF32) shortcuts

using CreateFn = cublasStatus_t (*)(cublasHandle_t*);
using DestroyFn = cublasStatus_t (*)(cublasHandle_t);
using SetStreamFn = cublasStatus_t (*)(cublasHandle_t, cudaStream_t);
using SetMathModeFn = cublasStatus_t (*)(cublasHandle_t, int);
using SgemmFn = cublasStatus_t (*)(cublasHandle_t, int, int, int, int, int, const float*,
                                   const float*, int, const float*, int, const float*, float*, int);
using DgemmFn = cublasStatus_t (*)(cublasHandle_t, int, int, int, int, int, const double*,
                                   const double*, int, const double*, int, const double*, double*,
                                   int);
using SgemmBatchedFn = cublasStatus_t (*)(cublasHandle_t, int, int, int, int, int, const float*,
                                          const float*, int, long long, const float*, int,
                                          long long, const float*, float*, int, long long, int);
using DgemmBatchedFn = cublasStatus_t (*)(cublasHandle_t, int, int, int, int, int, const double*,
                                          const double*, int, long long, const double*, int,
                                          long long, const double*, double*, int, long long, int);

struct Cublas {
  bool loaded = false;
  std::string where;  // the file that was opened
  CreateFn create = nullptr;
  DestroyFn destroy = nullptr;
  SetStreamFn set_stream = nullptr;
  SetMathModeFn set_math_mode = nullptr;  // optional
  SgemmFn sgemm = nullptr;
  DgemmFn dgemm = nullptr;
  SgemmBatchedFn sgemm_batched = nullptr;
  DgemmBatchedFn dgemm_batched = nullptr;
};

// The first of `names` the library exports (cuBLAS keeps the "_v2" names as its real symbols).
void* symbol(void* lib, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (void* p = dlsym(lib, n)) return p;
  return nullptr;
}

// Opens cuBLAS once: env KINDLING_CUBLAS (a full path, or "none" for the in-house kernel), else
// the sonames of CUDA 13 and 12, else the unversioned name. A library lacking any needed entry
// point is closed again and counts as absent.
const Cublas& cublas() {
  static const Cublas lib = [] {
    Cublas r;
    std::vector<std::string> candidates;
    const char* env = std::getenv("KINDLING_CUBLAS");
    if (env && *env) {
      if (std::string(env) == "none") return r;
      candidates.push_back(env);
    }
    for (const char* so : {"libcublas.so.13", "libcublas.so.12", "libcublas.so"})
      candidates.push_back(so);
    for (const std::string& path : candidates) {
      void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) continue;
      r.create = reinterpret_cast<CreateFn>(symbol(h, {"cublasCreate_v2", "cublasCreate"}));
      r.destroy = reinterpret_cast<DestroyFn>(symbol(h, {"cublasDestroy_v2", "cublasDestroy"}));
      r.set_stream =
          reinterpret_cast<SetStreamFn>(symbol(h, {"cublasSetStream_v2", "cublasSetStream"}));
      r.set_math_mode = reinterpret_cast<SetMathModeFn>(symbol(h, {"cublasSetMathMode"}));
      r.sgemm = reinterpret_cast<SgemmFn>(symbol(h, {"cublasSgemm_v2", "cublasSgemm"}));
      r.dgemm = reinterpret_cast<DgemmFn>(symbol(h, {"cublasDgemm_v2", "cublasDgemm"}));
      r.sgemm_batched =
          reinterpret_cast<SgemmBatchedFn>(symbol(h, {"cublasSgemmStridedBatched"}));
      r.dgemm_batched =
          reinterpret_cast<DgemmBatchedFn>(symbol(h, {"cublasDgemmStridedBatched"}));
      if (r.create && r.destroy && r.set_stream && r.sgemm && r.dgemm && r.sgemm_batched &&
          r.dgemm_batched) {
        r.loaded = true;
        r.where = path;
        return r;  // kept open for the life of the process
      }
      dlclose(h);
      r = Cublas{};
    }
    return r;
  }();
  return lib;
}

// Cleared for good when a device refuses a cuBLAS handle: from then on every GEMM (and
// gemm_backend) uses the in-house kernel, so results never depend on which device ran first.
std::atomic<bool> g_cublas_usable{true};

constexpr int kMaxHandles = 64;

// cuBLAS allows calls from several threads only when they do not use one handle at the same
// time; the calls only queue work on the stream, so one lock per device costs next to nothing.
std::mutex& handle_mutex(int32_t device) {
  static std::mutex mus[kMaxHandles];
  return mus[device];
}

// The handle of `device` (the current one), created on first use and bound to the device's
// stream; nullptr when cuBLAS is absent or unusable. Handles live until the process exits
// (destroying them at exit could run after the CUDA context is gone). The caller holds
// handle_mutex(device).
cublasHandle_t handle(int32_t device) {
  const Cublas& lib = cublas();
  if (!lib.loaded || !g_cublas_usable.load(std::memory_order_relaxed)) return nullptr;
  static cublasHandle_t handles[kMaxHandles] = {};
  if (handles[device]) return handles[device];
  cublasHandle_t h = nullptr;
  if (lib.create(&h) != CUBLAS_STATUS_SUCCESS || !h) {
    g_cublas_usable.store(false);
    return nullptr;
  }
  if (lib.set_stream(h, stream(device)) != CUBLAS_STATUS_SUCCESS ||
      (lib.set_math_mode && lib.set_math_mode(h, CUBLAS_DEFAULT_MATH) != CUBLAS_STATUS_SUCCESS)) {
    lib.destroy(h);
    g_cublas_usable.store(false);
    return nullptr;
  }
  handles[device] = h;
  return h;
}

void check_cublas(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    fail(KD_ERR_INTERNAL, "matmul: cuBLAS ", what, " failed with status ", s);
}

// ---- the in-house GEMM -----------------------------------------------------------------------
// A block of 16x16 threads computes a 64x64 tile of C, each thread a 4x4 grid of it (rows
// ty + 16*r, columns tx + 16*s). The k extent is walked in slices of 16: each slice of op(A)
// (64 x 16) and op(B) (16 x 64) is staged in shared memory, zero-filled outside the matrices, so
// any m, n, k works. Loads are laid out so that neighbouring threads read neighbouring addresses
// in both the plain and the transposed layout. Tiles of every matrix of the batch are spread
// over a one-dimensional grid (no grid-dimension limit on m, n or batch).
constexpr int kTileM = 64, kTileN = 64, kTileK = 16, kThreadsSide = 16;

template <typename T>
__global__ void __launch_bounds__(kThreadsSide* kThreadsSide)
    gemm_tiled(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* __restrict__ a,
               int64_t lda, int64_t stride_a, const T* __restrict__ b, int64_t ldb,
               int64_t stride_b, T* c, int64_t ldc, int64_t stride_c, int64_t batch, T beta) {
  __shared__ T as[kTileK][kTileM + 1];  // as[q][r] = op(A)[row0 + r, k0 + q]
  __shared__ T bs[kTileK][kTileN + 1];  // bs[q][s] = op(B)[k0 + q, col0 + s]
  const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * kThreadsSide + tx;
  constexpr int kThreads = kThreadsSide * kThreadsSide;
  const int64_t tiles_m = (m + kTileM - 1) / kTileM, tiles_n = (n + kTileN - 1) / kTileN;
  const int64_t tiles = tiles_m * tiles_n * batch;
  // The loop bounds are the same for every thread of a block, so __syncthreads is safe inside.
  for (int64_t t = blockIdx.x; t < tiles; t += gridDim.x) {
    const int64_t z = t / (tiles_m * tiles_n);
    const int64_t rest = t % (tiles_m * tiles_n);
    const int64_t row0 = (rest / tiles_n) * kTileM, col0 = (rest % tiles_n) * kTileN;
    const T* A = a + z * stride_a;
    const T* B = b + z * stride_b;
    T acc[4][4];
#pragma unroll
    for (int r = 0; r < 4; ++r)
#pragma unroll
      for (int s = 0; s < 4; ++s) acc[r][s] = T(0);
    for (int64_t k0 = 0; k0 < k; k0 += kTileK) {
      for (int e = tid; e < kTileM * kTileK; e += kThreads) {
        // Plain A: q (along k) is contiguous in memory; transposed A: r (along m) is.
        const int r = ta ? e % kTileM : e / kTileK;
        const int q = ta ? e / kTileM : e % kTileK;
        const int64_t i = row0 + r, p = k0 + q;
        T v = T(0);
        if (i < m && p < k) v = ta ? A[p * lda + i] : A[i * lda + p];
        as[q][r] = v;
      }
      for (int e = tid; e < kTileK * kTileN; e += kThreads) {
        // Plain B: s (along n) is contiguous; transposed B: q (along k) is.
        const int s = tb ? e / kTileK : e % kTileN;
        const int q = tb ? e % kTileK : e / kTileN;
        const int64_t j = col0 + s, p = k0 + q;
        T v = T(0);
        if (j < n && p < k) v = tb ? B[j * ldb + p] : B[p * ldb + j];
        bs[q][s] = v;
      }
      __syncthreads();
#pragma unroll
      for (int q = 0; q < kTileK; ++q) {
        T av[4], bv[4];
#pragma unroll
        for (int r = 0; r < 4; ++r) av[r] = as[q][ty + kThreadsSide * r];
#pragma unroll
        for (int s = 0; s < 4; ++s) bv[s] = bs[q][tx + kThreadsSide * s];
#pragma unroll
        for (int r = 0; r < 4; ++r)
#pragma unroll
          for (int s = 0; s < 4; ++s) acc[r][s] += av[r] * bv[s];
      }
      __syncthreads();
    }
    T* C = c + z * stride_c;
#pragma unroll
    for (int r = 0; r < 4; ++r) {
      const int64_t i = row0 + ty + kThreadsSide * r;
      if (i >= m) continue;
#pragma unroll
      for (int s = 0; s < 4; ++s) {
        const int64_t j = col0 + tx + kThreadsSide * s;
        if (j >= n) continue;
        T* dst = C + i * ldc + j;
        *dst = beta == T(0) ? acc[r][s] : acc[r][s] + beta * *dst;
      }
    }
  }
}

template <typename T>
void in_house_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
                   int64_t stride_a, const T* b, int64_t ldb, int64_t stride_b, T* c, int64_t ldc,
                   int64_t stride_c, int64_t batch, T beta) {
  const int64_t tiles =
      ((m + kTileM - 1) / kTileM) * ((n + kTileN - 1) / kTileN) * batch;
  const unsigned int grid = static_cast<unsigned int>(std::min<int64_t>(tiles, 1 << 20));
  gemm_tiled<T><<<grid, dim3(kThreadsSide, kThreadsSide), 0, current_stream()>>>(
      ta, tb, m, n, k, a, lda, stride_a, b, ldb, stride_b, c, ldc, stride_c, batch, beta);
  KD_CUDA_LAUNCH_CHECK();
}

// ---- int64 products ----------------------------------------------------------------------------
// One thread per output element; batch offsets of a and b from their (possibly broadcast)
// strides. Unsigned arithmetic: two's-complement wrap on overflow, as on the CPU.
struct Int64Plan {
  int32_t nbdims;
  int64_t batch_sizes[kMaxDims];
  int64_t a_batch[kMaxDims], b_batch[kMaxDims];
  int64_t m, n, k, ars, acs, brs, bcs;
};

__global__ void int64_matmul(Int64Plan p, const uint64_t* __restrict__ a,
                             const uint64_t* __restrict__ b, uint64_t* __restrict__ out,
                             int64_t total) {
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t j = idx % p.n;
    const int64_t i = (idx / p.n) % p.m;
    int64_t bi = idx / (p.n * p.m);
    int64_t aoff = 0, boff = 0;
    for (int32_t d = p.nbdims - 1; d >= 0; --d) {
      const int64_t x = bi % p.batch_sizes[d];
      bi /= p.batch_sizes[d];
      aoff += x * p.a_batch[d];
      boff += x * p.b_batch[d];
    }
    const uint64_t* ar = a + aoff + i * p.ars;
    const uint64_t* bc = b + boff + j * p.bcs;
    uint64_t acc = 0;
    for (int64_t q = 0; q < p.k; ++q) acc += ar[q * p.acs] * bc[q * p.brs];
    out[idx] = acc;
  }
}

// ---- float products --------------------------------------------------------------------------
// One operand as a row-major GEMM sees it: the matrix itself (trans false, rows at stride ld)
// or the transpose of what is stored (trans true, columns at stride ld). Mirrors the layouts
// cpu::gemm_layout_ok accepts.
struct GemmMat {
  bool trans;
  int64_t ld;
};

bool gemm_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, GemmMat* out) {
  if ((cols == 1 || cs == 1) && (rows == 1 || (rs >= std::max<int64_t>(1, cols) && rs <= INT_MAX))) {
    *out = {false, rows == 1 ? std::max<int64_t>(1, cols) : rs};
    return true;
  }
  if ((rows == 1 || rs == 1) && (cols == 1 || (cs >= std::max<int64_t>(1, rows) && cs <= INT_MAX))) {
    *out = {true, cols == 1 ? std::max<int64_t>(1, rows) : cs};
    return true;
  }
  return false;
}

// The batch dims of out = a @ b as an outer loop (on the host) around an inner run that one
// strided-batched GEMM covers: the innermost batch dims are merged while a's and b's strides
// both step through them as one run (out is contiguous, so its stride always does).
template <typename T>
void float_matmul(const Tensor& out, const Tensor& a, const Tensor& b, int32_t nbdims, int64_t m,
                  int64_t n, int64_t k) {
  GemmMat la{}, lb{};
  const bool ok = gemm_layout(m, k, a.stride(nbdims), a.stride(nbdims + 1), &la) &&
                  gemm_layout(k, n, b.stride(nbdims), b.stride(nbdims + 1), &lb);
  if (!ok) fail(KD_ERR_INTERNAL, "matmul_kernel: operand layout not accepted by GEMM");
  // Batch dims of size != 1, outermost first.
  std::vector<int64_t> sizes, sa, sb;
  for (int32_t d = 0; d < nbdims; ++d) {
    if (out.size(d) == 1) continue;
    sizes.push_back(out.size(d));
    sa.push_back(a.stride(d));
    sb.push_back(b.stride(d));
  }
  // Inner run: dims [split, end) merged into one of `run` matrices with strides run_a, run_b.
  int64_t run = 1, run_a = 0, run_b = 0;
  size_t split = sizes.size();
  while (split > 0) {
    const size_t d = split - 1;
    if (run > 1 && (sa[d] != run_a * run || sb[d] != run_b * run)) break;
    if (run == 1) {
      run_a = sa[d];
      run_b = sb[d];
    }
    run *= sizes[d];
    split = d;
  }
  const T* ap = a.data<T>();
  const T* bp = b.data<T>();
  T* cp = out.data<T>();
  const int64_t csz = m * n;
  // Outer batch: every index of dims [0, split), in row-major order.
  int64_t outer = 1;
  for (size_t d = 0; d < split; ++d) outer *= sizes[d];
  std::vector<int64_t> idx(split, 0);
  int64_t aoff = 0, boff = 0;
  for (int64_t o = 0; o < outer; ++o) {
    gemm_strided_batched<T>(la.trans, lb.trans, m, n, k, ap + aoff, la.ld, run_a, bp + boff,
                            lb.ld, run_b, cp + o * run * csz, n, csz, run, T(0));
    for (size_t d = split; d-- > 0;) {
      aoff += sa[d];
      boff += sb[d];
      if (++idx[d] < sizes[d]) break;
      aoff -= sa[d] * sizes[d];
      boff -= sb[d] * sizes[d];
      idx[d] = 0;
    }
  }
}

}  // namespace

template <typename T>
void gemm_strided_batched(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const T* a,
                          int64_t lda, int64_t stride_a, const T* b, int64_t ldb, int64_t stride_b,
                          T* c, int64_t ldc, int64_t stride_c, int64_t batch, T beta) {
  if (m <= 0 || n <= 0 || batch <= 0) return;
  const int32_t device = current_device();
  std::unique_lock<std::mutex> lock;
  cublasHandle_t h = nullptr;
  if (k > 0 && device >= 0 && device < kMaxHandles && cublas().loaded) {
    lock = std::unique_lock<std::mutex>(handle_mutex(device));
    h = handle(device);
  }
  if (!h) {
    in_house_gemm<T>(ta, tb, m, n, k, a, lda, stride_a, b, ldb, stride_b, c, ldc, stride_c, batch,
                     beta);
    return;
  }
  const Cublas& lib = cublas();
  const T one = T(1);
  // Column-major C^T[n, m] = op(B)^T[n, k] op(A)^T[k, m]: B first, then A.
  const int opb = tb ? CUBLAS_OP_T : CUBLAS_OP_N, opa = ta ? CUBLAS_OP_T : CUBLAS_OP_N;
  const int in = static_cast<int>(n), im = static_cast<int>(m), ik = static_cast<int>(k);
  const int ildb = static_cast<int>(ldb), ilda = static_cast<int>(lda),
            ildc = static_cast<int>(ldc);
  if (batch == 1) {
    if constexpr (std::is_same_v<T, float>)
      check_cublas(lib.sgemm(h, opb, opa, in, im, ik, &one, b, ildb, a, ilda, &beta, c, ildc),
                   "cublasSgemm");
    else
      check_cublas(lib.dgemm(h, opb, opa, in, im, ik, &one, b, ildb, a, ilda, &beta, c, ildc),
                   "cublasDgemm");
    return;
  }
  // batchCount is an int: very long batches go in slices.
  for (int64_t z0 = 0; z0 < batch; z0 += INT_MAX) {
    const int cnt = static_cast<int>(std::min<int64_t>(INT_MAX, batch - z0));
    const T* az = a + z0 * stride_a;
    const T* bz = b + z0 * stride_b;
    T* cz = c + z0 * stride_c;
    if constexpr (std::is_same_v<T, float>)
      check_cublas(lib.sgemm_batched(h, opb, opa, in, im, ik, &one, bz, ildb, stride_b, az, ilda,
                                     stride_a, &beta, cz, ildc, stride_c, cnt),
                   "cublasSgemmStridedBatched");
    else
      check_cublas(lib.dgemm_batched(h, opb, opa, in, im, ik, &one, bz, ildb, stride_b, az, ilda,
                                     stride_a, &beta, cz, ildc, stride_c, cnt),
                   "cublasDgemmStridedBatched");
  }
}

template void gemm_strided_batched<float>(bool, bool, int64_t, int64_t, int64_t, const float*,
                                          int64_t, int64_t, const float*, int64_t, int64_t,
                                          float*, int64_t, int64_t, int64_t, float);
template void gemm_strided_batched<double>(bool, bool, int64_t, int64_t, int64_t, const double*,
                                           int64_t, int64_t, const double*, int64_t, int64_t,
                                           double*, int64_t, int64_t, int64_t, double);

std::string gemm_backend() {
  return cublas().loaded && g_cublas_usable.load() ? "cublas" : "in-house";
}

void matmul_kernel(const Tensor& out, const Tensor& a, const Tensor& b) {
  const int32_t nbdims = out.dim() - 2;
  const int64_t m = out.size(nbdims), n = out.size(nbdims + 1), k = a.size(nbdims + 1);
  if (out.numel() == 0) return;
  if (k == 0) {  // an empty sum: every entry is 0 (all-zero bits for float, double and int64)
    KD_CUDA_CHECK(cudaMemsetAsync(out.raw_data(), 0,
                                  static_cast<size_t>(out.numel()) * element_size(out.dtype()),
                                  current_stream()));
    return;
  }
  switch (out.dtype()) {
    case DType::Float32: float_matmul<float>(out, a, b, nbdims, m, n, k); return;
    case DType::Float64: float_matmul<double>(out, a, b, nbdims, m, n, k); return;
    case DType::Int64: {
      Int64Plan p{};
      p.nbdims = nbdims;
      for (int32_t d = 0; d < nbdims; ++d) {
        p.batch_sizes[d] = out.size(d);
        p.a_batch[d] = a.stride(d);
        p.b_batch[d] = b.stride(d);
      }
      p.m = m;
      p.n = n;
      p.k = k;
      p.ars = a.stride(nbdims);
      p.acs = a.stride(nbdims + 1);
      p.brs = b.stride(nbdims);
      p.bcs = b.stride(nbdims + 1);
      const int64_t total = out.numel();
      int64_matmul<<<blocks_for(total), kBlock, 0, current_stream()>>>(
          p, reinterpret_cast<const uint64_t*>(a.data<int64_t>()),
          reinterpret_cast<const uint64_t*>(b.data<int64_t>()),
          reinterpret_cast<uint64_t*>(out.data<int64_t>()), total);
      KD_CUDA_LAUNCH_CHECK();
      return;
    }
    default:
      fail(KD_ERR_INTERNAL, "matmul_kernel: unexpected dtype ", dtype_name(out.dtype()));
  }
}

}  // namespace cuda
}  // namespace kd
