// A tiny test harness for the core: TEST(name) registers a case; CHECK* record failures with
// file and line; each test binary runs every case and exits non-zero on any failure.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace kdtest {

struct Case {
  const char* name;
  std::function<void()> fn;
};

inline std::vector<Case>& cases() {
  static std::vector<Case> c;
  return c;
}
inline int& failures() {
  static int f = 0;
  return f;
}

struct Register {
  Register(const char* name, std::function<void()> fn) { cases().push_back({name, std::move(fn)}); }
};

inline void report(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what.c_str());
  ++failures();
}

// KDTEST_FILTER=substring runs only the cases whose name contains it (to isolate one case, e.g.
// after a CUDA fault, which poisons the rest of the process).
inline int run_all() {
  int failed_cases = 0;
  size_t ran = 0;
  const char* filter = std::getenv("KDTEST_FILTER");
  for (auto& c : cases()) {
    if (filter && *filter && std::strstr(c.name, filter) == nullptr) continue;
    ++ran;
    int before = failures();
    try {
      c.fn();
    } catch (const std::exception& e) {
      report(c.name, 0, std::string("unexpected exception: ") + e.what());
    }
    bool ok = failures() == before;
    if (!ok) ++failed_cases;
    std::printf("[%s] %s\n", ok ? "  OK  " : " FAIL ", c.name);
    std::fflush(stdout);
    std::fflush(stderr);
  }
  std::printf("%zu passed, %d failed\n", ran - failed_cases, failed_cases);
  return failed_cases == 0 ? 0 : 1;
}

}  // namespace kdtest

#define TEST(name)                                                         \
  static void name();                                                      \
  static ::kdtest::Register name##_reg(#name, name);                       \
  static void name()

#define CHECK(cond)                                                        \
  do { if (!(cond)) ::kdtest::report(__FILE__, __LINE__, #cond); } while (0)
#define CHECK_EQ(a, b)                                                     \
  do {                                                                     \
    auto _a = (a); auto _b = (b);                                          \
    if (!(_a == _b)) ::kdtest::report(__FILE__, __LINE__, ::kd::str(#a " == " #b " (", _a, " vs ", _b, ")")); \
  } while (0)
#define CHECK_NEAR(a, b, tol)                                              \
  do {                                                                     \
    double _a = (a), _b = (b);                                             \
    if (!(std::fabs(_a - _b) <= (tol))) ::kdtest::report(__FILE__, __LINE__, ::kd::str(#a " ~= " #b " (", _a, " vs ", _b, ")")); \
  } while (0)
// CHECK_THROWS(code, expr): expr must throw kd::Error with that status code.
#define CHECK_THROWS(kcode, expr)                                           \
  do {                                                                     \
    bool _thrown = false;                                                  \
    try { (void)(expr); } catch (const ::kd::Error& _e) {                  \
      _thrown = true;                                                      \
      if (_e.code() != (kcode)) ::kdtest::report(__FILE__, __LINE__, ::kd::str(#expr " threw code ", _e.code(), ": ", _e.what())); \
    }                                                                      \
    if (!_thrown) ::kdtest::report(__FILE__, __LINE__, #expr " did not throw"); \
  } while (0)
