// Atomic replacement of a file: the new content goes to a temporary file in the same directory,
// which is flushed to disk (fsync), renamed over the target, and the directory is fsynced so the
// rename itself survives a crash. A failed or interrupted write therefore never leaves a torn file
// where the last good one was: readers see either the old file or the complete new one. On
// failure the temporary file is removed (a process killed mid-write can leave a hidden
// ".<name>.tmp.*" file next to the target, never a damaged target).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace kd::io {

// Sequential writer handed to the content callback. write() throws kd::Error on I/O errors.
class FileWriter {
 public:
  void write(const void* data, size_t n);
  uint64_t written() const { return written_; }

 private:
  friend void write_file_atomically(const std::string&, const std::function<void(FileWriter&)>&,
                                    int64_t);
  FileWriter(int fd, std::string path, int64_t fail_after)
      : fd_(fd), path_(std::move(path)), fail_after_(fail_after) {}
  int fd_;
  std::string path_;
  int64_t fail_after_;  // test hook: fail once this many bytes were written (-1: never)
  uint64_t written_ = 0;
};

// Writes path atomically with the bytes that `content` produces. fail_after_bytes >= 0 simulates
// an I/O error after that many bytes (used by tests to prove that the old file survives).
void write_file_atomically(const std::string& path, const std::function<void(FileWriter&)>& content,
                           int64_t fail_after_bytes = -1);

}  // namespace kd::io
