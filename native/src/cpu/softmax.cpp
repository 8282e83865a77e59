// CPU softmax and log_softmax over one dim of a contiguous tensor, viewed as [outer, n, inner].
// Stable: the max along the dim is subtracted before exp (vec::exp for float), sums are kept in
// double. Like PyTorch, rows of all -inf, or holding +inf or NaN, come out as NaN.
// When the dim is innermost each row is one unit-stride run; otherwise a chunk of columns is
// processed together so that each pass reads the [n, chunk] block row by row.
#include <algorithm>
#include <cmath>
#include <memory>

#include "core/dtype.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"
#include "cpu/vec.h"

namespace kd {
namespace cpu {

namespace {

constexpr int64_t kColumnChunk = 2048;  // widest block of columns done together

template <typename T>
void softmax_rows(const T* in, T* out, int64_t outer, int64_t n, bool log) {
  parallel_for(outer, std::max<int64_t>(1, kGrain / n), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* x = in + r * n;
      T* y = out + r * n;
      const T m = vec::extreme<true>(x, n, x[0]);
      if (log) {
        const T lse = static_cast<T>(std::log(vec::exp_shifted(x, m, static_cast<T*>(nullptr), n)));
        for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - m) - lse;
      } else {
        const T inv = static_cast<T>(1.0 / vec::exp_shifted(x, m, y, n));
        for (int64_t i = 0; i < n; ++i) y[i] *= inv;
      }
    }
  });
}

template <typename T>
void softmax_columns(const T* in, T* out, int64_t outer, int64_t n, int64_t inner, bool log) {
  const int64_t chunks = (inner + kColumnChunk - 1) / kColumnChunk;
  const int64_t width = (inner + chunks - 1) / chunks;
  const int64_t grain = std::max<int64_t>(1, kGrain / (n * width));
  parallel_for(outer * chunks, grain, [&](int64_t b, int64_t e) {
    std::unique_ptr<T[]> m(new T[width]), ex(new T[width]);
    std::unique_ptr<double[]> sum(new double[width]);
    for (int64_t t = b; t < e; ++t) {
      const int64_t c0 = (t % chunks) * width, w = std::min(width, inner - c0);
      const T* x = in + (t / chunks) * n * inner + c0;
      T* y = out + (t / chunks) * n * inner + c0;
      std::copy(x, x + w, m.get());
      std::fill(sum.get(), sum.get() + w, 0.0);
      for (int64_t i = 1; i < n; ++i) vec::extreme_into<true>(m.get(), x + i * inner, w);
      for (int64_t i = 0; i < n; ++i) {
        T* ei = log ? ex.get() : y + i * inner;
        vec::exp_shifted(x + i * inner, m.get(), ei, w);
        for (int64_t j = 0; j < w; ++j) sum[j] += static_cast<double>(ei[j]);
      }
      if (log) {
        for (int64_t j = 0; j < w; ++j) ex[j] = static_cast<T>(std::log(sum[j]));
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < w; ++j) y[i * inner + j] = (x[i * inner + j] - m[j]) - ex[j];
      } else {
        for (int64_t j = 0; j < w; ++j) ex[j] = static_cast<T>(1.0 / sum[j]);
        for (int64_t i = 0; i < n; ++i)
          for (int64_t j = 0; j < w; ++j) y[i * inner + j] *= ex[j];
      }
    }
  });
}

}  // namespace

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
    if (inner == 1) softmax_rows(x, y, outer, n, log);
    else softmax_columns(x, y, outer, n, inner, log);
  });
}

}  // namespace cpu
}  // namespace kd
