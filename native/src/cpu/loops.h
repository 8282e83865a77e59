// Strided N-operand loops for elementwise kernels.
//
// An ElementwisePlan holds one shape and, for each operand, byte strides over that shape (0 on
// broadcast dims). Dims are coalesced where every operand is contiguous across them, so most
// loops collapse to one long inner run. for_each_run calls f(ptrs, inner_strides, n) for each
// inner run; kernels branch on unit strides inside it so the common case vectorises.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/tensor.h"
#include "cpu/parallel.h"

namespace kd {
namespace cpu {

template <int K>
struct ElementwisePlan {
  int32_t ndim = 0;
  int64_t sizes[kMaxDims];
  int64_t strides[K][kMaxDims];  // bytes
  char* base[K];
  int64_t numel = 1;

  // All operands must already have `shape` (inputs expanded with stride 0 where broadcast).
  ElementwisePlan(const Dims& shape, const Tensor* const* ts) {
    int32_t n = 0;
    for (int32_t d = 0; d < shape.size(); ++d) {
      if (shape[d] == 1) continue;  // size-1 dims carry no iteration
      sizes[n] = shape[d];
      for (int k = 0; k < K; ++k)
        strides[k][n] = ts[k]->stride(d) * static_cast<int64_t>(element_size(ts[k]->dtype()));
      ++n;
    }
    for (int k = 0; k < K; ++k) base[k] = static_cast<char*>(ts[k]->raw_data());
    // Coalesce from the inside out: dim i-1 merges into i when stride[i-1] == stride[i]*size[i].
    int32_t out = 0;
    for (int32_t d = 0; d < n; ++d) {
      if (out > 0) {
        bool ok = true;
        for (int k = 0; k < K && ok; ++k)
          ok = strides[k][out - 1] == strides[k][d] * sizes[d];
        if (ok) {
          sizes[out - 1] *= sizes[d];
          for (int k = 0; k < K; ++k) strides[k][out - 1] = strides[k][d];
          continue;
        }
      }
      sizes[out] = sizes[d];
      for (int k = 0; k < K; ++k) strides[k][out] = strides[k][d];
      ++out;
    }
    ndim = out;
    numel = shape.numel();
  }

  // f(char* ptrs[K], const int64_t inner_strides[K], int64_t n) over linear range [begin, end).
  template <typename F>
  void run_range(int64_t begin, int64_t end, F& f) const {
    char* p[K];
    int64_t inner_st[K];
    if (ndim == 0) {
      if (begin < end) {
        for (int k = 0; k < K; ++k) { p[k] = base[k]; inner_st[k] = 0; }
        f(p, inner_st, int64_t(1));
      }
      return;
    }
    const int32_t last = ndim - 1;
    for (int k = 0; k < K; ++k) inner_st[k] = strides[k][last];
    int64_t idx[kMaxDims];
    int64_t rem = begin;
    for (int32_t d = last; d >= 0; --d) {
      idx[d] = rem % sizes[d];
      rem /= sizes[d];
    }
    int64_t pos = begin;
    while (pos < end) {
      for (int k = 0; k < K; ++k) {
        char* q = base[k];
        for (int32_t d = 0; d <= last; ++d) q += idx[d] * strides[k][d];
        p[k] = q;
      }
      int64_t n = std::min(sizes[last] - idx[last], end - pos);
      f(p, inner_st, n);
      pos += n;
      idx[last] += n;
      for (int32_t d = last; d > 0 && idx[d] >= sizes[d]; --d) {
        idx[d] = 0;
        ++idx[d - 1];
      }
    }
  }

  template <typename F>
  void run(F f, int64_t grain = kGrain) const {
    if (numel == 0) return;
    parallel_for(numel, grain, [&](int64_t b, int64_t e) { run_range(b, e, f); });
  }
};

}  // namespace cpu
}  // namespace kd
