// Core layout, refcounting, views, broadcasting and elementwise semantics.
#include <random>
#include <sstream>
#include <vector>

#include "check.h"
#include "core/tensor.h"
#include "ops/mt19937.h"
#include "ops/ops.h"

using namespace kd;

static Tensor vec(std::vector<float> v, Dims shape) { return ops::from_host(v.data(), DType::Float32, shape); }
static std::vector<double> vals(const Tensor& t) {
  std::vector<double> out(t.numel());
  ops::copy_to_host(t, out.data(), DType::Float64, t.numel());
  return out;
}

TEST(refcount_and_live_counters) {
  int64_t before = TensorImpl::live_count();
  {
    Tensor a = Tensor::empty(Dims{2, 3}, DType::Float32);
    Tensor v = ops::transpose(a, 0, 1);
    CHECK_EQ(TensorImpl::live_count(), before + 2);
    CHECK(a.storage() == v.storage());
    CHECK_EQ(a.storage()->refcount(), 2);
  }
  CHECK_EQ(TensorImpl::live_count(), before);
}

TEST(views_share_storage_and_compute_strides) {
  Tensor a = ops::arange(0, 24, 1, DType::Float32);
  Tensor b = ops::view(a, Dims{2, 3, 4});
  CHECK(b.strides() == (Dims{12, 4, 1}));
  Tensor p = ops::permute(b, Dims{2, 0, 1});
  CHECK(p.sizes() == (Dims{4, 2, 3}));
  CHECK(!p.is_contiguous());
  Tensor s = ops::slice(b, 2, 1, 4, 2);  // b[:, :, 1::2]
  CHECK(s.sizes() == (Dims{2, 3, 2}));
  CHECK_EQ(vals(s)[0], 1.0);
  CHECK_EQ(vals(s)[1], 3.0);
  Tensor e = ops::expand(ops::view(ops::arange(0, 3, 1, DType::Float32), Dims{3, 1}), Dims{3, 4});
  CHECK(e.strides() == (Dims{1, 0}));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::view(p, Dims{24}));
  Tensor r = ops::reshape(p, Dims{24});
  CHECK(r.storage() != a.storage());
  CHECK_EQ(vals(r)[1], 4.0);
}

TEST(broadcast_add_and_promotion) {
  Tensor a = vec({1, 2, 3}, Dims{3});
  Tensor b = vec({10, 20}, Dims{2, 1});
  Tensor c = ops::binary(KD_ADD, a, b);
  CHECK(c.sizes() == (Dims{2, 3}));
  std::vector<double> expect = {11, 12, 13, 21, 22, 23};
  CHECK(vals(c) == expect);
  Tensor i = ops::arange(0, 3, 1, DType::Int64);
  CHECK(ops::binary_scalar(KD_ADD, i, 2.5, DType::Float64).dtype() == DType::Float32);
  CHECK(ops::binary_scalar(KD_ADD, i, 2, DType::Int64).dtype() == DType::Int64);
  CHECK(ops::binary(KD_DIV, i, i).dtype() == DType::Float32);
  Tensor d = ops::scalar(1.0, DType::Float64);
  CHECK(ops::binary(KD_MUL, a, d).dtype() == DType::Float32);  // 0-dim does not widen
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::binary(KD_ADD, vec({1, 2, 3}, Dims{3}), vec({1, 2}, Dims{2})));
  CHECK_THROWS(KD_ERR_DTYPE, ops::binary_(KD_ADD, i, a));
}

// Kindling's MT19937 (vectorised regeneration and tempering) against std::mt19937: the same
// words one at a time and through fill() in runs that cross regenerations at every offset, and
// the same text form of the state, read either way, mid-block too.
TEST(mt19937_matches_std_mt19937) {
  for (uint32_t seed : {0u, 1u, 42u, 5489u, 0xffffffffu, 67280421u}) {
    std::mt19937 ref(seed);
    ops::Mt19937 g(seed);
    for (int i = 0; i < 2000; ++i)
      if (g() != static_cast<uint32_t>(ref())) {
        ::kdtest::report(__FILE__, __LINE__, str("seed ", seed, ": word ", i, " differs"));
        break;
      }
    std::vector<uint32_t> buf(1500);
    for (int64_t len : {1, 3, 4, 5, 623, 624, 625, 1249, 1500}) {
      g.fill(buf.data(), len);
      for (int64_t i = 0; i < len; ++i)
        if (buf[static_cast<size_t>(i)] != static_cast<uint32_t>(ref())) {
          ::kdtest::report(__FILE__, __LINE__, str("seed ", seed, ": fill of ", len, " differs at ", i));
          break;
        }
    }
    // State text: ours read by std, std's read by ours, both then continue alike.
    std::ostringstream a, b;
    a << g;
    b << ref;
    CHECK_EQ(a.str(), b.str());
    std::mt19937 ref2;
    std::istringstream(a.str()) >> ref2;
    ops::Mt19937 g2;
    std::istringstream in(b.str());
    in >> g2;
    CHECK(static_cast<bool>(in));
    for (int i = 0; i < 700; ++i) {
      uint32_t x = g2(), y = static_cast<uint32_t>(ref2());
      if (x != y) {
        ::kdtest::report(__FILE__, __LINE__, str("seed ", seed, ": restored state differs at ", i));
        break;
      }
    }
  }
  // A malformed state fails the stream and leaves the generator as it was.
  ops::Mt19937 g(7), before(7);
  std::istringstream bad("1 2 3");
  bad >> g;
  CHECK(!bad);
  CHECK(g == before);
}

TEST(random_matches_pytorch_seed_stream) {
  // torch.manual_seed(0); torch.rand(3) -> [0.4962566, 0.7682218, 0.08847743]
  ops::manual_seed(0);
  Tensor r = ops::rand(Dims{3}, DType::Float32);
  auto v = vals(r);
  CHECK_NEAR(v[0], 0.4962566, 1e-6);
  CHECK_NEAR(v[1], 0.7682218, 1e-6);
  CHECK_NEAR(v[2], 0.08847743, 1e-6);
}
