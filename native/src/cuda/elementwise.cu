// CUDA elementwise kernels with the CPU kernels' semantics (cpu/elementwise.cpp): unary math,
// binary arithmetic and comparisons, conversion copies, fills, leaky_relu, clamp, where and
// masked_fill. Each op is a small functor run by one of three generic grid-stride kernels (one,
// two or three inputs); operands are addressed through an OffsetCalc, with a flat path when every
// operand is contiguous. Integer arithmetic wraps in two's complement (as the CPU build does in
// practice) and float arithmetic that the CPU rounds twice (x + s * y) is written with explicit
// round-to-nearest intrinsics, so nvcc's multiply-add contraction cannot change the result bits.
#include <cuda_runtime.h>

#include <cstdint>
#include <limits>
#include <type_traits>

#include "cuda/common.cuh"
#include "cuda/error_flag.cuh"

namespace kd {
namespace cuda {

namespace {

// ---- generic launchers ---------------------------------------------------------------------

template <typename O, typename A, typename F>
__global__ void map1_kernel(int64_t n, O* out, const A* a, OffsetCalc<2> c, bool flat, F f) {
  const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    if (flat) {
      out[i] = f(a[i]);
    } else {
      int64_t off[2];
      c.get(i, off);
      out[off[0]] = f(a[off[1]]);
    }
  }
}

template <typename O, typename A, typename B, typename F>
__global__ void map2_kernel(int64_t n, O* out, const A* a, const B* b, OffsetCalc<3> c, bool flat,
                            F f) {
  const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    if (flat) {
      out[i] = f(a[i], b[i]);
    } else {
      int64_t off[3];
      c.get(i, off);
      out[off[0]] = f(a[off[1]], b[off[2]]);
    }
  }
}

template <typename O, typename A, typename B, typename C, typename F>
__global__ void map3_kernel(int64_t n, O* out, const A* a, const B* b, const C* d, OffsetCalc<4> c,
                            bool flat, F f) {
  const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    if (flat) {
      out[i] = f(a[i], b[i], d[i]);
    } else {
      int64_t off[4];
      c.get(i, off);
      out[off[0]] = f(a[off[1]], b[off[2]], d[off[3]]);
    }
  }
}

// out[i] = f(a[i]) over out's shape; `a` has out's shape (stride 0 where broadcast).
template <typename O, typename A, typename F>
void map1(const Tensor& out, const Tensor& a, F f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const OffsetCalc<2> c = make_offset_calc<2>(out.sizes(), {&out, &a});
  map1_kernel<O, A, F><<<blocks_for(n), kBlock, 0, current_stream()>>>(
      n, out.data<O>(), a.data<A>(), c, all_flat(c), f);
  KD_CUDA_LAUNCH_CHECK();
}

template <typename O, typename A, typename B, typename F>
void map2(const Tensor& out, const Tensor& a, const Tensor& b, F f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const OffsetCalc<3> c = make_offset_calc<3>(out.sizes(), {&out, &a, &b});
  map2_kernel<O, A, B, F><<<blocks_for(n), kBlock, 0, current_stream()>>>(
      n, out.data<O>(), a.data<A>(), b.data<B>(), c, all_flat(c), f);
  KD_CUDA_LAUNCH_CHECK();
}

template <typename O, typename A, typename B, typename C, typename F>
void map3(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& d, F f) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const OffsetCalc<4> c = make_offset_calc<4>(out.sizes(), {&out, &a, &b, &d});
  map3_kernel<O, A, B, C, F><<<blocks_for(n), kBlock, 0, current_stream()>>>(
      n, out.data<O>(), a.data<A>(), b.data<B>(), d.data<C>(), c, all_flat(c), f);
  KD_CUDA_LAUNCH_CHECK();
}

// ---- device math helpers ---------------------------------------------------------------------

template <typename T>
constexpr bool kIsFloat = std::is_floating_point<T>::value;
template <typename T>
constexpr bool kIsInt = std::is_integral<T>::value && !std::is_same<T, bool>::value;

template <typename T>
__device__ __forceinline__ bool is_nan(T v) {
  if constexpr (kIsFloat<T>) return v != v;
  return false;
}

// Two's complement wrap-around for int64 (signed overflow is undefined in C++; the CPU build
// wraps in practice).
__device__ __forceinline__ int64_t wrap(uint64_t v) { return static_cast<int64_t>(v); }
__device__ __forceinline__ uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }

__device__ __forceinline__ float d_exp(float x) { return expf(x); }
__device__ __forceinline__ double d_exp(double x) { return exp(x); }
__device__ __forceinline__ float d_log(float x) { return logf(x); }
__device__ __forceinline__ double d_log(double x) { return log(x); }
__device__ __forceinline__ float d_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double d_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float d_sin(float x) { return sinf(x); }
__device__ __forceinline__ double d_sin(double x) { return sin(x); }
__device__ __forceinline__ float d_cos(float x) { return cosf(x); }
__device__ __forceinline__ double d_cos(double x) { return cos(x); }
__device__ __forceinline__ float d_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double d_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float d_log1p(float x) { return log1pf(x); }
__device__ __forceinline__ double d_log1p(double x) { return log1p(x); }
__device__ __forceinline__ float d_expm1(float x) { return expm1f(x); }
__device__ __forceinline__ double d_expm1(double x) { return expm1(x); }
__device__ __forceinline__ float d_floor(float x) { return floorf(x); }
__device__ __forceinline__ double d_floor(double x) { return floor(x); }
__device__ __forceinline__ float d_ceil(float x) { return ceilf(x); }
__device__ __forceinline__ double d_ceil(double x) { return ceil(x); }
// rint rounds half to even in the default rounding mode, like the CPU's nearbyint (and PyTorch).
__device__ __forceinline__ float d_round(float x) { return rintf(x); }
__device__ __forceinline__ double d_round(double x) { return rint(x); }
__device__ __forceinline__ float d_erf(float x) { return erff(x); }
__device__ __forceinline__ double d_erf(double x) { return erf(x); }
__device__ __forceinline__ float d_pow(float x, float y) { return powf(x, y); }
__device__ __forceinline__ double d_pow(double x, double y) { return pow(x, y); }
__device__ __forceinline__ float d_fmod(float x, float y) { return fmodf(x, y); }
__device__ __forceinline__ double d_fmod(double x, double y) { return fmod(x, y); }
__device__ __forceinline__ float d_atan2(float x, float y) { return atan2f(x, y); }
__device__ __forceinline__ double d_atan2(double x, double y) { return atan2(x, y); }
// x + s * y with two roundings (no fused multiply-add), as the CPU computes it.
__device__ __forceinline__ float d_add_scaled(float x, float s, float y) {
  return __fadd_rn(x, __fmul_rn(s, y));
}
__device__ __forceinline__ double d_add_scaled(double x, double s, double y) {
  return __dadd_rn(x, __dmul_rn(s, y));
}

// ---- unary ops ---------------------------------------------------------------------------------

template <typename T, int OP>
struct UnaryFn {
  __device__ T operator()(T x) const {
    if constexpr (OP == KD_NEG) {
      if constexpr (kIsInt<T>) return wrap(0 - u(x));
      else return -x;
    } else if constexpr (OP == KD_ABS) {
      if constexpr (kIsInt<T>) return x < 0 ? wrap(0 - u(x)) : x;
      else return x < 0 ? -x : x;  // keeps -0.0 and NaN as the CPU does
    } else if constexpr (OP == KD_RELU) {
      return x < 0 ? T(0) : x;
    } else if constexpr (OP == KD_SIGN) {
      return static_cast<T>((T(0) < x) - (x < T(0)));
    } else if constexpr (OP == KD_SQUARE) {
      if constexpr (kIsInt<T>) return wrap(u(x) * u(x));
      else return x * x;
    } else if constexpr (OP == KD_EXP) {
      return d_exp(x);
    } else if constexpr (OP == KD_LOG) {
      return d_log(x);
    } else if constexpr (OP == KD_SQRT) {
      return d_sqrt(x);
    } else if constexpr (OP == KD_RSQRT) {
      return T(1) / d_sqrt(x);
    } else if constexpr (OP == KD_SIN) {
      return d_sin(x);
    } else if constexpr (OP == KD_COS) {
      return d_cos(x);
    } else if constexpr (OP == KD_TANH) {
      return d_tanh(x);
    } else if constexpr (OP == KD_SIGMOID) {
      return T(1) / (T(1) + d_exp(-x));
    } else if constexpr (OP == KD_RECIPROCAL) {
      return T(1) / x;
    } else if constexpr (OP == KD_LOG1P) {
      return d_log1p(x);
    } else if constexpr (OP == KD_EXPM1) {
      return d_expm1(x);
    } else if constexpr (OP == KD_FLOOR) {
      return d_floor(x);
    } else if constexpr (OP == KD_CEIL) {
      return d_ceil(x);
    } else if constexpr (OP == KD_ROUND) {
      return d_round(x);
    } else {
      static_assert(OP == KD_ERF, "UnaryFn: unhandled op");
      return d_erf(x);
    }
  }
};

