// CUDA reductions (sum, mean, prod, amax/amin, logsumexp, any/all, var/std, max/min with the
// index of the first extreme) and softmax/log_softmax, with the CPU kernels' dtypes and results
// (cpu/reduce.cpp, cpu/softmax.cpp): float sums accumulate in double, integer and bool sums in
// wrapping uint64, a NaN wins amax/amin, and logsumexp/var run two passes through a per-output
// double (the max, the mean) exactly like the CPU.
//
// One kernel covers every reduction. The host splits the input's dims into kept dims (one output
// each; the output is contiguous over them) and reduced dims (sorted so the smallest stride is
// innermost, merged where contiguous), then picks which of the two gets the block's x threads,
// the fast, coalesced direction:
//   - inner: a row of blockDim.x lanes walks one output's reduced elements (sum(-1), sum()), and
//     the lanes are combined with warp shuffles;
//   - outer: the x threads are adjacent outputs and the y threads split the reduction (sum(0) of
//     a matrix), combined through shared memory.
// When there are too few outputs to fill the GPU, the reduced range is also cut into
// gridDim.y splits; each writes a partial accumulator and a second kernel merges them in split
// order, so results never depend on scheduling (no atomics).
#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "cuda/block_reduce.cuh"
#include "cuda/common.cuh"

namespace kd {
namespace cuda {

int sm_count() {
  static std::atomic<int> counts[64];
  const int32_t dev = current_device();
  if (dev < 0 || dev >= 64) return 80;
  int n = counts[dev].load(std::memory_order_relaxed);
  if (n == 0) {
    KD_CUDA_CHECK(cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev));
    if (n <= 0) n = 80;
    counts[dev].store(n, std::memory_order_relaxed);
  }
  return n;
}

namespace {

constexpr int64_t kMaxGrid = 1LL << 20;  // grid-stride loops cover more blocks than this

// ---- element helpers

template <typename T>
__device__ __forceinline__ bool is_nan(T v) {
  if constexpr (std::is_floating_point<T>::value) return v != v;
  else return false;
}

template <typename T>
__device__ __forceinline__ T lowest() {
  if constexpr (std::is_floating_point<T>::value) return -std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::lowest();
}
template <typename T>
__device__ __forceinline__ T highest() {
  if constexpr (std::is_floating_point<T>::value) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}

// The larger (kMax) or smaller of a and x; a NaN x is taken, and once a is NaN nothing
// compares past it (the CPU's vec::pick1).
template <bool kMax, typename T>
__device__ __forceinline__ T pick1(T a, T x) {
  if (is_nan(x)) return x;
  return (kMax ? x > a : x < a) ? x : a;
}

__device__ __forceinline__ float dexp(float x) { return expf(x); }
__device__ __forceinline__ double dexp(double x) { return exp(x); }

// Linear index -> element offset over `ndim` row-major dims (0 dims: offset 0).
struct Strided {
  int32_t ndim = 0;
  int64_t sizes[kMaxDims];
  int64_t strides[kMaxDims];

  __device__ __forceinline__ int64_t offset(int64_t linear) const {
    if (ndim == 1) return linear * strides[0];
    int64_t off = 0;
    for (int32_t d = ndim - 1; d >= 0; --d) {
      const int64_t i = linear % sizes[d];
      linear /= sizes[d];
      off += i * strides[d];
    }
    return off;
  }
};

// The CPU's ReduceGeometry: kept dims in output order (size 1 dropped, merged where the input
// allows; the output is contiguous over them, so output j is element j), reduced dims with the
// smallest stride innermost, merged.
struct Plan {
  Strided kept, red;
  int64_t n_out = 1, n_red = 1;

