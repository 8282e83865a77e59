// Size classes are four steps per power of two (at most 25% slack); each class keeps a stack of
// free blocks. The total cached is capped so that a burst of large temporaries cannot pin memory.
#include "core/host_cache.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

namespace kd {
namespace host_cache {

namespace {

constexpr int64_t kCapBytes = int64_t(1) << 30;  // 1 GiB of idle blocks at most

struct Cache {
  std::mutex m;
  std::map<size_t, std::vector<void*>> free_blocks;
  int64_t cached = 0;
};

Cache& cache() {
  static Cache* c = new Cache();  // leaked on purpose: tensors may die during exit
  return *c;
}

size_t size_class(size_t n) {
  size_t p = 1;
  while (p < n / 4) p <<= 1;  // p = the quarter step of n's power of two
  return (n + p - 1) / p * p;
}

void* allocate_aligned(size_t n) {
  void* data = nullptr;
  if (posix_memalign(&data, 64, n) != 0) return nullptr;
  return data;
}

}  // namespace

void* acquire(size_t nbytes, size_t* class_bytes) {
  const size_t n = size_class((nbytes + 63) / 64 * 64);
  *class_bytes = n;
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lk(c.m);
    auto it = c.free_blocks.find(n);
    if (it != c.free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      c.cached -= static_cast<int64_t>(n);
      return p;
    }
  }
  void* p = allocate_aligned(n);
  if (p == nullptr) {
    empty();
    p = allocate_aligned(n);
  }
  return p;
}

void release(void* p, size_t class_bytes) {
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lk(c.m);
    if (c.cached + static_cast<int64_t>(class_bytes) <= kCapBytes) {
      c.free_blocks[class_bytes].push_back(p);
      c.cached += static_cast<int64_t>(class_bytes);
      return;
    }
  }
  std::free(p);
}

void empty() {
  std::map<size_t, std::vector<void*>> blocks;
  {
    Cache& c = cache();
    std::lock_guard<std::mutex> lk(c.m);
    blocks.swap(c.free_blocks);
    c.cached = 0;
  }
  for (auto& kv : blocks)
    for (void* p : kv.second) std::free(p);
}

int64_t cached_bytes() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lk(c.m);
  return c.cached;
}

}  // namespace host_cache
}  // namespace kd
