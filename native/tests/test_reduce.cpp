// Reductions as PyTorch defines them: sum/mean/prod/amax/amin/logsumexp/any/all, var/std,
// max/min with indices, argmax/argmin and softmax/log_softmax. Each case names the PyTorch
// expression it reproduces; numbers were computed by hand or with torch 1.13.
#include <cmath>
#include <atomic>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "check.h"
#include "core/tensor.h"
#include "cpu/parallel.h"
#include "cpu/vec.h"
#include "ops/ops.h"

using namespace kd;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

Tensor f32(std::vector<float> v, Dims shape) { return ops::from_host(v.data(), DType::Float32, shape); }
Tensor f64(std::vector<double> v, Dims shape) { return ops::from_host(v.data(), DType::Float64, shape); }
Tensor i64(std::vector<int64_t> v, Dims shape) { return ops::from_host(v.data(), DType::Int64, shape); }
Tensor boolean(std::vector<uint8_t> v, Dims shape) {
  bool raw[64];
  for (size_t i = 0; i < v.size(); ++i) raw[i] = v[i] != 0;
  return ops::from_host(raw, DType::Bool, shape);
}
std::vector<double> vals(const Tensor& t) {
  std::vector<double> out(t.numel());
  ops::copy_to_host(t, out.data(), DType::Float64, t.numel());
  return out;
}
// torch.arange(n, dtype=float32).reshape(shape)
Tensor arange(Dims shape, DType dt = DType::Float32) {
  return ops::view(ops::arange(0, static_cast<double>(shape.numel()), 1, dt), shape);
}
Tensor sum(const Tensor& t, Dims dims = {}, bool keepdim = false) { return ops::reduce(KD_SUM, t, dims, keepdim); }

// Values equal, NaN matching NaN, within a relative tolerance.
bool close(const std::vector<double>& a, const std::vector<double>& b, double rtol = 1e-6) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) {
      if (!(std::isnan(a[i]) && std::isnan(b[i]))) return false;
      continue;
    }
    if (a[i] == b[i]) continue;  // also equal infinities
    if (!(std::fabs(a[i] - b[i]) <= rtol * std::max(1.0, std::fabs(b[i])))) return false;
  }
  return true;
}
#define CHECK_VALS(t, ...) CHECK(close(vals(t), std::vector<double>(__VA_ARGS__)))

}  // namespace

TEST(sum_over_all_one_and_several_dims) {
  Tensor x = arange({2, 3, 4});
  Tensor all = sum(x);  // x.sum() -> tensor(276.)
  CHECK(all.sizes() == Dims());
  CHECK(all.dtype() == DType::Float32);
  CHECK_VALS(all, {276});
  Tensor last = sum(x, {-1});  // x.sum(-1)
  CHECK(last.sizes() == (Dims{2, 3}));
  CHECK_VALS(last, {6, 22, 38, 54, 70, 86});
  Tensor first = sum(x, {0});  // x.sum(0)
  CHECK(first.sizes() == (Dims{3, 4}));
  CHECK_VALS(first, {12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34});
  Tensor outer = sum(x, {0, 2}, true);  // x.sum((0, 2), keepdim=True)
  CHECK(outer.sizes() == (Dims{1, 3, 1}));
  CHECK_VALS(outer, {60, 92, 124});
  CHECK(sum(x, {-1, 0, 1}, true).sizes() == (Dims{1, 1, 1}));
  CHECK(sum(x, {}, true).sizes() == (Dims{1, 1, 1}));  // all dims, kept
}