  Plan(const Tensor& in, uint32_t reduced) {
    int32_t nk = 0, nr = 0;
    for (int32_t d = 0; d < in.dim(); ++d) {
      const int64_t size = in.size(d);
      if (reduced >> d & 1u) {
        n_red *= size;
        if (size == 1) continue;
        red.sizes[nr] = size;
        red.strides[nr++] = in.stride(d);
      } else {
        n_out *= size;
        if (size == 1) continue;
        const int64_t st = in.stride(d);
        if (nk > 0 && kept.strides[nk - 1] == st * size) {
          kept.sizes[nk - 1] *= size;
          kept.strides[nk - 1] = st;
          continue;
        }
        kept.sizes[nk] = size;
        kept.strides[nk++] = st;
      }
    }
    kept.ndim = nk;
    for (int32_t i = 1; i < nr; ++i)
      for (int32_t j = i; j > 0 && red.strides[j - 1] < red.strides[j]; --j) {
        std::swap(red.strides[j - 1], red.strides[j]);
        std::swap(red.sizes[j - 1], red.sizes[j]);
      }
    int32_t m = 0;
    for (int32_t d = 0; d < nr; ++d) {
      if (m > 0 && red.strides[m - 1] == red.strides[d] * red.sizes[d]) {
        red.sizes[m - 1] *= red.sizes[d];
        red.strides[m - 1] = red.strides[d];
        continue;
      }
      red.sizes[m] = red.sizes[d];
      red.strides[m++] = red.strides[d];
    }
    red.ndim = m;
  }

