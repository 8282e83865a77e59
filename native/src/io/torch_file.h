// Reader for files written by PyTorch's torch.save (the zip format of PyTorch >= 1.6): a zip
// archive "<name>/data.pkl" + "<name>/data/<key>" storages (+ "<name>/version"). The pickle is run
// by the restricted Unpickler, so only tensors and plain containers load; nothing is executed.
//
// Result: every distinct tensor once (named by its path from the root, keys joined with '.', list
// and tuple positions as numbers), and the structure as JSON text in this encoding:
//   None -> null, bool -> true/false, int -> an integer literal, float -> a literal with '.' or
//   an exponent (non-finite: {"$float": "nan" | "inf" | "-inf"}), str -> a string,
//   list -> [..], tuple -> {"$tuple": [..]}, dict -> {"$dict": [[key, value], ..]},
//   OrderedDict -> {"$ordered_dict": [[key, value], ..]}, tensor -> {"$tensor": index}.
// Dict keys are strings or integers, in insertion order.
#pragma once
#include <cstdint>
#include <string>

#include "io/byte_source.h"
#include "io/loaded_file.h"
#include "io/pickle.h"

namespace kd::io {

LoadedFile read_torch_file(const ByteSource& src);

// Converts an unpickled root object to tensors + structure (shared by the fuzz target).
LoadedFile to_loaded_file(const PyObj* root, const std::string& what);

// Storage bytes as stored by torch (little-endian), converted to storage_loaded_dtype(type).
Ref<Storage> convert_storage(const uint8_t* bytes, TorchStorageType type, int64_t numel);

}  // namespace kd::io
