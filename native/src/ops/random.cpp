// The global random generator and the random ops. It follows PyTorch's CPU generator: MT19937
// (ops/mt19937.h, the same stream as std::mt19937)
// seeded the same way, the same uniform transformation (24 or 53 random bits), Box-Muller normals
// (16 at a time for tensors of 16 or more elements, one cached double otherwise), randint and
// randperm draws, so that manual_seed(s) followed by rand/randint/randperm gives PyTorch's numbers.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <sstream>

#include "ops/dispatch.h"
#include "ops/mt19937.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

struct Generator {
  Mt19937 engine{static_cast<uint32_t>(67280421310721ULL & 0xffffffffULL)};
  uint64_t seed = 67280421310721ULL;
  bool has_next_normal = false;
  double next_normal = 0;
  std::mutex mu;

  uint32_t random() { return static_cast<uint32_t>(engine()); }
  uint64_t random64() {
    uint64_t hi = random(), lo = random();
    return (hi << 32) | lo;
  }
  // uniform in [from, to) with 24 random bits for float, 53 for double. x * (to - from) + from is
  // computed in the element type with a single rounding (a fused multiply-add, which is what
  // PyTorch's x86 build computes; checked against it by the golden tests), so that
  // uniform_(a, b) matches PyTorch bit for bit, not only rand().
  float uniform_f(float from, float to) {
    float x = static_cast<float>(random() & ((1u << 24) - 1)) * (1.0f / (1u << 24));
    return std::fma(x, to - from, from);
  }
  double uniform_d(double from, double to) {
    double x = static_cast<double>(random64() & ((1ULL << 53) - 1)) * (1.0 / (1ULL << 53));
    return std::fma(x, to - from, from);
  }
  double normal_double(double mean, double std) {
    if (has_next_normal) {
      has_next_normal = false;
      return next_normal * std + mean;
    }
    double u1 = uniform_d(0, 1), u2 = uniform_d(0, 1);
    double r = std::sqrt(-2.0 * std::log(1.0 - u2));
    double theta = 2.0 * M_PI * u1;
    has_next_normal = true;
    next_normal = r * std::sin(theta);
    return r * std::cos(theta) * std + mean;
  }
};

Generator& gen() {
  static Generator* g = new Generator();
  return *g;
}

template <typename T>
void normal_fill_16(T* data, T mean, T std) {
  for (int j = 0; j < 8; ++j) {
    const T u1 = 1 - data[j];
    const T u2 = data[j + 8];
    const T radius = std::sqrt(-2 * std::log(u1));
    const T theta = static_cast<T>(2.0 * M_PI) * u2;
    data[j] = radius * std::cos(theta) * std + mean;
    data[j + 8] = radius * std::sin(theta) * std + mean;
  }
}

// Random ops draw numbers in the order PyTorch's TensorIterator visits a tensor's elements:
// memory order (dims sorted by stride, largest first), which for a transposed view is not the
// logical order. fill() receives a contiguous tensor to write in order; for a view that is a
// temporary laid out in t's memory order, copied back through the matching permuted view.
template <typename F>
void fill_in_memory_order(const Tensor& t, F fill) {
  if (t.is_contiguous()) {
    fill(t);
  } else {
    Dims perm;
    for (int32_t i = 0; i < t.dim(); ++i) perm.push_back(i);
    // (Where a size-1 dim lands does not change the order of the elements.)
    std::stable_sort(perm.data(), perm.data() + perm.size(),
                     [&](int64_t x, int64_t y) { return t.stride(x) > t.stride(y); });
    Tensor view = permute(t, perm);
    Tensor tmp = Tensor::empty_like_device(view.sizes(), t.dtype(), t);
    fill(tmp);
    copy_(view, tmp);
  }
  t.bump_version();
}

// A CUDA tensor is filled on its device by the CUDA generator (kernel `fill` of cuda.h), in
// memory order like the CPU path, so a view gets the numbers a contiguous tensor would.
template <typename F>
void fill_on_device(const Tensor& t, F kernel) {
  fill_in_memory_order(t, [&](const Tensor& c) {
    if (c.numel() > 0) {
      cuda::set_device(c.device_index());
      kernel(c);
    }
  });
}

}  // namespace

void manual_seed(uint64_t seed) {
  {
    Generator& g = gen();
    std::lock_guard<std::mutex> lk(g.mu);
    g.seed = seed;
    g.engine.seed(static_cast<uint32_t>(seed & 0xffffffffULL));
    g.has_next_normal = false;
  }
  // Like torch.manual_seed, which seeds every device's generator too. Without a device there is
  // no CUDA generator to seed (and no CUDA tensor to draw into).
  if (cuda::device_count() > 0) cuda::manual_seed(seed);
}