TEST(mean_prod_amax_amin_any_all) {
  Tensor x = arange({2, 3, 4});
  CHECK_VALS(ops::reduce(KD_MEAN, x, {-1, 0}, false), {7.5, 11.5, 15.5});  // x.mean((-1, 0))
  CHECK_VALS(ops::reduce(KD_MEAN, x, {}, false), {11.5});
  Tensor y = f32({1, 2, 3, 4, 5, 6}, {2, 3});  // y.prod(1) -> [6, 120]
  CHECK_VALS(ops::reduce(KD_PROD, y, {1}, false), {6, 120});
  CHECK_VALS(ops::reduce(KD_PROD, i64({2, -3, 4, 5}, {2, 2}), {0}, false), {8, -15});
  Tensor z = f32({3, -1, 7, 0, 2, -5}, {2, 3});
  CHECK_VALS(ops::reduce(KD_AMAX, z, {1}, false), {7, 2});
  CHECK_VALS(ops::reduce(KD_AMIN, z, {0}, true), {0, -1, -5});
  CHECK(ops::reduce(KD_AMIN, z, {0}, true).sizes() == (Dims{1, 3}));
  CHECK_VALS(ops::reduce(KD_AMAX, z, {}, false), {7});
  // x.any(1), x.all(1) for [[0, 0, 2], [1, nan, 3]]
  Tensor a = f32({0, 0, 2, 1, NAN, 3}, {2, 3});
  CHECK_VALS(ops::reduce(KD_ANY, a, {1}, false), {1, 1});
  CHECK_VALS(ops::reduce(KD_ALL, a, {1}, false), {0, 1});  // NaN is true
  CHECK_VALS(ops::reduce(KD_ALL, a, {0}, false), {0, 0, 1});
  CHECK_VALS(ops::reduce(KD_ANY, f32({0, 0}, {2}), {}, false), {0});
}

TEST(dtype_rules_follow_pytorch) {
  Tensor i = arange({2, 3}, DType::Int64);
  Tensor b = boolean({1, 0, 1, 1, 1, 1}, {2, 3});
  // torch.arange(6).reshape(2,3).sum() -> tensor(15) (int64); bool sums count trues as int64
  CHECK(sum(i).dtype() == DType::Int64);
  CHECK_VALS(sum(i), {15});
  CHECK(sum(b).dtype() == DType::Int64);
  CHECK_VALS(sum(b, {1}), {2, 3});
  CHECK(ops::reduce(KD_PROD, b, {}, false).dtype() == DType::Int64);  // b.prod() -> tensor(0)
  CHECK_VALS(ops::reduce(KD_PROD, b, {}, false), {0});
  CHECK_VALS(ops::reduce(KD_PROD, i, {1}, false), {0, 60});
  // mean(): could not infer output dtype ... Got: Long
  CHECK_THROWS(KD_ERR_DTYPE, ops::reduce(KD_MEAN, i, {}, false));
  CHECK_THROWS(KD_ERR_DTYPE, ops::reduce(KD_MEAN, b, {1}, false));
  // i.logsumexp(1) -> float32 [2.4076059, 5.4076061]
  Tensor lse = ops::reduce(KD_LOGSUMEXP, i, {1}, false);
  CHECK(lse.dtype() == DType::Float32);
  CHECK_VALS(lse, {2.4076058864593506, 5.40760612487793});
  CHECK(ops::reduce(KD_LOGSUMEXP, b, {1}, false).dtype() == DType::Float32);
  CHECK(ops::reduce(KD_ANY, i, {1}, false).dtype() == DType::Bool);
  CHECK(ops::reduce(KD_ALL, arange({3}), {}, false).dtype() == DType::Bool);
  CHECK(ops::reduce(KD_AMAX, i, {1}, false).dtype() == DType::Int64);
  CHECK_VALS(ops::reduce(KD_AMAX, i, {1}, false), {2, 5});
  CHECK(ops::reduce(KD_AMAX, b, {1}, false).dtype() == DType::Bool);
  CHECK_VALS(ops::reduce(KD_AMIN, b, {1}, false), {0, 1});
  Tensor d = f64({1, 2}, {2});
  CHECK(sum(d).dtype() == DType::Float64);
  CHECK(ops::reduce(KD_MEAN, d, {}, false).dtype() == DType::Float64);
}

TEST(dims_wrap_and_must_be_distinct) {
  Tensor x = arange({2, 3});
  CHECK_THROWS(KD_ERR_ARGUMENT, sum(x, {1, 1}));   // dim 1 appears multiple times in the list of dims
  CHECK_THROWS(KD_ERR_ARGUMENT, sum(x, {1, -1}));
  CHECK_THROWS(KD_ERR_INDEX, sum(x, {2}));          // Dimension out of range
  CHECK_THROWS(KD_ERR_INDEX, sum(x, {-3}));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::var(x, {0, -2}, 1, false, false));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::reduce(42, x, {}, false));
  // torch.tensor(3.).sum(0), .sum(-1) work; .sum(1) is out of range; keepdim keeps it 0-dim
  Tensor s = ops::scalar(3, DType::Float32);
  CHECK(sum(s, {0}).sizes() == Dims());
  CHECK_VALS(sum(s, {-1}, true), {3});
  CHECK(sum(s, {-1}, true).sizes() == Dims());
  CHECK_THROWS(KD_ERR_INDEX, sum(s, {1}));
  CHECK_THROWS(KD_ERR_ARGUMENT, sum(s, {0, 0}));
  CHECK_VALS(ops::reduce(KD_AMAX, s, {0}, false), {3});
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, s, {0}, false), {3});
}

