// What a file reader hands back: named tensors in file order, safetensors' __metadata__ pairs,
// and (for torch.save files) the container structure as JSON text in which tensors appear as
// {"$tensor": index} placeholders. The C API keeps one of these behind an opaque handle.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace kd::io {

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

struct LoadedFile {
  std::vector<NamedTensor> tensors;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::string structure;
};

}  // namespace kd::io
