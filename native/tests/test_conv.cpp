// Convolutions: conv2d and conv_transpose2d forward against a naive direct convolution written
// here from the definition, over stride / padding / dilation / groups / output_padding
// combinations, float32 and float64; their gradients (input, weight, bias) against central
// differences in float64, first and second order (the gradient formulas are convolutions
// recorded with create_graph); PyTorch's error messages and grad_fn name.
// and the few PyTorch conventions are compared with torch 1.13 (snippets quoted).
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

struct Cfg {
  int64_t n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, oph, opw;
};

// out[b, o, y, x] = bias[o] + sum_{c in group, i, j} in[b, c, y*s - p + i*d, ...] * w[o, c', i, j]
std::vector<double> naive_conv(const std::vector<double>& in, const std::vector<double>& wt,
                               const std::vector<double>& bias, const Cfg& g, int64_t oh,
                               int64_t ow) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  std::vector<double> out(static_cast<size_t>(g.n * g.o * oh * ow), 0.0);
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t o = 0; o < g.o; ++o)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          double s = bias.empty() ? 0.0 : bias[o];
          int64_t gr = o / og;
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t i = 0; i < g.kh; ++i)
              for (int64_t j = 0; j < g.kw; ++j) {
                int64_t yy = y * g.sh - g.ph + i * g.dh, xx = x * g.sw - g.pw + j * g.dw;
                if (yy < 0 || yy >= g.h || xx < 0 || xx >= g.w) continue;
                s += in[((b * g.c + gr * cg + c) * g.h + yy) * g.w + xx] *
                     wt[((o * cg + c) * g.kh + i) * g.kw + j];
              }
          out[((b * g.o + o) * oh + y) * ow + x] = s;
        }
  return out;
}

// Transposed: in [n, c, h, w], wt [c, o/groups, kh, kw]; every input pixel scatters its window.
std::vector<double> naive_conv_t(const std::vector<double>& in, const std::vector<double>& wt,
                                 const std::vector<double>& bias, const Cfg& g, int64_t oh,
                                 int64_t ow) {
  const int64_t cg = g.c / g.groups, og = g.o / g.groups;
  std::vector<double> out(static_cast<size_t>(g.n * g.o * oh * ow), 0.0);
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t o = 0; o < g.o; ++o)
      for (int64_t k = 0; k < oh * ow; ++k)
        out[static_cast<size_t>((b * g.o + o) * oh * ow + k)] = bias.empty() ? 0.0 : bias[o];
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t y = 0; y < g.h; ++y)
        for (int64_t x = 0; x < g.w; ++x) {
          int64_t gr = c / cg;
          for (int64_t o = 0; o < og; ++o)
            for (int64_t i = 0; i < g.kh; ++i)
              for (int64_t j = 0; j < g.kw; ++j) {
                int64_t yy = y * g.sh - g.ph + i * g.dh, xx = x * g.sw - g.pw + j * g.dw;
                if (yy < 0 || yy >= oh || xx < 0 || xx >= ow) continue;
                out[((b * g.o + gr * og + o) * oh + yy) * ow + xx] +=
                    in[((b * g.c + c) * g.h + y) * g.w + x] * wt[((c * og + o) * g.kh + i) * g.kw + j];
              }
        }
  return out;
}

std::vector<Cfg> configs() {
  return {
      {2, 3, 5, 5, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 0},
      {2, 3, 7, 6, 4, 3, 2, 2, 1, 1, 0, 1, 1, 1, 1, 0},
      {1, 4, 8, 8, 6, 3, 3, 2, 3, 1, 2, 2, 1, 2, 1, 2},
      {3, 6, 6, 5, 6, 2, 3, 1, 2, 0, 1, 1, 2, 3, 0, 1},
      {2, 4, 4, 4, 4, 1, 1, 1, 1, 0, 0, 1, 1, 4, 0, 0},  // pointwise, depthwise
      {1, 2, 9, 9, 3, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 1},  // DCGAN-style 4x4 stride 2
  };
}

// Smaller shapes of the same kinds for the finite-difference checks (every element is perturbed).
std::vector<Cfg> grad_configs() {
  return {
      {2, 2, 4, 4, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1, 0, 0},
      {1, 2, 5, 4, 2, 3, 2, 2, 1, 1, 0, 1, 1, 1, 1, 0},
      {1, 4, 5, 5, 4, 2, 2, 2, 3, 1, 2, 2, 1, 2, 1, 2},
      {1, 6, 3, 4, 6, 2, 3, 1, 2, 0, 1, 1, 2, 3, 0, 1},
      {2, 4, 3, 3, 4, 1, 1, 1, 1, 0, 0, 1, 1, 4, 0, 0},
      {1, 2, 5, 5, 3, 4, 4, 2, 2, 1, 1, 1, 1, 1, 1, 1},
  };
}