TEST(empty_reductions) {
  Tensor e = Tensor::empty({2, 0}, DType::Float32);
  // e.sum(1) -> [0, 0]; prod -> [1, 1]; mean -> nan; logsumexp -> -inf; any False; all True
  CHECK_VALS(sum(e, {1}), {0, 0});
  CHECK_VALS(ops::reduce(KD_PROD, e, {1}, false), {1, 1});
  CHECK_VALS(ops::reduce(KD_MEAN, e, {1}, false), {kNaN, kNaN});
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, e, {1}, false), {-kInf, -kInf});
  CHECK_VALS(ops::reduce(KD_ANY, e, {1}, false), {0, 0});
  CHECK_VALS(ops::reduce(KD_ALL, e, {1}, false), {1, 1});
  CHECK_VALS(ops::var(e, {1}, 1, false, false), {kNaN, kNaN});
  CHECK_VALS(sum(e), {0});
  CHECK(sum(e, {0}).sizes() == (Dims{0}));
  // amax(): Expected reduction dim 1 to have non-zero size (IndexError)
  CHECK_THROWS(KD_ERR_INDEX, ops::reduce(KD_AMAX, e, {1}, false));
  CHECK_THROWS(KD_ERR_INDEX, ops::reduce(KD_AMIN, e, {-1}, false));
  // amax(): Expected reduction dim to be specified for input.numel() == 0 (RuntimeError)
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::reduce(KD_AMAX, e, {}, false));
  CHECK(ops::reduce(KD_AMAX, e, {0}, false).sizes() == (Dims{0}));  // e.amax(0) -> tensor([])
  Tensor v, i;
  CHECK_THROWS(KD_ERR_INDEX, ops::max_dim(e, 1, false, &v, &i));
  ops::max_dim(e, 0, false, &v, &i);
  CHECK(v.sizes() == (Dims{0}));
  CHECK(i.sizes() == (Dims{0}));
  CHECK_THROWS(KD_ERR_INDEX, ops::argmax(e, 0, false, false));
  CHECK_THROWS(KD_ERR_INDEX, ops::argmin(e, 1, true, false));
  CHECK(ops::argmax(e, 0, true, false).sizes() == (Dims{0}));
}

TEST(nan_propagates_through_amax_amin_and_infinities_are_kept) {
  Tensor x = f32({1, NAN, 3, -1}, {4});
  CHECK_VALS(ops::reduce(KD_AMAX, x, {}, false), {kNaN});
  CHECK_VALS(ops::reduce(KD_AMIN, x, {0}, false), {kNaN});
  Tensor ninf = f32({-INFINITY, -INFINITY}, {2});
  CHECK_VALS(ops::reduce(KD_AMAX, ninf, {}, false), {-kInf});
  CHECK_VALS(ops::reduce(KD_AMIN, f32({INFINITY, INFINITY}, {2}), {}, false), {kInf});
  // NaN at the end of a long run, past the vector lanes, and on the row path
  std::vector<float> big(1000, 1.0f);
  big[999] = NAN;
  CHECK_VALS(ops::reduce(KD_AMAX, f32(big, {1000}), {}, false), {kNaN});
  CHECK_VALS(ops::reduce(KD_AMIN, f32(big, {10, 100}), {0}, false),
             std::vector<double>([] { std::vector<double> v(100, 1.0); v[99] = NAN; return v; }()));
}

TEST(logsumexp_is_stable) {
  // torch.tensor([1000., 1000.]).logsumexp(0) -> 1000.6931762695312
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, f32({1000, 1000}, {2}), {0}, false), {1000.6931762695312});
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, f32({-INFINITY, -INFINITY}, {2}), {0}, false), {-kInf});
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, f32({INFINITY, 1}, {2}), {0}, false), {kInf});
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, f32({INFINITY, -INFINITY}, {2}), {0}, false), {kInf});
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, f32({NAN, 1}, {2}), {0}, false), {kNaN});
  // (torch.arange(24.).reshape(2,3,4) / 10).logsumexp(-1)
  Tensor x = ops::binary_scalar(KD_DIV, arange({2, 3, 4}), 10, DType::Float64);
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, x, {-1}, false),
             {1.5425355434417725, 1.942535638809204, 2.3425354957580566, 2.7425355911254883,
              3.14253568649292, 3.5425355434417725});
  // Over dim 0 of a wide matrix (row order, one shift per output): log(2) + max
  Tensor w = ops::expand(ops::view(ops::arange(0, 64, 1, DType::Float32), {1, 64}), {2, 64});
  std::vector<double> expect(64);
  for (int j = 0; j < 64; ++j) expect[j] = j + std::log(2.0);
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, ops::contiguous(w), {0}, false), expect);
}

