// Pooling and upsampling kernels (see pool.h). Every tensor here is contiguous; `planes` is the
// product of the leading dims (N*C or C) and each plane is processed by one task.
#include "cpu/pool.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "core/dtype.h"
#include "cpu/parallel.h"
#include "cpu/vec.h"

namespace kd {
namespace cpu {

namespace {

int64_t planes_of(const Tensor& t) {
  int64_t hw = t.size(t.dim() - 2) * t.size(t.dim() - 1);
  return hw == 0 ? 0 : t.numel() / hw;
}

// mask all ones: b, else a; as integers, so the compiler emits no branch.
inline float blend(float a, float b, int64_t mask) {
  uint32_t x, y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  const uint32_t m = static_cast<uint32_t>(mask);
  x = (x & ~m) | (y & m);
  std::memcpy(&a, &x, 4);
  return a;
}
inline double blend(double a, double b, int64_t mask) {
  uint64_t x, y;
  std::memcpy(&x, &a, 8);
  std::memcpy(&y, &b, 8);
  const uint64_t m = static_cast<uint64_t>(mask);
  x = (x & ~m) | (y & m);
  std::memcpy(&a, &x, 8);
  return a;
}

int64_t grain_for(int64_t per_plane) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, per_plane)); }

// One output row of a 2x2, stride-2 max pool over a contiguous plane of width W: the four
// candidates of each window are compared in PyTorch's order (row by row; the first maximum
// wins, and every NaN wins, so the last NaN is kept, as in PyTorch), and the winner's place in
// the window (0..3) becomes its flat index in the plane. Lanes are whole outputs: the even and
// odd columns of two input rows are split into four vectors, so the compares and selects run a
// vector of windows at once (4 floats or 2 doubles on baseline x86-64); a row narrower than a
// vector takes the scalar loop.
template <typename T>
void pool_2x2_row(const T* in, int64_t W, int64_t oh, int64_t OW, T* vo, int64_t* io) {
  typedef T V __attribute__((vector_size(vec::kBytes)));
  typedef decltype(V{} > V{}) K;  // the compare mask: same-width integer lanes
  constexpr int L = vec::kBytes / sizeof(T);
  const T* r0 = in + 2 * oh * W;
  const T* r1 = r0 + W;
  const int64_t row = 2 * oh * W;
  auto windows = [&](int64_t ow) {
    V a, b, c, d;
    {
      const V x0 = vec::load<V>(r0 + 2 * ow), x1 = vec::load<V>(r0 + 2 * ow + L);
      const V y0 = vec::load<V>(r1 + 2 * ow), y1 = vec::load<V>(r1 + 2 * ow + L);
      if constexpr (L == 2) {
        a = __builtin_shufflevector(x0, x1, 0, 2);
        b = __builtin_shufflevector(x0, x1, 1, 3);
        c = __builtin_shufflevector(y0, y1, 0, 2);
        d = __builtin_shufflevector(y0, y1, 1, 3);
      } else if constexpr (L == 4) {
        a = __builtin_shufflevector(x0, x1, 0, 2, 4, 6);
        b = __builtin_shufflevector(x0, x1, 1, 3, 5, 7);
        c = __builtin_shufflevector(y0, y1, 0, 2, 4, 6);
        d = __builtin_shufflevector(y0, y1, 1, 3, 5, 7);
      } else {
        static_assert(L == 8, "vector of 2, 4 or 8 lanes");
        a = __builtin_shufflevector(x0, x1, 0, 2, 4, 6, 8, 10, 12, 14);
        b = __builtin_shufflevector(x0, x1, 1, 3, 5, 7, 9, 11, 13, 15);
        c = __builtin_shufflevector(y0, y1, 0, 2, 4, 6, 8, 10, 12, 14);
        d = __builtin_shufflevector(y0, y1, 1, 3, 5, 7, 9, 11, 13, 15);
      }
    }
    V best = a;
    K k = K{} + 0;
    K m = (b > best) | (b != b);
    best = m ? b : best;
    k = m ? K{} + 1 : k;
    m = (c > best) | (c != c);
    best = m ? c : best;
    k = m ? K{} + 2 : k;
    m = (d > best) | (d != d);
    best = m ? d : best;
    k = m ? K{} + 3 : k;
    vec::store(vo + ow, best);
    for (int j = 0; j < L; ++j) {
      const int64_t kj = static_cast<int64_t>(k[j]);
      io[ow + j] = row + (kj >> 1) * W + 2 * (ow + j) + (kj & 1);
    }
  };
  int64_t ow = 0;
  for (; ow + L <= OW; ow += L) windows(ow);
  // A row of at least one vector ends with one more, overlapping the last: its outputs are
  // computed again to the same values, which beats a scalar tail (OW = 7 would leave 3 of 7).
  if (ow < OW && OW >= L) {
    windows(OW - L);
    return;
  }
  for (; ow < OW; ++ow) {
    T best = r0[2 * ow];
    int64_t k = 0;
    const T cand[3] = {r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]};
    for (int64_t j = 0; j < 3; ++j) {
      const T v = cand[j];
      if (v > best || v != v) {
        best = v;
        k = j + 1;
      }
    }
    vo[ow] = best;
    io[ow] = row + (k >> 1) * W + 2 * ow + (k & 1);
  }
}

}  // namespace

