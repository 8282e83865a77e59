// Device checks shared by every op that takes several tensors: PyTorch refuses to mix devices
// (nothing is copied behind the user's back), and says so in one fixed sentence.
#include "ops/dispatch.h"

#include <string>

namespace kd {

std::string device_str(Device device, int32_t index) {
  if (device == Device::CPU) return "cpu";
  return "cuda:" + std::to_string(index);
}

std::string device_str(const Tensor& t) { return device_str(t.device(), t.device_index()); }

std::string device_mismatch_message(const char* op, const std::string& a, const std::string& b) {
  return str(op, ": Expected all tensors to be on the same device, but found at least two "
             "devices, ", a, " and ", b, "!");
}

void check_devices(const char* op, std::initializer_list<const Tensor*> ts) {
  const Tensor* first = nullptr;
  for (const Tensor* t : ts) {
    if (!t || !t->defined()) continue;
    if (!first) {
      first = t;
      continue;
    }
    if (t->device() != first->device() || t->device_index() != first->device_index())
      fail(KD_ERR_ARGUMENT, device_mismatch_message(op, device_str(*first), device_str(*t)));
  }
}

}  // namespace kd
