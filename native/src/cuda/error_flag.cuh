// A device-side error report for kernels that must validate data they only see on the device
// (index values, an integer divisor of zero). The flag holds the smallest element offset at which
// a kernel found a bad value (atomicMin), or kNoError; the host reads it back once after the
// launches (which synchronises) and, on an error, fetches the offending value itself, so the
// message names the same value every run whatever the thread schedule.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "cuda/common.cuh"

namespace kd {
namespace cuda {

constexpr unsigned long long kNoError = ~0ULL;

// Records that the element at `offset` is bad (the smallest such offset wins).
__device__ __forceinline__ void report_bad(unsigned long long* flag, int64_t offset) {
  atomicMin(flag, static_cast<unsigned long long>(offset));
}

class ErrorFlag {
 public:
  // Allocates the flag on the current device and sets it to kNoError on the current stream.
  ErrorFlag() : device_(current_device()) {
    ptr_ = static_cast<unsigned long long*>(allocate(sizeof(unsigned long long), device_));
    cudaError_t err = cudaMemsetAsync(ptr_, 0xFF, sizeof(unsigned long long), current_stream());
    if (err != cudaSuccess) {
      release(ptr_, sizeof(unsigned long long), device_);
      raise_cuda_error(err, "cudaMemsetAsync(error flag)", __FILE__, __LINE__);
    }
  }
  ~ErrorFlag() { release(ptr_, sizeof(unsigned long long), device_); }
  ErrorFlag(const ErrorFlag&) = delete;
  ErrorFlag& operator=(const ErrorFlag&) = delete;

  unsigned long long* get() const { return ptr_; }
  // Waits for the kernels before it and returns the flag (kNoError when nothing was reported).
  unsigned long long read() const {
    unsigned long long v = kNoError;
    memcpy_d2h(&v, ptr_, sizeof(v), device_);
    return v;
  }
  int32_t device() const { return device_; }

 private:
  int32_t device_;
  unsigned long long* ptr_;
};

}  // namespace cuda
}  // namespace kd
