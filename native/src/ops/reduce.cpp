// Reductions: which dims are reduced (empty list = all, negative dims wrap, no repeats), the
// result's shape (keepdim keeps them as size 1) and PyTorch's dtype rules and error cases. The
// loops live in cpu/reduce.cpp and cpu/softmax.cpp.
#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

// Bit d set for each reduced dim. A 0-dim tensor accepts dim 0 and -1 and has nothing to reduce.
uint32_t reduce_mask(const Tensor& t, const Dims& dims, const char* op) {
  const int32_t nd = t.dim();
  if (dims.empty()) return nd == 0 ? 0u : static_cast<uint32_t>((uint64_t(1) << nd) - 1);
  uint32_t mask = 0;
  for (int64_t d : dims) {
    const int32_t w = wrap_dim(d, nd, op);
    if (mask >> w & 1u) fail(KD_ERR_ARGUMENT, op, ": dim ", w, " appears multiple times in the list of dims");
    mask |= 1u << w;
  }
  return nd == 0 ? 0u : mask;
}

Dims reduced_shape(const Tensor& t, uint32_t mask, bool keepdim) {
  Dims out;
  for (int32_t d = 0; d < t.dim(); ++d) {
    if (!(mask >> d & 1u)) out.push_back(t.size(d));
    else if (keepdim) out.push_back(1);
  }
  return out;
}

// max-like reductions have no identity, so they need at least one element per output.
void check_nonempty(const Tensor& t, bool all_dims, uint32_t mask, const char* op, int code_all) {
  if (t.numel() != 0) return;
  if (all_dims)
    fail(code_all, op, "(): Expected reduction dim to be specified for input.numel() == 0. "
         "Specify the reduction dim with the 'dim' argument.");
  for (int32_t d = 0; d < t.dim(); ++d)
    if ((mask >> d & 1u) && t.size(d) == 0)
      fail(KD_ERR_INDEX, op, "(): Expected reduction dim ", d, " to have non-zero size.");
}

DType reduce_dtype(ReduceOp op, DType in, const char* name) {
  switch (op) {
    case KD_SUM:
    case KD_PROD:
      return is_floating(in) ? in : DType::Int64;
    case KD_MEAN:
      if (!is_floating(in))
        fail(KD_ERR_DTYPE, name, "(): could not infer output dtype. Input dtype must be either a "
             "floating point or complex dtype. Got: ", dtype_name(in));
      return in;
    case KD_LOGSUMEXP:
      return is_floating(in) ? in : kDefaultFloat;
    case KD_ANY:
    case KD_ALL:
      return DType::Bool;
    default:  // amax, amin
      return in;
  }
}

void extreme_dim(bool is_max, const Tensor& t, int64_t dim, bool keepdim, Tensor* values,
                 Tensor* indices) {
  const char* name = is_max ? "max" : "min";
  const int32_t d = wrap_dim(dim, t.dim(), name);
  const uint32_t mask = t.dim() == 0 ? 0u : 1u << d;
  check_nonempty(t, false, mask, name, KD_ERR_ARGUMENT);
  const Dims shape = reduced_shape(t, mask, keepdim);
  *values = Tensor::empty_like_device(shape, t.dtype(), t);
  *indices = Tensor::empty_like_device(shape, DType::Int64, t);
  KD_KERNEL(t, max_min_dim_kernel, is_max, *values, *indices, t, d);
}

Tensor arg_extreme(bool is_max, const Tensor& t, int64_t dim, bool has_dim, bool keepdim) {
  const char* name = is_max ? "argmax" : "argmin";
  if (t.dtype() == DType::Bool)
    fail(KD_ERR_DTYPE, name, ": not implemented for bool tensors");
  if (has_dim) {
    const int32_t d = wrap_dim(dim, t.dim(), name);
    const uint32_t mask = t.dim() == 0 ? 0u : 1u << d;
    check_nonempty(t, false, mask, name, KD_ERR_INDEX);
    Tensor out = Tensor::empty_like_device(reduced_shape(t, mask, keepdim), DType::Int64, t);
    KD_KERNEL(t, max_min_dim_kernel, is_max, Tensor(), out, t, d);
    return out;
  }
  // Without a dim: the index into the flattened (row-major) tensor.
  if (t.numel() == 0)
    fail(KD_ERR_INDEX, name, "(): Expected reduction dim to be specified for input.numel() == 0.");
  Tensor flat = reshape(t, Dims{t.numel()});
  Tensor out = Tensor::empty_like_device(keepdim ? Dims::filled(t.dim(), 1) : Dims(), DType::Int64, t);
  KD_KERNEL(t, max_min_dim_kernel, is_max, Tensor(), out, flat, 0);
  return out;
}

