// Storage: a refcounted buffer of bytes on one device, shared by every view of it. Its version
// counter is bumped by each in-place write so autograd can detect a modified saved tensor.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/ref.h"

namespace kd {

enum class Device : int32_t { CPU = 0, CUDA = 1 };

class Storage : public RefCounted {
 public:
  // Allocates nbytes (64-byte aligned, uninitialised) on the device (index: which CUDA device).
  static Ref<Storage> allocate(size_t nbytes, Device device = Device::CPU, int32_t index = 0);
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  int32_t device_index() const { return device_index_; }
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

  static int64_t live_bytes();

  // Storages come from malloc (see allocate); these keep `delete` consistent with that.
  static void* operator new(size_t) = delete;
  static void* operator new(size_t, void* where) { return where; }
  static void operator delete(void* p) { std::free(p); }

 private:
  Storage(void* data, size_t nbytes, Device device, bool inline_data, int32_t index = 0)
      : data_(data), nbytes_(nbytes), device_(device), device_index_(index), inline_(inline_data) {}
  void* data_;
  size_t nbytes_;
  Device device_;
  int32_t device_index_;  // 0 on CPU
  bool inline_;  // data lives in the same block as this header (small storages)
  size_t cache_class_ = 0;  // non-zero: data came from host_cache with this size class
  std::atomic<uint64_t> version_{0};
};

}  // namespace kd
