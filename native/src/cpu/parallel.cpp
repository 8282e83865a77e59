// A small fixed pool of worker threads (num_threads - 1 workers plus the caller).
//
// Why the waits spin first: a training step is a chain of many short parallel regions (an
// elementwise op on a few MB takes 100-500 us), and a worker parked on the condition variable
// needs a futex wake-up of 5-30 us for each — on 2 cores that was several percent of a small CNN's
// step. So a worker that finishes a task polls for the next region for a short while (kSpin, 2 ms)
// before it sleeps, and the caller polls for the workers' last task before it sleeps, as
// OpenMP runtimes do by default (PyTorch's CPU threads spin the same way). Idle for longer than
// that, the threads sleep and cost nothing.
#include "cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace kd {
namespace cpu {

namespace {

// How long a waiting thread polls before it sleeps: 2 ms, or KINDLING_POOL_SPIN_US (0 = sleep at
// once, for a machine shared with other busy processes). On the fashion-classifier (2 cores,
// 300 batches): 14.4 s without spinning, 13.3 s at 0.5 ms, 12.4-12.9 s at 2 ms, no better beyond.
const std::chrono::microseconds kSpin = [] {
  const char* v = std::getenv("KINDLING_POOL_SPIN_US");
  long us = v ? std::strtol(v, nullptr, 10) : 2000;
  return std::chrono::microseconds(us < 0 ? 0 : us);
}();

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls done() until it holds or kSpin has passed; true when it holds.
template <typename F>
bool spin_until(F done) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0;; ++i) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() - start > kSpin) return false;
  }
}

class Pool {
 public:
  static Pool& get() {
    static Pool* pool = new Pool();  // leaked on purpose: no teardown order problems at exit
    return *pool;
  }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  void set_threads(int n) {
    std::lock_guard<std::mutex> run(run_mutex_);
    stop_workers();
    threads_ = std::max(1, n);
    start_workers();
  }

  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f) {
    // One parallel region at a time; a nested or concurrent call runs inline.
    std::unique_lock<std::mutex> run(run_mutex_, std::try_to_lock);
    if (!run.owns_lock() || in_region_) {
      f(0, n);
      return;
    }
    int64_t tasks = std::min<int64_t>(threads(), (n + grain - 1) / grain);
    if (tasks <= 1) {
      f(0, n);
      return;
    }
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = &f;
      job_n_ = n;
      job_tasks_ = tasks;
      next_task_ = 1;  // task 0 runs on the caller
      pending_.store(tasks - 1, std::memory_order_relaxed);
      error_ = nullptr;
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    in_region_ = true;
    run_task(0);
    in_region_ = false;
    auto finished = [&] { return pending_.load(std::memory_order_acquire) == 0; };
    spin_until(finished);
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, finished);
    job_ = nullptr;
    if (error_) {
      auto e = error_;
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

 private:
  Pool() {
    threads_ = default_threads();
    start_workers();
  }

  // The CPUs this process may use: its affinity mask (taskset, cpusets), capped by a cgroup CPU
  // quota (a container's --cpus, v2 cpu.max or v1 cfs_quota_us) as the JVM's
  // availableProcessors() is. One thread per usable CPU: more would only take turns (and, with
  // the spinning waits, burn the quota).
  static int default_threads() {
    unsigned hw = std::thread::hardware_concurrency();
    long n = hw == 0 ? 1 : static_cast<long>(hw);
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) n = CPU_COUNT(&set);
    long quota = -1, period = 0;
    if (FILE* f = std::fopen("/sys/fs/cgroup/cpu.max", "r")) {
      char q[32] = {0};
      if (std::fscanf(f, "%31s %ld", q, &period) == 2 && std::strcmp(q, "max") != 0)
        quota = std::strtol(q, nullptr, 10);
      std::fclose(f);
    } else if (FILE* fq = std::fopen("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "r")) {
      if (std::fscanf(fq, "%ld", &quota) != 1) quota = -1;
      std::fclose(fq);
      if (FILE* fp = std::fopen("/sys/fs/cgroup/cpu/cpu.cfs_period_us", "r")) {
        if (std::fscanf(fp, "%ld", &period) != 1) period = 0;
        std::fclose(fp);
      }
    }
    if (quota > 0 && period > 0) n = std::min(n, std::max(1L, (quota + period - 1) / period));
#endif
    return static_cast<int>(std::max(1L, n));
  }

  void run_task(int64_t t) {
    int64_t chunk = (job_n_ + job_tasks_ - 1) / job_tasks_;
    int64_t b = t * chunk, e = std::min(job_n_, b + chunk);
    if (b >= e) return;
    try {
      (*job_)(b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lk(m_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void worker() {
    uint64_t seen = 0;
    for (;;) {
      int64_t task;
      // A new region shows as a new generation; the task itself is taken under the lock.
      spin_until([&] {
        return stop_flag_.load(std::memory_order_relaxed) ||
               generation_.load(std::memory_order_acquire) != seen;
      });
      {
        std::unique_lock<std::mutex> lk(m_);
        if (!stop_ && generation_.load(std::memory_order_relaxed) != seen && next_task_ >= job_tasks_) {
          // A region whose tasks the other workers took: back to polling for the next one.
          seen = generation_.load(std::memory_order_relaxed);
          continue;
        }
        cv_.wait(lk, [&] {
          return stop_ || (generation_.load(std::memory_order_relaxed) != seen && next_task_ < job_tasks_);
        });
        if (stop_) return;
        task = next_task_++;
        // One task per worker and region (a region has at most one task per worker besides the
        // caller's), so the worker then waits for the next region.
        seen = generation_.load(std::memory_order_relaxed);
      }
      run_task(task);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // Under the lock, so the caller cannot miss it between its check and its sleep.
        std::lock_guard<std::mutex> lk(m_);
        done_cv_.notify_one();
      }
    }
  }

  void start_workers() {
    stop_ = false;
    stop_flag_ = false;
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker(); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
      stop_flag_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  std::atomic<int> threads_{1};
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0, job_tasks_ = 0, next_task_ = 0;
  std::atomic<int64_t> pending_{0};
  std::atomic<uint64_t> generation_{0};
  bool stop_ = false;
  std::atomic<bool> stop_flag_{false};  // stop_, readable without the lock while spinning
  bool in_region_ = false;
  std::exception_ptr error_;
};

}  // namespace

int num_threads() { return Pool::get().threads(); }
void set_num_threads(int n) { Pool::get().set_threads(n); }

void parallel_for_impl(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& f) {
  Pool::get().run(n, grain, f);
}

}  // namespace cpu
}  // namespace kd
