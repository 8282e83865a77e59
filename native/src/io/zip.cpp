// Zip central-directory parsing with bounds checks at every step (see zip.h). Layout reference:
// PKWARE's APPNOTE.TXT, sections 4.3.7 (local header), 4.3.12 (central header), 4.3.14-16 (end
// records and zip64).
#include "io/zip.h"

#include <algorithm>

#include "core/error.h"

namespace kd::io {

namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint64_t kMaxEntries = 1u << 20;

uint16_t u16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
uint32_t u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
uint64_t u64(const uint8_t* p) { return static_cast<uint64_t>(u32(p)) | (static_cast<uint64_t>(u32(p + 4)) << 32); }

struct Crc32Table {
  uint32_t t[256];
  Crc32Table() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
  }
};

}  // namespace

uint32_t crc32(const void* data, size_t n, uint32_t crc) {
  static const Crc32Table table;
  const uint8_t* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = table.t[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

bool ZipReader::looks_like_zip(const ByteSource& src) {
  if (src.size() < 4) return false;
  uint8_t b[4];
  src.read(0, b, 4, "zip");
  return u32(b) == kLocalSig;
}

ZipReader::ZipReader(const ByteSource& src) : src_(src) {
  const std::string& file = src.name();
  uint64_t size = src.size();
  if (size < 22) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, " is too small to be a zip archive (", size, " bytes)");
  // The end record is the last 22 bytes plus a comment of up to 65535 bytes: search backwards.
  uint64_t tail_len = std::min<uint64_t>(size, 22 + 65535);
  std::string tail = src.read_string(size - tail_len, static_cast<size_t>(tail_len), "zip");
  const uint8_t* t = reinterpret_cast<const uint8_t*>(tail.data());
  int64_t found = -1;
  for (int64_t i = static_cast<int64_t>(tail_len) - 22; i >= 0; --i) {
    if (u32(t + i) == kEndSig && static_cast<uint64_t>(i) + 22 + u16(t + i + 20) == tail_len) {
      found = i;
      break;
    }
  }
  if (found < 0) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": no end-of-central-directory record (truncated or not a zip archive)");
  const uint8_t* end = t + found;
  uint64_t end_pos = size - tail_len + static_cast<uint64_t>(found);
  uint16_t disk = u16(end + 4), cd_disk = u16(end + 6);
  uint64_t count_disk = u16(end + 8), count = u16(end + 10);
  uint64_t cd_size = u32(end + 12), cd_offset = u32(end + 16);
  if (count == 0xFFFF || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu || count_disk == 0xFFFF) {
    // zip64: a locator just before the end record points at the zip64 end record.
    if (end_pos < 20) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": zip64 locator missing");
    uint8_t loc[20];
    src.read(end_pos - 20, loc, 20, "zip");
    if (u32(loc) != kZip64LocatorSig) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": zip64 locator missing");
    uint64_t z64 = u64(loc + 8);
    if (u32(loc + 16) > 1) kd::fail(KD_ERR_UNSUPPORTED, "zip: ", file, ": multi-disk archives are not supported");
    uint8_t rec[56];
    src.read(z64, rec, 56, "zip");
    if (u32(rec) != kZip64EndSig) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": bad zip64 end record");
    if (u32(rec + 16) != 0 || u32(rec + 20) != 0) kd::fail(KD_ERR_UNSUPPORTED, "zip: ", file, ": multi-disk archives are not supported");
    count_disk = u64(rec + 24);
    count = u64(rec + 32);
    cd_size = u64(rec + 40);
    cd_offset = u64(rec + 48);
  } else if (disk != 0 || cd_disk != 0) {
    kd::fail(KD_ERR_UNSUPPORTED, "zip: ", file, ": multi-disk archives are not supported");
  }
  if (count != count_disk) kd::fail(KD_ERR_UNSUPPORTED, "zip: ", file, ": multi-disk archives are not supported");
  if (count > kMaxEntries) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": too many entries (", count, ")");
  if (cd_offset > size || cd_size > size - cd_offset)
    kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": central directory [", cd_offset, ", +", cd_size, ") lies outside the file (truncated?)");
  std::string cd = src.read_string(cd_offset, static_cast<size_t>(cd_size), "zip");
  const uint8_t* c = reinterpret_cast<const uint8_t*>(cd.data());
  uint64_t pos = 0;
  for (uint64_t i = 0; i < count; ++i) {
    if (cd_size - pos < 46) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": central directory is truncated");
    const uint8_t* h = c + pos;
    if (u32(h) != kCentralSig) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": bad central directory entry signature");
    uint16_t flags = u16(h + 8), method = u16(h + 10);
    uint32_t crc = u32(h + 16);
    uint64_t csize = u32(h + 20), usize = u32(h + 24);
    uint16_t name_len = u16(h + 28), extra_len = u16(h + 30), comment_len = u16(h + 32);
    uint64_t disk_start = u16(h + 34);
    uint64_t local = u32(h + 42);
    uint64_t rec_len = 46ull + name_len + extra_len + comment_len;
    if (cd_size - pos < rec_len) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": central directory is truncated");
    std::string name(reinterpret_cast<const char*>(h + 46), name_len);
    // zip64 extended information: only the fields whose 32-bit value is saturated, in this order.
    const uint8_t* x = h + 46 + name_len;
    for (uint64_t xp = 0; xp + 4 <= extra_len;) {
      uint16_t id = u16(x + xp), len = u16(x + xp + 2);
      if (xp + 4 + len > extra_len) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": bad extra field in entry '", name, "'");
      if (id == 0x0001) {
        const uint8_t* f = x + xp + 4;
        uint64_t left = len;
        auto take = [&](uint64_t& v) {
          if (left < 8) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": short zip64 field in entry '", name, "'");
          v = u64(f);
          f += 8;
          left -= 8;
        };
        if (usize == 0xFFFFFFFFu) take(usize);
        if (csize == 0xFFFFFFFFu) take(csize);
        if (local == 0xFFFFFFFFu) take(local);
        if (disk_start == 0xFFFF) {
          if (left < 4) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": short zip64 field in entry '", name, "'");
          disk_start = u32(f);
        }
      }
      xp += 4ull + len;
    }
    pos += rec_len;
    if (flags & 0x1) kd::fail(KD_ERR_UNSUPPORTED, "zip: ", file, ": entry '", name, "' is encrypted");
    if (method != 0)
      kd::fail(KD_ERR_UNSUPPORTED, "zip: ", file, ": entry '", name, "' is compressed (method ", method,
               "); only stored entries are supported, as torch.save writes them");
    if (disk_start != 0) kd::fail(KD_ERR_UNSUPPORTED, "zip: ", file, ": multi-disk archives are not supported");
    if (csize != usize) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": stored entry '", name, "' has different packed and unpacked sizes");
    if (index_.count(name)) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": entry '", name, "' appears twice");
    // The local header repeats the name; its extra field may differ (torch pads it for alignment).
    uint8_t lh[30];
    src.read(local, lh, 30, "zip");
    if (u32(lh) != kLocalSig) kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": entry '", name, "': bad local header signature");
    uint64_t lname = u16(lh + 26), lextra = u16(lh + 28);
    if (lname != name_len || src.read_string(local + 30, name_len, "zip") != name)
      kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": entry '", name, "': local header names a different file");
    ZipEntry e;
    e.name = std::move(name);
    e.data_offset = local + 30 + lname + lextra;
    e.size = usize;
    e.crc32 = crc;
    if (e.data_offset > size || e.size > size - e.data_offset)
      kd::fail(KD_ERR_ARGUMENT, "zip: ", file, ": entry '", e.name, "' data lies outside the file (truncated?)");
    index_.emplace(e.name, entries_.size());
    entries_.push_back(std::move(e));
  }
}

const ZipEntry* ZipReader::find(const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

void ZipReader::read(const ZipEntry& e, void* dst) const {
  src_.read(e.data_offset, dst, static_cast<size_t>(e.size), "zip");
  if (crc32(dst, static_cast<size_t>(e.size)) != e.crc32)
    kd::fail(KD_ERR_ARGUMENT, "zip: ", src_.name(), ": entry '", e.name, "' fails its CRC-32 check (corrupt file)");
}

std::string ZipReader::read_string(const ZipEntry& e, uint64_t max_size) const {
  if (e.size > max_size)
    kd::fail(KD_ERR_ARGUMENT, "zip: ", src_.name(), ": entry '", e.name, "' is too large (", e.size, " bytes, limit ", max_size, ")");
  std::string s(static_cast<size_t>(e.size), '\0');
  read(e, s.data());
  return s;
}

}  // namespace kd::io
