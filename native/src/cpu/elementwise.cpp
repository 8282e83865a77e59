// CPU elementwise kernels: unary math, binary arithmetic and comparisons, conversion copies,
// fills, clamp, where and masked_fill. Each op is a small lambda fed to map1/map2, which pick a
// unit-stride loop (vectorisable) or a general strided loop per inner run.
#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>
#include <type_traits>

#include "core/dtype.h"
#include "cpu/kernels.h"
#include "cpu/loops.h"
#include "cpu/vec.h"

namespace kd {
namespace cpu {

namespace {

template <typename O, typename T, typename F>
void map1(const Tensor& out, const Tensor& in, F f) {
  const Tensor* ts[2] = {&out, &in};
  ElementwisePlan<2> plan(out.sizes(), ts);
  plan.run([&](char** p, const int64_t* st, int64_t n) {
    if (st[0] == sizeof(O) && st[1] == sizeof(T)) {
      O* o = reinterpret_cast<O*>(p[0]);
      const T* a = reinterpret_cast<const T*>(p[1]);
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * st[0]) = f(*reinterpret_cast<const T*>(p[1] + i * st[1]));
    }
  });
}

template <typename O, typename T, typename F>
void map2(const Tensor& out, const Tensor& x, const Tensor& y, F f) {
  const Tensor* ts[3] = {&out, &x, &y};
  ElementwisePlan<3> plan(out.sizes(), ts);
  plan.run([&](char** p, const int64_t* st, int64_t n) {
    O* o = reinterpret_cast<O*>(p[0]);
    const T* a = reinterpret_cast<const T*>(p[1]);
    const T* b = reinterpret_cast<const T*>(p[2]);
    if (st[0] == sizeof(O) && st[1] == sizeof(T) && st[2] == sizeof(T)) {
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
    } else if (st[0] == sizeof(O) && st[1] == sizeof(T) && st[2] == 0) {
      const T bv = *b;
      for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
    } else if (st[0] == sizeof(O) && st[1] == 0 && st[2] == sizeof(T)) {
      const T av = *a;
      for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<O*>(p[0] + i * st[0]) =
            f(*reinterpret_cast<const T*>(p[1] + i * st[1]),
              *reinterpret_cast<const T*>(p[2] + i * st[2]));
    }
  });
}

// map1 and map2 for float selects (ReLU and its gradient): GCC keeps float compares scalar and
// branchy (they may trap, see vec.h), which costs a mispredicted branch per element on real
// activations; on unit-stride runs these apply vf to whole vectors (vec::kBytes wide) and sf to
// the last few elements, which give the same values lane by lane.
template <typename T, typename VF, typename SF>
void map1_select(const Tensor& out, const Tensor& in, VF vf, SF sf) {
  typedef T V __attribute__((vector_size(vec::kBytes)));
  constexpr int64_t L = vec::kBytes / sizeof(T);
  const Tensor* ts[2] = {&out, &in};
  ElementwisePlan<2> plan(out.sizes(), ts);
  plan.run([&](char** p, const int64_t* st, int64_t n) {
    if (st[0] == sizeof(T) && st[1] == sizeof(T)) {
      T* o = reinterpret_cast<T*>(p[0]);
      const T* a = reinterpret_cast<const T*>(p[1]);
      int64_t i = 0;
      for (; i + L <= n; i += L) vec::store(o + i, vf(vec::load<V>(a + i)));
      for (; i < n; ++i) o[i] = sf(a[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * st[0]) = sf(*reinterpret_cast<const T*>(p[1] + i * st[1]));
    }
  });
}

template <typename T, typename VF, typename SF>
void map2_select(const Tensor& out, const Tensor& x, const Tensor& y, VF vf, SF sf) {
  typedef T V __attribute__((vector_size(vec::kBytes)));
  constexpr int64_t L = vec::kBytes / sizeof(T);
  const Tensor* ts[3] = {&out, &x, &y};
  ElementwisePlan<3> plan(out.sizes(), ts);
  plan.run([&](char** p, const int64_t* st, int64_t n) {
    T* o = reinterpret_cast<T*>(p[0]);
    const T* a = reinterpret_cast<const T*>(p[1]);
    const T* b = reinterpret_cast<const T*>(p[2]);
    if (st[0] == sizeof(T) && st[1] == sizeof(T) && st[2] == sizeof(T)) {
      int64_t i = 0;
      for (; i + L <= n; i += L) vec::store(o + i, vf(vec::load<V>(a + i), vec::load<V>(b + i)));
      for (; i < n; ++i) o[i] = sf(a[i], b[i]);
    } else {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<T*>(p[0] + i * st[0]) =
            sf(*reinterpret_cast<const T*>(p[1] + i * st[1]), *reinterpret_cast<const T*>(p[2] + i * st[2]));
    }
  });
}

// Integer power as PyTorch computes it: a negative exponent gives 1 or -1 for a base of 1 or -1
// and 0 otherwise (the ops layer refuses a negative scalar exponent before getting here).
template <typename T>
T int_pow(T base, T exp) {
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exp % 2 == 0) ? 1 : -1;
    return 0;
  }
  T result = 1;
  while (exp) {
    if (exp & 1) result *= base;
    exp >>= 1;
    base *= base;
  }
  return result;
}

template <typename T>
T py_remainder(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) {
    T r = std::fmod(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  } else {
    if (b == 0) fail(KD_ERR_ARGUMENT, "remainder: ZeroDivisionError (integer division by zero)");
    T r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
  }
}

template <typename T>
bool isnan_(T v) {
  if constexpr (std::is_floating_point<T>::value) return std::isnan(v);
  return false;
}

template <typename T>
void unary_typed(int32_t op, const Tensor& out, const Tensor& in) {
  switch (op) {
    case KD_NEG: map1<T, T>(out, in, [](T x) { return static_cast<T>(-x); }); return;
    case KD_ABS: map1<T, T>(out, in, [](T x) { return static_cast<T>(x < 0 ? -x : x); }); return;
    case KD_RELU:
      // x < 0 ? 0 : x, so -0 and NaN pass through as in PyTorch.
      if constexpr (std::is_floating_point<T>::value) {
        typedef T V __attribute__((vector_size(vec::kBytes)));
        map1_select<T>(out, in, [](V x) { return x < V{} ? V{} : x; },
                       [](T x) { return x < 0 ? T(0) : x; });
      } else {
        map1<T, T>(out, in, [](T x) { return x < 0 ? T(0) : x; });
      }
      return;
    case KD_SIGN:
      map1<T, T>(out, in, [](T x) { return static_cast<T>((T(0) < x) - (x < T(0))); });
      return;
    case KD_SQUARE: map1<T, T>(out, in, [](T x) { return static_cast<T>(x * x); }); return;
    default: break;
  }
  if constexpr (std::is_floating_point<T>::value) {
    switch (op) {
      case KD_EXP: map1<T, T>(out, in, [](T x) { return std::exp(x); }); return;
      case KD_LOG: map1<T, T>(out, in, [](T x) { return std::log(x); }); return;
      case KD_SQRT: map1<T, T>(out, in, [](T x) { return std::sqrt(x); }); return;
      case KD_RSQRT: map1<T, T>(out, in, [](T x) { return T(1) / std::sqrt(x); }); return;
      case KD_SIN: map1<T, T>(out, in, [](T x) { return std::sin(x); }); return;
      case KD_COS: map1<T, T>(out, in, [](T x) { return std::cos(x); }); return;
      case KD_TANH: map1<T, T>(out, in, [](T x) { return std::tanh(x); }); return;
      case KD_SIGMOID:
        map1<T, T>(out, in, [](T x) { return T(1) / (T(1) + std::exp(-x)); });
        return;
      case KD_RECIPROCAL: map1<T, T>(out, in, [](T x) { return T(1) / x; }); return;
      case KD_LOG1P: map1<T, T>(out, in, [](T x) { return std::log1p(x); }); return;
      case KD_EXPM1: map1<T, T>(out, in, [](T x) { return std::expm1(x); }); return;
      case KD_FLOOR: map1<T, T>(out, in, [](T x) { return std::floor(x); }); return;
      case KD_CEIL: map1<T, T>(out, in, [](T x) { return std::ceil(x); }); return;
      case KD_ROUND: map1<T, T>(out, in, [](T x) { return std::nearbyint(x); }); return;
      case KD_ERF: map1<T, T>(out, in, [](T x) { return std::erf(x); }); return;
      default: break;
    }
  } else {
    switch (op) {
      case KD_FLOOR:
      case KD_CEIL:
      case KD_ROUND: map1<T, T>(out, in, [](T x) { return x; }); return;
      default: break;
    }
  }
  fail(KD_ERR_INTERNAL, "unary kernel: op ", op, " has no ", dtype_name(in.dtype()), " kernel");
}

template <typename T>
void binary_typed(int32_t op, const Tensor& out, const Tensor& a, const Tensor& b) {
  switch (op) {
    case KD_ADD: map2<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x + y); }); return;
    case KD_SUB: map2<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x - y); }); return;
    case KD_MUL: map2<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x * y); }); return;
    case KD_DIV: map2<T, T>(out, a, b, [](T x, T y) { return static_cast<T>(x / y); }); return;
    case KD_POW:
      if constexpr (std::is_floating_point<T>::value)
        map2<T, T>(out, a, b, [](T x, T y) { return std::pow(x, y); });
      else
        map2<T, T>(out, a, b, [](T x, T y) { return int_pow<T>(x, y); });
      return;
    case KD_REMAINDER: map2<T, T>(out, a, b, [](T x, T y) { return py_remainder<T>(x, y); }); return;
    case KD_ATAN2:
      if constexpr (std::is_floating_point<T>::value) {
        map2<T, T>(out, a, b, [](T x, T y) { return std::atan2(x, y); });
        return;
      }
      break;
    case KD_MAXIMUM:
      map2<T, T>(out, a, b, [](T x, T y) { return isnan_(x) ? x : (isnan_(y) ? y : (x > y ? x : y)); });
      return;
    case KD_MINIMUM:
      map2<T, T>(out, a, b, [](T x, T y) { return isnan_(x) ? x : (isnan_(y) ? y : (x < y ? x : y)); });
      return;
    case KD_EQ: map2<bool, T>(out, a, b, [](T x, T y) { return x == y; }); return;
    case KD_NE: map2<bool, T>(out, a, b, [](T x, T y) { return x != y; }); return;
    case KD_LT: map2<bool, T>(out, a, b, [](T x, T y) { return x < y; }); return;
    case KD_LE: map2<bool, T>(out, a, b, [](T x, T y) { return x <= y; }); return;
    case KD_GT: map2<bool, T>(out, a, b, [](T x, T y) { return x > y; }); return;
    case KD_GE: map2<bool, T>(out, a, b, [](T x, T y) { return x >= y; }); return;
    case KD_LOGICAL_AND: map2<bool, T>(out, a, b, [](T x, T y) { return x != T(0) && y != T(0); }); return;
    case KD_LOGICAL_OR: map2<bool, T>(out, a, b, [](T x, T y) { return x != T(0) || y != T(0); }); return;
    case KD_LOGICAL_XOR: map2<bool, T>(out, a, b, [](T x, T y) { return (x != T(0)) != (y != T(0)); }); return;
    default: break;
  }
  fail(KD_ERR_INTERNAL, "binary kernel: op ", op, " has no ", dtype_name(a.dtype()), " kernel");
}