  // Outputs along x when the innermost kept dim has the smaller stride (reads stay coalesced).
  bool outputs_on_x() const {
    if (kept.ndim == 0) return false;
    if (red.ndim == 0) return true;
    const int64_t ks = kept.strides[kept.ndim - 1], rs = red.strides[red.ndim - 1];
    return (ks < 0 ? -ks : ks) < (rs < 0 ? -rs : rs);
  }
};

// ---- Reduction ops: identity, step (with the reduced position r and the output's auxiliary
// value), merge of two partial accumulators, and write of the final value to output j.

template <typename T> struct AccOf { using type = double; using out = T; };
template <> struct AccOf<int64_t> { using type = uint64_t; using out = int64_t; };  // wraps
template <> struct AccOf<bool> { using type = uint64_t; using out = int64_t; };

template <typename T>
struct SumOp {
  using In = T;
  using A = typename AccOf<T>::type;
  using O = typename AccOf<T>::out;
  O* out;
  __device__ A identity() const { return A(0); }
  __device__ A step(A a, T x, int64_t, double) const { return a + static_cast<A>(x); }
  __device__ A merge(A a, A b) const { return a + b; }
  __device__ void write(int64_t j, A a, double, int64_t) const { out[j] = static_cast<O>(a); }
};

template <typename T, typename O = T>
struct MeanOp {
  using In = T;
  using A = double;
  O* out;
  __device__ A identity() const { return 0.0; }
  __device__ A step(A a, T x, int64_t, double) const { return a + static_cast<double>(x); }
  __device__ A merge(A a, A b) const { return a + b; }
  __device__ void write(int64_t j, A a, double, int64_t n) const {
    out[j] = static_cast<O>(a / static_cast<double>(n));
  }
};

template <typename T>
struct ProdOp {
  using In = T;
  using A = typename AccOf<T>::type;
  using O = typename AccOf<T>::out;
  O* out;
  __device__ A identity() const { return A(1); }
  __device__ A step(A a, T x, int64_t, double) const { return a * static_cast<A>(x); }
  __device__ A merge(A a, A b) const { return a * b; }
  __device__ void write(int64_t j, A a, double, int64_t) const { out[j] = static_cast<O>(a); }
};

template <typename T, bool kMax>
struct ExtremeOp {
  using In = T;
  using A = T;
  T* out;
  __device__ A identity() const { return kMax ? lowest<T>() : highest<T>(); }
  __device__ A step(A a, T x, int64_t, double) const { return pick1<kMax>(a, x); }
  __device__ A merge(A a, A b) const { return pick1<kMax>(a, b); }
  __device__ void write(int64_t j, A a, double, int64_t) const { out[j] = a; }
};

// logsumexp's shift: the max, or 0 where it is infinite so that x - shift stays defined.
template <typename T>
struct LseShiftOp {
  using In = T;
  using A = T;
  double* out;
  __device__ A identity() const { return lowest<T>(); }
  __device__ A step(A a, T x, int64_t, double) const { return pick1<true>(a, x); }
  __device__ A merge(A a, A b) const { return pick1<true>(a, b); }
  __device__ void write(int64_t j, A a, double, int64_t) const {
    out[j] = isinf(a) ? 0.0 : static_cast<double>(a);
  }
};

template <typename T>
struct LseSumOp {
  using In = T;
  using A = double;
  T* out;
  __device__ A identity() const { return 0.0; }
  __device__ A step(A a, T x, int64_t, double shift) const {
    return a + static_cast<double>(dexp(x - static_cast<T>(shift)));
  }
  __device__ A merge(A a, A b) const { return a + b; }
  __device__ void write(int64_t j, A a, double shift, int64_t) const {
    out[j] = static_cast<T>(log(a) + shift);
  }
};

template <typename T, bool kAny>
struct AnyAllOp {
  using In = T;
  using A = bool;
  bool* out;
  __device__ A identity() const { return !kAny; }
  __device__ A step(A a, T x, int64_t, double) const {
    return kAny ? (a | (x != T(0))) : (a & (x != T(0)));
  }
  __device__ A merge(A a, A b) const { return kAny ? (a | b) : (a & b); }
  __device__ void write(int64_t j, A a, double, int64_t) const { out[j] = a; }
};

// Second pass of var/std: squared deviations from the mean (aux), / max(0, N - correction).
template <typename T>
struct SquaredDevOp {
  using In = T;
  using A = double;
  T* out;
  double correction;
  bool take_sqrt;
  __device__ A identity() const { return 0.0; }
  __device__ A step(A a, T x, int64_t, double mean) const {
    const double d = static_cast<double>(x) - mean;
    return a + d * d;
  }
  __device__ A merge(A a, A b) const { return a + b; }
  __device__ void write(int64_t j, A a, double, int64_t n) const {
    const double v = a / fmax(0.0, static_cast<double>(n) - correction);
    out[j] = static_cast<T>(take_sqrt ? sqrt(v) : v);
  }
};

// max/min with the index of the first extreme (a NaN counts as the extreme; the first NaN wins).
// i < 0 marks "no element seen yet".
template <typename T>
struct ArgAcc {
  T v;
  int64_t i;
};
template <typename T>
__device__ __forceinline__ ArgAcc<T> shfl_down(ArgAcc<T> a, unsigned d) {
  ArgAcc<T> r;
  r.v = ::kd::cuda::shfl_down(a.v, d);
  r.i = ::kd::cuda::shfl_down(a.i, d);
  return r;
}

template <typename T, bool kMax>
struct ArgOp {
  using In = T;
  using A = ArgAcc<T>;
  T* values;  // may be null (argmax/argmin)
  int64_t* indices;
  __device__ A identity() const { return A{T(0), -1}; }
  // Positions arrive in increasing order within one thread: strictly better replaces.
  __device__ A step(A a, T x, int64_t r, double) const {
    const bool take = a.i < 0 || (kMax ? x > a.v : x < a.v) || (is_nan(x) && !is_nan(a.v));
    return take ? A{x, r} : a;
  }
  __device__ A merge(A a, A b) const {
    if (a.i < 0) return b;
    if (b.i < 0) return a;
    const bool an = is_nan(a.v), bn = is_nan(b.v);
    if (an || bn) {
      if (an && bn) return a.i < b.i ? a : b;
      return an ? a : b;
    }
    if (a.v == b.v) return a.i < b.i ? a : b;
    return (kMax ? a.v > b.v : a.v < b.v) ? a : b;
  }
  __device__ void write(int64_t j, A a, double, int64_t) const {
    if (values) values[j] = a.v;
    indices[j] = a.i < 0 ? 0 : a.i;
  }
};

template <typename Op>
struct MergeOf {
  Op op;
  __device__ __forceinline__ typename Op::A operator()(typename Op::A a, typename Op::A b) const {
    return op.merge(a, b);
  }
};

// ---- The kernels

// Block (bx, by) of kBlock threads. kOutX: output j = ob * bx + threadIdx.x, the y threads split
// the reduced range; otherwise j = ob * by + threadIdx.y and the x threads split it. Split
// blockIdx.y takes reduced positions [r0, r1); with several splits the accumulator goes to
// partial[split * n_out + j] instead of the output.
template <typename Op, bool kOutX>
__global__ void reduce_blocks(Op op, const typename Op::In* __restrict__ in, Strided kept,
                              Strided red, int64_t n_out, int64_t n_red, int64_t out_blocks,
                              int64_t splits, const double* __restrict__ aux,
                              typename Op::A* __restrict__ partial) {
  using A = typename Op::A;
  const int64_t per_block = kOutX ? blockDim.x : blockDim.y;
  const int64_t slot = kOutX ? threadIdx.x : threadIdx.y;
  const int64_t lane = kOutX ? threadIdx.y : threadIdx.x;
  const int64_t lanes = kOutX ? blockDim.y : blockDim.x;
  const int64_t split = blockIdx.y;
  const int64_t r0 = split * n_red / splits, r1 = (split + 1) * n_red / splits;
  const MergeOf<Op> comb{op};
  for (int64_t ob = blockIdx.x; ob < out_blocks; ob += gridDim.x) {  // uniform over the block
    const int64_t j = ob * per_block + slot;
    const bool live = j < n_out;
    const double ax = (aux != nullptr && live) ? aux[j] : 0.0;
    A acc = op.identity();
    if (live) {
      const typename Op::In* base = in + kept.offset(j);
#pragma unroll 4
      for (int64_t r = r0 + lane; r < r1; r += lanes) acc = op.step(acc, base[red.offset(r)], r, ax);
    }
    const bool leader = kOutX ? threadIdx.y == 0 : threadIdx.x == 0;
    if (kOutX) acc = reduce_y(acc, comb);
    else acc = reduce_x(acc, comb);
    if (live && leader) {
      if (partial != nullptr) partial[split * n_out + j] = acc;
      else op.write(j, acc, ax, n_red);
    }
  }
}

// Merges the splits' partial accumulators in split order and writes the outputs.
template <typename Op>
__global__ void merge_splits(Op op, const typename Op::A* __restrict__ partial, int64_t n_out,
                             int64_t splits, int64_t n_red, const double* __restrict__ aux) {
  for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < n_out;
       j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    typename Op::A a = partial[j];
    for (int64_t k = 1; k < splits; ++k) a = op.merge(a, partial[k * n_out + j]);
    op.write(j, a, aux != nullptr ? aux[j] : 0.0, n_red);
  }
}

template <typename Op>
void run_reduction(const Plan& p, const Op& op, const Tensor& in, const double* aux = nullptr) {
  using A = typename Op::A;
  if (p.n_out == 0) return;
  const bool out_x = p.outputs_on_x();
  unsigned bx, by;
  if (out_x) {
    const unsigned bx0 = pow2_at_least(p.n_out, kWarp);
    by = pow2_at_least(p.n_red, kBlock / bx0);
    bx = kBlock / by;
  } else {
    bx = pow2_at_least(p.n_red, kBlock);
    by = kBlock / bx;
  }
  const int64_t per_block = out_x ? bx : by, lanes = out_x ? by : bx;
  const int64_t out_blocks = (p.n_out + per_block - 1) / per_block;
  // Too few blocks of outputs to fill the device: split long reductions (>= 32 elements per
  // thread and split) across gridDim.y.
  int64_t splits = 1;
  const int64_t target = 4LL * sm_count();
  if (out_blocks < target) {
    const int64_t want = (target + out_blocks - 1) / out_blocks;
    const int64_t most = p.n_red / (lanes * 32);
    splits = std::max<int64_t>(1, std::min<int64_t>(std::min(want, most), 65535));
  }
  Tensor workspace;
  A* partial = nullptr;
  if (splits > 1) {
    const int64_t bytes = splits * p.n_out * static_cast<int64_t>(sizeof(A));
    workspace = Tensor::empty(Dims{(bytes + 7) / 8}, DType::Float64, Device::CUDA, in.device_index());
    partial = static_cast<A*>(workspace.raw_data());
  }
  const dim3 block(bx, by);
  const dim3 grid(static_cast<unsigned>(std::min(out_blocks, kMaxGrid)), static_cast<unsigned>(splits));
  const typename Op::In* src = in.data<typename Op::In>();
  if (out_x)
    reduce_blocks<Op, true><<<grid, block, 0, current_stream()>>>(op, src, p.kept, p.red, p.n_out,
                                                                   p.n_red, out_blocks, splits, aux, partial);
  else
    reduce_blocks<Op, false><<<grid, block, 0, current_stream()>>>(op, src, p.kept, p.red, p.n_out,
                                                                    p.n_red, out_blocks, splits, aux, partial);
  KD_CUDA_LAUNCH_CHECK();
  if (splits > 1) {
    merge_splits<Op><<<blocks_for(p.n_out), kBlock, 0, current_stream()>>>(op, partial, p.n_out, splits,
                                                                           p.n_red, aux);
    KD_CUDA_LAUNCH_CHECK();
  }
}

// A float64 buffer of one value per output (the max of logsumexp, the mean of var).
Tensor per_output_doubles(const Plan& p, const Tensor& like) {
  return Tensor::empty(Dims{std::max<int64_t>(1, p.n_out)}, DType::Float64, Device::CUDA,
                       like.device_index());
}

template <typename T>
void logsumexp_typed(const Tensor& out, const Tensor& in, uint32_t reduced) {
  const Plan p(in, reduced);
  Tensor shift = per_output_doubles(p, in);
  run_reduction(p, LseShiftOp<T>{shift.data<double>()}, in);
  run_reduction(p, LseSumOp<T>{out.data<T>()}, in, shift.data<double>());
}

// ---- softmax over dim of a contiguous [outer, n, inner] tensor

template <typename T>
struct MaxComb {
  __device__ __forceinline__ T operator()(T a, T b) const { return pick1<true>(a, b); }
};
struct AddComb {
  __device__ __forceinline__ double operator()(double a, double b) const { return a + b; }
};

// inner == 1: blockDim.x lanes per row, blockDim.y rows per block.
template <typename T>
__global__ void softmax_rows(const T* __restrict__ in, T* __restrict__ out, int64_t rows, int64_t n,
                             int64_t row_blocks, bool log_out) {
  const int64_t bx = blockDim.x;
  for (int64_t rb = blockIdx.x; rb < row_blocks; rb += gridDim.x) {
    const int64_t row = rb * blockDim.y + threadIdx.y;
    const bool live = row < rows;
    const T* x = in + (live ? row : 0) * n;
    T* y = out + (live ? row : 0) * n;
    T m = lowest<T>();
    if (live)
      for (int64_t i = threadIdx.x; i < n; i += bx) m = pick1<true>(m, x[i]);
    m = broadcast_x(reduce_x(m, MaxComb<T>()));
    double s = 0.0;
    if (live)
      for (int64_t i = threadIdx.x; i < n; i += bx) s += static_cast<double>(dexp(x[i] - m));
    s = broadcast_x(reduce_x(s, AddComb()));
    if (!live) continue;
    if (log_out) {
      const T lse = static_cast<T>(log(s));
      for (int64_t i = threadIdx.x; i < n; i += bx) y[i] = (x[i] - m) - lse;
    } else {
      const T inv = static_cast<T>(1.0 / s);
      for (int64_t i = threadIdx.x; i < n; i += bx) y[i] = dexp(x[i] - m) * inv;
    }
  }
}

// inner > 1: column c = (o, i) on the x threads, the y threads split the n elements of a column.
template <typename T>
__global__ void softmax_columns(const T* __restrict__ in, T* __restrict__ out, int64_t cols,
                                int64_t n, int64_t inner, int64_t col_blocks, bool log_out) {
  const int64_t by = blockDim.y;
  for (int64_t cb = blockIdx.x; cb < col_blocks; cb += gridDim.x) {
    const int64_t c = cb * blockDim.x + threadIdx.x;
    const bool live = c < cols;
    const int64_t base = live ? (c / inner) * n * inner + c % inner : 0;
    const T* x = in + base;
    T* y = out + base;
    T m = lowest<T>();
    if (live)
      for (int64_t k = threadIdx.y; k < n; k += by) m = pick1<true>(m, x[k * inner]);
    m = reduce_y(m, MaxComb<T>());
    double s = 0.0;
    if (live)
      for (int64_t k = threadIdx.y; k < n; k += by) s += static_cast<double>(dexp(x[k * inner] - m));
    s = reduce_y(s, AddComb());
    if (!live) continue;
    if (log_out) {
      const T lse = static_cast<T>(log(s));
      for (int64_t k = threadIdx.y; k < n; k += by) y[k * inner] = (x[k * inner] - m) - lse;
    } else {
      const T inv = static_cast<T>(1.0 / s);
      for (int64_t k = threadIdx.y; k < n; k += by) y[k * inner] = dexp(x[k * inner] - m) * inv;
    }
  }
}

}  // namespace

