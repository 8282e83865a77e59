// The CUDA runtime side of the backend: device discovery that never throws (a machine without a
// driver or GPU simply has 0 devices), one stream per device, host<->device copies, and the
// caching allocator. cudaMalloc/cudaFree synchronise the whole device and cost tens of
// microseconds, so freed blocks are kept in per-size-class free lists and handed out again; all
// work of a device runs on its one stream, so a block freed after queued kernels can be reused
// by kernels queued later on the same stream without waiting.
#include <cuda_runtime.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cuda/common.cuh"

namespace kd {
namespace cuda {

void raise_cuda_error(cudaError_t err, const char* what, const char* file, int line) {
  const int code = err == cudaErrorMemoryAllocation ? KD_ERR_MEMORY : KD_ERR_INTERNAL;
  cudaGetLastError();  // clear a sticky-free error so later calls can report their own
  fail(code, "CUDA error: ", cudaGetErrorString(err), " (", cudaGetErrorName(err), ") in ", what,
       " at ", file, ":", line);
}

namespace {

constexpr int kMaxDevices = 64;

struct Discovery {
  int count = 0;
  std::string reason;
};

const Discovery& discovery() {
  static const Discovery d = [] {
    Discovery r;
    int n = 0;
    cudaError_t err = cudaGetDeviceCount(&n);
    if (err != cudaSuccess) {
      cudaGetLastError();
      r.reason = std::string("CUDA is not available: ") + cudaGetErrorString(err);
      return r;
    }
    if (n <= 0) {
      r.reason = "CUDA is not available: no CUDA device was found";
      return r;
    }
    r.count = n < kMaxDevices ? n : kMaxDevices;
    return r;
  }();
  return d;
}

// Size classes: 512-byte steps up to 1 MiB, then 2 MiB steps (large tensors waste < 2 MiB).
size_t size_class(size_t n) {
  if (n == 0) n = 1;
  if (n <= (1u << 20)) return (n + 511) / 512 * 512;
  const size_t step = 2u << 20;
  return (n + step - 1) / step * step;
}

struct DeviceState {
  std::mutex mu;
  std::map<size_t, std::vector<void*>> free_blocks;  // size class -> blocks
  int64_t allocated = 0;                             // bytes (by class) handed to tensors
  int64_t cached = 0;                                // bytes (by class) in free lists
  cudaStream_t stream = nullptr;
  std::once_flag stream_once;
};

DeviceState& state(int32_t device) {
  static DeviceState states[kMaxDevices];
  return states[device];
}

thread_local int32_t t_current = -1;

// Frees every cached block of one device (its lock held by the caller).
void free_cached_locked(int32_t device, DeviceState& s) {
  if (s.free_blocks.empty()) return;
  int32_t prev = -1;
  cudaGetDevice(&prev);
  if (prev != device) cudaSetDevice(device);
  for (auto& kv : s.free_blocks)
    for (void* p : kv.second) cudaFree(p);
  s.free_blocks.clear();
  s.cached = 0;
  if (prev != device && prev >= 0) cudaSetDevice(prev);
}

}  // namespace

bool built() { return true; }

int device_count() { return discovery().count; }

std::string unavailable_reason() { return discovery().reason; }

void check_device(int32_t index, const char* op) {
  const Discovery& d = discovery();
  if (d.count == 0) fail(KD_ERR_UNSUPPORTED, op, ": ", d.reason);
  if (index < 0 || index >= d.count)
    fail(KD_ERR_UNSUPPORTED, op, ": CUDA device ", index, " does not exist (this machine has ",
         d.count, d.count == 1 ? " device)" : " devices)");
}

void set_device(int32_t index) {
  if (t_current == index) return;
  KD_CUDA_CHECK(cudaSetDevice(index));
  t_current = index;
}

int32_t current_device() {
  if (t_current < 0) {
    int d = 0;
    KD_CUDA_CHECK(cudaGetDevice(&d));
    t_current = d;
  }
  return t_current;
}

cudaStream_t stream(int32_t device) {
  DeviceState& s = state(device);
  std::call_once(s.stream_once, [&] {
    int32_t prev = current_device();
    set_device(device);
    KD_CUDA_CHECK(cudaStreamCreateWithFlags(&s.stream, cudaStreamNonBlocking));
    set_device(prev);
  });
  return s.stream;
}

cudaStream_t current_stream() { return stream(current_device()); }

void* allocate(size_t nbytes, int32_t device) {
  check_device(device, "allocate");
  const size_t cls = size_class(nbytes);
  DeviceState& s = state(device);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.free_blocks.find(cls);
    if (it != s.free_blocks.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      s.cached -= static_cast<int64_t>(cls);
      s.allocated += static_cast<int64_t>(cls);
      return p;
    }
  }
  set_device(device);
  void* p = nullptr;
  cudaError_t err = cudaMalloc(&p, cls);
  if (err == cudaErrorMemoryAllocation) {
    // Give the cache back to the driver and try once more.
    cudaGetLastError();
    KD_CUDA_CHECK(cudaStreamSynchronize(stream(device)));
    {
      std::lock_guard<std::mutex> lock(s.mu);
      free_cached_locked(device, s);
    }
    err = cudaMalloc(&p, cls);
  }
  if (err != cudaSuccess) {
    cudaGetLastError();
    size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    std::lock_guard<std::mutex> lock(s.mu);
    fail(err == cudaErrorMemoryAllocation ? KD_ERR_MEMORY : KD_ERR_INTERNAL,
         "CUDA out of memory: tried to allocate ", nbytes, " bytes on cuda:", device, " (",
         s.allocated, " bytes in use by tensors, ", free_b, " of ", total_b,
         " bytes free on the device): ", cudaGetErrorString(err));
  }
  std::lock_guard<std::mutex> lock(s.mu);
  s.allocated += static_cast<int64_t>(cls);
  return p;
}

void release(void* ptr, size_t nbytes, int32_t device) {
  if (ptr == nullptr) return;
  const size_t cls = size_class(nbytes);
  DeviceState& s = state(device);
  std::lock_guard<std::mutex> lock(s.mu);
  s.free_blocks[cls].push_back(ptr);
  s.allocated -= static_cast<int64_t>(cls);
  s.cached += static_cast<int64_t>(cls);
}

int64_t allocated_bytes(int32_t device) {
  if (device < 0 || device >= device_count()) return 0;
  DeviceState& s = state(device);
  std::lock_guard<std::mutex> lock(s.mu);
  return s.allocated;
}

int64_t cached_bytes(int32_t device) {
  if (device < 0 || device >= device_count()) return 0;
  DeviceState& s = state(device);
  std::lock_guard<std::mutex> lock(s.mu);
  return s.cached;
}

void empty_cache() {
  for (int32_t d = 0; d < device_count(); ++d) {
    DeviceState& s = state(d);
    // Blocks still referenced by queued kernels were released to the cache only after those
    // kernels were queued; wait for them before handing the memory back.
    set_device(d);
    KD_CUDA_CHECK(cudaStreamSynchronize(stream(d)));
    std::lock_guard<std::mutex> lock(s.mu);
    free_cached_locked(d, s);
  }
}

void memcpy_h2d(void* dst, const void* src, size_t n, int32_t device) {
  if (n == 0) return;
  set_device(device);
  // From pageable memory the runtime stages the source before returning, so the caller may free
  // it at once; the copy itself stays ordered on the stream.
  KD_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, stream(device)));
}

void memcpy_d2h(void* dst, const void* src, size_t n, int32_t device) {
  if (n == 0) return;
  set_device(device);
  KD_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToHost, stream(device)));
  KD_CUDA_CHECK(cudaStreamSynchronize(stream(device)));
}

void memcpy_d2d(void* dst, const void* src, size_t n, int32_t device) {
  if (n == 0) return;
  set_device(device);
  KD_CUDA_CHECK(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, stream(device)));
}

void synchronize(int32_t device) {
  check_device(device, "synchronize");
  set_device(device);
  KD_CUDA_CHECK(cudaStreamSynchronize(stream(device)));
}

}  // namespace cuda
}  // namespace kd
