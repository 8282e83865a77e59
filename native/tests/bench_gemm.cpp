// GEMM throughput of ops::mm against a direct cblas_sgemm on the same data, to show that the
// op adds nothing around BLAS (no copies, no extra passes). Not a test: built only with
// -DKINDLING_BUILD_BENCH=ON, run by hand. Prints GFLOP/s (2*n^3 flops per product), best of
// interleaved runs, for square float32 matrices; "mm(a.t())" passes a transposed view.
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <vector>

#include "core/tensor.h"
#include "cpu/parallel.h"
#include "ops/ops.h"

using namespace kd;

namespace {

// Seconds per call of f over a stretch of about 0.1 s.
double seconds_per_call(const std::function<void()>& f) {
  using clock = std::chrono::steady_clock;
  int reps = 0;
  double elapsed = 0;
  auto start = clock::now();
  do {
    f();
    ++reps;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < 0.1);
  return elapsed / reps;
}

// Best time of each contender; rounds interleave them so that load from other processes on
// a shared machine falls on all of them alike.
std::vector<double> best_seconds(const std::vector<std::function<void()>>& fs, int rounds) {
  std::vector<double> best(fs.size(), 1e30);
  for (const auto& f : fs) f();  // warm-up: BLAS buffers, page faults
  for (int r = 0; r < rounds; ++r)
    for (size_t i = 0; i < fs.size(); ++i) best[i] = std::min(best[i], seconds_per_call(fs[i]));
  return best;
}

}  // namespace

int main() {
  std::printf("OpenBLAS: %s\ncore: %s, BLAS threads: %d, Kindling threads: %d\n",
              openblas_get_config(), openblas_get_corename(), openblas_get_num_threads(),
              cpu::num_threads());
  std::printf("%6s %14s %14s %14s %8s\n", "n", "cblas_sgemm", "ops::mm", "mm(a.t(), b)",
              "mm/cblas");
  ops::manual_seed(0);
  for (int64_t n : {128, 256, 512, 1024, 2048}) {
    Tensor a = ops::randn(Dims{n, n}, DType::Float32);
    Tensor b = ops::randn(Dims{n, n}, DType::Float32);
    Tensor c = Tensor::empty(Dims{n, n}, DType::Float32);
    Tensor at = ops::transpose(ops::contiguous(ops::transpose(a, 0, 1)), 0, 1);  // same values
    int ni = static_cast<int>(n);
    std::vector<double> t = best_seconds(
        {[&] {
           cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0f,
                       a.data<float>(), ni, b.data<float>(), ni, 0.0f, c.data<float>(), ni);
         },
         [&] { ops::mm(a, b); }, [&] { ops::mm(at, b); }},
        7);
    double t_blas = t[0], t_mm = t[1], t_mmt = t[2];
    double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
    std::printf("%6lld %14.1f %14.1f %14.1f %8.3f\n", static_cast<long long>(n),
                flops / t_blas * 1e-9, flops / t_mm * 1e-9, flops / t_mmt * 1e-9,
                t_blas / t_mm);
  }
  return 0;
}