Tensor softmax_impl(const Tensor& t, int64_t dim, bool log) {
  const char* name = log ? "log_softmax" : "softmax";
  const int32_t d = wrap_dim(dim, t.dim(), name);
  // PyTorch has no integer softmax kernel ("softmax_lastdim_kernel_impl" not implemented).
  if (!is_floating(t.dtype()))
    fail(KD_ERR_DTYPE, name, ": not implemented for ", dtype_name(t.dtype()),
         " tensors (expected a floating point tensor)");
  Tensor in = contiguous(t);
  Tensor out = Tensor::empty_like_device(t.sizes(), t.dtype(), t);
  KD_KERNEL(out, softmax_kernel, out, in, t.dim() == 0 ? 0 : d, log);
  return out;
}

}  // namespace

const char* reduce_name(ReduceOp op) {
  switch (op) {
    case KD_SUM: return "sum";
    case KD_MEAN: return "mean";
    case KD_PROD: return "prod";
    case KD_AMAX: return "amax";
    case KD_AMIN: return "amin";
    case KD_LOGSUMEXP: return "logsumexp";
    case KD_ANY: return "any";
    case KD_ALL: return "all";
    default: return "reduce";
  }
}

Tensor reduce(ReduceOp op, const Tensor& t, const Dims& dims, bool keepdim) {
  const char* name = reduce_name(op);
  if (op < KD_SUM || op > KD_ALL) fail(KD_ERR_ARGUMENT, "reduce: unknown op code ", op);
  const uint32_t mask = reduce_mask(t, dims, name);
  if (op == KD_AMAX || op == KD_AMIN) check_nonempty(t, dims.empty(), mask, name, KD_ERR_ARGUMENT);
  const DType out_dtype = reduce_dtype(op, t.dtype(), name);
  Tensor out = Tensor::empty_like_device(reduced_shape(t, mask, keepdim), out_dtype, t);
  // logsumexp computes in the (floating) result dtype.
  KD_KERNEL(out, reduce_kernel, op, out, op == KD_LOGSUMEXP ? to_dtype(t, out_dtype) : t, mask);
  return out;
}

Tensor var(const Tensor& t, const Dims& dims, double correction, bool keepdim, bool take_sqrt) {
  const char* name = take_sqrt ? "std" : "var";
  if (!is_floating(t.dtype()))
    fail(KD_ERR_DTYPE, name, ": std and var only support floating point and complex dtypes, got ",
         dtype_name(t.dtype()));
  const uint32_t mask = reduce_mask(t, dims, name);
  Tensor out = Tensor::empty_like_device(reduced_shape(t, mask, keepdim), t.dtype(), t);
  KD_KERNEL(out, var_kernel, out, t, mask, correction, take_sqrt);
  return out;
}

void max_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* values, Tensor* indices) {
  extreme_dim(true, t, dim, keepdim, values, indices);
}

void min_dim(const Tensor& t, int64_t dim, bool keepdim, Tensor* values, Tensor* indices) {
  extreme_dim(false, t, dim, keepdim, values, indices);
}

Tensor argmax(const Tensor& t, int64_t dim, bool has_dim, bool keepdim) {
  return arg_extreme(true, t, dim, has_dim, keepdim);
}

Tensor argmin(const Tensor& t, int64_t dim, bool has_dim, bool keepdim) {
  return arg_extreme(false, t, dim, has_dim, keepdim);
}

Tensor softmax(const Tensor& t, int64_t dim) { return softmax_impl(t, dim, false); }

Tensor log_softmax(const Tensor& t, int64_t dim) { return softmax_impl(t, dim, true); }

}  // namespace ops
}  // namespace kd
