// Small SIMD helpers for the reduction and softmax loops, written with GCC/Clang vector
// extensions: 16-byte vectors (SSE2 on baseline x86-64, NEON on ARM), 32-byte ones when the
// compiler targets AVX.
//
// Why: GCC does not vectorise loops whose float compares may trap (no -fno-trapping-math here),
// so a NaN-aware max and any clamp stay scalar and branchy; and libm's expf is a call per
// element. These helpers do both four (float) or two (double) lanes at a time.
//   - extreme<kMax>(p, n, init): max/min of a unit-stride run where NaN wins, as torch.amax.
//   - sum(p, n): float lanes over blocks of 64 elements per lane, blocks added in double.
//   - exp: float exp within 1 ulp of the correctly rounded value (Cephes-style polynomial
//     after range reduction by ln 2), exact at 0, inf -> inf, -inf -> 0, NaN -> NaN, with
//     gradual underflow to denormals. Double falls back to std::exp.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace kd {
namespace cpu {
namespace vec {

#if defined(__AVX__)
constexpr int kBytes = 32;
#else
constexpr int kBytes = 16;
#endif
typedef float f32v __attribute__((vector_size(kBytes)));
typedef double f64v __attribute__((vector_size(kBytes)));
typedef int32_t i32v __attribute__((vector_size(kBytes)));
constexpr int64_t kF32 = kBytes / 4;  // float lanes

template <typename V, typename T>
inline V load(const T* p) {
  V v;
  std::memcpy(&v, p, sizeof(V));
  return v;
}
template <typename V, typename T>
inline void store(T* p, V v) { std::memcpy(p, &v, sizeof(V)); }

// NaN-propagating pick of the larger (kMax) or smaller value, lane by lane.
template <bool kMax, typename V>
inline V pick(V a, V x) {
  if constexpr (kMax) return ((x > a) | (x != x)) ? x : a;
  else return ((x < a) | (x != x)) ? x : a;
}
template <bool kMax, typename T>
inline T pick1(T a, T x) {
  if constexpr (std::is_floating_point<T>::value) {
    if (x != x) return x;
  }
  return (kMax ? x > a : x < a) ? x : a;
}

// max (kMax) or min of init and p[0, n); NaN anywhere gives NaN.
template <bool kMax, typename T>
inline T extreme(const T* p, int64_t n, T init) {
  int64_t i = 0;
  T m = init;
  if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value) {
    using V = typename std::conditional<std::is_same<T, float>::value, f32v, f64v>::type;
    constexpr int64_t L = sizeof(V) / sizeof(T);
    V a0 = V{} + init, a1 = a0, a2 = a0, a3 = a0;
    for (; i + 4 * L <= n; i += 4 * L) {
      a0 = pick<kMax>(a0, load<V>(p + i));
      a1 = pick<kMax>(a1, load<V>(p + i + L));
      a2 = pick<kMax>(a2, load<V>(p + i + 2 * L));
      a3 = pick<kMax>(a3, load<V>(p + i + 3 * L));
    }
    a0 = pick<kMax>(pick<kMax>(a0, a1), pick<kMax>(a2, a3));
    for (int64_t k = 0; k < L; ++k) m = pick1<kMax>(m, a0[k]);
  }
  for (; i < n; ++i) m = pick1<kMax>(m, p[i]);
  return m;
}

inline double sum(const float* p, int64_t n) {
  double total = 0;
  int64_t i = 0;
  while (i + 4 * kF32 <= n) {
    f32v a0 = f32v{}, a1 = a0, a2 = a0, a3 = a0;
    const int64_t end = i + 256 * kF32 <= n ? i + 256 * kF32 : n;
    for (; i + 4 * kF32 <= end; i += 4 * kF32) {
      a0 += load<f32v>(p + i);
      a1 += load<f32v>(p + i + kF32);
      a2 += load<f32v>(p + i + 2 * kF32);
      a3 += load<f32v>(p + i + 3 * kF32);
    }
    a0 = (a0 + a1) + (a2 + a3);
    for (int64_t k = 0; k < kF32; ++k) total += static_cast<double>(a0[k]);
  }
  for (; i < n; ++i) total += static_cast<double>(p[i]);
  return total;
}

inline double sum(const double* p, int64_t n) {
  constexpr int64_t L = kBytes / 8;
  f64v a0 = f64v{}, a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 4 * L <= n; i += 4 * L) {
    a0 += load<f64v>(p + i);
    a1 += load<f64v>(p + i + L);
    a2 += load<f64v>(p + i + 2 * L);
    a3 += load<f64v>(p + i + 3 * L);
  }
  a0 = (a0 + a1) + (a2 + a3);
  double total = 0;
  for (int64_t k = 0; k < L; ++k) total += a0[k];
  for (; i < n; ++i) total += p[i];
  return total;
}

