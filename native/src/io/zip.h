// A read-only zip reader for the archives torch.save writes: it reads the central directory
// (zip64 included, for files over 4 GiB), accepts only stored (uncompressed) entries — torch never
// compresses — and refuses encryption, multi-disk archives and duplicate names. Every offset and
// size is checked against the file before use, and entry data is checked against its CRC-32.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/byte_source.h"

namespace kd::io {

struct ZipEntry {
  std::string name;
  uint64_t data_offset = 0;  // where the stored bytes start in the file
  uint64_t size = 0;
  uint32_t crc32 = 0;
};

class ZipReader {
 public:
  // Parses the directory; throws kd::Error naming the file and the problem.
  explicit ZipReader(const ByteSource& src);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  // The entry with this exact name, or null.
  const ZipEntry* find(const std::string& name) const;
  // Copies an entry's bytes into dst (entry.size bytes) and verifies the CRC-32.
  void read(const ZipEntry& e, void* dst) const;
  // An entry's bytes as a string, refusing entries larger than max_size.
  std::string read_string(const ZipEntry& e, uint64_t max_size) const;

  // True when the source starts like a zip file (local header signature "PK\3\4").
  static bool looks_like_zip(const ByteSource& src);

 private:
  const ByteSource& src_;
  std::vector<ZipEntry> entries_;
  std::unordered_map<std::string, size_t> index_;  // name -> position in entries_
};

uint32_t crc32(const void* data, size_t n, uint32_t crc = 0);

}  // namespace kd::io