std::string cfg_str(const Cfg& g) {
  return str("n", g.n, " c", g.c, " ", g.h, "x", g.w, " o", g.o, " k", g.kh, "x", g.kw, " s", g.sh,
             ",", g.sw, " p", g.ph, ",", g.pw, " d", g.dh, ",", g.dw, " g", g.groups, " op", g.oph,
             ",", g.opw);
}

void check_close(const std::vector<double>& a, const std::vector<double>& b, double tol,
                 const std::string& what) {
  CHECK_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (!(std::fabs(a[i] - b[i]) <= tol * (1 + std::fabs(b[i])))) {
      ::kdtest::report(__FILE__, __LINE__, str(what, ": element ", i, ": ", a[i], " vs ", b[i]));
      return;
    }
}

}  // namespace

TEST(conv2d_forward_matches_direct_convolution) {
  for (const Cfg& g : configs())
    for (DType dt : {DType::Float64, DType::Float32})
      for (bool with_bias : {true, false}) {
        ops::manual_seed(1);
        Tensor x = ops::randn(Dims{g.n, g.c, g.h, g.w}, dt);
        Tensor w = ops::randn(Dims{g.o, g.c / g.groups, g.kh, g.kw}, dt);
        Tensor b = with_bias ? ops::randn(Dims{g.o}, dt) : Tensor();
        Tensor y = ops::conv2d(x, w, b, {g.sh, g.sw}, {g.ph, g.pw}, {g.dh, g.dw}, g.groups);
        int64_t oh = (g.h + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh + 1;
        int64_t ow = (g.w + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw + 1;
        CHECK(y.sizes() == (Dims{g.n, g.o, oh, ow}));
        CHECK(y.dtype() == dt);
        auto ref = naive_conv(vals(x), vals(w), with_bias ? vals(b) : std::vector<double>{}, g, oh, ow);
        check_close(vals(y), ref, dt == DType::Float64 ? 1e-12 : 1e-5, "conv2d " + cfg_str(g));
      }
}

TEST(conv_transpose2d_forward_matches_direct_scatter) {
  for (const Cfg& g : configs())
    for (DType dt : {DType::Float64, DType::Float32})
      for (bool with_bias : {true, false}) {
        ops::manual_seed(2);
        Tensor x = ops::randn(Dims{g.n, g.c, g.h, g.w}, dt);
        Tensor w = ops::randn(Dims{g.c, g.o / g.groups, g.kh, g.kw}, dt);
        Tensor b = with_bias ? ops::randn(Dims{g.o}, dt) : Tensor();
        Tensor y = ops::conv_transpose2d(x, w, b, {g.sh, g.sw}, {g.ph, g.pw}, {g.oph, g.opw},
                                         {g.dh, g.dw}, g.groups);
        int64_t oh = (g.h - 1) * g.sh - 2 * g.ph + g.dh * (g.kh - 1) + g.oph + 1;
        int64_t ow = (g.w - 1) * g.sw - 2 * g.pw + g.dw * (g.kw - 1) + g.opw + 1;
        CHECK(y.sizes() == (Dims{g.n, g.o, oh, ow}));
        auto ref = naive_conv_t(vals(x), vals(w), with_bias ? vals(b) : std::vector<double>{}, g, oh, ow);
        check_close(vals(y), ref, dt == DType::Float64 ? 1e-12 : 1e-5, "conv_transpose2d " + cfg_str(g));
      }
}

TEST(conv_accepts_strided_inputs_and_unbatched_inputs) {
  ops::manual_seed(3);
  Tensor x = ops::randn(Dims{2, 5, 5, 3}, DType::Float64);  // NHWC storage, viewed as NCHW
  Tensor xv = ops::permute(x, Dims{0, 3, 1, 2});
  Tensor w = ops::randn(Dims{4, 3, 3, 3}, DType::Float64);
  Tensor y = ops::conv2d(xv, w, Tensor(), {1, 1}, {1, 1}, {1, 1}, 1);
  Tensor yc = ops::conv2d(ops::contiguous(xv), w, Tensor(), {1, 1}, {1, 1}, {1, 1}, 1);
  check_close(vals(y), vals(yc), 1e-14, "strided input");
  Tensor u = ops::conv2d(ops::select(xv, 0, 1), w, Tensor(), {1, 1}, {1, 1}, {1, 1}, 1);
  CHECK(u.sizes() == (Dims{4, 5, 5}));
  check_close(vals(u), vals(ops::select(yc, 0, 1)), 1e-14, "unbatched input");
}

TEST(conv2d_gradients_first_and_second_order) {
  for (const Cfg& g : grad_configs()) {
    Tensor x = leaf(Dims{g.n, g.c, g.h, g.w}, 11);
    Tensor w = leaf(Dims{g.o, g.c / g.groups, g.kh, g.kw}, 12);
    Tensor b = leaf(Dims{g.o}, 13);
    Cfg c = g;
    check_both([c](const std::vector<Tensor>& v) {
      return ag::conv2d(v[0], v[1], v[2], {c.sh, c.sw}, {c.ph, c.pw}, {c.dh, c.dw}, c.groups);
    }, {x, w, b}, "conv2d " + cfg_str(g));
  }
  Tensor x = leaf(Dims{2, 2, 4, 4}, 14), w = leaf(Dims{3, 2, 2, 2}, 15);
  CHECK_EQ(fn_name(ag::conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, 1}, 1)),
           std::string("ConvolutionBackward0"));
  gradcheck([](const std::vector<Tensor>& v) {
    return ag::conv2d(v[0], v[1], Tensor(), {2, 1}, {1, 0}, {1, 2}, 1);
  }, {x, w}, "conv2d without bias");
}