uint64_t initial_seed() { return gen().seed; }

std::vector<uint8_t> rng_state() {
  Generator& g = gen();
  std::lock_guard<std::mutex> lk(g.mu);
  std::ostringstream os;
  os << "kindling-rng-1 " << g.seed << ' ' << int(g.has_next_normal) << ' ';
  os.precision(17);
  os << std::hexfloat << g.next_normal << std::defaultfloat << ' ' << g.engine;
  std::string s = os.str();
  return std::vector<uint8_t>(s.begin(), s.end());
}

void set_rng_state(const uint8_t* data, size_t n) {
  if (!data) fail(KD_ERR_ARGUMENT, "set_rng_state: null state");
  std::string s(reinterpret_cast<const char*>(data), n);
  std::istringstream is(s);
  std::string magic;
  uint64_t seed;
  int has;
  std::string next;
  Mt19937 engine;
  is >> magic >> seed >> has >> next >> engine;
  if (!is || magic != "kindling-rng-1")
    fail(KD_ERR_ARGUMENT, "set_rng_state: not a Kindling generator state (", n, " bytes)");
  Generator& g = gen();
  std::lock_guard<std::mutex> lk(g.mu);
  g.seed = seed;
  g.has_next_normal = has != 0;
  g.next_normal = std::strtod(next.c_str(), nullptr);
  g.engine = engine;
}

void uniform_(const Tensor& t, double from, double to) {
  if (from > to) fail(KD_ERR_ARGUMENT, "uniform_: expects to return a [from, to) range, but found from=", from, " > to=", to);
  if (t.is_cuda()) {
    if (!is_floating(t.dtype()))
      fail(KD_ERR_DTYPE, "uniform_: expected a floating point tensor, got ", dtype_name(t.dtype()));
    fill_on_device(t, [&](const Tensor& c) { cuda::uniform_kernel(c, from, to); });
    return;
  }
  fill_in_memory_order(t, [&](const Tensor& c) {
    Generator& g = gen();
    std::lock_guard<std::mutex> lk(g.mu);
    int64_t n = c.numel();
    switch (c.dtype()) {
      case DType::Float32: {
        float* p = c.data<float>();
        const float lo = static_cast<float>(from), hi = static_cast<float>(to);
        for (int64_t i = 0; i < n; ++i) p[i] = g.uniform_f(lo, hi);
        break;
      }
      case DType::Float64: {
        double* p = c.data<double>();
        for (int64_t i = 0; i < n; ++i) p[i] = g.uniform_d(from, to);
        break;
      }
      default:
        fail(KD_ERR_DTYPE, "uniform_: expected a floating point tensor, got ", dtype_name(c.dtype()));
    }
  });
}

void normal_(const Tensor& t, double mean, double std) {
  if (!(std >= 0)) fail(KD_ERR_ARGUMENT, "normal_: expects std >= 0.0, but found std ", std);
  if (t.is_cuda()) {
    if (!is_floating(t.dtype()))
      fail(KD_ERR_DTYPE, "normal_: not implemented for ", dtype_name(t.dtype()));
    fill_on_device(t, [&](const Tensor& c) { cuda::normal_kernel(c, mean, std); });
    return;
  }
  // PyTorch's 16-at-a-time path is for contiguous tensors only; a view takes one
  // Box-Muller draw per element (with the cached second value), like a small tensor.
  const bool batched = t.numel() >= 16 && t.is_contiguous();
  fill_in_memory_order(t, [&](const Tensor& c) {
    Generator& g = gen();
    std::lock_guard<std::mutex> lk(g.mu);
    int64_t n = c.numel();
    KD_DISPATCH_FLOAT(c.dtype(), "normal_", [&] {
      scalar_t* p = c.data<scalar_t>();
      if (batched) {
        auto uni = [&]() -> scalar_t {
          return sizeof(scalar_t) == 4 ? static_cast<scalar_t>(g.uniform_f(0, 1))
                                       : static_cast<scalar_t>(g.uniform_d(0, 1));
        };
        for (int64_t i = 0; i < n; ++i) p[i] = uni();
        const scalar_t m = static_cast<scalar_t>(mean), s = static_cast<scalar_t>(std);
        for (int64_t i = 0; i + 16 <= n; i += 16) normal_fill_16(p + i, m, s);
        if (n % 16 != 0) {
          scalar_t* tail = p + n - 16;
          for (int j = 0; j < 16; ++j) tail[j] = uni();
          normal_fill_16(tail, m, s);
        }
      } else {
        for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(g.normal_double(mean, std));
      }
    });
  });
}