template <typename T>
struct Identity {
  __device__ T operator()(T x) const { return x; }
};

template <typename T>
struct LogicalNot {
  __device__ bool operator()(T x) const { return !(x != T(0)); }
};

#define KD_UNARY_CASE(CODE)                        \
  case CODE:                                       \
    map1<T, T>(out, in, UnaryFn<T, CODE>{});       \
    return;

template <typename T>
void unary_typed(int32_t op, const Tensor& out, const Tensor& in) {
  switch (op) {
    KD_UNARY_CASE(KD_NEG)
    KD_UNARY_CASE(KD_ABS)
    KD_UNARY_CASE(KD_RELU)
    KD_UNARY_CASE(KD_SIGN)
    KD_UNARY_CASE(KD_SQUARE)
    default: break;
  }
  if constexpr (kIsFloat<T>) {
    switch (op) {
      KD_UNARY_CASE(KD_EXP)
      KD_UNARY_CASE(KD_LOG)
      KD_UNARY_CASE(KD_SQRT)
      KD_UNARY_CASE(KD_RSQRT)
      KD_UNARY_CASE(KD_SIN)
      KD_UNARY_CASE(KD_COS)
      KD_UNARY_CASE(KD_TANH)
      KD_UNARY_CASE(KD_SIGMOID)
      KD_UNARY_CASE(KD_RECIPROCAL)
      KD_UNARY_CASE(KD_LOG1P)
      KD_UNARY_CASE(KD_EXPM1)
      KD_UNARY_CASE(KD_FLOOR)
      KD_UNARY_CASE(KD_CEIL)
      KD_UNARY_CASE(KD_ROUND)
      KD_UNARY_CASE(KD_ERF)
      default: break;
    }
  } else {
    switch (op) {
      case KD_FLOOR:
      case KD_CEIL:
      case KD_ROUND: map1<T, T>(out, in, Identity<T>{}); return;
      default: break;
    }
  }
  fail(KD_ERR_INTERNAL, "unary kernel: op ", op, " has no ", dtype_name(in.dtype()),
       " kernel");
}
#undef KD_UNARY_CASE

// ---- binary ops --------------------------------------------------------------------------------

// Integer power as the CPU computes it (a negative exponent: 1 or -1 for a base of 1 or -1, else
// 0), the products wrapping.
__device__ __forceinline__ int64_t int_pow(int64_t base, int64_t exp) {
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exp % 2 == 0) ? 1 : -1;
    return 0;
  }
  uint64_t result = 1, b = u(base);
  while (exp) {
    if (exp & 1) result *= b;
    exp >>= 1;
    b *= b;
  }
  return wrap(result);
}

template <typename T, int OP>
struct BinaryFn {
  // Set for the integer remainder only: where a zero divisor is reported (by element offset 0:
  // any report is an error; the CPU message names no value).
  unsigned long long* err = nullptr;

  __device__ T operator()(T x, T y) const {
    if constexpr (OP == KD_ADD) {
      if constexpr (kIsInt<T>) return wrap(u(x) + u(y));
      else return x + y;
    } else if constexpr (OP == KD_SUB) {
      if constexpr (kIsInt<T>) return wrap(u(x) - u(y));
      else return x - y;
    } else if constexpr (OP == KD_MUL) {
      if constexpr (kIsInt<T>) return wrap(u(x) * u(y));
      else return x * y;
    } else if constexpr (OP == KD_DIV) {
      // Integral division truncates toward zero (the ops layer sends true division as float).
      return x / y;
    } else if constexpr (OP == KD_POW) {
      if constexpr (kIsInt<T>) return int_pow(x, y);
      else return d_pow(x, y);
    } else if constexpr (OP == KD_REMAINDER) {
      if constexpr (kIsInt<T>) {
        if (y == 0) {
          report_bad(err, 0);
          return 0;
        }
        if (y == -1) return 0;  // INT64_MIN % -1 would overflow; the remainder is 0 anyway
        T r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return r;
      } else {
        T r = d_fmod(x, y);
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return r;
      }
    } else if constexpr (OP == KD_ATAN2) {
      return d_atan2(x, y);
    } else if constexpr (OP == KD_MAXIMUM) {
      return is_nan(x) ? x : (is_nan(y) ? y : (x > y ? x : y));
    } else {
      static_assert(OP == KD_MINIMUM, "BinaryFn: unhandled op");
      return is_nan(x) ? x : (is_nan(y) ? y : (x < y ? x : y));
    }
  }
};