void reduce_kernel(int32_t op, const Tensor& out, const Tensor& in, uint32_t reduced) {
  const Plan p(in, reduced);
  switch (op) {
    case KD_SUM:
      KD_DISPATCH_ALL(in.dtype(), "sum", [&] {
        run_reduction(p, SumOp<scalar_t>{out.data<typename SumOp<scalar_t>::O>()}, in);
      });
      return;
    case KD_MEAN:
      KD_DISPATCH_FLOAT(in.dtype(), "mean", [&] {
        run_reduction(p, MeanOp<scalar_t>{out.data<scalar_t>()}, in);
      });
      return;
    case KD_PROD:
      KD_DISPATCH_ALL(in.dtype(), "prod", [&] {
        run_reduction(p, ProdOp<scalar_t>{out.data<typename ProdOp<scalar_t>::O>()}, in);
      });
      return;
    case KD_AMAX:
      KD_DISPATCH_ALL(in.dtype(), "amax", [&] {
        run_reduction(p, ExtremeOp<scalar_t, true>{out.data<scalar_t>()}, in);
      });
      return;
    case KD_AMIN:
      KD_DISPATCH_ALL(in.dtype(), "amin", [&] {
        run_reduction(p, ExtremeOp<scalar_t, false>{out.data<scalar_t>()}, in);
      });
      return;
    case KD_LOGSUMEXP:
      KD_DISPATCH_FLOAT(in.dtype(), "logsumexp", [&] { logsumexp_typed<scalar_t>(out, in, reduced); });
      return;
    case KD_ANY:
      KD_DISPATCH_ALL(in.dtype(), "any", [&] {
        run_reduction(p, AnyAllOp<scalar_t, true>{out.data<bool>()}, in);
      });
      return;
    case KD_ALL:
      KD_DISPATCH_ALL(in.dtype(), "all", [&] {
        run_reduction(p, AnyAllOp<scalar_t, false>{out.data<bool>()}, in);
      });
      return;
    default:
      fail(KD_ERR_INTERNAL, "reduce kernel: unknown op ", op);
  }
}