TEST(var_and_std_with_correction) {
  Tensor y = f32({0, 1, 2, 3, 4, 5}, {2, 3});
  CHECK_VALS(ops::var(y, {1}, 1, false, false), {1, 1});          // y.var(1)
  CHECK_VALS(ops::var(y, {}, 1, false, false), {3.5});            // y.var()
  CHECK_VALS(ops::var(y, {}, 1, false, true), {1.8708287477493286});  // y.std()
  CHECK_VALS(ops::var(y, {0, 1}, 0, false, false), {2.9166667461395264});  // correction=0
  CHECK_VALS(ops::var(y, {0}, 1, true, true), {2.1213202476501465, 2.1213202476501465, 2.1213202476501465});
  CHECK(ops::var(y, {0}, 1, true, true).sizes() == (Dims{1, 3}));
  CHECK(ops::var(y, {0}, 1, true, true).dtype() == DType::Float32);
  // N - correction <= 0: y.var(1, correction=2) -> 2; =3 -> inf; =4 -> inf; constant rows -> nan
  CHECK_VALS(ops::var(y, {1}, 2, false, false), {2, 2});
  CHECK_VALS(ops::var(y, {1}, 3, false, false), {kInf, kInf});
  CHECK_VALS(ops::var(y, {1}, 4, false, true), {kInf, kInf});
  CHECK_VALS(ops::var(f32({2, 2}, {2}), {0}, 2, false, true), {kNaN});
  CHECK_VALS(ops::var(ops::scalar(2, DType::Float32), {}, 1, false, false), {kNaN});
  // std and var only support floating point and complex dtypes
  CHECK_THROWS(KD_ERR_DTYPE, ops::var(arange({3}, DType::Int64), {}, 1, false, false));
  CHECK_THROWS(KD_ERR_DTYPE, ops::var(boolean({1, 0}, {2}), {}, 1, false, true));
  // Two passes keep a large offset from swamping the spread.
  CHECK_VALS(ops::var(f64({1e9 + 1, 1e9 + 2, 1e9 + 3}, {3}), {}, 1, false, false), {1.0});
  CHECK_VALS(ops::var(f32({1e4 + 0.5f, 1e4 + 1.5f, 1e4 + 2.5f}, {3}), {}, 1, false, false), {1.0});
}

TEST(max_min_with_indices) {
  // torch.tensor([[1., 5.], [5., 1.]]).max(0) -> values [5, 5], indices [1, 0]
  Tensor v, i;
  ops::max_dim(f32({1, 5, 5, 1}, {2, 2}), 0, false, &v, &i);
  CHECK_VALS(v, {5, 5});
  CHECK_VALS(i, {1, 0});
  CHECK(i.dtype() == DType::Int64);
  // First occurrence of ties: torch.tensor([3, 5, 5, 1]).max(0) -> 5 at 1
  ops::max_dim(i64({3, 5, 5, 1}, {4}), 0, false, &v, &i);
  CHECK(v.dtype() == DType::Int64 && v.sizes() == Dims());
  CHECK_VALS(v, {5});
  CHECK_VALS(i, {1});
  ops::min_dim(i64({3, 1, 5, 1}, {1, 4}), -1, true, &v, &i);
  CHECK(v.sizes() == (Dims{1, 1}));
  CHECK_VALS(v, {1});
  CHECK_VALS(i, {1});
  // NaN counts as the extreme for both max and min, first one wins
  ops::max_dim(f32({1, NAN, 3, NAN}, {4}), 0, false, &v, &i);
  CHECK_VALS(v, {kNaN});
  CHECK_VALS(i, {1});
  ops::min_dim(f32({1, NAN}, {1, 2}), 1, false, &v, &i);
  CHECK_VALS(v, {kNaN});
  CHECK_VALS(i, {1});
  // bool works for max/min (torch: b.max(1) -> values [True, True], indices [0, 0])
  ops::max_dim(boolean({1, 0, 1, 1, 1, 1}, {2, 3}), 1, false, &v, &i);
  CHECK(v.dtype() == DType::Bool);
  CHECK_VALS(v, {1, 1});
  CHECK_VALS(i, {0, 0});
  // 0-dim: torch.tensor(3.).max(0) -> (3., 0)
  ops::max_dim(ops::scalar(3, DType::Float32), 0, true, &v, &i);
  CHECK(v.sizes() == Dims() && i.sizes() == Dims());
  CHECK_VALS(i, {0});
  CHECK_THROWS(KD_ERR_INDEX, ops::min_dim(arange({2, 3}), 2, false, &v, &i));
  // z = torch.arange(12.).reshape(3, 4); z.t().max(1) -> values [8, 9, 10, 11], indices [2, 2, 2, 2]
  ops::max_dim(ops::transpose(arange({3, 4}), 0, 1), 1, false, &v, &i);
  CHECK_VALS(v, {8, 9, 10, 11});
  CHECK_VALS(i, {2, 2, 2, 2});
}

