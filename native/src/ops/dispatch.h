// Kernel dispatch by device: the ops layer validates and allocates, then KD_KERNEL(t, name, args)
// calls cpu::name(args) for a CPU tensor t, or makes t's CUDA device current and calls
// cuda::name(args). Both backends declare every kernel with one signature (cpu/*.h, cuda/cuda.h);
// a build without CUDA links cuda/absent.cpp, whose kernels are unreachable because no CUDA
// tensor can be allocated there.
#pragma once
#include "core/tensor.h"
#include "cpu/batch_norm.h"
#include "cpu/conv.h"
#include "cpu/kernels.h"
#include "cpu/optim.h"
#include "cpu/pool.h"
#include "cuda/cuda.h"

#define KD_KERNEL(t, name, ...)                         \
  do {                                                  \
    if ((t).device() == ::kd::Device::CPU) {            \
      ::kd::cpu::name(__VA_ARGS__);                     \
    } else {                                            \
      ::kd::cuda::set_device((t).device_index());       \
      ::kd::cuda::name(__VA_ARGS__);                    \
    }                                                   \
  } while (0)

namespace kd {

// "cpu" or "cuda:0" (for messages).
std::string device_str(const Tensor& t);
std::string device_str(Device device, int32_t index);

// "op: Expected all tensors to be on the same device, but found at least two devices, a and b!"
std::string device_mismatch_message(const char* op, const std::string& a, const std::string& b);

// Fails with PyTorch's wording unless every defined tensor is on the first one's device.
// ("Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!")
void check_devices(const char* op, std::initializer_list<const Tensor*> ts);

}  // namespace kd
