// Batch norm in as few passes over the activations as the math allows: statistics in two reads,
// normalisation in one read and one write, the backward in two reads and one write (PyTorch's
// native_batch_norm does the same). The per-channel loops are spread over the pool by channel
// for reductions (each channel's sum in one thread, in a fixed order, so results do not depend
// on scheduling) and by (sample, channel) plane for the elementwise passes.
#include "cpu/batch_norm.h"

#include <algorithm>
#include <cstring>

#include "core/dtype.h"
#include "cpu/parallel.h"

namespace kd {
namespace cpu {

namespace {

int64_t grain_planes(int64_t s) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(1, s)); }

// Sums in float64 with eight independent accumulators, as four vectors of two doubles (SSE2):
// one chain of dependent adds runs at the adder's latency, several keep it busy, and GCC does
// not vectorise a double sum by itself (it may not reorder it). f(p, i) gives two consecutive
// terms as a vector; the order is fixed, so results do not vary run to run.
typedef double D2 __attribute__((vector_size(16)));
typedef float F2 __attribute__((vector_size(8)));

inline D2 load2(const float* p) {
  F2 v;
  std::memcpy(&v, p, sizeof(v));
  return __builtin_convertvector(v, D2);
}
inline D2 load2(const double* p) {
  D2 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <typename T, typename F, typename F1>
double sum8(const T* q, int64_t s, F f, F1 f1) {
  D2 a0 = {0, 0}, a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 8 <= s; i += 8) {
    a0 += f(q, i);
    a1 += f(q, i + 2);
    a2 += f(q, i + 4);
    a3 += f(q, i + 6);
  }
  double tail = 0;
  for (; i < s; ++i) tail += f1(q, i);
  const D2 t = (a0 + a1) + (a2 + a3);
  return (t[0] + t[1]) + tail;
}

}  // namespace

void batch_norm_stats(const Tensor& x, int64_t n, int64_t c, int64_t s, double* mean, double* var) {
  KD_DISPATCH_FLOAT(x.dtype(), "batch_norm", [&] {
    const scalar_t* p = x.data<scalar_t>();
    const double count = static_cast<double>(n * s);
    parallel_for(c, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, n * s)), [&](int64_t c0, int64_t c1) {
      for (int64_t ch = c0; ch < c1; ++ch) {
        double sum = 0;
        for (int64_t b = 0; b < n; ++b) {
          const scalar_t* q = p + (b * c + ch) * s;
          sum += sum8(q, s, [](const scalar_t* v, int64_t i) { return load2(v + i); },
                      [](const scalar_t* v, int64_t i) { return static_cast<double>(v[i]); });
        }
        const double m = sum / count;
        double sq = 0;
        for (int64_t b = 0; b < n; ++b) {
          const scalar_t* q = p + (b * c + ch) * s;
          sq += sum8(
              q, s,
              [m](const scalar_t* v, int64_t i) {
                const D2 d = load2(v + i) - m;
                return d * d;
              },
              [m](const scalar_t* v, int64_t i) {
                const double d = v[i] - m;
                return d * d;
              });
        }
        mean[ch] = m;
        var[ch] = sq / count;
      }
    });
  });
}

void batch_norm_apply(const Tensor& x, const Tensor& out, int64_t n, int64_t c, int64_t s,
                      const double* scale, const double* shift) {
  KD_DISPATCH_FLOAT(x.dtype(), "batch_norm", [&] {
    const scalar_t* p = x.data<scalar_t>();
    scalar_t* o = out.data<scalar_t>();
    parallel_for(n * c, grain_planes(s), [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; ++q) {
        const int64_t ch = q % c;
        const scalar_t a = static_cast<scalar_t>(scale[ch]), b = static_cast<scalar_t>(shift[ch]);
        const scalar_t* src = p + q * s;
        scalar_t* dst = o + q * s;
        for (int64_t i = 0; i < s; ++i) dst[i] = src[i] * a + b;
      }
    });
  });
}

void batch_norm_backward_reduce(const Tensor& g, const Tensor& x, int64_t n, int64_t c, int64_t s,
                                const double* mean, double* sum_g, double* sum_gx) {
  KD_DISPATCH_FLOAT(x.dtype(), "batch_norm_backward", [&] {
    const scalar_t* gp = g.data<scalar_t>();
    const scalar_t* xp = x.data<scalar_t>();
    parallel_for(c, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, n * s)), [&](int64_t c0, int64_t c1) {
      for (int64_t ch = c0; ch < c1; ++ch) {
        const double m = mean[ch];
        double sg = 0, sgx = 0;
        for (int64_t b = 0; b < n; ++b) {
          const scalar_t* gq = gp + (b * c + ch) * s;
          const scalar_t* xq = xp + (b * c + ch) * s;
          sg += sum8(gq, s, [](const scalar_t* v, int64_t i) { return load2(v + i); },
                     [](const scalar_t* v, int64_t i) { return static_cast<double>(v[i]); });
          sgx += sum8(
              gq, s, [xq, m](const scalar_t* v, int64_t i) { return load2(v + i) * (load2(xq + i) - m); },
              [xq, m](const scalar_t* v, int64_t i) { return static_cast<double>(v[i]) * (xq[i] - m); });
        }
        sum_g[ch] = sg;
        sum_gx[ch] = sgx;
      }
    });
  });
}

void batch_norm_backward_apply(const Tensor& g, const Tensor& x, const Tensor& gi, int64_t n,
                               int64_t c, int64_t s, const double* mean, const double* a,
                               const double* b, const double* k) {
  KD_DISPATCH_FLOAT(x.dtype(), "batch_norm_backward", [&] {
    const scalar_t* gp = g.data<scalar_t>();
    const scalar_t* xp = x.data<scalar_t>();
    scalar_t* op = gi.data<scalar_t>();
    parallel_for(n * c, grain_planes(s), [&](int64_t q0, int64_t q1) {
      for (int64_t q = q0; q < q1; ++q) {
        const int64_t ch = q % c;
        const scalar_t m = static_cast<scalar_t>(mean[ch]), aa = static_cast<scalar_t>(a[ch]),
                       bb = static_cast<scalar_t>(b[ch]), kk = static_cast<scalar_t>(k[ch]);
        const scalar_t* gq = gp + q * s;
        const scalar_t* xq = xp + q * s;
        scalar_t* o = op + q * s;
        for (int64_t i = 0; i < s; ++i) o[i] = (gq[i] - aa - (xq[i] - m) * bb) * kk;
      }
    });
  });
}

}  // namespace cpu
}  // namespace kd