TEST(argmax_argmin) {
  Tensor x = f32({0, 7, 2, 7, -3, 1}, {2, 3});
  Tensor a = ops::argmax(x, 0, false, false);  // x.argmax() -> tensor(1): flattened, first of ties
  CHECK(a.sizes() == Dims() && a.dtype() == DType::Int64);
  CHECK_VALS(a, {1});
  CHECK_VALS(ops::argmin(x, 0, false, false), {4});
  CHECK(ops::argmax(x, 0, false, true).sizes() == (Dims{1, 1}));  // x.argmax(keepdim=True)
  CHECK_VALS(ops::argmax(x, 1, true, false), {1, 0});
  CHECK_VALS(ops::argmin(x, -2, true, true), {0, 1, 1});
  CHECK(ops::argmin(x, -2, true, true).sizes() == (Dims{1, 3}));
  // flattened index follows the logical order of a transposed view: x.t().argmin() -> 3
  CHECK_VALS(ops::argmin(ops::transpose(x, 0, 1), 0, false, false), {3});
  CHECK_VALS(ops::argmax(f32({1, NAN, NAN}, {3}), 0, false, false), {1});
  CHECK_VALS(ops::argmax(ops::scalar(3, DType::Float32), 0, true, true), {0});
  CHECK(ops::argmax(ops::scalar(3, DType::Float32), 0, true, true).sizes() == Dims());
  CHECK_VALS(ops::argmax(i64({3, 5, 5, 1}, {4}), 0, false, false), {1});
  CHECK_THROWS(KD_ERR_DTYPE, ops::argmax(boolean({1, 0}, {2}), 0, true, false));  // "argmax_cpu" not implemented for 'Bool'
  CHECK_THROWS(KD_ERR_INDEX, ops::argmax(x, 2, true, false));
}

