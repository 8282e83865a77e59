// Pooling and upsampling: forward values against naive loops written straight from PyTorch's
// definitions (output-size formula, windows, divisors, nearest index), argument errors, and
// gradients of max_pool2d, avg_pool2d, adaptive_avg_pool2d and upsample_nearest2d against
// central differences in float64, first and second order (the second order also with respect
// to the incoming gradient, so the backward maps must themselves be differentiable).
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "check.h"
#include "gradcheck.h"
#include "core/tensor.h"
#include "ops/ops.h"

using namespace kd;
using namespace kdtest;

namespace {

// ---- naive references --------------------------------------------------------------------

int64_t out_size(int64_t in, int64_t k, int64_t p, int64_t s, int64_t d, bool ceil_mode) {
  double v = static_cast<double>(in + 2 * p - d * (k - 1) - 1) / s;
  int64_t o = static_cast<int64_t>(ceil_mode ? std::ceil(v) : std::floor(v)) + 1;
  if (ceil_mode && (o - 1) * s >= in + p) --o;
  return o;
}

// x is [P, H, W] flattened (planes P).
std::vector<double> naive_max(const std::vector<double>& x, int64_t P, int64_t H, int64_t W, const int64_t k[2],
                              const int64_t s[2], const int64_t p[2], const int64_t d[2], bool c) {
  int64_t OH = out_size(H, k[0], p[0], s[0], d[0], c), OW = out_size(W, k[1], p[1], s[1], d[1], c);
  std::vector<double> out;
  for (int64_t q = 0; q < P; ++q)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double m = -INFINITY;
        for (int64_t i = 0; i < k[0]; ++i)
          for (int64_t j = 0; j < k[1]; ++j) {
            int64_t h = oh * s[0] - p[0] + i * d[0], w = ow * s[1] - p[1] + j * d[1];
            if (h >= 0 && h < H && w >= 0 && w < W) m = std::max(m, x[(q * H + h) * W + w]);
          }
        out.push_back(m);
      }
  return out;
}

std::vector<double> naive_avg(const std::vector<double>& x, int64_t P, int64_t H, int64_t W, const int64_t k[2],
                              const int64_t s[2], const int64_t p[2], bool c, bool include_pad) {
  int64_t OH = out_size(H, k[0], p[0], s[0], 1, c), OW = out_size(W, k[1], p[1], s[1], 1, c);
  std::vector<double> out;
  for (int64_t q = 0; q < P; ++q)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        double sum = 0;
        int64_t inside = 0, padded = 0;
        for (int64_t i = 0; i < k[0]; ++i)
          for (int64_t j = 0; j < k[1]; ++j) {
            int64_t h = oh * s[0] - p[0] + i, w = ow * s[1] - p[1] + j;
            // Positions in the zero padding count when count_include_pad; beyond it never.
            if (h < H + p[0] && w < W + p[1]) ++padded;
            if (h >= 0 && h < H && w >= 0 && w < W) {
              sum += x[(q * H + h) * W + w];
              ++inside;
            }
          }
        out.push_back(sum / (include_pad ? padded : inside));
      }
  return out;
}

std::vector<double> naive_adaptive(const std::vector<double>& x, int64_t P, int64_t H, int64_t W, int64_t OH,
                                   int64_t OW) {
  std::vector<double> out;
  for (int64_t q = 0; q < P; ++q)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow) {
        int64_t h0 = static_cast<int64_t>(std::floor(double(oh) * H / OH));
        int64_t h1 = static_cast<int64_t>(std::ceil(double(oh + 1) * H / OH));
        int64_t w0 = static_cast<int64_t>(std::floor(double(ow) * W / OW));
        int64_t w1 = static_cast<int64_t>(std::ceil(double(ow + 1) * W / OW));
        double sum = 0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) sum += x[(q * H + h) * W + w];
        out.push_back(sum / double((h1 - h0) * (w1 - w0)));
      }
  return out;
}