// Comparisons and logical ops (bool results), for every input dtype.
template <typename T, int OP>
struct PredicateFn {
  __device__ bool operator()(T x, T y) const {
    if constexpr (OP == KD_EQ) return x == y;
    else if constexpr (OP == KD_NE) return x != y;
    else if constexpr (OP == KD_LT) return x < y;
    else if constexpr (OP == KD_LE) return x <= y;
    else if constexpr (OP == KD_GT) return x > y;
    else if constexpr (OP == KD_GE) return x >= y;
    else if constexpr (OP == KD_LOGICAL_AND) return x != T(0) && y != T(0);
    else if constexpr (OP == KD_LOGICAL_OR) return x != T(0) || y != T(0);
    else {
      static_assert(OP == KD_LOGICAL_XOR, "PredicateFn: unhandled op");
      return (x != T(0)) != (y != T(0));
    }
  }
};

#define KD_BINARY_CASE(CODE)                               \
  case CODE:                                               \
    map2<T, T, T>(out, a, b, BinaryFn<T, CODE>{});         \
    return;
#define KD_PREDICATE_CASE(CODE)                            \
  case CODE:                                               \
    map2<bool, T, T>(out, a, b, PredicateFn<T, CODE>{});   \
    return;

template <typename T>
void binary_typed(int32_t op, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (op) {
    KD_BINARY_CASE(KD_ADD)
    KD_BINARY_CASE(KD_SUB)
    KD_BINARY_CASE(KD_MUL)
    KD_BINARY_CASE(KD_DIV)
    KD_BINARY_CASE(KD_POW)
    KD_BINARY_CASE(KD_MAXIMUM)
    KD_BINARY_CASE(KD_MINIMUM)
    KD_PREDICATE_CASE(KD_EQ)
    KD_PREDICATE_CASE(KD_NE)
    KD_PREDICATE_CASE(KD_LT)
    KD_PREDICATE_CASE(KD_LE)
    KD_PREDICATE_CASE(KD_GT)
    KD_PREDICATE_CASE(KD_GE)
    KD_PREDICATE_CASE(KD_LOGICAL_AND)
    KD_PREDICATE_CASE(KD_LOGICAL_OR)
    KD_PREDICATE_CASE(KD_LOGICAL_XOR)
    case KD_REMAINDER:
      if constexpr (kIsInt<T>) {
        // A zero divisor is an error on the CPU; here it is found on the device and read back
        // (the one integer op that synchronises).
        if (out.numel() == 0) return;
        ErrorFlag flag;
        BinaryFn<T, KD_REMAINDER> f;
        f.err = flag.get();
        map2<T, T, T>(out, a, b, f);
        if (flag.read() != kNoError)
          fail(KD_ERR_ARGUMENT, "remainder: ZeroDivisionError (integer division by zero)");
      } else {
        map2<T, T, T>(out, a, b, BinaryFn<T, KD_REMAINDER>{});
      }
      return;
    case KD_ATAN2:
      if constexpr (kIsFloat<T>) {
        map2<T, T, T>(out, a, b, BinaryFn<T, KD_ATAN2>{});
        return;
      }
      break;
    default: break;
  }
  fail(KD_ERR_INTERNAL, "binary kernel: op ", op, " has no ", dtype_name(a.dtype()), " kernel");
}
#undef KD_BINARY_CASE

// Bool operands: arithmetic is logical (add/max = or, mul/min = and), as on the CPU.
struct BoolOr {
  __device__ bool operator()(bool x, bool y) const { return x || y; }
};
struct BoolAnd {
  __device__ bool operator()(bool x, bool y) const { return x && y; }
};

void binary_bool(int32_t op, const Tensor& out, const Tensor& a, const Tensor& b) {
  using T = bool;
  switch (op) {
    case KD_ADD:
    case KD_LOGICAL_OR:
    case KD_MAXIMUM: map2<bool, T, T>(out, a, b, BoolOr{}); return;
    case KD_MUL:
    case KD_LOGICAL_AND:
    case KD_MINIMUM: map2<bool, T, T>(out, a, b, BoolAnd{}); return;
    case KD_LOGICAL_XOR: map2<bool, T, T>(out, a, b, PredicateFn<T, KD_NE>{}); return;
    KD_PREDICATE_CASE(KD_NE)
    KD_PREDICATE_CASE(KD_EQ)
    KD_PREDICATE_CASE(KD_LT)
    KD_PREDICATE_CASE(KD_LE)
    KD_PREDICATE_CASE(KD_GT)
    KD_PREDICATE_CASE(KD_GE)
    default: break;
  }
  fail(KD_ERR_INTERNAL, "binary kernel: op ", op, " has no bool kernel");
}
#undef KD_PREDICATE_CASE

