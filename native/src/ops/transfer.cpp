// Moving data between devices: to_device and the cross-device half of copy_. Why staging: the
// runtime copies bytes, not layouts, so the source is first made contiguous in its own dtype on
// its own device (one kernel there), the bytes cross, and any dtype or stride change happens on
// the destination (one kernel there). Device-to-host copies wait for the device; host-to-device
// copies are queued on the device's stream like any kernel.
#include <cstring>
#include <vector>

#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

// Moves nbytes from src (on src_dev/src_idx) to dst (on dst_dev/dst_idx).
void move_bytes(void* dst, Device dst_dev, int32_t dst_idx, const void* src, Device src_dev,
                int32_t src_idx, size_t nbytes) {
  if (nbytes == 0) return;
  if (src_dev == Device::CPU && dst_dev == Device::CPU) {
    std::memcpy(dst, src, nbytes);
  } else if (src_dev == Device::CPU) {
    cuda::memcpy_h2d(dst, src, nbytes, dst_idx);
  } else if (dst_dev == Device::CPU) {
    cuda::memcpy_d2h(dst, src, nbytes, src_idx);
  } else if (src_idx == dst_idx) {
    cuda::memcpy_d2d(dst, src, nbytes, dst_idx);
  } else {
    // Between two GPUs through the host: simple, and correct without peer access.
    std::vector<char> host(nbytes);
    cuda::memcpy_d2h(host.data(), src, nbytes, src_idx);
    cuda::memcpy_h2d(dst, host.data(), nbytes, dst_idx);
  }
}

bool same_place(const Tensor& t, Device device, int32_t index) {
  return t.device() == device && (device == Device::CPU || t.device_index() == index);
}

}  // namespace

Tensor to_device(const Tensor& t, Device device, int32_t index) {
  if (device != Device::CPU && device != Device::CUDA)
    fail(KD_ERR_ARGUMENT, "to: unknown device code ", static_cast<int32_t>(device));
  if (device == Device::CPU) index = 0;
  if (same_place(t, device, index)) return t;
  if (device == Device::CUDA) cuda::check_device(index, "to");
  Tensor out = Tensor::empty(t.sizes(), t.dtype(), device, index);
  copy_across_devices(out, t);
  return out;
}

void copy_across_devices(const Tensor& dst, const Tensor& src) {
  KD_CHECK(dst.sizes() == src.sizes(), "copy_: internal error: cross-device copy of shape ",
           src.shape_str(), " into ", dst.shape_str());
  if (dst.numel() == 0) return;
  // Contiguous in its own dtype, on its own device (expanded sources are materialised here).
  Tensor s = src;
  if (!s.is_contiguous()) {
    s = Tensor::empty_like_device(src.sizes(), src.dtype(), src);
    KD_KERNEL(s, copy_kernel, s, src);
  }
  const size_t nbytes = static_cast<size_t>(s.numel()) * element_size(s.dtype());
  if (dst.is_contiguous() && dst.dtype() == s.dtype()) {
    move_bytes(dst.raw_data(), dst.device(), dst.device_index(), s.raw_data(), s.device(),
               s.device_index(), nbytes);
    return;
  }
  Tensor staged = Tensor::empty_like_device(dst.sizes(), s.dtype(), dst);
  move_bytes(staged.raw_data(), dst.device(), dst.device_index(), s.raw_data(), s.device(),
             s.device_index(), nbytes);
  KD_KERNEL(dst, copy_kernel, dst, staged);
}

}  // namespace ops
}  // namespace kd
