// libFuzzer target: the zip reader (directory, zip64, bounds, CRC) and, on top of it, the whole
// torch.save reader (zip + restricted pickle + storages) on arbitrary bytes.
#include <vector>

#include "core/error.h"
#include "io/byte_source.h"
#include "io/torch_file.h"
#include "io/zip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kd::io;
  MemorySource src(data, size);
  try {
    ZipReader zip(src);
    for (const ZipEntry& e : zip.entries()) {
      if (e.size > (1u << 20)) continue;
      std::vector<uint8_t> buf(static_cast<size_t>(e.size));
      try { zip.read(e, buf.data()); } catch (const kd::Error&) {}
    }
  } catch (const kd::Error&) {
  }
  try {
    read_torch_file(src);
  } catch (const kd::Error&) {
  }
  return 0;
}