// ---- the rest ------------------------------------------------------------------------------------

template <typename T>
struct AddScaled {
  T s;
  __device__ T operator()(T x, T y) const {
    if constexpr (kIsInt<T>) return wrap(u(x) + u(s) * u(y));
    else return d_add_scaled(x, s, y);
  }
};

// Conversion of one element, as the CPU's copy_kernel: to bool is `!= 0`; float to int64
// truncates toward zero, with NaN, infinities and values beyond +-9.3e18 giving INT64_MIN (what
// x86 gives); everything else is a C++ conversion (round to nearest for narrowing floats).
template <typename D, typename S>
struct Convert {
  __device__ D operator()(S x) const {
    if constexpr (std::is_same<D, bool>::value) {
      return x != S(0);
    } else if constexpr (kIsFloat<S> && !kIsFloat<D>) {
      if (!(x > S(-9.3e18) && x < S(9.3e18))) return std::numeric_limits<D>::min();
      return static_cast<D>(x);
    } else {
      return static_cast<D>(x);
    }
  }
};

template <typename T>
__global__ void fill_kernel_impl(int64_t n, T* out, OffsetCalc<1> c, bool flat, T v) {
  const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    if (flat) {
      out[i] = v;
    } else {
      int64_t off[1];
      c.get(i, off);
      out[off[0]] = v;
    }
  }
}

template <typename T>
struct LeakyRelu {
  T s;
  __device__ T operator()(T x) const { return x > 0 ? x : x * s; }
};

// std::min(std::max(x, lo), hi) spelled out: max(x, l) is (x < l ? l : x), min(m, h) is
// (h < m ? h : m); NaN passes through.
template <typename T>
struct ClampBoth {
  T l, h;
  __device__ T operator()(T x) const {
    if (is_nan(x)) return x;
    const T m = x < l ? l : x;
    return h < m ? h : m;
  }
};
template <typename T>
struct ClampLo {
  T l;
  __device__ T operator()(T x) const { return is_nan(x) ? x : (x < l ? l : x); }
};
template <typename T>
struct ClampHi {
  T h;
  __device__ T operator()(T x) const { return is_nan(x) ? x : (x > h ? h : x); }
};

template <typename T>
struct Select {
  __device__ T operator()(bool c, T x, T y) const { return c ? x : y; }
};

// t = mask ? v : t, read through the (possibly broadcast) mask; writes only where it is set.
template <typename T>
__global__ void masked_fill_impl(int64_t n, T* t, const bool* mask, OffsetCalc<2> c, bool flat,
                                 T v) {
  const int64_t step = static_cast<int64_t>(blockDim.x) * gridDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += step) {
    if (flat) {
      if (mask[i]) t[i] = v;
    } else {
      int64_t off[2];
      c.get(i, off);
      if (mask[off[1]]) t[off[0]] = v;
    }
  }
}

}  // namespace

void unary_kernel(int32_t op, const Tensor& out, const Tensor& in) {
  if (op == KD_LOGICAL_NOT) {
    KD_DISPATCH_ALL(in.dtype(), "logical_not", [&] {
      map1<bool, scalar_t>(out, in, LogicalNot<scalar_t>{});
    });
    return;
  }
  switch (in.dtype()) {
    case DType::Float32: unary_typed<float>(op, out, in); break;
    case DType::Float64: unary_typed<double>(op, out, in); break;
    case DType::Int64: unary_typed<int64_t>(op, out, in); break;
    case DType::Bool:
      if (op == KD_ABS || op == KD_RELU || op == KD_SIGN || op == KD_FLOOR || op == KD_CEIL ||
          op == KD_ROUND) {
        map1<bool, bool>(out, in, Identity<bool>{});
        return;
      }
      fail(KD_ERR_INTERNAL, "unary kernel: op ", op, " has no bool kernel");
  }
}

void binary_kernel(int32_t op, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (a.dtype()) {
    case DType::Float32: binary_typed<float>(op, out, a, b); break;
    case DType::Float64: binary_typed<double>(op, out, a, b); break;
    case DType::Int64: binary_typed<int64_t>(op, out, a, b); break;
    case DType::Bool: binary_bool(op, out, a, b); break;
  }
}