TEST(conv_transpose2d_gradients_first_and_second_order) {
  for (const Cfg& g : grad_configs()) {
    Tensor x = leaf(Dims{g.n, g.c, g.h, g.w}, 21);
    Tensor w = leaf(Dims{g.c, g.o / g.groups, g.kh, g.kw}, 22);
    Tensor b = leaf(Dims{g.o}, 23);
    Cfg c = g;
    check_both([c](const std::vector<Tensor>& v) {
      return ag::conv_transpose2d(v[0], v[1], v[2], {c.sh, c.sw}, {c.ph, c.pw}, {c.oph, c.opw},
                                  {c.dh, c.dw}, c.groups);
    }, {x, w, b}, "conv_transpose2d " + cfg_str(g));
  }
  // output_padding >= stride (allowed because it is below the dilation)
  Tensor x = leaf(Dims{1, 2, 3, 3}, 24), w = leaf(Dims{2, 2, 2, 2}, 25);
  check_both([](const std::vector<Tensor>& v) {
    return ag::conv_transpose2d(v[0], v[1], Tensor(), {1, 1}, {0, 0}, {2, 1}, {3, 2}, 1);
  }, {x, w}, "conv_transpose2d output_padding >= stride");
  CHECK_EQ(fn_name(ag::conv_transpose2d(x, w, Tensor(), {1, 1}, {0, 0}, {0, 0}, {1, 1}, 1)),
           std::string("ConvolutionBackward0"));
}

TEST(conv_errors_name_the_op_and_shapes) {
  Tensor x = ops::full(Dims{2, 4, 5, 5}, 1.0, DType::Float32);
  Tensor w = ops::full(Dims{8, 3, 3, 3}, 1.0, DType::Float32);
  try {
    ops::conv2d(x, w, Tensor(), {1, 1}, {0, 0}, {1, 1}, 1);
    CHECK(false);
  } catch (const Error& e) {
    CHECK_EQ(std::string(e.what()),
             std::string("conv2d: Given groups=1, weight of size [8, 3, 3, 3], expected "
                         "input[2, 4, 5, 5] to have 3 channels, but got 4 channels instead"));
  }
  Tensor small = ops::full(Dims{1, 3, 2, 2}, 1.0, DType::Float32);
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::conv2d(small, w, Tensor(), {1, 1}, {0, 0}, {1, 1}, 1));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::conv2d(ops::full(Dims{1, 3, 5, 5}, 1.0, DType::Float32), w,
                                            ops::full(Dims{7}, 0.0, DType::Float32), {1, 1},
                                            {0, 0}, {1, 1}, 1));
  CHECK_THROWS(KD_ERR_DTYPE, ops::conv2d(ops::full(Dims{1, 3, 5, 5}, 1.0, DType::Float64), w,
                                         Tensor(), {1, 1}, {0, 0}, {1, 1}, 1));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::conv2d(ops::full(Dims{1, 3, 5, 5}, 1.0, DType::Float32), w,
                                            Tensor(), {0, 1}, {0, 0}, {1, 1}, 1));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::conv_transpose2d(small, ops::full(Dims{3, 2, 3, 3}, 1.0, DType::Float32),
                                                      Tensor(), {1, 1}, {0, 0}, {1, 0}, {1, 1}, 1));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::conv_transpose2d(small, ops::full(Dims{3, 2, 1, 1}, 1.0, DType::Float32),
                                                      Tensor(), {1, 1}, {1, 1}, {0, 0}, {1, 1}, 1));
}
