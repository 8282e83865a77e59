// Dtype names and promotion tables.
#include "core/dtype.h"

#include "core/error.h"

namespace kd {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::Float32: return "float32";
    case DType::Float64: return "float64";
    case DType::Int64: return "int64";
    case DType::Bool: return "bool";
  }
  return "?";
}

bool valid_dtype(int32_t code) { return code >= 0 && code < kNumDTypes; }

DType dtype_from_code(int32_t code) {
  if (!valid_dtype(code)) fail(KD_ERR_DTYPE, "unknown dtype code ", code);
  return static_cast<DType>(code);
}

DType promote(DType a, DType b) {
  if (a == b) return a;
  int ca = category(a), cb = category(b);
  if (ca != cb) return ca > cb ? a : b;
  // Same category, different dtypes: only float32/float64 can differ.
  return DType::Float64;
}

DType promote_with_scalar(DType tensor, DType scalar) {
  int ct = category(tensor), cs = category(scalar);
  if (cs <= ct) return tensor;
  // A higher-category scalar lifts the tensor to the default dtype of that category.
  return cs == 2 ? kDefaultFloat : DType::Int64;
}

}  // namespace kd
