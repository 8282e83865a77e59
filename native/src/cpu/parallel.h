// parallel_for: Kindling's one CPU thread pool. Work is split into contiguous ranges; small
// ranges (under `grain` items) run inline on the caller, so tiny ops pay nothing. The pool is
// never used from inside BLAS calls, so it does not oversubscribe with BLAS's own threads.
#pragma once
#include <cstdint>
#include <functional>

namespace kd {
namespace cpu {

int num_threads();
void set_num_threads(int n);

// Runs f(begin, end) over [0, n) split across the pool. f must not throw... exceptions thrown
// by f are caught and the first one is rethrown on the calling thread.
void parallel_for_impl(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f);

template <typename F>
inline void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= grain || num_threads() <= 1) {
    if (n > 0) f(int64_t(0), n);
    return;
  }
  parallel_for_impl(n, grain, std::function<void(int64_t, int64_t)>(f));
}

// Elements per task below which elementwise loops stay on one thread.
constexpr int64_t kGrain = 32768;

}  // namespace cpu
}  // namespace kd