void bernoulli_(const Tensor& t, double p) {
  if (!(p >= 0 && p <= 1)) fail(KD_ERR_ARGUMENT, "bernoulli_: expects 0 <= p <= 1, but got p=", p);
  if (t.is_cuda()) {
    fill_on_device(t, [&](const Tensor& c) { cuda::bernoulli_kernel(c, p); });
    return;
  }
  fill_in_memory_order(t, [&](const Tensor& c) {
    Generator& g = gen();
    std::lock_guard<std::mutex> lk(g.mu);
    int64_t n = c.numel();
    // uniform_d(0, 1) < p, without its multiply-add (a libm call on baseline x86-64): the
    // uniform is r * 2^-53 for a 53-bit integer r, so the test is r < p * 2^53, both sides
    // exact in double. Same draws, same results.
    // The words come from the generator a block at a time (Mt19937::fill), two per element
    // (high word first, as random64()).
    const double threshold = p * 9007199254740992.0;  // 2^53
    KD_DISPATCH_ALL(c.dtype(), "bernoulli_", [&] {
      scalar_t* d = c.data<scalar_t>();
      constexpr int64_t kBlock = 256;
      uint32_t w[2 * kBlock];
      for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
        const int64_t m = std::min(kBlock, n - i0);
        g.engine.fill(w, 2 * m);
        for (int64_t j = 0; j < m; ++j) {
          const uint64_t r = ((static_cast<uint64_t>(w[2 * j]) << 32) | w[2 * j + 1]) & ((1ULL << 53) - 1);
          d[i0 + j] = static_cast<scalar_t>(static_cast<double>(r) < threshold);
        }
      }
    });
  });
}

Tensor rand(const Dims& shape, DType dtype, Device device, int32_t index) {
  if (!is_floating(dtype)) fail(KD_ERR_DTYPE, "rand: not implemented for ", dtype_name(dtype));
  if (device == Device::CUDA) cuda::check_device(index, "rand");
  Tensor t = Tensor::empty(shape, dtype, device, index);
  uniform_(t, 0, 1);
  return t;
}

Tensor randn(const Dims& shape, DType dtype, Device device, int32_t index) {
  if (!is_floating(dtype)) fail(KD_ERR_DTYPE, "randn: not implemented for ", dtype_name(dtype));
  if (device == Device::CUDA) cuda::check_device(index, "randn");
  Tensor t = Tensor::empty(shape, dtype, device, index);
  normal_(t, 0, 1);
  return t;
}

Tensor randint(int64_t low, int64_t high, const Dims& shape, DType dtype, Device device,
               int32_t index) {
  if (low >= high)
    fail(KD_ERR_ARGUMENT, "randint: expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  if (dtype == DType::Bool && (low < 0 || high > 2))
    fail(KD_ERR_ARGUMENT, "randint: range [", low, ", ", high, ") does not fit bool");
  if (device == Device::CUDA) {
    // Drawn on the host from the CPU generator, then copied (no CUDA kernel needed).
    cuda::check_device(index, "randint");
    return to_device(randint(low, high, shape, dtype, Device::CPU, 0), device, index);
  }
  Tensor t = Tensor::empty(shape, dtype, Device::CPU);
  Generator& g = gen();
  std::lock_guard<std::mutex> lk(g.mu);
  uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  int64_t n = t.numel();
  KD_DISPATCH_ALL(dtype, "randint", [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < n; ++i) {
      uint64_t r = range >= (1ULL << 32) ? g.random64() % range : g.random() % range;
      p[i] = static_cast<scalar_t>(static_cast<int64_t>(r) + low);
    }
  });
  return t;
}

Tensor randperm(int64_t n, DType dtype, Device device, int32_t index) {
  if (n < 0) fail(KD_ERR_ARGUMENT, "randperm: n must be non-negative, got ", n);
  if (dtype == DType::Bool) fail(KD_ERR_DTYPE, "randperm: not implemented for bool");
  if (device == Device::CUDA) {
    cuda::check_device(index, "randperm");
    return to_device(randperm(n, dtype, Device::CPU, 0), device, index);
  }
  Tensor t = Tensor::empty(Dims{n}, dtype, Device::CPU);
  Generator& g = gen();
  std::lock_guard<std::mutex> lk(g.mu);
  KD_DISPATCH_NUMERIC(dtype, "randperm", [&] {
    scalar_t* p = t.data<scalar_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<scalar_t>(i);
    for (int64_t i = 0; i + 1 < n; ++i) {
      int64_t z = static_cast<int64_t>(g.random() % static_cast<uint64_t>(n - i));
      std::swap(p[i], p[z + i]);
    }
  });
  return t;
}

}  // namespace ops
}  // namespace kd
