// CUDA timings of the core, to set beside PyTorch on the same GPU (bench/gpu_pytorch.py prints
// the same lines; ci/gpu-check.sh runs both and divides). Not a test: built with
// -DKINDLING_BUILD_BENCH=ON when the CUDA backend is on. Three measurements:
//   gemm   - float32 ops::mm throughput (TFLOP/s = 2mnk / time) for 4096^3, 8192^3 and two
//            products of the DCGAN convolutions' shapes, on whatever gemm backend is active
//            (run it again with KINDLING_CUBLAS=none for the in-house kernel);
//   launch - per-op cost of a 1-element add (allocate the output, launch, free), averaged over
//            10000 calls with one synchronize at the end, and of a 1M-element add;
//   dcgan  - one training step of the DCGAN of PyTorch's examples (batch 64, nz 100, ngf = ndf =
//            64, 64x64x3 images, BCE, Adam(2e-4, betas 0.5/0.999)) written with ag:: ops and the
//            autograd engine: D(real), D(fake.detach()), step D; D(fake), step G.
// Each result is one line: "BENCH <what> impl=kindling key=value ...".
// Usage: bench_cuda [all|gemm|launch|dcgan]...
#include <cuda_profiler_api.h>
#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/functions.h"
#include "autograd/meta.h"
#include "core/tensor.h"
#include "cuda/cuda.h"
#include "ops/ops.h"

using namespace kd;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// A CUDA tensor of normal(mean, std) values (drawn by the CUDA generator).
Tensor cuda_normal(const Dims& shape, double mean = 0, double std = 1) {
  Tensor t = Tensor::empty(shape, DType::Float32, Device::CUDA, 0);
  ops::normal_(t, mean, std);
  return t;
}
Tensor cuda_full(const Dims& shape, double v) {
  Tensor t = Tensor::empty(shape, DType::Float32, Device::CUDA, 0);
  ops::fill_(t, v);
  return t;
}

// Seconds per call of f: one warm-up call, then as many calls as fit about `budget` seconds
// (at least 2, at most 100), with a synchronize before reading the clock.
double time_per_call(const std::function<void()>& f, double budget) {
  f();
  cuda::synchronize(0);
  auto t0 = Clock::now();
  f();
  cuda::synchronize(0);
  const double one = seconds_since(t0);
  const int reps = static_cast<int>(std::clamp(budget / std::max(one, 1e-6), 2.0, 100.0));
  t0 = Clock::now();
  for (int i = 0; i < reps; ++i) f();
  cuda::synchronize(0);
  return seconds_since(t0) / reps;
}

void bench_gemm() {
  struct Size { int64_t m, n, k; const char* name; };
  // dcgan_d2: the discriminator's second convolution as one GEMM (128 filters of 64x4x4 over a
  // batch of 64 16x16 outputs); dcgan_g2: the generator's second transposed convolution
  // (512 -> 256 channels x 4x4 taps, over 64 4x4 inputs).
  const Size sizes[] = {{4096, 4096, 4096, "square4096"}, {8192, 8192, 8192, "square8192"},
                        {128, 16384, 1024, "dcgan_d2"}, {4096, 1024, 512, "dcgan_g2"}};
  const std::string backend = cuda::gemm_backend();
  for (const Size& s : sizes) {
    Tensor a = cuda_normal(Dims{s.m, s.k}), b = cuda_normal(Dims{s.k, s.n});
    const double sec = time_per_call([&] { Tensor c = ops::mm(a, b); }, 1.0);
    const double tflops = 2.0 * s.m * s.n * s.k / sec / 1e12;
    std::printf("BENCH gemm impl=kindling backend=%s size=%s m=%lld n=%lld k=%lld ms=%.4f tflops=%.3f\n",
                backend.c_str(), s.name, static_cast<long long>(s.m), static_cast<long long>(s.n),
                static_cast<long long>(s.k), sec * 1e3, tflops);
    std::fflush(stdout);
  }
}

void bench_launch() {
  {
    Tensor a = cuda_full(Dims{1}, 1.0), b = cuda_full(Dims{1}, 2.0);
    const int n = 10000;
    for (int i = 0; i < 100; ++i) Tensor c = ops::binary(KD_ADD, a, b);  // warm the allocator
    cuda::synchronize(0);
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) Tensor c = ops::binary(KD_ADD, a, b);  // allocate, launch, free
    cuda::synchronize(0);
    const double us = seconds_since(t0) / n * 1e6;
    std::printf("BENCH launch impl=kindling what=add_1 n=%d us_per_op=%.3f\n", n, us);
  }
  {
    const int64_t numel = 1 << 20;
    Tensor a = cuda_normal(Dims{numel}), b = cuda_normal(Dims{numel});
    const int n = 1000;
    for (int i = 0; i < 10; ++i) Tensor c = ops::binary(KD_ADD, a, b);
    cuda::synchronize(0);
    auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) Tensor c = ops::binary(KD_ADD, a, b);
    cuda::synchronize(0);
    const double sec = seconds_since(t0) / n;
    std::printf("BENCH launch impl=kindling what=add_1m n=%d us_per_op=%.3f gbps=%.1f\n", n, sec * 1e6,
                3.0 * 4 * numel / sec / 1e9);
  }
  std::fflush(stdout);
}

