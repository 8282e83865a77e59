// Element types and PyTorch's type-promotion rules.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kindling/kindling.h"

namespace kd {

enum class DType : int32_t {
  Float32 = KD_FLOAT32,
  Float64 = KD_FLOAT64,
  Int64 = KD_INT64,
  Bool = KD_BOOL
};

constexpr int kNumDTypes = 4;

inline size_t element_size(DType t) {
  switch (t) {
    case DType::Float32: return 4;
    case DType::Float64: return 8;
    case DType::Int64: return 8;
    case DType::Bool: return 1;
  }
  return 0;
}

// PyTorch's names: "float32" prints as torch.float32, "int64" as torch.int64.
const char* dtype_name(DType t);
bool valid_dtype(int32_t code);
DType dtype_from_code(int32_t code);  // throws on a bad code

inline bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }

// Category order used by promotion: bool < integral < floating.
inline int category(DType t) {
  return t == DType::Bool ? 0 : (t == DType::Int64 ? 1 : 2);
}

// Promotion of two tensor dtypes that take part on equal footing.
DType promote(DType a, DType b);

// Promotion where one side is a "wrapped number" (a Python scalar or a 0-dim tensor): it only
// changes the result when it is of a higher category than the tensor (int tensor + 2.5 ->
// float32, the default dtype), never the width within a category.
DType promote_with_scalar(DType tensor, DType scalar);

// Dtype of a Java/Python number: double -> Float64 category, long -> Int64, boolean -> Bool.
// The default float dtype (Float32) is what a float scalar promotes an integral tensor to.
constexpr DType kDefaultFloat = DType::Float32;

// Element access helpers: C++ type for each dtype.
template <DType D> struct CType;
template <> struct CType<DType::Float32> { using type = float; };
template <> struct CType<DType::Float64> { using type = double; };
template <> struct CType<DType::Int64> { using type = int64_t; };
template <> struct CType<DType::Bool> { using type = bool; };

}  // namespace kd

// KD_DISPATCH(dtype, opname, ...): runs the body with `scalar_t` bound to the element type.
#define KD_DISPATCH_CASE(D, ...) \
  case D: { using scalar_t = typename ::kd::CType<D>::type; __VA_ARGS__(); break; }

#define KD_DISPATCH_ALL(dt, name, ...)                                          \
  do {                                                                          \
    switch (dt) {                                                               \
      KD_DISPATCH_CASE(::kd::DType::Float32, __VA_ARGS__)                       \
      KD_DISPATCH_CASE(::kd::DType::Float64, __VA_ARGS__)                       \
      KD_DISPATCH_CASE(::kd::DType::Int64, __VA_ARGS__)                         \
      KD_DISPATCH_CASE(::kd::DType::Bool, __VA_ARGS__)                          \
    }                                                                           \
  } while (0)

#define KD_DISPATCH_FLOAT(dt, name, ...)                                        \
  do {                                                                          \
    switch (dt) {                                                               \
      KD_DISPATCH_CASE(::kd::DType::Float32, __VA_ARGS__)                       \
      KD_DISPATCH_CASE(::kd::DType::Float64, __VA_ARGS__)                       \
      default:                                                                  \
        ::kd::fail(KD_ERR_DTYPE, name, ": expected a floating point tensor, got ", \
                   ::kd::dtype_name(dt));                                       \
    }                                                                           \
  } while (0)

#define KD_DISPATCH_NUMERIC(dt, name, ...)                                      \
  do {                                                                          \
    switch (dt) {                                                               \
      KD_DISPATCH_CASE(::kd::DType::Float32, __VA_ARGS__)                       \
      KD_DISPATCH_CASE(::kd::DType::Float64, __VA_ARGS__)                       \
      KD_DISPATCH_CASE(::kd::DType::Int64, __VA_ARGS__)                         \
      default:                                                                  \
        ::kd::fail(KD_ERR_DTYPE, name, ": not implemented for ", ::kd::dtype_name(dt)); \
    }                                                                           \
  } while (0)
