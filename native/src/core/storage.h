// Storage: a refcounted buffer of bytes on one device, shared by every view of it. Its version
// counter is bumped by each in-place write so autograd can detect a modified saved tensor.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/ref.h"

namespace kd {

enum class Device : int32_t { CPU = 0, CUDA = 1 };

class Storage : public RefCounted {
 public:
  // Allocates nbytes (64-byte aligned, uninitialised) on the device.
  static Ref<Storage> allocate(size_t nbytes, Device device = Device::CPU);
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

  static int64_t live_bytes();

 private:
  Storage(void* data, size_t nbytes, Device device)
      : data_(data), nbytes_(nbytes), device_(device) {}
  void* data_;
  size_t nbytes_;
  Device device_;
  std::atomic<uint64_t> version_{0};
};

}  // namespace kd