template <>
void binary_typed<bool>(int32_t op, const Tensor& out, const Tensor& a, const Tensor& b) {
  using T = bool;
  switch (op) {
    case KD_ADD:
    case KD_LOGICAL_OR:
    case KD_MAXIMUM: map2<bool, T>(out, a, b, [](T x, T y) { return x || y; }); return;
    case KD_MUL:
    case KD_LOGICAL_AND:
    case KD_MINIMUM: map2<bool, T>(out, a, b, [](T x, T y) { return x && y; }); return;
    case KD_NE:
    case KD_LOGICAL_XOR: map2<bool, T>(out, a, b, [](T x, T y) { return x != y; }); return;
    case KD_EQ: map2<bool, T>(out, a, b, [](T x, T y) { return x == y; }); return;
    case KD_LT: map2<bool, T>(out, a, b, [](T x, T y) { return x < y; }); return;
    case KD_LE: map2<bool, T>(out, a, b, [](T x, T y) { return x <= y; }); return;
    case KD_GT: map2<bool, T>(out, a, b, [](T x, T y) { return x > y; }); return;
    case KD_GE: map2<bool, T>(out, a, b, [](T x, T y) { return x >= y; }); return;
    default: break;
  }
  fail(KD_ERR_INTERNAL, "binary kernel: op ", op, " has no bool kernel");
}

