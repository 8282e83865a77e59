// Random-access bytes of a file or a memory buffer, with every read bounds-checked. The readers
// (safetensors, zip) work on this interface so that files are read straight into tensor storage
// (no second copy of a large file in memory), while fuzzers and tests feed memory buffers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kd::io {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Copies n bytes at offset into dst; throws kd::Error (KD_ERR_ARGUMENT, naming `what`) when the
  // range is outside the source, or on an I/O error.
  void read(uint64_t offset, void* dst, size_t n, const char* what) const;
  // The bytes [offset, offset + n) as a string (bounds-checked like read).
  std::string read_string(uint64_t offset, size_t n, const char* what) const;
  // The name used in error messages (a path, or "<memory>").
  virtual const std::string& name() const = 0;

 protected:
  virtual void read_raw(uint64_t offset, void* dst, size_t n) const = 0;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t n, std::string name = "<memory>")
      : data_(data), n_(n), name_(std::move(name)) {}
  uint64_t size() const override { return n_; }
  const std::string& name() const override { return name_; }

 protected:
  void read_raw(uint64_t offset, void* dst, size_t n) const override;

 private:
  const uint8_t* data_;
  size_t n_;
  std::string name_;
};

// A regular file opened read-only; reads with pread. Throws when the path cannot be opened or is
// not a regular file (a directory, a device).
class FileSource : public ByteSource {
 public:
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  uint64_t size() const override { return size_; }
  const std::string& name() const override { return path_; }

 protected:
  void read_raw(uint64_t offset, void* dst, size_t n) const override;

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

}  // namespace kd::io