inline f32v exp(f32v x) {
  const f32v hi = f32v{} + 89.0f;    // above ln(FLT_MAX): the scaling overflows to inf
  const f32v lo = f32v{} + -104.0f;  // below ln(2^-150): the result rounds to 0
  const f32v magic = f32v{} + 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  f32v xc = x > hi ? hi : x;
  xc = xc < lo ? lo : xc;  // NaN passes both clamps and stays NaN
  // x = n ln2 + r, |r| <= ln2 / 2, with ln2 split in two for an exact product.
  const f32v t = xc * 1.44269504088896341f + magic;
  const i32v n = (i32v)t - (i32v)magic;
  const f32v fn = t - magic;
  f32v r = xc - fn * 0.693359375f;
  r = r - fn * -2.12194440e-4f;
  f32v y = f32v{} + 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * (r * r) + r + 1.0f;
  // 2^n in two factors so that n down to -150 (denormal results) stays representable.
  const i32v n1 = n >> 1, n2 = n - n1;
  y = y * (f32v)((n1 + 127) << 23) * (f32v)((n2 + 127) << 23);
  return x < lo ? f32v{} : y;
}

// y[i] = exp(x[i] - shift); returns the sum of the y[i] (in double). y may be null.
inline double exp_shifted(const float* x, float shift, float* y, int64_t n) {
  double sum = 0;
  int64_t i = 0;
  // Blocks of 64 are summed in float lanes, the blocks in double.
  while (i + kF32 <= n) {
    f32v s = f32v{};
    const int64_t end = i + 16 * kF32 <= n ? i + 16 * kF32 : n;
    for (; i + kF32 <= end; i += kF32) {
      const f32v e = exp(load<f32v>(x + i) - shift);
      if (y) store(y + i, e);
      s += e;
    }
    for (int64_t k = 0; k < kF32; ++k) sum += static_cast<double>(s[k]);
  }
  if (i < n) {  // the tail through the same polynomial, so no result depends on its position
    float buf[kF32] = {};
    std::memcpy(buf, x + i, static_cast<size_t>(n - i) * sizeof(float));
    const f32v e = exp(load<f32v>(buf) - shift);
    for (int64_t k = 0; k < n - i; ++k) {
      if (y) y[i + k] = e[k];
      sum += e[k];
    }
  }
  return sum;
}

inline double exp_shifted(const double* x, double shift, double* y, int64_t n) {
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double e = std::exp(x[i] - shift);
    if (y) y[i] = e;
    sum += e;
  }
  return sum;
}

// y[i] = exp(x[i] - shift[i]).
inline void exp_shifted(const float* x, const float* shift, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + kF32 <= n; i += kF32) store(y + i, exp(load<f32v>(x + i) - load<f32v>(shift + i)));
  if (i < n) {
    float a[kF32] = {}, b[kF32] = {};
    std::memcpy(a, x + i, static_cast<size_t>(n - i) * sizeof(float));
    std::memcpy(b, shift + i, static_cast<size_t>(n - i) * sizeof(float));
    const f32v e = exp(load<f32v>(a) - load<f32v>(b));
    for (int64_t k = 0; k < n - i; ++k) y[i + k] = e[k];
  }
}

// m[j] = max (kMax) or min of m[j] and row[j], NaN winning.
template <bool kMax, typename T>
inline void extreme_into(T* m, const T* row, int64_t n) {
  int64_t i = 0;
  if constexpr (std::is_same<T, float>::value || std::is_same<T, double>::value) {
    using V = typename std::conditional<std::is_same<T, float>::value, f32v, f64v>::type;
    constexpr int64_t L = sizeof(V) / sizeof(T);
    for (; i + L <= n; i += L) store(m + i, pick<kMax>(load<V>(m + i), load<V>(row + i)));
  }
  for (; i < n; ++i) m[i] = pick1<kMax>(m[i], row[i]);
}

inline void exp_shifted(const double* x, const double* shift, double* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i] - shift[i]);
}

}  // namespace vec
}  // namespace cpu
}  // namespace kd