template <typename D, typename S>
void copy_typed(const Tensor& dst, const Tensor& src) {
  if constexpr (std::is_same<D, bool>::value) {
    map1<bool, S>(dst, src, [](S x) { return x != S(0); });
  } else if constexpr (std::is_floating_point<S>::value && !std::is_floating_point<D>::value) {
    // Float to integer truncates toward zero; NaN/inf give the min value like x86 PyTorch.
    map1<D, S>(dst, src, [](S x) {
      if (!(x > S(-9.3e18) && x < S(9.3e18))) return std::numeric_limits<D>::min();
      return static_cast<D>(x);
    });
  } else {
    map1<D, S>(dst, src, [](S x) { return static_cast<D>(x); });
  }
}

}  // namespace

void unary_kernel(int32_t op, const Tensor& out, const Tensor& in) {
  if (op == KD_LOGICAL_NOT) {
    KD_DISPATCH_ALL(in.dtype(), "logical_not", [&] {
      map1<bool, scalar_t>(out, in, [](scalar_t x) { return !(x != scalar_t(0)); });
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
        map1<bool, bool>(out, in, [](bool x) { return x; });
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
    case DType::Bool: binary_typed<bool>(op, out, a, b); break;
  }
}

void add_scaled_kernel(const Tensor& out, const Tensor& a, const Tensor& b, double alpha) {
  KD_DISPATCH_NUMERIC(a.dtype(), "add", [&] {
    const scalar_t s = static_cast<scalar_t>(alpha);
    map2<scalar_t, scalar_t>(out, a, b, [s](scalar_t x, scalar_t y) { return static_cast<scalar_t>(x + s * y); });
  });
}

void copy_kernel(const Tensor& dst, const Tensor& src) {
  KD_DISPATCH_ALL(dst.dtype(), "copy_", [&] {
    using D = scalar_t;
    KD_DISPATCH_ALL(src.dtype(), "copy_", [&] { copy_typed<D, scalar_t>(dst, src); });
  });
}

void fill_kernel(const Tensor& t, double value) {
  KD_DISPATCH_ALL(t.dtype(), "fill_", [&] {
    const scalar_t v = static_cast<scalar_t>(value);
    const Tensor* ts[1] = {&t};
    ElementwisePlan<1> plan(t.sizes(), ts);
    plan.run([&](char** p, const int64_t* st, int64_t n) {
      if (st[0] == sizeof(scalar_t)) {
        scalar_t* o = reinterpret_cast<scalar_t*>(p[0]);
        for (int64_t i = 0; i < n; ++i) o[i] = v;
      } else {
        for (int64_t i = 0; i < n; ++i) *reinterpret_cast<scalar_t*>(p[0] + i * st[0]) = v;
      }
    });
  });
}

void leaky_relu_kernel(const Tensor& out, const Tensor& in, double slope) {
  KD_DISPATCH_FLOAT(in.dtype(), "leaky_relu", [&] {
    const scalar_t s = static_cast<scalar_t>(slope);
    map1<scalar_t, scalar_t>(out, in, [s](scalar_t x) { return x > 0 ? x : x * s; });
  });
}

void clamp_kernel(const Tensor& out, const Tensor& in, double lo, double hi, bool has_lo,
                  bool has_hi) {
  KD_DISPATCH_NUMERIC(in.dtype(), "clamp", [&] {
    const scalar_t l = static_cast<scalar_t>(lo), h = static_cast<scalar_t>(hi);
    // min(max(x, lo), hi): when lo > hi every value becomes hi, as in PyTorch.
    if (has_lo && has_hi)
      map1<scalar_t, scalar_t>(out, in, [l, h](scalar_t x) {
        return isnan_(x) ? x : std::min(std::max(x, l), h);
      });
    else if (has_lo)
      map1<scalar_t, scalar_t>(out, in, [l](scalar_t x) { return isnan_(x) ? x : (x < l ? l : x); });
    else
      map1<scalar_t, scalar_t>(out, in, [h](scalar_t x) { return isnan_(x) ? x : (x > h ? h : x); });
  });
}

void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) {
  KD_DISPATCH_ALL(out.dtype(), "where", [&] {
    const Tensor* ts[4] = {&out, &cond, &a, &b};
    ElementwisePlan<4> plan(out.sizes(), ts);
    plan.run([&](char** p, const int64_t* st, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        bool c = *reinterpret_cast<const bool*>(p[1] + i * st[1]);
        *reinterpret_cast<scalar_t*>(p[0] + i * st[0]) =
            c ? *reinterpret_cast<const scalar_t*>(p[2] + i * st[2])
              : *reinterpret_cast<const scalar_t*>(p[3] + i * st[3]);
      }
    });
  });
}