void check_close(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
  CHECK_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size() && i < want.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-12 * (1 + std::fabs(want[i]))))
      ::kdtest::report(__FILE__, __LINE__, str(what, ": element ", i, ": ", got[i], " vs ", want[i]));
}

struct Combo {
  int64_t k[2], s[2], p[2], d[2];
  bool ceil;
};

const Combo kCombos[] = {
    {{2, 2}, {2, 2}, {0, 0}, {1, 1}, false}, {{3, 3}, {2, 2}, {1, 1}, {1, 1}, false},
    {{3, 2}, {2, 1}, {1, 0}, {1, 1}, true},  {{2, 3}, {3, 2}, {1, 1}, {2, 1}, true},
    {{3, 3}, {1, 1}, {0, 1}, {1, 2}, false}, {{2, 2}, {3, 3}, {1, 0}, {1, 1}, true},
};

}  // namespace

TEST(max_pool2d_matches_naive_loops) {
  for (const Combo& c : kCombos) {
    Tensor x = leaf(Dims{2, 3, 7, 6}, 1);
    Tensor y = ag::max_pool2d(x, c.k, c.s, c.p, c.d, c.ceil);
    CHECK_EQ(y.size(2), out_size(7, c.k[0], c.p[0], c.s[0], c.d[0], c.ceil));
    CHECK_EQ(y.size(3), out_size(6, c.k[1], c.p[1], c.s[1], c.d[1], c.ceil));
    check_close(vals(y), naive_max(vals(x), 6, 7, 6, c.k, c.s, c.p, c.d, c.ceil), "max_pool2d");
    CHECK_EQ(fn_name(y), std::string("MaxPool2DWithIndicesBackward0"));
    // float32 and an unbatched [C, H, W] input give the same values.
    Tensor x3 = ops::to_dtype(ops::reshape(x, Dims{6, 7, 6}), DType::Float32);
    Tensor y3 = ag::max_pool2d(x3, c.k, c.s, c.p, c.d, c.ceil);
    CHECK(y3.dtype() == DType::Float32);
    CHECK_EQ(y3.dim(), 3);
    std::vector<double> a = vals(y3), b = vals(y);
    for (size_t i = 0; i < a.size(); ++i) CHECK_NEAR(a[i], b[i], 1e-6);
  }
}

// The 2x2, stride-2 pool has a vectorised path (a vector of outputs at a time, then a scalar
// tail): check values AND indices on widths that leave every tail length, with ties (the first
// maximum in row-by-row order wins) and NaNs (each NaN wins, so the last NaN's index is kept, as in
// PyTorch 1.13: max_pool2d of [[nan, 1], [nan, 2]] is nan at 2), in float32 and float64.
TEST(max_pool2d_2x2_vector_path_ties_and_nans) {
  const int64_t k[2] = {2, 2}, s[2] = {2, 2}, p[2] = {0, 0}, d[2] = {1, 1};
  uint64_t state = 12345;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>(state >> 33);
  };
  for (int64_t W = 2; W <= 21; ++W)
    for (DType dt : {DType::Float32, DType::Float64}) {
      const int64_t P = 3, H = 5, OH = H / 2, OW = W / 2;
      std::vector<double> v(static_cast<size_t>(P * H * W));
      // Few distinct values make ties common; about one in 16 is a NaN.
      for (double& e : v) e = next() % 16 == 0 ? NAN : double(next() % 4) - 1.5;
      Tensor x = ops::to_dtype(make(v, Dims{P, H, W}), dt);
      Tensor val, ind;
      ops::max_pool2d_with_indices(x, k, s, p, d, false, &val, &ind);
      std::vector<double> got = vals(val), gi = vals(ind);
      CHECK_EQ(static_cast<int64_t>(got.size()), P * OH * OW);
      for (int64_t q = 0; q < P; ++q)
        for (int64_t oh = 0; oh < OH; ++oh)
          for (int64_t ow = 0; ow < OW; ++ow) {
            int64_t arg = (2 * oh) * W + 2 * ow;
            double best = v[q * H * W + arg];
            for (int64_t i = 0; i < 2; ++i)
              for (int64_t j = 0; j < 2; ++j) {
                int64_t at = (2 * oh + i) * W + 2 * ow + j;
                double c = v[q * H * W + at];
                if (c > best || std::isnan(c)) {  // as PyTorch's kernel: a later NaN wins again
                  best = c;
                  arg = at;
                }
              }
            size_t o = static_cast<size_t>((q * OH + oh) * OW + ow);
            bool same = std::isnan(best) ? std::isnan(got[o]) : got[o] == best;
            if (!same || gi[o] != double(arg))
              ::kdtest::report(__FILE__, __LINE__,
                               str("W=", W, " ", dt == DType::Float32 ? "float32" : "float64", " output ", o,
                                   ": ", got[o], " at ", gi[o], ", want ", best, " at ", arg));
          }
    }
}