TEST(softmax_and_log_softmax) {
  Tensor v = f32({1, 2, 3}, {3});
  CHECK_VALS(ops::softmax(v, 0), {0.09003057330846786, 0.2447284758090973, 0.6652409434318542});
  CHECK_VALS(ops::log_softmax(v, -1), {-2.4076058864593506, -1.4076058864593506, -0.40760594606399536});
  // Over dim 0 of [[0, 1, 2], [3, 4, 5]] (not the innermost dim)
  Tensor y = f32({0, 1, 2, 3, 4, 5}, {2, 3});
  double lo = 0.04742587357759476, hi = 0.9525741338729858;
  CHECK_VALS(ops::softmax(y, 0), {lo, lo, lo, hi, hi, hi});
  double llo = -3.0485873222351074, lhi = -0.04858732968568802;
  CHECK_VALS(ops::log_softmax(y, -2), {llo, llo, llo, lhi, lhi, lhi});
  // Large inputs do not overflow: torch.tensor([1000., 1001.]).softmax(0)
  CHECK_VALS(ops::softmax(f32({1000, 1001}, {2}), 0), {0.2689414322376251, 0.7310585975646973});
  CHECK_VALS(ops::log_softmax(f32({1000, 1001}, {2}), 0), {-1.31326162815094, -0.31326165795326233});
  // PyTorch gives NaN for rows of -inf and rows holding +inf
  CHECK_VALS(ops::softmax(f32({-INFINITY, -INFINITY}, {2}), 0), {kNaN, kNaN});
  CHECK_VALS(ops::softmax(f32({INFINITY, 1}, {2}), 0), {kNaN, kNaN});
  CHECK_VALS(ops::log_softmax(f32({-INFINITY, -INFINITY}, {2}), 0), {kNaN, kNaN});
  // One -inf entry is just a zero probability
  CHECK_VALS(ops::softmax(f32({-INFINITY, 0}, {2}), 0), {0, 1});
  // 0-dim: softmax -> 1, log_softmax -> 0
  CHECK_VALS(ops::softmax(ops::scalar(3, DType::Float32), 0), {1});
  CHECK_VALS(ops::log_softmax(ops::scalar(3, DType::Float64), -1), {0});
  Tensor e = ops::softmax(Tensor::empty({2, 0}, DType::Float32), 1);
  CHECK(e.sizes() == (Dims{2, 0}));
  // "softmax_lastdim_kernel_impl" not implemented for 'Long'
  CHECK_THROWS(KD_ERR_DTYPE, ops::softmax(arange({3}, DType::Int64), 0));
  CHECK_THROWS(KD_ERR_DTYPE, ops::log_softmax(boolean({1, 0}, {2}), 0));
  CHECK_THROWS(KD_ERR_INDEX, ops::softmax(y, 2));
  // Transposed input: softmax(y.t(), 1) equals softmax(y, 0) transposed
  Tensor t = ops::softmax(ops::transpose(y, 0, 1), 1);
  CHECK_VALS(t, {lo, hi, lo, hi, lo, hi});
  CHECK(ops::softmax(f64({1, 2}, {2}), 0).dtype() == DType::Float64);
  // A NaN poisons its row (or column) only: torch.tensor([[1., 2.], [nan, 3.]]).softmax(0)
  CHECK_VALS(ops::softmax(f32({1, 2, NAN, 3}, {2, 2}), 0), {kNaN, 0.2689414322376251, kNaN, 0.7310585975646973});
  CHECK_VALS(ops::log_softmax(f32({1, NAN, 2}, {3}), 0), {kNaN, kNaN, kNaN});
  CHECK_VALS(ops::reduce(KD_LOGSUMEXP, f32({1, NAN, 2, 3}, {2, 2}), {0}, false), {2.3132617473602295, kNaN});
}

// softmax and logsumexp use cpu::vec::exp for float; it must stay within an ulp of the
// correctly rounded exp everywhere, denormals and the limits included.
TEST(vectorised_exp_is_within_one_ulp) {
  std::vector<float> x;
  for (double v = -110; v < 92; v += 0.0137) x.push_back(static_cast<float>(v));
  for (float v : {0.0f, -0.0f, 88.72f, 88.73f, -87.33f, -103.97f, -104.0f, 1e-8f, -1e-8f}) x.push_back(v);
  std::vector<float> y(x.size());
  cpu::vec::exp_shifted(x.data(), 0.0f, y.data(), static_cast<int64_t>(x.size()));
  int bad = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float rf = static_cast<float>(std::exp(static_cast<double>(x[i])));
    if (std::isinf(rf) ? !std::isinf(y[i]) : std::fabs(y[i] - rf) > std::fabs(std::nextafter(rf, INFINITY) - rf)) ++bad;
  }
  CHECK_EQ(bad, 0);
  // The returned sum (float lanes per block, blocks in double) for exp(x - 3) over [-10, 10)
  std::vector<float> z;
  double expect = 0;
  for (int i = 0; i < 2001; ++i) {
    z.push_back(-10.0f + 0.01f * i);
    expect += std::exp(static_cast<double>(z.back()) - 3.0);
  }
  CHECK_NEAR(cpu::vec::exp_shifted(z.data(), 3.0f, nullptr, 2001) / expect, 1.0, 1e-6);
  float special[5] = {INFINITY, -INFINITY, NAN, -1000, 1000};
  float out[5];
  cpu::vec::exp_shifted(special, 0.0f, out, 5);
  CHECK(std::isinf(out[0]) && out[0] > 0);
  CHECK_EQ(out[1], 0.0f);
  CHECK(std::isnan(out[2]));
  CHECK_EQ(out[3], 0.0f);
  CHECK(std::isinf(out[4]));
}