void threshold_backward_kernel(const Tensor& out, const Tensor& grad, const Tensor& self,
                               double threshold) {
  KD_DISPATCH_FLOAT(out.dtype(), "threshold_backward", [&] {
    typedef scalar_t V __attribute__((vector_size(vec::kBytes)));
    const scalar_t th = static_cast<scalar_t>(threshold);
    const V thv = V{} + th;
    // self <= threshold ? 0 : grad (a NaN self passes its gradient).
    map2_select<scalar_t>(out, grad, self, [thv](V g, V x) { return x <= thv ? V{} : g; },
                          [th](scalar_t g, scalar_t x) { return x <= th ? scalar_t(0) : g; });
  });
}

void masked_fill_kernel(const Tensor& t, const Tensor& mask, double value) {
  KD_DISPATCH_ALL(t.dtype(), "masked_fill", [&] {
    const scalar_t v = static_cast<scalar_t>(value);
    const Tensor* ts[2] = {&t, &mask};
    ElementwisePlan<2> plan(t.sizes(), ts);
    plan.run([&](char** p, const int64_t* st, int64_t n) {
      if (st[0] == sizeof(scalar_t) && st[1] == 1) {
        // Contiguous run: a select, not a branch (a ReLU mask is a coin toss per element).
        // As same-width unsigned integers, (cur & ~mask) | (v & mask) vectorises.
        using U = std::conditional_t<sizeof(scalar_t) == 8, uint64_t,
                  std::conditional_t<sizeof(scalar_t) == 4, uint32_t, uint8_t>>;
        static_assert(sizeof(U) == sizeof(scalar_t), "masked_fill: unexpected element size");
        U vb;
        std::memcpy(&vb, &v, sizeof(U));
        auto* o = reinterpret_cast<U*>(p[0]);
        const auto* m = reinterpret_cast<const uint8_t*>(p[1]);
        for (int64_t i = 0; i < n; ++i) {
          const U mask = U(0) - static_cast<U>(m[i] != 0);
          o[i] = (o[i] & ~mask) | (vb & mask);
        }
        return;
      }
      for (int64_t i = 0; i < n; ++i)
        if (*reinterpret_cast<const bool*>(p[1] + i * st[1]))
          *reinterpret_cast<scalar_t*>(p[0] + i * st[0]) = v;
    });
  });
}

}  // namespace cpu
}  // namespace kd
