// libFuzzer target: the restricted unpickler and the structure conversion on arbitrary bytes,
// with storages served from zeros (at most 64 Ki elements each).
#include <vector>

#include "core/error.h"
#include "io/pickle.h"
#include "io/torch_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kd::io;
  StorageLoader zeros = [](const std::string&, TorchStorageType type, int64_t numel) {
    if (numel > (1 << 16)) kd::fail(KD_ERR_ARGUMENT, "fuzz: storage too large");
    std::vector<uint8_t> raw(static_cast<size_t>(numel) * storage_element_size(type) + 1, 0);
    return convert_storage(raw.data(), type, numel);
  };
  try {
    Unpickler u(data, size, zeros, "fuzz");
    PyObj* root = u.load();
    to_loaded_file(root, "fuzz");
  } catch (const kd::Error&) {
  }
  return 0;
}
