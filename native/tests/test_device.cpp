// Devices as the core sees them on any machine: what a build without a usable GPU says, that
// nothing CUDA can be created there (with the reason), the device-mismatch wording, to_device and
// set_data (t.data = src) semantics, and the cross-device copy's staging (exercised CPU to CPU).
// On a machine with a GPU the same cases check the real thing where they can.
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/functions.h"
#include "autograd/meta.h"
#include "check.h"
#include "cuda/cuda.h"
#include "ops/dispatch.h"
#include "ops/ops.h"

using namespace kd;

static Tensor vec(std::vector<float> v, Dims shape) {
  return ops::from_host(v.data(), DType::Float32, shape);
}
static std::vector<double> vals(const Tensor& t) {
  std::vector<double> out(t.numel());
  ops::copy_to_host(t, out.data(), DType::Float64, t.numel());
  return out;
}
static bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
// The message of the kd::Error that f throws with `code` ("" and a failure otherwise).
template <typename F>
static std::string error_of(int code, F&& f) {
  try {
    f();
  } catch (const Error& e) {
    CHECK_EQ(e.code(), code);
    return e.what();
  }
  CHECK(!"expected an error");
  return "";
}

TEST(device_count_and_reason_agree) {
  // No GPU here (and none in a build without the backend): the count is 0 and the reason says why.
  if (!cuda::built()) CHECK_EQ(cuda::device_count(), 0);
  CHECK(cuda::device_count() >= 0);
  CHECK_EQ(cuda::device_count() == 0, !cuda::unavailable_reason().empty());
  if (!cuda::built()) CHECK(contains(cuda::unavailable_reason(), "no CUDA backend"));
  CHECK(cuda::built() || cuda::gemm_backend() == "none");
}

TEST(creating_on_a_missing_cuda_device_is_unsupported_and_says_why) {
  const int32_t missing = cuda::device_count();  // one past the last device: never exists
  std::string m = error_of(KD_ERR_UNSUPPORTED, [&] { ops::full(Dims{2}, 1.0, DType::Float32, Device::CUDA, missing); });
  if (missing == 0) CHECK(contains(m, cuda::unavailable_reason()));
  else CHECK(contains(m, "does not exist"));
  CHECK_THROWS(KD_ERR_UNSUPPORTED, Tensor::empty(Dims{2}, DType::Float32, Device::CUDA, missing));
  Tensor t = vec({1, 2}, Dims{2});
  m = error_of(KD_ERR_UNSUPPORTED, [&] { ops::to_device(t, Device::CUDA, missing); });
  CHECK(contains(m, "to: "));
  CHECK_THROWS(KD_ERR_UNSUPPORTED, ag::to_device(t, Device::CUDA, missing));
  CHECK_THROWS(KD_ERR_UNSUPPORTED, ops::arange(0, 4, 1, DType::Int64, Device::CUDA, missing));
  CHECK_THROWS(KD_ERR_UNSUPPORTED, ops::randperm(4, DType::Int64, Device::CUDA, missing));
  CHECK_THROWS(KD_ERR_UNSUPPORTED, ops::rand(Dims{2}, DType::Float32, Device::CUDA, missing));
  CHECK_THROWS(KD_ERR_UNSUPPORTED, cuda::check_device(missing, "op"));
  CHECK_THROWS(KD_ERR_UNSUPPORTED, cuda::check_device(-1, "op"));
}

TEST(device_strings_and_the_mismatch_message_use_pytorch_wording) {
  CHECK_EQ(device_str(vec({1}, Dims{1})), std::string("cpu"));
  CHECK_EQ(device_str(Device::CUDA, 1), std::string("cuda:1"));
  CHECK_EQ(device_mismatch_message("add", "cuda:0", "cpu"),
           std::string("add: Expected all tensors to be on the same device, but found at least "
                       "two devices, cuda:0 and cpu!"));
  // Same device (and undefined tensors, e.g. a missing bias) pass.
  Tensor a = vec({1}, Dims{1}), b = vec({2}, Dims{1}), none;
  check_devices("add", {&a, &b, &none});
  check_devices("add", {&none});
  if (cuda::device_count() > 0) {
    Tensor g = ops::full(Dims{1}, 1.0, DType::Float32, Device::CUDA, 0);
    std::string m = error_of(KD_ERR_ARGUMENT, [&] { ops::binary(KD_ADD, g, a); });
    CHECK_EQ(m, device_mismatch_message("add", "cuda:0", "cpu"));
    m = error_of(KD_ERR_ARGUMENT, [&] { ops::matmul(a, g); });
    CHECK_EQ(m, device_mismatch_message("matmul", "cpu", "cuda:0"));
    // A 0-dim CPU tensor takes part in an elementwise op on CUDA, as in PyTorch.
    Tensor r = ops::binary(KD_MUL, g, ops::scalar(3.0, DType::Float32));
    CHECK(r.is_cuda());
    CHECK_EQ(vals(r)[0], 3.0);
    // copy_ moves data between devices, both ways, converting dtype and layout.
    Tensor host = ops::transpose(ops::view(ops::arange(0, 6, 1, DType::Float32), Dims{2, 3}), 0, 1);
    Tensor dev = Tensor::empty(Dims{3, 2}, DType::Float64, Device::CUDA, 0);
    ops::copy_(dev, host);
    CHECK(vals(dev) == vals(host));
  }
}

