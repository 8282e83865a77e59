// A small fixed pool of worker threads (num_threads - 1 workers plus the caller).
#include "cpu/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace kd {
namespace cpu {

namespace {

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
      pending_ = tasks - 1;
      error_ = nullptr;
      ++generation_;
    }
    cv_.notify_all();
    in_region_ = true;
    run_task(0);
    in_region_ = false;
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [&] { return pending_ == 0; });
    job_ = nullptr;
    if (error_) {
      auto e = error_;
      error_ = nullptr;
      std::rethrow_exception(e);
    }
  }

 private:
  Pool() {
    unsigned hw = std::thread::hardware_concurrency();
    threads_ = hw == 0 ? 1 : static_cast<int>(hw);
    start_workers();
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
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [&] { return stop_ || (generation_ != seen && next_task_ < job_tasks_); });
        if (stop_) return;
        task = next_task_++;
        if (next_task_ >= job_tasks_) seen = generation_;
      }
      run_task(task);
      {
        std::lock_guard<std::mutex> lk(m_);
        if (--pending_ == 0) done_cv_.notify_one();
      }
    }
  }

  void start_workers() {
    stop_ = false;
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker(); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
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
  int64_t job_n_ = 0, job_tasks_ = 0, next_task_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
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
