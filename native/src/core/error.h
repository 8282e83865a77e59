// Errors of the native core: a C++ exception carrying a status code (see kindling.h) and a
// message that names the op, the shapes and the dtypes. The C API turns it into a status.
#pragma once
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "kindling/kindling.h"

namespace kd {

class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& msg) : std::runtime_error(msg), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

namespace detail {
inline void append(std::ostringstream&) {}
template <typename T, typename... R>
void append(std::ostringstream& os, const T& v, const R&... rest) {
  os << v;
  append(os, rest...);
}
}  // namespace detail

template <typename... A>
std::string str(const A&... parts) {
  std::ostringstream os;
  detail::append(os, parts...);
  return os.str();
}

template <typename... A>
[[noreturn]] void fail(int code, const A&... parts) {
  throw Error(code, str(parts...));
}

// An index outside [0, size) along dim, in PyTorch's words; every backend's indexing kernels
// raise it, so the message is the same on CPU and CUDA.
[[noreturn]] inline void index_out_of_bounds(const char* op, int64_t value, int32_t dim, int64_t size) {
  fail(KD_ERR_INDEX, op, ": index ", value, " is out of bounds for dimension ", dim, " with size ", size);
}

}  // namespace kd

// KD_CHECK(cond, parts...): argument error unless cond holds.
#define KD_CHECK(cond, ...) \
  do { if (!(cond)) ::kd::fail(KD_ERR_ARGUMENT, __VA_ARGS__); } while (0)
#define KD_CHECK_INDEX(cond, ...) \
  do { if (!(cond)) ::kd::fail(KD_ERR_INDEX, __VA_ARGS__); } while (0)
#define KD_CHECK_DTYPE(cond, ...) \
  do { if (!(cond)) ::kd::fail(KD_ERR_DTYPE, __VA_ARGS__); } while (0)