TEST(non_contiguous_inputs) {
  Tensor x = arange({3, 4});
  Tensor xt = ops::transpose(x, 0, 1);  // [4, 3], strides [1, 4]
  // x.t().sum(1) -> [12, 15, 18, 21]; x.t().sum(0) -> [6, 22, 38]
  CHECK_VALS(sum(xt, {1}), {12, 15, 18, 21});
  CHECK_VALS(sum(xt, {0}), {6, 22, 38});
  CHECK_VALS(ops::reduce(KD_AMAX, xt, {1}, false), {8, 9, 10, 11});
  // x.t()[:, ::2].sum(1) -> [8, 10, 12, 14]
  Tensor stepped = ops::slice(xt, 1, 0, 3, 2);
  CHECK_VALS(sum(stepped, {1}), {8, 10, 12, 14});
  CHECK_VALS(ops::reduce(KD_MEAN, ops::slice(x, 1, 1, 4, 2), {}, false), {6});  // x[:, 1::2].mean()
  // Expanded (stride 0): torch.arange(3.).view(3, 1).expand(3, 5)
  Tensor ex = ops::expand(ops::view(ops::arange(0, 3, 1, DType::Float32), {3, 1}), {3, 5});
  CHECK_VALS(sum(ex, {1}), {0, 5, 10});
  CHECK_VALS(sum(ex, {0}), {3, 3, 3, 3, 3});
  CHECK_VALS(ops::reduce(KD_PROD, ops::binary_scalar(KD_ADD, ex, 1, DType::Int64), {1}, false), {1, 32, 243});
  CHECK_VALS(ops::var(ex, {1}, 1, false, false), {0, 0, 0});
  CHECK_VALS(ops::var(ex, {0}, 1, false, false), {1, 1, 1, 1, 1});
  Tensor v, i;
  ops::min_dim(ex, 1, false, &v, &i);
  CHECK_VALS(i, {0, 0, 0});
  // Every op on a permuted 3-d tensor agrees with the same op on its contiguous copy.
  Tensor p = ops::permute(ops::binary_scalar(KD_MUL, arange({4, 5, 6}), 0.37, DType::Float64), {2, 0, 1});
  Tensor pc = ops::contiguous(p);
  for (int32_t op = KD_SUM; op <= KD_ALL; ++op)
    for (Dims dims : {Dims{}, Dims{0}, Dims{1}, Dims{2}, Dims{0, 2}, Dims{-1, -2}}) {
      CHECK(close(vals(ops::reduce(op, p, dims, false)), vals(ops::reduce(op, pc, dims, false)), 1e-5));
      CHECK(close(vals(ops::var(p, dims, 1, true, true)), vals(ops::var(pc, dims, 1, true, true)), 1e-5));
    }
  for (int32_t d = 0; d < 3; ++d) {
    Tensor v1, i1, v2, i2;
    ops::max_dim(p, d, false, &v1, &i1);
    ops::max_dim(pc, d, false, &v2, &i2);
    CHECK(close(vals(v1), vals(v2)) && close(vals(i1), vals(i2)));
    CHECK(close(vals(ops::softmax(p, d)), vals(ops::softmax(pc, d))));
    CHECK(close(vals(ops::argmin(p, d, true, false)), vals(ops::argmin(pc, d, true, false))));
  }
}

// The pool (spinning waits, one task per worker and region): many short regions back to back
// with 1-4 tasks on 2, 3 and 4 threads cover every element exactly once; two threads starting
// regions at once (the second runs inline) and an exception thrown in a worker's task.
TEST(thread_pool_regions_back_to_back) {
  const int saved = cpu::num_threads();
  for (int threads : {2, 3, 4}) {
    cpu::set_num_threads(threads);
    std::vector<std::atomic<int>> hits(64);
    for (int round = 0; round < 3000; ++round) {
      const int64_t n = 1 + round % 64;
      for (int64_t i = 0; i < n; ++i) hits[static_cast<size_t>(i)] = 0;
      cpu::parallel_for(n, 16, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
      });
      for (int64_t i = 0; i < n; ++i)
        if (hits[static_cast<size_t>(i)] != 1) {
          ::kdtest::report(__FILE__, __LINE__, str(threads, " threads, round ", round, ": element ", i, " ran ",
                                                   hits[static_cast<size_t>(i)].load(), " times"));
          round = 3000;
          break;
        }
    }
    std::atomic<int64_t> total{0};
    auto many = [&] {
      for (int r = 0; r < 500; ++r)
        cpu::parallel_for(1000, 100, [&](int64_t b, int64_t e) { total += e - b; });
    };
    std::thread other(many);
    many();
    other.join();
    CHECK_EQ(total.load(), int64_t(2 * 500 * 1000));
    bool caught = false;
    try {
      cpu::parallel_for(4000, 1000, [](int64_t b, int64_t) {
        if (b > 0) throw std::runtime_error("task failed");
      });
    } catch (const std::runtime_error&) {
      caught = true;
    }
    CHECK(caught);
  }
  cpu::set_num_threads(saved);
}

