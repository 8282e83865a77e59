// Elementwise ops: broadcasting, PyTorch's result-type rules (dimensioned tensors, 0-dim tensors
// and wrapped scalars in three tiers), the dtype each op computes in, and in-place rules.
#include <cmath>
#include <string>

#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

// Result type over three priority tiers, as torch.result_type: dimensioned tensors, then 0-dim
// tensors, then wrapped numbers; a lower tier only wins when it is of a higher category.
struct ResultType {
  bool has[3] = {false, false, false};
  DType t[3] = {DType::Bool, DType::Bool, DType::Bool};

  void add(int tier, DType d) {
    t[tier] = has[tier] ? promote(t[tier], d) : d;
    has[tier] = true;
  }
  void add_tensor(const Tensor& x) { add(x.dim() == 0 ? 1 : 0, x.dtype()); }
  void add_scalar(DType kind) {
    // A wrapped float is the default dtype; a wrapped int is int64.
    add(2, kind == DType::Float64 ? kDefaultFloat : kind);
  }

  static bool combine(bool hh, DType higher, bool hl, DType lower, DType* out) {
    if (!hh) { *out = lower; return hl; }
    if (!hl) { *out = higher; return true; }
    if (is_floating(higher)) { *out = higher; return true; }
    if (higher == DType::Bool || is_floating(lower)) { *out = promote(higher, lower); return true; }
    *out = higher;
    return true;
  }

  DType result() const {
    DType low;
    bool hl = combine(has[1], t[1], has[2], t[2], &low);
    DType r;
    combine(has[0], t[0], hl, low, &r);
    return r;
  }
};

bool is_comparison(BinaryOp op) { return op >= KD_EQ && op <= KD_GE; }
bool is_logical(BinaryOp op) { return op >= KD_LOGICAL_AND && op <= KD_LOGICAL_XOR; }

// May a value of dtype `from` be written into a tensor of dtype `to` by an in-place op?
bool can_cast(DType from, DType to) { return category(from) <= category(to); }

// The dtype the kernel computes in, given the promoted input type.
DType compute_dtype(BinaryOp op, DType common, const char* name) {
  switch (op) {
    case KD_DIV:
    case KD_ATAN2:
      return is_floating(common) ? common : kDefaultFloat;
    case KD_SUB:
      if (common == DType::Bool)
        fail(KD_ERR_DTYPE, name,
             ": subtraction, the `-` operator, with two bool tensors is not supported. Use the "
             "`^` or `logical_xor()` operator instead.");
      return common;
    case KD_POW:
    case KD_REMAINDER:
      if (common == DType::Bool) fail(KD_ERR_DTYPE, name, ": not implemented for 'Bool'");
      return common;
    default:
      return common;
  }
}

DType output_dtype(BinaryOp op, DType compute) {
  return (is_comparison(op) || is_logical(op)) ? DType::Bool : compute;
}

void check_binary_op(BinaryOp op) {
  if (op < KD_ADD || op > KD_ATAN2) fail(KD_ERR_ARGUMENT, "binary: unknown op code ", op);
}

