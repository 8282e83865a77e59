// Bounds-checked reads from memory and from files (pread, retrying short reads and EINTR).
#include "io/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace kd::io {

void ByteSource::read(uint64_t offset, void* dst, size_t n, const char* what) const {
  uint64_t sz = size();
  if (offset > sz || n > sz - offset)
    kd::fail(KD_ERR_ARGUMENT, what, ": ", name(), " is truncated: need bytes [", offset, ", ",
             offset + static_cast<uint64_t>(n), ") but the file has ", sz);
  if (n) read_raw(offset, dst, n);
}

std::string ByteSource::read_string(uint64_t offset, size_t n, const char* what) const {
  uint64_t sz = size();
  if (offset > sz || n > sz - offset)
    kd::fail(KD_ERR_ARGUMENT, what, ": ", name(), " is truncated: need bytes [", offset, ", ",
             offset + static_cast<uint64_t>(n), ") but the file has ", sz);
  std::string s(n, '\0');
  if (n) read_raw(offset, s.data(), n);
  return s;
}

void MemorySource::read_raw(uint64_t offset, void* dst, size_t n) const {
  std::memcpy(dst, data_ + offset, n);
}

FileSource::FileSource(const std::string& path) : path_(path) {
  if (path.find('\0') != std::string::npos) kd::fail(KD_ERR_ARGUMENT, "open: path contains a NUL byte");
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    int e = errno;
    kd::fail(KD_ERR_IO, "cannot open '", path, "': ", std::strerror(e));
  }
  struct stat st;
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    kd::fail(KD_ERR_IO, "cannot read '", path, "': not a regular file");
  }
  size_ = static_cast<uint64_t>(st.st_size);
}

FileSource::~FileSource() {
  if (fd_ >= 0) ::close(fd_);
}

void FileSource::read_raw(uint64_t offset, void* dst, size_t n) const {
  char* p = static_cast<char*>(dst);
  while (n > 0) {
    ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      kd::fail(KD_ERR_IO, "error reading '", path_, "': ", std::strerror(e));
    }
    if (r == 0) kd::fail(KD_ERR_IO, "error reading '", path_, "': file shrank while being read");
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
}

}  // namespace kd::io
