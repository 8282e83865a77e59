// Core layout, refcounting, views, broadcasting and elementwise semantics.
#include <vector>

#include "check.h"
#include "core/tensor.h"
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

TEST(random_matches_pytorch_seed_stream) {
  // torch.manual_seed(0); torch.rand(3) -> [0.4962566, 0.7682218, 0.08847743]
  ops::manual_seed(0);
  Tensor r = ops::rand(Dims{3}, DType::Float32);
  auto v = vals(r);
  CHECK_NEAR(v[0], 0.4962566, 1e-6);
  CHECK_NEAR(v[1], 0.7682218, 1e-6);
  CHECK_NEAR(v[2], 0.08847743, 1e-6);
}
