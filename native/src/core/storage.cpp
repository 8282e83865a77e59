// CPU storage allocation and the live-bytes counter used by leak tests.
#include "core/storage.h"

#include <cstdlib>
#include <new>

#include "core/error.h"
#include "core/host_cache.h"
#include "cuda/cuda.h"

namespace kd {

namespace {
std::atomic<int64_t> g_live_bytes{0};
}

// Small storages (the per-op fast path: scalars, biases, losses) live in one malloc block with
// their header, which glibc serves from its thread cache; large ones get a separate 64-byte
// aligned block so vector loads stay aligned.
constexpr size_t kHeader = (sizeof(Storage) + 63) / 64 * 64;
constexpr size_t kInlineMax = 512;

Ref<Storage> Storage::allocate(size_t nbytes, Device device, int32_t index) {
  if (device == Device::CUDA) {
    // Device memory from the CUDA backend's caching allocator; only the header is on the host.
    void* data = cuda::allocate(nbytes, index);
    void* block = std::malloc(sizeof(Storage));
    if (!block) {
      cuda::release(data, nbytes, index);
      fail(KD_ERR_MEMORY, "allocate: out of memory allocating a storage header");
    }
    g_live_bytes.fetch_add(static_cast<int64_t>(nbytes), std::memory_order_relaxed);
    return Ref<Storage>::adopt(new (block) Storage(data, nbytes, device, false, index));
  }
  if (device != Device::CPU) fail(KD_ERR_UNSUPPORTED, "allocate: no allocator for device ", int(device));
  if (nbytes <= kInlineMax) {
    void* block = std::malloc(kHeader + (nbytes == 0 ? 16 : nbytes));
    if (!block) fail(KD_ERR_MEMORY, "allocate: out of memory allocating ", nbytes, " bytes");
    g_live_bytes.fetch_add(static_cast<int64_t>(nbytes), std::memory_order_relaxed);
    return Ref<Storage>::adopt(new (block) Storage(static_cast<char*>(block) + kHeader, nbytes, device, true));
  }
  void* data = nullptr;
  size_t n = (nbytes + 63) / 64 * 64, class_bytes = 0;
  if (n >= host_cache::kMinBytes) {
    data = host_cache::acquire(n, &class_bytes);
  } else if (posix_memalign(&data, 64, n) != 0) {
    data = nullptr;
  }
  if (data == nullptr) fail(KD_ERR_MEMORY, "allocate: out of memory allocating ", nbytes, " bytes");
  void* block = std::malloc(sizeof(Storage));
  if (!block) {
    if (class_bytes) host_cache::release(data, class_bytes);
    else std::free(data);
    fail(KD_ERR_MEMORY, "allocate: out of memory allocating ", nbytes, " bytes");
  }
  g_live_bytes.fetch_add(static_cast<int64_t>(nbytes), std::memory_order_relaxed);
  Storage* s = new (block) Storage(data, nbytes, device, false);
  s->cache_class_ = class_bytes;
  return Ref<Storage>::adopt(s);
}

Storage::~Storage() {
  g_live_bytes.fetch_sub(static_cast<int64_t>(nbytes_), std::memory_order_relaxed);
  if (inline_) return;
  if (device_ == Device::CUDA) {
    cuda::release(data_, nbytes_, device_index_);
    return;
  }
  if (cache_class_) host_cache::release(data_, cache_class_);
  else std::free(data_);
}

int64_t Storage::live_bytes() { return g_live_bytes.load(std::memory_order_relaxed); }

}  // namespace kd