TEST(avg_pool2d_matches_naive_loops) {
  for (const Combo& c : kCombos)
    for (bool include_pad : {true, false}) {
      Tensor x = leaf(Dims{2, 3, 7, 6}, 2);
      Tensor y = ag::avg_pool2d(x, c.k, c.s, c.p, c.ceil, include_pad);
      check_close(vals(y), naive_avg(vals(x), 6, 7, 6, c.k, c.s, c.p, c.ceil, include_pad), "avg_pool2d");
      CHECK_EQ(fn_name(y), std::string("AvgPool2DBackward0"));
    }
}

TEST(adaptive_avg_pool2d_matches_naive_loops) {
  int64_t sizes[][2] = {{3, 2}, {1, 1}, {7, 6}, {4, 5}, {10, 9}};
  for (auto& o : sizes) {
    Tensor x = leaf(Dims{2, 3, 7, 6}, 3);
    Tensor y = ag::adaptive_avg_pool2d(x, o);
    check_close(vals(y), naive_adaptive(vals(x), 6, 7, 6, o[0], o[1]), "adaptive_avg_pool2d");
    CHECK_EQ(fn_name(y), std::string("AdaptiveAvgPool2DBackward0"));
  }
}

TEST(upsample_nearest2d_indices) {
  // 1 x 1 x 2 x 3 with values 0..5.
  Tensor x = make({0, 1, 2, 3, 4, 5}, Dims{1, 1, 2, 3});
  const int64_t size[2] = {4, 5};
  const double none[2] = {0, 0};
  Tensor y = ag::upsample_nearest2d(x, size, none);
  // rows: floor(o * 2/4) = 0,0,1,1; cols: floor(o * 3/5) = 0,0,1,1,2 (as torch 1.13 gives).
  check_close(vals(y), {0, 0, 1, 1, 2, 0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 3, 3, 4, 4, 5}, "upsample size");
  const double scales[2] = {2.0, 1.5};
  const int64_t zero[2] = {0, 0};
  Tensor z = ag::upsample_nearest2d(x, zero, scales);
  CHECK(z.sizes() == (Dims{1, 1, 4, 4}));
  // cols with scale 1/1.5: floor(o / 1.5) = 0,0,1,2
  check_close(vals(z), {0, 0, 1, 2, 0, 0, 1, 2, 3, 3, 4, 5, 3, 3, 4, 5}, "upsample scale");
}

