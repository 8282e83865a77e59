// Temp file + fsync + rename + directory fsync; cleans up the temp file on every failure path.
#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace kd::io {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// Splits "dir/name" into ("dir", "name"); a bare name lives in ".".
void split_path(const std::string& path, std::string& dir, std::string& base) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    dir = ".";
    base = path;
  } else {
    dir = slash == 0 ? "/" : path.substr(0, slash);
    base = path.substr(slash + 1);
  }
}

}  // namespace

void FileWriter::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    size_t chunk = n;
    if (fail_after_ >= 0) {
      uint64_t room = static_cast<uint64_t>(fail_after_) > written_ ? static_cast<uint64_t>(fail_after_) - written_ : 0;
      if (room == 0) kd::fail(KD_ERR_IO, "error writing '", path_, "': simulated I/O failure after ", written_, " bytes");
      if (chunk > room) chunk = static_cast<size_t>(room);
    }
    ssize_t w = ::write(fd_, p, chunk);
    if (w < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      kd::fail(KD_ERR_IO, "error writing '", path_, "': ", errno_text(e));
    }
    p += w;
    n -= static_cast<size_t>(w);
    written_ += static_cast<uint64_t>(w);
  }
}

void write_file_atomically(const std::string& path, const std::function<void(FileWriter&)>& content,
                           int64_t fail_after_bytes) {
  if (path.empty()) kd::fail(KD_ERR_ARGUMENT, "save: empty path");
  if (path.find('\0') != std::string::npos) kd::fail(KD_ERR_ARGUMENT, "save: path contains a NUL byte");
  std::string dir, base;
  split_path(path, dir, base);
  if (base.empty() || base == "." || base == "..") kd::fail(KD_ERR_ARGUMENT, "save: '", path, "' does not name a file");

  static std::atomic<uint64_t> counter{0};
  std::string tmp = (dir == "/" ? std::string("/") : dir + "/") + "." + base + ".tmp." +
                    std::to_string(static_cast<long long>(::getpid())) + "." +
                    std::to_string(counter.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    int e = errno;
    kd::fail(KD_ERR_IO, "cannot save '", path, "': creating a temporary file in '", dir, "' failed: ", errno_text(e));
  }
  try {
    FileWriter w(fd, path, fail_after_bytes);
    content(w);
    if (::fsync(fd) != 0) {
      int e = errno;
      kd::fail(KD_ERR_IO, "cannot save '", path, "': fsync failed: ", errno_text(e));
    }
    int rc = ::close(fd);
    fd = -1;
    if (rc != 0) {
      int e = errno;
      kd::fail(KD_ERR_IO, "cannot save '", path, "': close failed: ", errno_text(e));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      int e = errno;
      kd::fail(KD_ERR_IO, "cannot save '", path, "': renaming the temporary file over it failed: ", errno_text(e));
    }
  } catch (...) {
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  // The rename is durable only once the directory entry is on disk.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace kd::io