// ---- DCGAN ---------------------------------------------------------------------------------

struct BatchNorm {
  Tensor weight, bias, running_mean, running_var;
};

struct Net {
  std::vector<Tensor> params;  // every learnable tensor, in creation order
  std::vector<Tensor> exp_avg, exp_avg_sq;
  int64_t step = 0;

  Tensor param(const Tensor& init) {
    ag::set_requires_grad(init, true);
    params.push_back(init);
    exp_avg.push_back(cuda_full(init.sizes(), 0));
    exp_avg_sq.push_back(cuda_full(init.sizes(), 0));
    return init;
  }
  // DCGAN's weights_init: conv weights ~ N(0, 0.02), batch-norm weights ~ N(1, 0.02), bias 0.
  Tensor conv_weight(const Dims& shape) { return param(cuda_normal(shape, 0, 0.02)); }
  BatchNorm batch_norm(int64_t c) {
    BatchNorm bn;
    bn.weight = param(cuda_normal(Dims{c}, 1, 0.02));
    bn.bias = param(cuda_full(Dims{c}, 0));
    bn.running_mean = cuda_full(Dims{c}, 0);
    bn.running_var = cuda_full(Dims{c}, 1);
    return bn;
  }
  void zero_grad() {
    for (const Tensor& p : params) ag::meta(p).grad = Tensor();  // set_to_none, as torch 2.x
  }
  void adam_step(double lr, double beta1, double beta2) {
    ++step;
    std::vector<Tensor> grads, live, m, v;
    for (size_t i = 0; i < params.size(); ++i) {
      Tensor g = ag::meta(params[i]).grad;
      if (!g.defined()) continue;
      live.push_back(params[i]);
      grads.push_back(g);
      m.push_back(exp_avg[i]);
      v.push_back(exp_avg_sq[i]);
    }
    std::vector<Tensor> none(live.size());
    std::vector<ops::AdamHyper> h(live.size(),
                                  ops::AdamHyper{lr, beta1, beta2, 1e-8, 0, false, false, static_cast<double>(step), false});
    ops::adam_step(static_cast<int64_t>(live.size()), live.data(), grads.data(), m.data(), v.data(), none.data(), h.data());
  }
};

Tensor bn_apply(const Tensor& x, const BatchNorm& bn) {
  return ag::batch_norm(x, bn.weight, bn.bias, bn.running_mean, bn.running_var, true, 0.1, 1e-5);
}

struct Generator : Net {
  Tensor w[5];
  BatchNorm bn[4];
  Generator(int64_t nz, int64_t ngf) {
    const int64_t ch[6] = {nz, ngf * 8, ngf * 4, ngf * 2, ngf, 3};
    for (int i = 0; i < 5; ++i) {
      w[i] = conv_weight(Dims{ch[i], ch[i + 1], 4, 4});
      if (i < 4) bn[i] = batch_norm(ch[i + 1]);
    }
  }
  Tensor forward(const Tensor& z) {
    Tensor h = z;
    for (int i = 0; i < 5; ++i) {
      const bool first = i == 0;
      h = ag::conv_transpose2d(h, w[i], Tensor(), {first ? 1 : 2, first ? 1 : 2}, {first ? 0 : 1, first ? 0 : 1},
                               {0, 0}, {1, 1}, 1);
      h = i < 4 ? ag::unary(KD_RELU, bn_apply(h, bn[i])) : ag::unary(KD_TANH, h);
    }
    return h;
  }
};

struct Discriminator : Net {
  Tensor w[5];
  BatchNorm bn[3];
  explicit Discriminator(int64_t ndf) {
    const int64_t ch[6] = {3, ndf, ndf * 2, ndf * 4, ndf * 8, 1};
    for (int i = 0; i < 5; ++i) {
      w[i] = conv_weight(Dims{ch[i + 1], ch[i], 4, 4});
      if (i >= 1 && i <= 3) bn[i - 1] = batch_norm(ch[i + 1]);
    }
  }
  Tensor forward(const Tensor& x) {
    Tensor h = x;
    for (int i = 0; i < 4; ++i) {
      h = ag::conv2d(h, w[i], Tensor(), {2, 2}, {1, 1}, {1, 1}, 1);
      if (i >= 1) h = bn_apply(h, bn[i - 1]);
      h = ag::leaky_relu(h, 0.2);
    }
    h = ag::conv2d(h, w[4], Tensor(), {1, 1}, {0, 0}, {1, 1}, 1);
    return ag::reshape(ag::unary(KD_SIGMOID, h), Dims{-1});
  }
};