TEST(to_device_onto_its_own_device_returns_the_same_tensor) {
  Tensor t = vec({1, 2, 3}, Dims{3});
  CHECK(ops::to_device(t, Device::CPU, 0).impl() == t.impl());
  CHECK(ops::to_device(t, Device::CPU, 5).impl() == t.impl());  // the index means nothing on CPU
  ag::set_requires_grad(t, true);
  Tensor same = ag::to_device(t, Device::CPU, 0);
  CHECK(same.impl() == t.impl());
  CHECK(ag::is_leaf(same));
}

TEST(cross_device_copy_stages_contiguously_and_converts_on_the_destination) {
  // CPU to CPU runs the same staging as a real transfer: a strided float32 source, a strided
  // float64 destination.
  Tensor src = ops::transpose(ops::view(ops::arange(0, 6, 1, DType::Float32), Dims{2, 3}), 0, 1);
  Tensor base = ops::full(Dims{2, 3}, -1.0, DType::Float64);
  Tensor dst = ops::transpose(base, 0, 1);
  ops::copy_across_devices(dst, src);
  CHECK(vals(dst) == vals(src));
  CHECK(vals(base) == (std::vector<double>{0, 1, 2, 3, 4, 5}));
  Tensor same = Tensor::empty(Dims{3, 2}, DType::Float32);
  ops::copy_across_devices(same, src);  // contiguous destination, same dtype: one byte copy
  CHECK(vals(same) == vals(src));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::copy_across_devices(Tensor::empty(Dims{2}, DType::Float32), src));
}

TEST(set_data_keeps_identity_and_autograd_state_and_takes_the_new_data) {
  Tensor p = vec({1, 2}, Dims{2});
  ag::set_requires_grad(p, true);
  TensorImpl* identity = p.impl();
  // A first backward gives p a .grad of its current shape.
  Tensor loss = ag::reduce(KD_SUM, ag::mul(p, p), Dims{}, false);
  ag::backward({loss}, {}, ag::BackwardOptions{}, {});
  CHECK(ag::meta(p).grad.defined());

  // Same shape and dtype: the .grad is kept; the data is src's (shared storage).
  Tensor src = vec({5, 6}, Dims{2});
  ag::set_data(p, src);
  CHECK(p.impl() == identity);
  CHECK(p.storage() == src.storage());
  CHECK(ag::requires_grad(p));
  CHECK(ag::is_leaf(p));
  CHECK(vals(p) == (std::vector<double>{5, 6}));
  CHECK(vals(ag::meta(p).grad) == (std::vector<double>{2, 4}));

  // Another shape and dtype: the stale .grad goes, and the next backward accumulates with the
  // new metadata (a new accumulator).
  double three[3] = {1, 2, 3};
  Tensor wide = ops::from_host(three, DType::Float64, Dims{3});
  ag::set_data(p, wide);
  CHECK(p.impl() == identity);
  CHECK(p.dtype() == DType::Float64);
  CHECK(p.sizes() == (Dims{3}));
  CHECK(!ag::meta(p).grad.defined());
  Tensor loss2 = ag::reduce(KD_SUM, ag::mul(p, 2.0), Dims{}, false);
  ag::backward({loss2}, {}, ag::BackwardOptions{}, {});
  CHECK(ag::meta(p).grad.dtype() == DType::Float64);
  CHECK(vals(ag::meta(p).grad) == (std::vector<double>{2, 2, 2}));

  // set_data onto itself changes nothing; undefined tensors are an argument error.
  ag::set_data(p, p);
  CHECK(p.impl() == identity);
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::set_data(p, Tensor()));
}

TEST(set_data_on_a_view_detaches_it_from_its_old_base) {
  Tensor base = ops::arange(0, 4, 1, DType::Float32);
  Tensor v = ops::narrow(base, 0, 1, 2);
  CHECK(v.impl()->is_view);
  ag::set_data(v, vec({7, 8}, Dims{2}));
  CHECK(!v.impl()->is_view);
  ops::fill_(v, 0.0);
  CHECK(vals(base) == (std::vector<double>{0, 1, 2, 3}));  // the old base is untouched
}

TEST(fresh_results_of_ops_and_gradients_are_on_the_inputs_device) {
  // On CPU every path below allocates through empty_like_device / full_like_device; the same
  // test on a GPU machine runs it on CUDA.
  std::vector<Device> devices{Device::CPU};
  if (cuda::device_count() > 0) devices.push_back(Device::CUDA);
  for (Device d : devices) {
    Tensor x = ops::to_device(vec({1, -2, 3, -4}, Dims{2, 2}), d, 0);
    ag::set_requires_grad(x, true);
    Tensor y = ag::reduce(KD_SUM, ag::mul(ag::unary(KD_RELU, x), 3.0), Dims{}, false);
    CHECK(y.device() == d);
    ag::backward({y}, {}, ag::BackwardOptions{}, {});
    Tensor g = ag::meta(x).grad;
    CHECK(g.device() == d);
    CHECK(vals(g) == (std::vector<double>{3, 0, 3, 0}));
  }
}
