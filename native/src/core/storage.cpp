// CPU storage allocation and the live-bytes counter used by leak tests.
#include "core/storage.h"

#include <cstdlib>
#include <new>

#include "core/error.h"

namespace kd {

namespace {
std::atomic<int64_t> g_live_bytes{0};
}

Ref<Storage> Storage::allocate(size_t nbytes, Device device) {
  if (device != Device::CPU) fail(KD_ERR_UNSUPPORTED, "allocate: no allocator for device ", int(device));
  void* p = nullptr;
  // Always allocate at least one cache line so data() is never null.
  size_t n = nbytes == 0 ? 64 : (nbytes + 63) / 64 * 64;
  if (posix_memalign(&p, 64, n) != 0 || p == nullptr) {
    fail(KD_ERR_MEMORY, "allocate: out of memory allocating ", nbytes, " bytes");
  }
  g_live_bytes.fetch_add(static_cast<int64_t>(nbytes), std::memory_order_relaxed);
  return Ref<Storage>::adopt(new Storage(p, nbytes, device));
}

Storage::~Storage() {
  g_live_bytes.fetch_sub(static_cast<int64_t>(nbytes_), std::memory_order_relaxed);
  std::free(data_);
}

int64_t Storage::live_bytes() { return g_live_bytes.load(std::memory_order_relaxed); }

}  // namespace kd