void var_kernel(const Tensor& out, const Tensor& in, uint32_t reduced, double correction,
                bool take_sqrt) {
  KD_DISPATCH_FLOAT(in.dtype(), take_sqrt ? "std" : "var", [&] {
    const Plan p(in, reduced);
    Tensor mean = per_output_doubles(p, in);
    run_reduction(p, MeanOp<scalar_t, double>{mean.data<double>()}, in);
    run_reduction(p, SquaredDevOp<scalar_t>{out.data<scalar_t>(), correction, take_sqrt}, in,
                  mean.data<double>());
  });
}

void max_min_dim_kernel(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in,
                        int32_t dim) {
  const Plan p(in, in.dim() == 0 ? 0u : (1u << dim));
  KD_DISPATCH_ALL(in.dtype(), is_max ? "max" : "min", [&] {
    scalar_t* vals = values.defined() ? values.data<scalar_t>() : nullptr;
    int64_t* idxs = indices.data<int64_t>();
    if (is_max) run_reduction(p, ArgOp<scalar_t, true>{vals, idxs}, in);
    else run_reduction(p, ArgOp<scalar_t, false>{vals, idxs}, in);
  });
}

void softmax_kernel(const Tensor& out, const Tensor& in, int32_t dim, bool log) {
  if (in.numel() == 0) return;
  int64_t outer = 1, n = 1, inner = 1;
  for (int32_t d = 0; d < in.dim(); ++d) {
    if (d < dim) outer *= in.size(d);
    else if (d == dim) n = in.size(d);
    else inner *= in.size(d);
  }
  KD_DISPATCH_FLOAT(in.dtype(), log ? "log_softmax" : "softmax", [&] {
    const scalar_t* x = in.data<scalar_t>();
    scalar_t* y = out.data<scalar_t>();
    if (inner == 1) {
      const unsigned bx = pow2_at_least(n, kBlock), by = kBlock / bx;
      const int64_t row_blocks = (outer + by - 1) / by;
      softmax_rows<scalar_t><<<static_cast<unsigned>(std::min(row_blocks, kMaxGrid)), dim3(bx, by), 0,
                               current_stream()>>>(x, y, outer, n, row_blocks, log);
    } else {
      const int64_t cols = outer * inner;
      const unsigned bx0 = pow2_at_least(cols, kWarp);
      const unsigned by = pow2_at_least(n, kBlock / bx0), bx = kBlock / by;
      const int64_t col_blocks = (cols + bx - 1) / bx;
      softmax_columns<scalar_t><<<static_cast<unsigned>(std::min(col_blocks, kMaxGrid)), dim3(bx, by), 0,
                                  current_stream()>>>(x, y, cols, n, inner, col_blocks, log);
    }
    KD_CUDA_LAUNCH_CHECK();
  });
}

}  // namespace cuda
}  // namespace kd
