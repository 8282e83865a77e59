// Errors of the native core: a C++ exception carrying a status code (see kindling.h) and a
// message that names the op, the shapes and the dtypes. The C API turns it into a status.
#pragma once
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

}  // namespace kd

// KD_CHECK(cond, parts...): argument error unless cond holds.
#define KD_CHECK(cond, ...) \
  do { if (!(cond)) ::kd::fail(KD_ERR_ARGUMENT, __VA_ARGS__); } while (0)
#define KD_CHECK_INDEX(cond, ...) \
  do { if (!(cond)) ::kd::fail(KD_ERR_INDEX, __VA_ARGS__); } while (0)
#define KD_CHECK_DTYPE(cond, ...) \
  do { if (!(cond)) ::kd::fail(KD_ERR_DTYPE, __VA_ARGS__); } while (0)