// nn.BCELoss with a constant label (1 or 0), mean reduction; logs clamped at -100 as PyTorch.
Tensor bce(const Tensor& p, double label) {
  Tensor q = label == 1.0 ? p : ag::scalar_binary(KD_SUB, 1.0, DType::Float64, p);
  Tensor log_q = ag::clamp(ag::unary(KD_LOG, q), -100, 0, true, false);
  return ag::neg(ag::reduce(KD_MEAN, log_q, Dims{}, false));
}

void bench_dcgan() {
  const int64_t batch = 64, nz = 100, ngf = 64, ndf = 64;
  ops::manual_seed(999);
  Generator g(nz, ngf);
  Discriminator d(ndf);
  // Synthetic "real" images in [-1, 1] (the data loader is not what is measured).
  Tensor real = Tensor::empty(Dims{batch, 3, 64, 64}, DType::Float32, Device::CUDA, 0);
  ops::uniform_(real, -1, 1);
  Tensor noise = Tensor::empty(Dims{batch, nz, 1, 1}, DType::Float32, Device::CUDA, 0);
  double err_d = 0, err_g = 0;
  bool read_losses = false;
  auto step = [&] {
    // (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
    d.zero_grad();
    Tensor err_real = bce(d.forward(real), 1.0);
    ag::backward({err_real}, {}, {});
    ops::normal_(noise, 0, 1);
    Tensor fake = g.forward(noise);
    Tensor err_fake = bce(d.forward(ag::detach(fake)), 0.0);
    ag::backward({err_fake}, {}, {});
    d.adam_step(2e-4, 0.5, 0.999);
    // (2) Update G: maximize log(D(G(z)))
    g.zero_grad();
    Tensor err = bce(d.forward(fake), 1.0);
    ag::backward({err}, {}, {});
    g.adam_step(2e-4, 0.5, 0.999);
    if (read_losses) {  // only outside the timed steps (item() synchronises)
      err_d = ops::item(ops::to_dtype(err_real, DType::Float64)) + ops::item(ops::to_dtype(err_fake, DType::Float64));
      err_g = ops::item(ops::to_dtype(err, DType::Float64));
    }
  };
  for (int i = 0; i < 3; ++i) step();  // warm-up: allocator cache, cuBLAS handles
  cuda::synchronize(0);
  const int steps = 20;
  auto t0 = Clock::now();
  for (int i = 0; i < steps; ++i) step();
  const double host_ms = seconds_since(t0) / steps * 1e3;  // time to queue the work
  cuda::synchronize(0);
  const double ms = seconds_since(t0) / steps * 1e3;
  std::printf("BENCH dcgan_host impl=kindling host_ms_per_step=%.3f\n", host_ms);
  if (std::getenv("BENCH_PROFILE")) {  // one step between profiler start/stop (ncu --profile-from-start off)
    cudaProfilerStart();
    step();
    cuda::synchronize(0);
    cudaProfilerStop();
  }
  read_losses = true;
  step();
  std::printf("BENCH dcgan impl=kindling variant=default batch=%lld steps=%d ms_per_step=%.3f loss_d=%.4f loss_g=%.4f\n",
              static_cast<long long>(batch), steps, ms, err_d, err_g);
  std::printf("BENCH memory impl=kindling allocated_mb=%.1f cached_mb=%.1f\n", cuda::allocated_bytes(0) / 1048576.0,
              cuda::cached_bytes(0) / 1048576.0);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (cuda::device_count() == 0) {
    std::printf("bench_cuda: no usable CUDA device (%s)\n", cuda::unavailable_reason().c_str());
    return 77;
  }
  std::vector<std::string> what;
  for (int i = 1; i < argc; ++i) what.push_back(argv[i]);
  if (what.empty()) what.push_back("all");
  auto wants = [&](const char* w) {
    return std::find(what.begin(), what.end(), "all") != what.end() ||
           std::find(what.begin(), what.end(), w) != what.end();
  };
  std::printf("bench_cuda: gemm backend %s\n", cuda::gemm_backend().c_str());
  int rc = 0;
  // Each part on its own: a failure in one (an op without a kernel) still lets the others run.
  const std::pair<const char*, void (*)()> parts[] = {{"gemm", bench_gemm}, {"launch", bench_launch}, {"dcgan", bench_dcgan}};
  for (const auto& [name, fn] : parts) {
    if (!wants(name)) continue;
    try {
      fn();
    } catch (const std::exception& e) {
      std::printf("BENCH %s impl=kindling error=1\nbench_cuda: %s failed: %s\n", name, name, e.what());
      rc = 1;
    }
  }
  return rc;
}