void window_mean(const Tensor& x, const ops::PoolPlan& plan, const Tensor& out) {
  const int64_t H = plan.rows.in, W = plan.cols.in, OH = plan.rows.out(), OW = plan.cols.out();
  const int64_t planes = planes_of(out);
  KD_DISPATCH_FLOAT(x.dtype(), "window_mean", [&] {
    const scalar_t* src = x.data<scalar_t>();
    scalar_t* dst = out.data<scalar_t>();
    parallel_for(planes, grain_for(H * W + OH * OW), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const scalar_t* in = src + p * H * W;
        scalar_t* o = dst + p * OH * OW;
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            scalar_t sum = 0;
            for (int64_t h = plan.rows.start[oh]; h < plan.rows.end[oh]; ++h)
              for (int64_t w = plan.cols.start[ow]; w < plan.cols.end[ow]; ++w) sum += in[h * W + w];
            o[oh * OW + ow] = sum / static_cast<scalar_t>(plan.rows.div[oh] * plan.cols.div[ow]);
          }
      }
    });
  });
}

void window_mean_backward(const Tensor& grad, const ops::PoolPlan& plan, const Tensor& out) {
  const int64_t H = plan.rows.in, W = plan.cols.in, OH = plan.rows.out(), OW = plan.cols.out();
  const int64_t planes = planes_of(out);
  KD_DISPATCH_FLOAT(grad.dtype(), "window_mean_backward", [&] {
    const scalar_t* src = grad.data<scalar_t>();
    scalar_t* dst = out.data<scalar_t>();
    parallel_for(planes, grain_for(H * W + OH * OW), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const scalar_t* g = src + p * OH * OW;
        scalar_t* o = dst + p * H * W;
        for (int64_t i = 0; i < H * W; ++i) o[i] = 0;
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            scalar_t v = g[oh * OW + ow] / static_cast<scalar_t>(plan.rows.div[oh] * plan.cols.div[ow]);
            for (int64_t h = plan.rows.start[oh]; h < plan.rows.end[oh]; ++h)
              for (int64_t w = plan.cols.start[ow]; w < plan.cols.end[ow]; ++w) o[h * W + w] += v;
          }
      }
    });
  });
}

