// CUDA joining and indexing: cat, index_select, gather and scatter_add, with the CPU kernels'
// contracts (cpu/join.cpp, cpu/index.cpp).
//
// Each indexing kernel walks one shape with an OffsetCalc whose operands are the tensors' own
// strides, except that along `dim` the indexed tensor gets stride 0 (the index value supplies
// that coordinate: offset + v * stride(dim)). index_select's 1-D index is seen as a tensor of the
// output's shape with stride 0 everywhere but `dim`, so the same walk reads it.
//
// Index values are checked on the device: a thread that meets a value outside [0, size) writes
// nothing and records the value's offset in an ErrorFlag; the host reads the flag back after the
// launch (this synchronises) and throws KD_ERR_INDEX naming the value at the smallest such offset.
// scatter_add must write nothing at all when any value is bad (the CPU checks every value first),
// so it runs a checking kernel before the scatter, and the scatter kernel returns at once when the
// flag is set: still a single read-back per call.
#include <cuda_runtime.h>

#include <climits>
#include <cstdint>
#include <type_traits>

#include "cuda/common.cuh"
#include "cuda/error_flag.cuh"

namespace kd {
namespace cuda {

namespace {

// After the launches: throws when a kernel reported a bad index (offset into index's data).
void raise_if_bad(const ErrorFlag& flag, const Tensor& index, const char* op, int32_t dim,
                  int64_t size) {
  const unsigned long long bad = flag.read();
  if (bad == kNoError) return;
  int64_t value = 0;
  memcpy_d2h(&value, index.data<int64_t>() + static_cast<int64_t>(bad), sizeof(value),
             flag.device());
  index_out_of_bounds(op, value, dim, size);
}

// A layout over `sizes` with t's strides, stride(dim) replaced by `dim_stride` (only the strides
// matter: the view is handed to make_offset_calc, never read through).
Tensor restrided(const Tensor& t, const Dims& sizes, int32_t dim, int64_t dim_stride) {
  Dims st = t.strides();
  st[dim] = dim_stride;
  return Tensor::view_of(t, sizes, st, t.offset());
}

// Same-size integer type for a bit-exact element copy (index_select and gather only move data).
template <size_t S>
struct Bits;
template <> struct Bits<1> { using type = uint8_t; };
template <> struct Bits<4> { using type = uint32_t; };
template <> struct Bits<8> { using type = uint64_t; };

template <typename F>
void dispatch_bits(DType dt, F f) {
  switch (element_size(dt)) {
    case 1: f(Bits<1>{}); break;
    case 4: f(Bits<4>{}); break;
    case 8: f(Bits<8>{}); break;
    default: fail(KD_ERR_INTERNAL, "index kernel: unexpected element size");
  }
}

#define KD_GRID_STRIDE(i, n)                                                                \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)

// Every value of index (walked with its own strides) must lie in [0, size).
__global__ void check_range_kernel(int64_t n, const int64_t* index, OffsetCalc<1> c, int64_t size,
                                   unsigned long long* err) {
  KD_GRID_STRIDE(i, n) {
    int64_t off[1];
    c.get(i, off);
    const int64_t v = index[off[0]];
    if (v < 0 || v >= size) report_bad(err, off[0]);
  }
}

void check_range(const Tensor& index, int64_t size, unsigned long long* err) {
  const int64_t n = index.numel();
  if (n == 0) return;
  const OffsetCalc<1> c = make_offset_calc<1>(index.sizes(), {&index});
  check_range_kernel<<<blocks_for(n), kBlock, 0, current_stream()>>>(n, index.data<int64_t>(), c,
                                                                      size, err);
  KD_CUDA_LAUNCH_CHECK();
}

// Operands over out's shape: 0 = out, 1 = self (stride 0 along dim), 2 = index (stride only
// along dim). out[off0] = self[off1 + v * self_sd] with v = index[off2].
template <typename T>
__global__ void index_select_impl(int64_t n, T* out, const T* self, const int64_t* index,
                                  OffsetCalc<3> c, int64_t self_sd, int64_t size,
                                  unsigned long long* err) {
  KD_GRID_STRIDE(i, n) {
    int64_t off[3];
    c.get(i, off);
    const int64_t v = index[off[2]];
    if (v < 0 || v >= size) {
      report_bad(err, off[2]);
      continue;
    }
    out[off[0]] = self[off[1] + v * self_sd];
  }
}

// Operands over index's shape: 0 = out, 1 = index, 2 = self (stride 0 along dim).
template <typename T>
__global__ void gather_impl(int64_t n, T* out, const int64_t* index, const T* self,
                            OffsetCalc<3> c, int64_t self_sd, int64_t size,
                            unsigned long long* err) {
  KD_GRID_STRIDE(i, n) {
    int64_t off[3];
    c.get(i, off);
    const int64_t v = index[off[1]];
    if (v < 0 || v >= size) {
      report_bad(err, off[1]);
      continue;
    }
    out[off[0]] = self[off[2] + v * self_sd];
  }
}

template <typename T>
__device__ __forceinline__ void atomic_accumulate(T* dst, T add) {
  if constexpr (std::is_same<T, bool>::value) {
    if (add) *dst = true;  // bools add as logical or; every writer stores the same byte
  } else if constexpr (std::is_same<T, int64_t>::value) {
    // Two's complement: an unsigned add has the signed add's bits.
    atomicAdd(reinterpret_cast<unsigned long long*>(dst), static_cast<unsigned long long>(add));
  } else {
    atomicAdd(dst, add);  // float and double (sm_60+)
  }
}

// Operands over index's shape: 0 = self (stride 0 along dim), 1 = index, 2 = src.
// Runs after check_range on the same stream, so the flag is final when it is read here.
template <typename T>
__global__ void scatter_add_impl(int64_t n, T* self, const int64_t* index, const T* src,
                                 OffsetCalc<3> c, int64_t self_sd, int64_t size,
                                 const unsigned long long* err) {
  if (*err != kNoError) return;
  KD_GRID_STRIDE(i, n) {
    int64_t off[3];
    c.get(i, off);
    const int64_t v = index[off[1]];
    if (v < 0 || v >= size) continue;  // cannot happen after the check; never write astray
    atomic_accumulate(self + off[0] + v * self_sd, src[off[2]]);
  }
}

}  // namespace

void cat_kernel(const Tensor& out, const Tensor* inputs, int32_t n, int32_t dim) {
  const int64_t es = static_cast<int64_t>(element_size(out.dtype()));
  int64_t outer = 1, inner = 1;
  for (int32_t d = 0; d < dim; ++d) outer *= out.size(d);
  for (int32_t d = dim + 1; d < out.dim(); ++d) inner *= out.size(d);
  const int64_t out_row_bytes = out.size(dim) * inner * es;
  char* dst = static_cast<char*>(out.raw_data());

  int64_t pos = 0;  // where the current input starts along dim
  for (int32_t i = 0; i < n; ++i) {
    const Tensor& in = inputs[i];
    const int64_t len = in.size(dim);
    if (in.numel() > 0) {
      const int64_t row_bytes = len * inner * es;
      if (in.dtype() == out.dtype() && in.is_contiguous() &&
          (outer == 1 || out_row_bytes <= INT_MAX)) {
        // `outer` rows of row_bytes each, packed in the input, pitched out_row_bytes in out.
        char* d = dst + pos * inner * es;
        if (outer == 1)
          KD_CUDA_CHECK(cudaMemcpyAsync(d, in.raw_data(), static_cast<size_t>(row_bytes),
                                        cudaMemcpyDeviceToDevice, current_stream()));
        else
          KD_CUDA_CHECK(cudaMemcpy2DAsync(d, static_cast<size_t>(out_row_bytes), in.raw_data(),
                                          static_cast<size_t>(row_bytes),
                                          static_cast<size_t>(row_bytes),
                                          static_cast<size_t>(outer), cudaMemcpyDeviceToDevice,
                                          current_stream()));
      } else {
        // Strided or converted: copy_kernel into out's slice.
        Dims sz = out.sizes();
        sz[dim] = len;
        Tensor slice = Tensor::view_of(out, sz, out.strides(), out.offset() + pos * out.stride(dim));
        copy_kernel(slice, in);
      }
    }
    pos += len;
  }
}

void index_select_kernel(const Tensor& out, const Tensor& self, int32_t dim, const Tensor& index) {
  const int64_t size = self.size(dim);
  ErrorFlag flag;
  const int64_t total = out.numel();
  if (total == 0) {
    // Nothing to copy, but the index values are still checked, as on the CPU.
    check_range(index, size, flag.get());
  } else {
    // index is 1-D: seen over out's shape it steps only along dim.
    Dims ist = Dims::filled(out.dim(), 0);
    ist[dim] = index.stride(0);
    Tensor index_v = Tensor::view_of(index, out.sizes(), ist, index.offset());
    Tensor self_v = restrided(self, out.sizes(), dim, 0);
    const OffsetCalc<3> c = make_offset_calc<3>(out.sizes(), {&out, &self_v, &index_v});
    const int64_t self_sd = self.stride(dim);
    dispatch_bits(self.dtype(), [&](auto bits) {
      using T = typename decltype(bits)::type;
      index_select_impl<T><<<blocks_for(total), kBlock, 0, current_stream()>>>(
          total, static_cast<T*>(out.raw_data()), static_cast<const T*>(self.raw_data()),
          index.data<int64_t>(), c, self_sd, size, flag.get());
      KD_CUDA_LAUNCH_CHECK();
    });
  }
  raise_if_bad(flag, index, "index_select", dim, size);
}

void gather_kernel(const Tensor& out, const Tensor& self, int32_t dim, const Tensor& index) {
  const int64_t total = out.numel();  // out has index's shape
  if (total == 0) return;
  const int64_t size = self.size(dim);
  ErrorFlag flag;
  Tensor self_v = restrided(self, index.sizes(), dim, 0);
  const OffsetCalc<3> c = make_offset_calc<3>(index.sizes(), {&out, &index, &self_v});
  const int64_t self_sd = self.stride(dim);
  dispatch_bits(self.dtype(), [&](auto bits) {
    using T = typename decltype(bits)::type;
    gather_impl<T><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        total, static_cast<T*>(out.raw_data()), index.data<int64_t>(),
        static_cast<const T*>(self.raw_data()), c, self_sd, size, flag.get());
    KD_CUDA_LAUNCH_CHECK();
  });
  raise_if_bad(flag, index, "gather", dim, size);
}

void scatter_add_kernel(const Tensor& self, int32_t dim, const Tensor& index, const Tensor& src) {
  const int64_t total = index.numel();
  if (total == 0) return;
  const int64_t size = self.size(dim);
  ErrorFlag flag;
  check_range(index, size, flag.get());
  Tensor self_v = restrided(self, index.sizes(), dim, 0);
  // src has at least index's sizes: its own strides walk index's shape.
  const OffsetCalc<3> c = make_offset_calc<3>(index.sizes(), {&self_v, &index, &src});
  const int64_t self_sd = self.stride(dim);
  KD_DISPATCH_ALL(self.dtype(), "scatter_add", [&] {
    scatter_add_impl<scalar_t><<<blocks_for(total), kBlock, 0, current_stream()>>>(
        total, self.data<scalar_t>(), index.data<int64_t>(), src.data<scalar_t>(), c, self_sd,
        size, flag.get());
    KD_CUDA_LAUNCH_CHECK();
  });
  raise_if_bad(flag, index, "scatter_add", dim, size);
}

}  // namespace cuda
}  // namespace kd
