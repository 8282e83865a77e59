// libFuzzer target: the safetensors reader on arbitrary bytes. A file it accepts must survive a
// round trip: written again and re-read, it gives the same names, dtypes, shapes and bytes.
#include <cstring>

#include "core/error.h"
#include "io/byte_source.h"
#include "io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kd::io;
  LoadedFile f;
  try {
    MemorySource src(data, size);
    f = read_safetensors(src);
  } catch (const kd::Error&) {
    return 0;
  }
  std::vector<uint8_t> again = serialize_safetensors(f.tensors, f.metadata);
  MemorySource src2(again.data(), again.size());
  LoadedFile g = read_safetensors(src2);  // must not throw
  if (g.tensors.size() != f.tensors.size() || g.metadata.size() != f.metadata.size()) __builtin_trap();
  for (const NamedTensor& a : f.tensors) {
    const NamedTensor* b = nullptr;
    for (const NamedTensor& x : g.tensors)
      if (x.name == a.name) b = &x;
    if (!b || b->tensor.dtype() != a.tensor.dtype() || b->tensor.sizes() != a.tensor.sizes()) __builtin_trap();
    size_t n = static_cast<size_t>(a.tensor.numel()) * kd::element_size(a.tensor.dtype());
    if (n && std::memcmp(a.tensor.raw_data(), b->tensor.raw_data(), n) != 0) __builtin_trap();
  }
  return 0;
}