void max_pool2d(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                const int64_t padding[2], const int64_t dilation[2], const Tensor& values,
                const Tensor& indices) {
  const int64_t H = x.size(x.dim() - 2), W = x.size(x.dim() - 1);
  const int64_t OH = values.size(values.dim() - 2), OW = values.size(values.dim() - 1);
  const int64_t planes = planes_of(values);
  KD_DISPATCH_FLOAT(x.dtype(), "max_pool2d", [&] {
    const scalar_t* src = x.data<scalar_t>();
    scalar_t* dst = values.data<scalar_t>();
    int64_t* idx = indices.data<int64_t>();
    // Windows that never leave the input (no padding, no dilation, the common 2x2/3x3 case)
    // take a loop without bounds checks.
    const bool inside = padding[0] == 0 && padding[1] == 0 && dilation[0] == 1 &&
                        dilation[1] == 1 && (OH - 1) * stride[0] + kernel[0] <= H &&
                        (OW - 1) * stride[1] + kernel[1] <= W;
    parallel_for(planes, grain_for(H * W + OH * OW), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        const scalar_t* in = src + p * H * W;
        if (inside) {
          scalar_t* vo = dst + p * OH * OW;
          int64_t* io = idx + p * OH * OW;
          const int64_t KH = kernel[0], KW = kernel[1], SH = stride[0], SW = stride[1];
          if (KH == 2 && KW == 2 && SH == 2 && SW == 2) {
            // The usual 2x2/2 pooling, a vector of outputs at a time (see pool_2x2_row).
            for (int64_t oh = 0; oh < OH; ++oh) pool_2x2_row(in, W, oh, OW, vo + oh * OW, io + oh * OW);
            continue;
          }
          for (int64_t oh = 0; oh < OH; ++oh)
            for (int64_t ow = 0; ow < OW; ++ow) {
              const int64_t h0 = oh * SH, w0 = ow * SW;
              int64_t arg = h0 * W + w0;
              scalar_t best = in[arg];
              for (int64_t kh = 0; kh < KH; ++kh) {
                const int64_t base = (h0 + kh) * W + w0;
                for (int64_t kw = 0; kw < KW; ++kw) {
                  const scalar_t v = in[base + kw];
                  // The first maximum wins; a NaN propagates (as PyTorch, v != v). Masks, not
                  // branches: on real activations the comparison is a coin toss.
                  const int64_t take = -static_cast<int64_t>((v > best) | (v != v));
                  best = blend(best, v, take);
                  arg = (arg & ~take) | ((base + kw) & take);
                }
              }
              vo[oh * OW + ow] = best;
              io[oh * OW + ow] = arg;
            }
          continue;
        }
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            scalar_t best = -std::numeric_limits<scalar_t>::infinity();
            int64_t arg = -1;
            for (int64_t kh = 0; kh < kernel[0]; ++kh) {
              int64_t h = oh * stride[0] - padding[0] + kh * dilation[0];
              if (h < 0 || h >= H) continue;
              for (int64_t kw = 0; kw < kernel[1]; ++kw) {
                int64_t w = ow * stride[1] - padding[1] + kw * dilation[1];
                if (w < 0 || w >= W) continue;
                scalar_t v = in[h * W + w];
                // The first maximum wins; a NaN propagates (as PyTorch).
                if (arg < 0 || v > best || std::isnan(v)) {
                  best = v;
                  arg = h * W + w;
                }
              }
            }
            dst[p * OH * OW + oh * OW + ow] = best;
            idx[p * OH * OW + oh * OW + ow] = arg;
          }
      }
    });
  });
}

void index_scatter2d(const Tensor& grad, const Tensor& indices, const Tensor& out) {
  const int64_t HW = out.size(out.dim() - 2) * out.size(out.dim() - 1);
  const int64_t OHW = grad.size(grad.dim() - 2) * grad.size(grad.dim() - 1);
  const int64_t planes = planes_of(out);
  KD_DISPATCH_FLOAT(grad.dtype(), "max_pool2d_backward", [&] {
    const scalar_t* g = grad.data<scalar_t>();
    const int64_t* idx = indices.data<int64_t>();
    scalar_t* o = out.data<scalar_t>();
    parallel_for(planes, grain_for(HW + OHW), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) {
        scalar_t* op = o + p * HW;
        for (int64_t i = 0; i < HW; ++i) op[i] = 0;
        for (int64_t j = 0; j < OHW; ++j) op[idx[p * OHW + j]] += g[p * OHW + j];
      }
    });
  });
}

void index_gather2d(const Tensor& x, const Tensor& indices, const Tensor& out) {
  const int64_t HW = x.size(x.dim() - 2) * x.size(x.dim() - 1);
  const int64_t OHW = out.size(out.dim() - 2) * out.size(out.dim() - 1);
  const int64_t planes = planes_of(out);
  KD_DISPATCH_FLOAT(x.dtype(), "max_pool2d_gather", [&] {
    const scalar_t* s = x.data<scalar_t>();
    const int64_t* idx = indices.data<int64_t>();
    scalar_t* o = out.data<scalar_t>();
    parallel_for(planes, grain_for(HW + OHW), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p)
        for (int64_t j = 0; j < OHW; ++j) o[p * OHW + j] = s[p * HW + idx[p * OHW + j]];
    });
  });
}

}  // namespace cpu
}  // namespace kd