// Sizes large enough for the thread pool, the row order with chunks and the split reductions;
// checked against sums computed here in double.
TEST(large_reductions_on_every_loop_order) {
  const int saved = cpu::num_threads();
  cpu::set_num_threads(4);
  const int64_t rows = 3000, cols = 300;
  std::vector<float> data(rows * cols);
  for (int64_t k = 0; k < rows * cols; ++k) data[k] = static_cast<float>((k * 7919) % 1000) / 1000.0f - 0.25f;
  Tensor x = f32(data, {rows, cols});
  std::vector<double> col(cols, 0.0), row(rows, 0.0);
  double total = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      col[c] += data[r * cols + c];
      row[r] += data[r * cols + c];
      total += data[r * cols + c];
    }
  CHECK(close(vals(sum(x, {0})), col, 1e-5));   // row order, several chunks
  CHECK(close(vals(sum(x, {1})), row, 1e-5));   // per output, unit stride
  CHECK(close(vals(sum(x)), {total}, 1e-6));    // one output, split over the pool
  CHECK(close(vals(sum(ops::transpose(x, 0, 1), {1})), col, 1e-5));
  // Narrow matrix: few outputs along the unit-stride dim -> per output, strided, split
  Tensor narrow = ops::view(x, {rows * cols / 3, 3});
  std::vector<double> three(3, 0.0);
  for (int64_t k = 0; k < rows * cols; ++k) three[k % 3] += data[k];
  CHECK(close(vals(sum(narrow, {0})), three, 1e-5));
  // Tall matrix with one chunk of outputs: the reduced range is split between tasks
  Tensor tall = ops::view(ops::narrow(ops::view(x, {rows * cols}), 0, 0, 7031 * 128), {7031, 128});
  std::vector<double> c128(128, 0.0);
  for (int64_t k = 0; k < rows * cols / 128 * 128; ++k) c128[k % 128] += data[k];
  CHECK(close(vals(sum(tall, {0})), c128, 1e-5));
  std::vector<double> mean128(c128);
  for (double& m : mean128) m /= static_cast<double>(rows * cols / 128);
  CHECK(close(vals(ops::reduce(KD_MEAN, tall, {0}, false)), mean128, 1e-5));
  // Wide matrix: many chunks of outputs, each task reduces its whole column range
  Tensor wide = ops::view(x, {300, 3000});
  std::vector<double> c3000(3000, 0.0);
  for (int64_t k = 0; k < rows * cols; ++k) c3000[k % 3000] += data[k];
  CHECK(close(vals(sum(wide, {0})), c3000, 1e-5));
  // amax / argmax along both orders agree with a scan
  std::vector<double> cmax(cols, -1e30), cidx(cols, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      if (data[r * cols + c] > cmax[c]) { cmax[c] = data[r * cols + c]; cidx[c] = static_cast<double>(r); }
  CHECK(close(vals(ops::reduce(KD_AMAX, x, {0}, false)), cmax));
  CHECK(close(vals(ops::argmax(x, 0, true, false)), cidx));
  // var over dim 0 (row order with means per output) against a two-pass reference
  std::vector<double> cvar(cols, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      double d = data[r * cols + c] - col[c] / rows;
      cvar[c] += d * d;
    }
  for (double& s : cvar) s /= (rows - 1);
  CHECK(close(vals(ops::var(x, {0}, 1, false, false)), cvar, 1e-5));
  // logsumexp and softmax of many rows sum to one
  Tensor sm = ops::softmax(x, 0);
  std::vector<double> ones(cols, 1.0);
  CHECK(close(vals(sum(sm, {0})), ones, 1e-4));
  Tensor lse0 = ops::reduce(KD_LOGSUMEXP, x, {0}, false);
  Tensor lsm = ops::log_softmax(x, 0);
  Tensor recon = ops::binary(KD_ADD, lsm, lse0);  // log_softmax + logsumexp == x
  CHECK(close(vals(recon), vals(x), 1e-4));
  cpu::set_num_threads(saved);
}