void add_scaled_kernel(const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  KD_DISPATCH_NUMERIC(a.dtype(), "add", [&] {
    map2<scalar_t, scalar_t, scalar_t>(out, a, b, AddScaled<scalar_t>{static_cast<scalar_t>(alpha)});
  });
}

void copy_kernel(const Tensor& dst, const Tensor& src) {
  const int64_t n = dst.numel();
  if (n == 0) return;
  if (dst.dtype() == src.dtype() && dst.is_contiguous() && src.is_contiguous()) {
    // Same layout, same type: a plain device-to-device copy.
    KD_CUDA_CHECK(cudaMemcpyAsync(dst.raw_data(), src.raw_data(),
                                  static_cast<size_t>(n) * element_size(dst.dtype()),
                                  cudaMemcpyDeviceToDevice, current_stream()));
    return;
  }
  KD_DISPATCH_ALL(dst.dtype(), "copy_", [&] {
    using D = scalar_t;
    KD_DISPATCH_ALL(src.dtype(), "copy_", [&] { map1<D, scalar_t>(dst, src, Convert<D, scalar_t>{}); });
  });
}

void fill_kernel(const Tensor& t, double value) {
  const int64_t n = t.numel();
  if (n == 0) return;
  KD_DISPATCH_ALL(t.dtype(), "fill_", [&] {
    const scalar_t v = static_cast<scalar_t>(value);  // converted on the host, as the CPU does
    const OffsetCalc<1> c = make_offset_calc<1>(t.sizes(), {&t});
    fill_kernel_impl<scalar_t><<<blocks_for(n), kBlock, 0, current_stream()>>>(
        n, t.data<scalar_t>(), c, all_flat(c), v);
    KD_CUDA_LAUNCH_CHECK();
  });
}

void leaky_relu_kernel(const Tensor& out, const Tensor& in, double slope) {
  KD_DISPATCH_FLOAT(in.dtype(), "leaky_relu", [&] {
    map1<scalar_t, scalar_t>(out, in, LeakyRelu<scalar_t>{static_cast<scalar_t>(slope)});
  });
}

void clamp_kernel(const Tensor& out, const Tensor& in, double lo, double hi, bool has_lo,
                  bool has_hi) {
  KD_DISPATCH_NUMERIC(in.dtype(), "clamp", [&] {
    const scalar_t l = static_cast<scalar_t>(lo), h = static_cast<scalar_t>(hi);
    if (has_lo && has_hi)
      map1<scalar_t, scalar_t>(out, in, ClampBoth<scalar_t>{l, h});
    else if (has_lo)
      map1<scalar_t, scalar_t>(out, in, ClampLo<scalar_t>{l});
    else
      map1<scalar_t, scalar_t>(out, in, ClampHi<scalar_t>{h});
  });
}

void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  KD_DISPATCH_ALL(out.dtype(), "where", [&] {
    map3<scalar_t, bool, scalar_t, scalar_t>(out, cond, a, b, Select<scalar_t>{});
  });
}

// self <= threshold ? 0 : grad: ReLU's gradient in one pass (a NaN self passes its gradient).
template <typename T>
struct ThresholdGrad {
  T threshold;
  __device__ T operator()(T g, T x) const { return x <= threshold ? T(0) : g; }
};

void threshold_backward_kernel(const Tensor& out, const Tensor& grad, const Tensor& self,
                               double threshold) {
  KD_DISPATCH_FLOAT(out.dtype(), "threshold_backward", [&] {
    map2<scalar_t, scalar_t, scalar_t>(out, grad, self,
                                       ThresholdGrad<scalar_t>{static_cast<scalar_t>(threshold)});
  });
}

void masked_fill_kernel(const Tensor& t, const Tensor& mask, double value) {
  const int64_t n = t.numel();
  if (n == 0) return;
  KD_DISPATCH_ALL(t.dtype(), "masked_fill", [&] {
    const scalar_t v = static_cast<scalar_t>(value);
    const OffsetCalc<2> c = make_offset_calc<2>(t.sizes(), {&t, &mask});
    masked_fill_impl<scalar_t><<<blocks_for(n), kBlock, 0, current_stream()>>>(
        n, t.data<scalar_t>(), mask.data<bool>(), c, all_flat(c), v);
    KD_CUDA_LAUNCH_CHECK();
  });
}

}  // namespace cuda
}  // namespace kd