// PyTorch refuses sub whenever either operand is bool (even int64 - bool), not only bool - bool.
void check_operands(BinaryOp op, DType a, DType b, const char* name) {
  if (op == KD_SUB && a == DType::Bool && b == DType::Bool)
    fail(KD_ERR_DTYPE, name,
         ": subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
         "`logical_xor()` operator instead.");
  if (op == KD_SUB && (a == DType::Bool || b == DType::Bool))
    fail(KD_ERR_DTYPE, name, ": subtraction, the `-` operator, with a bool tensor is not supported. "
         "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
}

// An integral tensor to a negative integral scalar power is an error (a tensor exponent gives 0).
void check_scalar_pow(BinaryOp op, DType compute, double s, const char* name) {
  if (op == KD_POW && !is_floating(compute) && s < 0)
    fail(KD_ERR_ARGUMENT, name, ": integers to negative integer powers are not allowed (exponent ", s, ")");
}

// PyTorch's TensorIterator lets a 0-dim CPU tensor take part in an op on another device (it is
// read as a number); here it is copied to that device (one element). Anything else must already
// be on `like`'s device (check_devices).
Tensor cpu_scalar_to(const Tensor& x, const Tensor& like) {
  if (x.dim() == 0 && !x.is_cuda() && like.is_cuda())
    return to_device(x, like.device(), like.device_index());
  return x;
}

// Runs op on a and b (already promoted/expanded as needed) into a fresh or given output.
// Converts x to dtype ct and expands it to shape, allocating nothing when it already fits.
const Tensor& prepare(const Tensor& x, DType ct, const Dims& shape, Tensor* tmp) {
  const Tensor* p = &x;
  if (p->dtype() != ct) { *tmp = to_dtype(*p, ct); p = tmp; }
  if (p->sizes() != shape) { *tmp = expand(*p, shape); p = tmp; }
  return *p;
}

void run_binary(BinaryOp op, const Tensor& out, const Tensor& a, const Tensor& b, DType ct) {
  Tensor ta, tb;
  KD_KERNEL(out, binary_kernel, op, out, prepare(a, ct, out.sizes(), &ta),
            prepare(b, ct, out.sizes(), &tb));
}

DType unary_out_dtype(UnaryOp op, DType in, const char* name) {
  switch (op) {
    case KD_NEG:
      if (in == DType::Bool)
        fail(KD_ERR_DTYPE, name, ": negation, the `-` operator, on a bool tensor is not supported. "
             "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
      return in;
    case KD_RELU:
      if (in == DType::Bool) fail(KD_ERR_DTYPE, name, ": Boolean inputs not supported for relu");
      return in;
    case KD_ABS:
    case KD_FLOOR:
    case KD_CEIL:
    case KD_ROUND:
      if (in == DType::Bool) fail(KD_ERR_DTYPE, name, ": not implemented for 'Bool'");
      return in;
    case KD_SIGN:
      return in;
    case KD_SQUARE:
      return in == DType::Bool ? DType::Int64 : in;
    case KD_LOGICAL_NOT:
      return DType::Bool;
    case KD_EXP: case KD_LOG: case KD_SQRT: case KD_RSQRT: case KD_SIN: case KD_COS:
    case KD_TANH: case KD_SIGMOID: case KD_RECIPROCAL: case KD_LOG1P: case KD_EXPM1:
    case KD_ERF:
      return is_floating(in) ? in : kDefaultFloat;
    default:
      fail(KD_ERR_ARGUMENT, "unary: unknown op code ", op);
  }
}

}  // namespace

const char* unary_name(UnaryOp op) {
  static const char* names[] = {"neg", "abs", "exp", "log", "sqrt", "rsqrt", "sin",
                                "cos", "tanh", "sigmoid", "relu", "logical_not", "sign",
                                "reciprocal", "square", "log1p", "expm1", "floor", "ceil", "round",
                                "erf"};
  return (op >= 0 && op < int(sizeof(names) / sizeof(names[0]))) ? names[op] : "unary";
}

const char* binary_name(BinaryOp op) {
  static const char* names[] = {"add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le",
                                "gt", "ge", "maximum", "minimum", "logical_and", "logical_or",
                                "logical_xor", "remainder", "atan2"};
  return (op >= 0 && op < int(sizeof(names) / sizeof(names[0]))) ? names[op] : "binary";
}

Dims broadcast_shapes(const Dims& a, const Dims& b, const char* op) {
  int32_t n = std::max(a.size(), b.size());
  Dims out = Dims::filled(n, 1);
  for (int32_t i = 0; i < n; ++i) {
    int32_t ia = a.size() - n + i, ib = b.size() - n + i;
    int64_t x = ia >= 0 ? a[ia] : 1, y = ib >= 0 ? b[ib] : 1;
    if (x == y || y == 1) out[i] = x;
    else if (x == 1) out[i] = y;
    else
      fail(KD_ERR_ARGUMENT, op, ": the size of tensor a (", x, ") must match the size of tensor b (",
           y, ") at non-singleton dimension ", i, "; shapes ", a.str(), " and ", b.str());
  }
  return out;
}

Tensor unary(UnaryOp op, const Tensor& t) {
  const char* name = unary_name(op);
  DType od = unary_out_dtype(op, t.dtype(), name);
  Tensor out = Tensor::empty_like_device(t.sizes(), od, t);
  if (op == KD_LOGICAL_NOT) {
    KD_KERNEL(out, unary_kernel, op, out, t);
  } else {
    KD_KERNEL(out, unary_kernel, op, out, od == t.dtype() ? t : to_dtype(t, od));
  }
  return out;
}

void unary_(UnaryOp op, const Tensor& t) {
  const char* name = unary_name(op);
  DType od = unary_out_dtype(op, t.dtype(), name);
  if (od != t.dtype())
    fail(KD_ERR_DTYPE, name, "_: result type ", dtype_name(od),
         " can't be cast to the desired output type ", dtype_name(t.dtype()));
  KD_KERNEL(t, unary_kernel, op, t, t);
  t.bump_version();
}

Tensor binary(BinaryOp op, const Tensor& a_in, const Tensor& b_in) {
  check_binary_op(op);
  const char* name = binary_name(op);
  const Tensor a = cpu_scalar_to(a_in, b_in), b = cpu_scalar_to(b_in, a_in);
  check_devices(name, {&a, &b});
  check_operands(op, a.dtype(), b.dtype(), name);
  ResultType rt;
  rt.add_tensor(a);
  rt.add_tensor(b);
  DType ct = compute_dtype(op, rt.result(), name);
  Dims shape = broadcast_shapes(a.sizes(), b.sizes(), name);
  Tensor out = Tensor::empty_like_device(shape, output_dtype(op, ct), a);
  run_binary(op, out, a, b, ct);
  return out;
}

void binary_(BinaryOp op, const Tensor& a, const Tensor& b_in) {
  check_binary_op(op);
  const char* name = binary_name(op);
  const Tensor b = cpu_scalar_to(b_in, a);
  check_devices(name, {&a, &b});
  check_operands(op, a.dtype(), b.dtype(), name);
  ResultType rt;
  rt.add_tensor(a);
  rt.add_tensor(b);
  DType ct = compute_dtype(op, rt.result(), name);
  DType od = output_dtype(op, ct);
  Dims shape = broadcast_shapes(a.sizes(), b.sizes(), (std::string(name) + "_").c_str());
  if (shape != a.sizes())
    fail(KD_ERR_ARGUMENT, name, "_: output with shape ", a.shape_str(),
         " doesn't match the broadcast shape ", shape.str());
  if (!can_cast(od, a.dtype()))
    fail(KD_ERR_DTYPE, name, "_: result type ", dtype_name(od),
         " can't be cast to the desired output type ", dtype_name(a.dtype()));
  if (od == a.dtype()) {
    run_binary(op, a, a, b, ct);
  } else {
    Tensor tmp = Tensor::empty_like_device(shape, od, a);
    run_binary(op, tmp, a, b, ct);
    KD_KERNEL(a, copy_kernel, a, tmp);
  }
  a.bump_version();
}

Tensor binary_scalar(BinaryOp op, const Tensor& a, double s, DType sdtype) {
  check_binary_op(op);
  const char* name = binary_name(op);
  check_operands(op, a.dtype(), sdtype, name);
  ResultType rt;
  rt.add_tensor(a);
  rt.add_scalar(sdtype);
  DType ct = compute_dtype(op, rt.result(), name);
  check_scalar_pow(op, ct, s, name);
  Tensor out = Tensor::empty_like_device(a.sizes(), output_dtype(op, ct), a);
  run_binary(op, out, a, scalar_like_device(s, ct, a), ct);
  return out;
}

void binary_scalar_(BinaryOp op, const Tensor& a, double s, DType sdtype) {
  check_binary_op(op);
  const char* name = binary_name(op);
  check_operands(op, a.dtype(), sdtype, name);
  ResultType rt;
  rt.add_tensor(a);
  rt.add_scalar(sdtype);
  DType ct = compute_dtype(op, rt.result(), name);
  check_scalar_pow(op, ct, s, name);
  DType od = output_dtype(op, ct);
  if (!can_cast(od, a.dtype()))
    fail(KD_ERR_DTYPE, name, "_: result type ", dtype_name(od),
         " can't be cast to the desired output type ", dtype_name(a.dtype()));
  if (od == a.dtype()) {
    run_binary(op, a, a, scalar_like_device(s, ct, a), ct);
  } else {
    Tensor tmp = Tensor::empty_like_device(a.sizes(), od, a);
    run_binary(op, tmp, a, scalar_like_device(s, ct, a), ct);
    KD_KERNEL(a, copy_kernel, a, tmp);
  }
  a.bump_version();
}

Tensor scalar_binary(BinaryOp op, double s, DType sdtype, const Tensor& b) {
  check_binary_op(op);
  const char* name = binary_name(op);
  check_operands(op, sdtype, b.dtype(), name);
  ResultType rt;
  rt.add_scalar(sdtype);
  rt.add_tensor(b);
  DType ct = compute_dtype(op, rt.result(), name);
  Tensor out = Tensor::empty_like_device(b.sizes(), output_dtype(op, ct), b);
  run_binary(op, out, scalar_like_device(s, ct, b), b, ct);
  return out;
}

Tensor add_scaled(const Tensor& a_in, const Tensor& b_in, double alpha) {
  const Tensor a = cpu_scalar_to(a_in, b_in), b = cpu_scalar_to(b_in, a_in);
  check_devices("add", {&a, &b});
  ResultType rt;
  rt.add_tensor(a);
  rt.add_tensor(b);
  DType ct = compute_dtype(KD_ADD, rt.result(), "add");
  if (ct == DType::Bool) fail(KD_ERR_DTYPE, "add: alpha is not supported for bool tensors");
  if (!is_floating(ct) && alpha != std::trunc(alpha))
    fail(KD_ERR_ARGUMENT, "add: for integral input tensors (", dtype_name(ct),
         "), argument alpha must not be a floating point number, got ", alpha);
  Dims shape = broadcast_shapes(a.sizes(), b.sizes(), "add");
  Tensor out = Tensor::empty_like_device(shape, ct, a);
  KD_KERNEL(out, add_scaled_kernel, out, expand(to_dtype(a, ct), shape),
            expand(to_dtype(b, ct), shape), alpha);
  return out;
}

void add_scaled_(const Tensor& a, const Tensor& b_in, double alpha) {
  const Tensor b = cpu_scalar_to(b_in, a);
  check_devices("add_", {&a, &b});
  Dims shape = broadcast_shapes(a.sizes(), b.sizes(), "add_");
  if (shape != a.sizes())
    fail(KD_ERR_ARGUMENT, "add_: output with shape ", a.shape_str(),
         " doesn't match the broadcast shape ", shape.str());
  ResultType rt;
  rt.add_tensor(a);
  rt.add_tensor(b);
  DType ct = rt.result();
  if (!can_cast(ct, a.dtype()))
    fail(KD_ERR_DTYPE, "add_: result type ", dtype_name(ct), " can't be cast to the desired output type ",
         dtype_name(a.dtype()));
  if (ct == DType::Bool) fail(KD_ERR_DTYPE, "add_: alpha is not supported for bool tensors");
  if (!is_floating(ct) && alpha != std::trunc(alpha))
    fail(KD_ERR_ARGUMENT, "add_: for integral input tensors (", dtype_name(ct),
         "), argument alpha must not be a floating point number, got ", alpha);
  if (ct == a.dtype()) {
    KD_KERNEL(a, add_scaled_kernel, a, a, expand(to_dtype(b, ct), shape), alpha);
  } else {
    Tensor tmp = Tensor::empty_like_device(shape, ct, a);
    KD_KERNEL(tmp, add_scaled_kernel, tmp, expand(to_dtype(a, ct), shape),
              expand(to_dtype(b, ct), shape), alpha);
    KD_KERNEL(a, copy_kernel, a, tmp);
  }
  a.bump_version();
}

Tensor leaky_relu(const Tensor& t, double slope) {
  Tensor out = Tensor::empty_like_device(t.sizes(), t.dtype(), t);
  KD_KERNEL(out, leaky_relu_kernel, out, t, slope);
  return out;
}

namespace {
// The bounds take part in promotion as wrapped numbers: an integral-valued bound is an int, a
// fractional one a float (Java passes doubles), so int64 clamp(1, 2) stays int64, clamp(0.5, 2.5)
// gives float32, and a bool tensor becomes int64 or float32.
DType clamp_result_type(DType in, double lo, double hi, bool has_lo, bool has_hi) {
  auto frac = [](double v) { return v != static_cast<double>(static_cast<int64_t>(v)); };
  bool any_frac = (has_lo && frac(lo)) || (has_hi && frac(hi));
  if (is_floating(in)) return in;
  if (any_frac) return kDefaultFloat;
  return DType::Int64;
}
}  // namespace

Tensor clamp(const Tensor& t, double lo, double hi, bool has_lo, bool has_hi) {
  if (!has_lo && !has_hi) fail(KD_ERR_ARGUMENT, "clamp: at least one of 'min' or 'max' must not be None");
  DType od = clamp_result_type(t.dtype(), lo, hi, has_lo, has_hi);
  Tensor out = Tensor::empty_like_device(t.sizes(), od, t);
  KD_KERNEL(out, clamp_kernel, out, to_dtype(t, od), lo, hi, has_lo, has_hi);
  return out;
}

void clamp_(const Tensor& t, double lo, double hi, bool has_lo, bool has_hi) {
  if (!has_lo && !has_hi) fail(KD_ERR_ARGUMENT, "clamp_: at least one of 'min' or 'max' must not be None");
  DType od = clamp_result_type(t.dtype(), lo, hi, has_lo, has_hi);
  if (od != t.dtype())
    fail(KD_ERR_DTYPE, "clamp_: result type ", dtype_name(od), " can't be cast to the desired output type ",
         dtype_name(t.dtype()));
  KD_KERNEL(t, clamp_kernel, t, t, lo, hi, has_lo, has_hi);
  t.bump_version();
}

Tensor where(const Tensor& cond_in, const Tensor& a_in, const Tensor& b_in) {
  // The first operand that is not a 0-dim CPU tensor decides where the others must be.
  const Tensor& main = a_in.dim() != 0 || a_in.is_cuda() ? a_in
                       : b_in.dim() != 0 || b_in.is_cuda() ? b_in : cond_in;
  const Tensor cond = cpu_scalar_to(cond_in, main), a = cpu_scalar_to(a_in, main),
               b = cpu_scalar_to(b_in, main);
  check_devices("where", {&cond, &a, &b});
  if (cond.dtype() != DType::Bool)
    fail(KD_ERR_DTYPE, "where: expected condition to be a bool tensor, but got ", dtype_name(cond.dtype()));
  ResultType rt;
  rt.add_tensor(a);
  rt.add_tensor(b);
  DType ct = rt.result();
  Dims shape = broadcast_shapes(broadcast_shapes(cond.sizes(), a.sizes(), "where"), b.sizes(), "where");
  Tensor out = Tensor::empty_like_device(shape, ct, a);
  KD_KERNEL(out, where_kernel, out, expand(cond, shape), expand(to_dtype(a, ct), shape),
            expand(to_dtype(b, ct), shape));
  return out;
}

namespace {
// The checks of masked_fill and masked_fill_, reported under the name the caller used.
Dims masked_fill_shape(const Tensor& t, const Tensor& mask, const char* op) {
  check_devices(op, {&t, &mask});
  if (mask.dtype() != DType::Bool)
    fail(KD_ERR_DTYPE, op, ": expected mask to be a bool tensor, but got ", dtype_name(mask.dtype()));
  Dims shape = broadcast_shapes(t.sizes(), mask.sizes(), op);
  if (shape != t.sizes())
    fail(KD_ERR_ARGUMENT, op, ": mask of shape ", mask.shape_str(),
         " cannot be broadcast to the tensor's shape ", t.shape_str());
  return shape;
}
}  // namespace

Tensor masked_fill(const Tensor& t, const Tensor& mask, double value) {
  // Out of place, self broadcasts to the mask's shape too (PyTorch's expand_outplace).
  check_devices("masked_fill", {&t, &mask});
  if (mask.dtype() != DType::Bool)
    fail(KD_ERR_DTYPE, "masked_fill: expected mask to be a bool tensor, but got ", dtype_name(mask.dtype()));
  Dims shape = broadcast_shapes(t.sizes(), mask.sizes(), "masked_fill");
  Tensor out = clone(shape == t.sizes() ? t : expand(t, shape));
  KD_KERNEL(out, masked_fill_kernel, out, expand(mask, shape), value);
  return out;
}

void masked_fill_(const Tensor& t, const Tensor& mask, double value) {
  Dims shape = masked_fill_shape(t, mask, "masked_fill_");
  KD_KERNEL(t, masked_fill_kernel, t, expand(mask, shape), value);
  t.bump_version();
}

Tensor threshold_backward(const Tensor& grad, const Tensor& self, double threshold) {
  check_devices("threshold_backward", {&grad, &self});
  if (!is_floating(grad.dtype()) || grad.dtype() != self.dtype())
    fail(KD_ERR_DTYPE, "threshold_backward: expected grad and self of one floating point dtype, but got ",
         dtype_name(grad.dtype()), " and ", dtype_name(self.dtype()));
  Dims shape = broadcast_shapes(grad.sizes(), self.sizes(), "threshold_backward");
  Tensor out = Tensor::empty_like_device(shape, grad.dtype(), grad);
  if (out.numel() > 0)
    KD_KERNEL(out, threshold_backward_kernel, out, expand(grad, shape), expand(self, shape), threshold);
  return out;
}

void fill_(const Tensor& t, double value) {
  if (t.numel() > 0) KD_KERNEL(t, fill_kernel, t, value);
  t.bump_version();
}

void copy_(const Tensor& dst, const Tensor& src) {
  // Devices may differ: copy_ is how data moves between them (it is the one op that allows it).
  Dims shape = broadcast_shapes(dst.sizes(), src.sizes(), "copy_");
  if (shape != dst.sizes())
    fail(KD_ERR_ARGUMENT, "copy_: source of shape ", src.shape_str(),
         " cannot be broadcast to the destination's shape ", dst.shape_str());
  if (dst.device() != src.device() || dst.device_index() != src.device_index()) {
    copy_across_devices(dst, expand(src, shape));
  } else if (dst.storage() == src.storage()) {
    // Overlapping views: go through a temporary so no element is read after being written.
    Tensor tmp = clone(src);
    KD_KERNEL(dst, copy_kernel, dst, expand(tmp, shape));
  } else {
    KD_KERNEL(dst, copy_kernel, dst, expand(src, shape));
  }
  dst.bump_version();
}

}  // namespace ops
}  // namespace kd