TEST(pool_errors) {
  Tensor x = make({1, 2, 3, 4, 5, 6, 7, 8}, Dims{1, 2, 2, 2});
  const int64_t k2[2] = {2, 2}, k3[2] = {3, 3}, k0[2] = {0, 2}, one[2] = {1, 1}, zero[2] = {0, 0},
                p2[2] = {2, 2};
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::max_pool2d(x, k2, k2, p2, one, false));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::avg_pool2d(x, k2, k2, p2, false, true));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::max_pool2d(x, k3, k3, zero, one, false));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::max_pool2d(x, k0, k2, zero, one, false));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::max_pool2d(x, k2, zero, zero, one, false));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::max_pool2d(x, k2, k2, zero, zero, false));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::max_pool2d(make({1, 2, 3, 4}, Dims{2, 2}), k2, k2, zero, one, false));
  CHECK_THROWS(KD_ERR_DTYPE, ag::max_pool2d(ops::to_dtype(x, DType::Int64), k2, k2, zero, one, false));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::adaptive_avg_pool2d(make({1, 2}, Dims{2}), k2));
  const double none[2] = {0, 0};
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::upsample_nearest2d(x, zero, none));
  try {
    ag::max_pool2d(x, k3, k3, zero, one, false);
  } catch (const Error& e) {
    CHECK_EQ(std::string(e.what()),
             std::string("max_pool2d: Given input size: (2x2x2). Calculated output size: (2x0x0). Output size is too small"));
  }
}

TEST(max_pool2d_gradients) {
  for (const Combo& c : kCombos) {
    // Random normal values have no ties, so every maximum is unique and differences are exact.
    Tensor x = leaf(Dims{2, 2, 7, 6}, 4);
    Fn f = [&](const std::vector<Tensor>& xs) { return ag::max_pool2d(xs[0], c.k, c.s, c.p, c.d, c.ceil); };
    check_both(f, {x}, "max_pool2d");
  }
}

TEST(avg_pool2d_gradients) {
  for (const Combo& c : kCombos)
    for (bool include_pad : {true, false}) {
      Tensor x = leaf(Dims{2, 2, 7, 6}, 5);
      Fn f = [&](const std::vector<Tensor>& xs) {
        return ag::avg_pool2d(xs[0], c.k, c.s, c.p, c.ceil, include_pad);
      };
      check_both(f, {x}, "avg_pool2d");
    }
}

TEST(adaptive_and_upsample_gradients) {
  int64_t sizes[][2] = {{3, 2}, {4, 5}, {10, 9}};
  const double none[2] = {0, 0}, scales[2] = {1.5, 2.0};
  for (auto& o : sizes) {
    Tensor x = leaf(Dims{2, 2, 7, 6}, 6);
    check_both([&](const std::vector<Tensor>& xs) { return ag::adaptive_avg_pool2d(xs[0], o); }, {x},
               "adaptive_avg_pool2d");
    check_both([&](const std::vector<Tensor>& xs) { return ag::upsample_nearest2d(xs[0], o, none); }, {x},
               "upsample_nearest2d");
  }
  Tensor x = leaf(Dims{2, 7, 6}, 7);
  const int64_t zero[2] = {0, 0};
  check_both([&](const std::vector<Tensor>& xs) { return ag::upsample_nearest2d(xs[0], zero, scales); }, {x},
             "upsample_nearest2d scale");
}

TEST(double_backward_node_names) {
  Tensor x = leaf(Dims{1, 1, 4, 4}, 8);
  const int64_t k2[2] = {2, 2}, zero[2] = {0, 0}, one[2] = {1, 1};
  Tensor y = ag::max_pool2d(x, k2, k2, zero, one, false);
  Tensor w = ops::full(y.sizes(), 1.0, DType::Float64);
  ag::set_requires_grad(w, true);
  std::vector<Tensor> g = grads_of(y, {x}, w, true);
  CHECK_EQ(fn_name(g[0]), std::string("MaxPool2DWithIndicesBackwardBackward0"));
  Tensor a = ag::avg_pool2d(x, k2, k2, zero, false, true);
  Tensor w2 = ops::full(a.sizes(), 1.0, DType::Float64);
  ag::set_requires_grad(w2, true);
  CHECK_EQ(fn_name(grads_of(a, {x}, w2, true)[0]), std::string("AvgPool2DBackwardBackward0"));
}
