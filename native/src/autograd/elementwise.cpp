// Differentiable elementwise ops and their backward formulas (PyTorch's derivatives.yaml rows for
// this family, with PyTorch's node names). Every formula is written with ag:: ops, so with
// create_graph the gradient is itself recorded and can be differentiated again; masks and
// constants come from ops:: because they carry no gradient. The engine sums broadcast gradients
// back to each input's shape and casts them to its dtype, so formulas work in the output's shape
// and dtype. In-place ops save what backward needs before the write (the old self as a clone when
// a formula reads it), write, and then move the tensor's history onto the new node: the node's
// edge for self was taken from the old history, which is PyTorch's rebase_history.
#include <string>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "autograd/saved.h"
#include "core/error.h"

namespace kd {
namespace ag {

namespace {

// ---- constants and masks (no gradient flows through these)

Tensor zeros_like(const Tensor& t) { return ops::full_like_device(t.sizes(), 0.0, t.dtype(), t); }
Tensor mask(BinaryOp op, const Tensor& a, const Tensor& b) { return ops::binary(op, a, b); }
Tensor mask(BinaryOp op, const Tensor& a, double s) { return ops::binary_scalar(op, a, s, DType::Float64); }
Tensor mask_not(const Tensor& m) { return ops::unary(KD_LOGICAL_NOT, m); }
Tensor mask_and(const Tensor& a, const Tensor& b) { return ops::binary(KD_LOGICAL_AND, a, b); }

// Differentiable 1 - t and t - 1 that keep t's dtype (the constant is an integer).
Tensor one_minus(const Tensor& t) { return scalar_binary(KD_SUB, 1.0, DType::Int64, t); }
Tensor minus_one(const Tensor& t) { return binary_scalar(KD_SUB, t, 1.0, DType::Int64); }
// g with zeros where the mask m is true (differentiable in g).
Tensor zero_where(const Tensor& g, const Tensor& m) { return masked_fill(g, m, 0.0); }

bool is_comparison(BinaryOp op) { return op >= KD_EQ && op <= KD_GE; }
bool is_logical(BinaryOp op) { return op >= KD_LOGICAL_AND && op <= KD_LOGICAL_XOR; }

std::string inplace_name(const char* op) { return std::string(op) + "_"; }

// ---- unary ops

enum class Needs { Nothing, Self, Result };

Needs unary_needs(UnaryOp op) {
  switch (op) {
    case KD_ABS: case KD_LOG: case KD_SIN: case KD_COS: case KD_SQUARE: case KD_LOG1P:
    case KD_ERF:
      return Needs::Self;
    case KD_EXP: case KD_SQRT: case KD_RSQRT: case KD_TANH: case KD_SIGMOID: case KD_RELU:
    case KD_RECIPROCAL: case KD_EXPM1:
      return Needs::Result;
    default:
      return Needs::Nothing;
  }
}

const char* unary_backward_name(UnaryOp op) {
  static const char* names[] = {
      "NegBackward0",     "AbsBackward0",        "ExpBackward0",     "LogBackward0",
      "SqrtBackward0",    "RsqrtBackward0",      "SinBackward0",     "CosBackward0",
      "TanhBackward0",    "SigmoidBackward0",    "ReluBackward0",    "LogicalNotBackward0",
      "SignBackward0",    "ReciprocalBackward0", "PowBackward0",     "Log1PBackward0",
      "Expm1Backward0",   "FloorBackward0",      "CeilBackward0",    "RoundBackward0",
      "ErfBackward0"};
  return (op >= 0 && op < int(sizeof(names) / sizeof(names[0]))) ? names[op] : "UnaryBackward";
}

// d op(x) / dx times g; x is the input, r the result (each only when unary_needs says so).
Tensor unary_grad(UnaryOp op, const Tensor& g, const Tensor& x, const Tensor& r) {
  switch (op) {
    case KD_NEG: return neg(g);
    case KD_ABS: return mul(g, ops::unary(KD_SIGN, x));  // sign(0) = 0: abs'(0) = 0
    case KD_EXP: return mul(g, r);
    case KD_LOG: return div(g, x);
    case KD_SQRT: return div(g, mul(r, 2.0));
    case KD_RSQRT: return mul(mul(g, mul(mul(r, r), r)), -0.5);
    case KD_SIN: return mul(g, unary(KD_COS, x));
    case KD_COS: return mul(g, neg(unary(KD_SIN, x)));
    case KD_TANH: return mul(g, one_minus(mul(r, r)));
    case KD_SIGMOID: return mul(g, mul(r, one_minus(r)));
    // threshold_backward: zero where result <= 0 (a NaN input passes its gradient, as in PyTorch).
    // Without create_graph one fused pass; with it, ops autograd can differentiate again.
    case KD_RELU:
      if (!is_grad_enabled() && g.dtype() == r.dtype()) return ops::threshold_backward(g, r, 0.0);
      return zero_where(g, mask(KD_LE, r, 0.0));
    case KD_RECIPROCAL: return neg(mul(g, mul(r, r)));
    case KD_SQUARE: return mul(g, mul(x, 2.0));
    case KD_LOG1P: return div(g, add(x, 1.0));
    case KD_EXPM1: return mul(g, add(r, 1.0));
    // erf'(x) = 2/sqrt(pi) * exp(-x^2), built from ag:: ops so it differentiates again.
    case KD_ERF: return mul(g, mul(unary(KD_EXP, neg(mul(x, x))), 1.1283791670955126));
    case KD_SIGN: case KD_FLOOR: case KD_CEIL: case KD_ROUND:
      return zeros_like(g);
    default:
      fail(KD_ERR_INTERNAL, "unary backward: op ", op, " has no derivative");
  }
}

struct UnaryBackward : Node {
  explicit UnaryBackward(UnaryOp op) : op_(op) {}
  const char* name() const override { return unary_backward_name(op_); }
  TensorList apply(TensorList&& g) override {
    if (!needs_input_grad(0)) return {Tensor()};
    return {unary_grad(op_, g[0], self_.unpack(this), result_.unpack(this))};
  }
  void release_saved() override { self_.reset(); result_.reset(); }
  UnaryOp op_;
  SavedVariable self_, result_;
};

// ---- binary ops (tensor-tensor, tensor-scalar, scalar-tensor, add with alpha)

// Which forward operands are inputs of the node (PyTorch's next_functions): both tensors; the
// tensor of `t op s` alone (pow, remainder, comparisons: one edge) or with an empty edge for the
// scalar (add, sub, mul, div: the scalar was a wrapped tensor); `s op t` alike.
enum class Slots { Both, SelfOnly, OtherOnly };

const char* binary_backward_name(BinaryOp op) {
  static const char* names[] = {
      "AddBackward0", "SubBackward0", "MulBackward0", "DivBackward0", "PowBackward1",
      "EqBackward1", "NeBackward1", "LtBackward1", "LeBackward1", "GtBackward1", "GeBackward1",
      "MaximumBackward0", "MinimumBackward0", "LogicalAndBackward0", "LogicalOrBackward0",
      "LogicalXorBackward0", "RemainderBackward1", "Atan2Backward0"};
  return (op >= 0 && op < int(sizeof(names) / sizeof(names[0]))) ? names[op] : "BinaryBackward";
}

// Names for `tensor op scalar` where PyTorch's differ from the tensor-tensor ones.
const char* tensor_scalar_backward_name(BinaryOp op) {
  switch (op) {
    case KD_POW: return "PowBackward0";
    case KD_REMAINDER: return "RemainderBackward0";
    case KD_EQ: return "EqBackward0";
    case KD_NE: return "NeBackward0";
    case KD_LT: return "LtBackward0";
    case KD_LE: return "LeBackward0";
    case KD_GT: return "GtBackward0";
    case KD_GE: return "GeBackward0";
    default: return binary_backward_name(op);
  }
}

Slots tensor_scalar_slots(BinaryOp op) {
  return (op == KD_POW || op == KD_REMAINDER || is_comparison(op)) ? Slots::SelfOnly : Slots::Both;
}

// What the formulas of op read, given which gradients are wanted (saved only then, as PyTorch).
bool binary_reads_self(BinaryOp op, bool need_y) {
  switch (op) {
    case KD_MUL: case KD_DIV: case KD_REMAINDER: return need_y;
    case KD_POW: case KD_MAXIMUM: case KD_MINIMUM: case KD_ATAN2: return true;
    default: return false;
  }
}
bool binary_reads_other(BinaryOp op, bool need_x, bool need_y) {
  switch (op) {
    case KD_MUL: return need_x;
    case KD_REMAINDER: return need_y;
    case KD_DIV: case KD_POW: case KD_MAXIMUM: case KD_MINIMUM: case KD_ATAN2: return true;
    default: return false;
  }
}
bool binary_reads_result(BinaryOp op, bool need_y) { return op == KD_POW && need_y; }

// floor(x / y) as div(..., rounding_mode="floor"): x - remainder(x, y) is an exact multiple of y.
Tensor floor_divide(const Tensor& x, const Tensor& y) {
  Tensor q = ops::binary(KD_DIV, ops::binary(KD_SUB, x, ops::binary(KD_REMAINDER, x, y)), y);
  return ops::unary(KD_ROUND, q);
}

struct BinaryBackward : Node {
  BinaryBackward(BinaryOp op, const char* name, Slots slots, double alpha)
      : op_(op), name_(name), slots_(slots), alpha_(alpha) {}
  const char* name() const override { return name_; }

  bool need_self() const { return slots_ != Slots::OtherOnly && needs_input_grad(0); }
  bool need_other() const {
    return slots_ == Slots::Both ? needs_input_grad(1) : slots_ == Slots::OtherOnly && needs_input_grad(0);
  }

  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    bool nx = need_self(), ny = need_other();
    Tensor x = self_.unpack(this), y = other_.unpack(this), r = result_.unpack(this);
    Tensor gx, gy;
    switch (op_) {
      case KD_ADD:
        if (nx) gx = g;
        if (ny) gy = alpha_ == 1.0 ? g : mul(g, alpha_);
        break;
      case KD_SUB:
        if (nx) gx = g;
        if (ny) gy = alpha_ == 1.0 ? neg(g) : mul(g, -alpha_);
        break;
      case KD_MUL:
        if (nx) gx = mul(g, y);
        if (ny) gy = mul(g, x);
        break;
      case KD_DIV:
        if (nx) gx = div(g, y);
        if (ny) gy = neg(mul(g, div(div(x, y), y)));
        break;
      case KD_POW:
        // d/dx x^y = y x^(y-1), taken as 0 where y == 0; d/dy = x^y log x, 0 where x == 0, y >= 0.
        if (nx) gx = zero_where(mul(g, mul(y, binary(KD_POW, x, minus_one(y)))), mask(KD_EQ, y, 0.0));
        if (ny)
          gy = mul(g, zero_where(mul(r, unary(KD_LOG, x)),
                                 mask_and(mask(KD_EQ, x, 0.0), mask(KD_GE, y, 0.0))));
        break;
      case KD_MAXIMUM:
      case KD_MINIMUM: {
        // Ties split the gradient evenly; the losing side gets zero.
        Tensor split = where(mask(KD_EQ, x, y), mul(g, 0.5), g);
        bool max = op_ == KD_MAXIMUM;
        if (nx) gx = zero_where(split, mask(max ? KD_LT : KD_GT, x, y));
        if (ny) gy = zero_where(split, mask(max ? KD_GT : KD_LT, x, y));
        break;
      }
      case KD_REMAINDER:
        if (nx) gx = g;
        if (ny) gy = neg(mul(g, floor_divide(x, y)));
        break;
      case KD_ATAN2: {
        Tensor d = add(mul(x, x), mul(y, y));
        if (nx) gx = mul(g, div(y, d));
        if (ny) gy = mul(g, div(neg(x), d));
        break;
      }
      default:  // comparisons written in place: the result is piecewise constant
        if (nx) gx = zeros_like(g);
        if (ny) gy = zeros_like(g);
        break;
    }
    switch (slots_) {
      case Slots::Both: return {gx, gy};
      case Slots::SelfOnly: return {gx};
      default: return {gy};
    }
  }
  void release_saved() override { self_.reset(); other_.reset(); result_.reset(); }

  BinaryOp op_;
  const char* name_;
  Slots slots_;
  double alpha_;  // add/sub: the factor of the other operand
  SavedVariable self_, other_, result_;
};

// Creates the node of a binary op with the given forward inputs (null for a scalar operand).
std::shared_ptr<BinaryBackward> binary_node(BinaryOp op, const char* name, Slots slots, double alpha,
                                            const Tensor* a, const Tensor* b) {
  switch (slots) {
    case Slots::Both: return make_node<BinaryBackward>({a, b}, op, name, slots, alpha);
    case Slots::SelfOnly: return make_node<BinaryBackward>({a}, op, name, slots, alpha);
    default: return make_node<BinaryBackward>({b}, op, name, slots, alpha);
  }
}

// Saves the operands a formula reads. x and y are the operands as the formulas see them (a scalar
// operand as a 0-dim tensor of the result's dtype); `old_self` makes the saved self a copy, for
// in-place ops that are about to overwrite it.
void save_operands(BinaryBackward& n, const Tensor& x, const Tensor& y, bool old_self) {
  bool nx = n.need_self(), ny = n.need_other();
  if (binary_reads_self(n.op_, ny)) n.self_ = SavedVariable(old_self ? clone(x) : x, false);
  // a.mul_(a): the other operand is self, whose history is about to become this node; saving
  // it as an input would make node and tensor own each other (a leak). Saved like an output
  // (data plus version, no strong link), it still reports the overwrite at backward.
  bool other_is_self = old_self && x.impl() == y.impl();
  if (binary_reads_other(n.op_, nx, ny)) n.other_ = SavedVariable(y, other_is_self);
}

void save_result(BinaryBackward& n, const Tensor& out) {
  if (binary_reads_result(n.op_, n.need_other())) n.result_ = SavedVariable(out, true);
}

// Common tail of the in-place binary forms: checks, node, saves, write, rebase.
template <typename Write>
void binary_inplace(BinaryOp op, const char* name, Slots slots, double alpha, const Tensor& a,
                    const Tensor* b, const Tensor& y, Write write) {
  auto n = binary_node(op, name, slots, alpha, &a, b);
  save_operands(*n, a, y, true);
  write();
  rebase_history(a, n);
  save_result(*n, a);
}

// ---- leaky_relu, clamp, where, masked_fill, fill_, copy_

struct LeakyReluBackward0 : Node {
  explicit LeakyReluBackward0(double slope) : slope_(slope) {}
  const char* name() const override { return "LeakyReluBackward0"; }
  TensorList apply(TensorList&& g) override {
    if (!needs_input_grad(0)) return {Tensor()};
    return {where(mask(KD_GT, self_.unpack(this), 0.0), g[0], mul(g[0], slope_))};
  }
  void release_saved() override { self_.reset(); }
  double slope_;
  SavedVariable self_;
};

// The gradient passes where lo <= x <= hi (bounds inclusive, NaN blocked), as PyTorch's
// clamp_backward. Out of place the input is saved; in place the mask is taken before the write.
Tensor clamp_blocked(const Tensor& x, double lo, double hi, bool has_lo, bool has_hi) {
  Tensor pass;
  if (has_lo) pass = mask(KD_GE, x, lo);
  if (has_hi) pass = pass.defined() ? mask_and(pass, mask(KD_LE, x, hi)) : mask(KD_LE, x, hi);
  return mask_not(pass);
}

struct ClampBackward1 : Node {
  ClampBackward1(double lo, double hi, bool has_lo, bool has_hi)
      : lo_(lo), hi_(hi), has_lo_(has_lo), has_hi_(has_hi) {}
  const char* name() const override { return "ClampBackward1"; }
  TensorList apply(TensorList&& g) override {
    if (!needs_input_grad(0)) return {Tensor()};
    Tensor blocked = blocked_.defined() ? blocked_.unpack(this)
                                        : clamp_blocked(self_.unpack(this), lo_, hi_, has_lo_, has_hi_);
    return {zero_where(g[0], blocked)};
  }
  void release_saved() override { self_.reset(); blocked_.reset(); }
  double lo_, hi_;
  bool has_lo_, has_hi_;
  SavedVariable self_;
  SavedVariable blocked_;  // in place: computed from the old values
};

struct WhereBackward0 : Node {
  const char* name() const override { return "WhereBackward0"; }
  TensorList apply(TensorList&& g) override {
    Tensor c = cond_.unpack(this);
    TensorList out(2);
    if (needs_input_grad(0)) out[0] = zero_where(g[0], mask_not(c));
    if (needs_input_grad(1)) out[1] = zero_where(g[0], c);
    return out;
  }
  void release_saved() override { cond_.reset(); }
  SavedVariable cond_;
};

struct MaskedFillBackward0 : Node {
  const char* name() const override { return "MaskedFillBackward0"; }
  TensorList apply(TensorList&& g) override {
    if (!needs_input_grad(0)) return {Tensor()};
    return {zero_where(g[0], mask_.unpack(this))};
  }
  void release_saved() override { mask_.reset(); }
  SavedVariable mask_;
};

// fill_ with a value: the old contents no longer matter.
struct FillBackward2 : Node {
  const char* name() const override { return "FillBackward2"; }
  TensorList apply(TensorList&& g) override { return {needs_input_grad(0) ? zeros_like(g[0]) : Tensor()}; }
};

// dst.copy_(src): the gradient goes to src (summed to its shape and cast by the engine); the old
// dst contents no longer matter.
struct CopyBackwards : Node {
  const char* name() const override { return "CopyBackwards"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(2);
    if (needs_input_grad(0)) out[0] = zeros_like(g[0]);
    if (needs_input_grad(1)) out[1] = g[0];
    return out;
  }
};

// Whether an in-place op on t records history, after the checks PyTorch makes first.
bool inplace_records(const Tensor& t, bool records, const char* op) {
  if (records) check_inplace_view(t, true, op);
  return records;
}

}  // namespace

// ---- unary

Tensor unary(UnaryOp op, const Tensor& t) {
  Tensor out = ops::unary(op, t);
  if (!is_floating(out.dtype()) || !any_requires_grad({&t})) return out;
  auto n = make_node<UnaryBackward>({&t}, op);
  Needs needs = unary_needs(op);
  if (needs == Needs::Self) n->self_ = SavedVariable(t, false);
  set_history(out, n);
  if (needs == Needs::Result) n->result_ = SavedVariable(out, true);
  return out;
}

void unary_(UnaryOp op, const Tensor& t) {
  std::string name = inplace_name(ops::unary_name(op));
  check_inplace(t, name.c_str());
  bool rec = op != KD_LOGICAL_NOT && is_floating(t.dtype()) && any_requires_grad({&t});
  if (!inplace_records(t, rec, name.c_str())) {
    ops::unary_(op, t);
    return;
  }
  auto n = make_node<UnaryBackward>({&t}, op);
  Needs needs = unary_needs(op);
  if (needs == Needs::Self) n->self_ = SavedVariable(clone(t), false);
  ops::unary_(op, t);
  rebase_history(t, n);
  if (needs == Needs::Result) n->result_ = SavedVariable(t, true);
}

// ---- binary

Tensor binary(BinaryOp op, const Tensor& a, const Tensor& b) {
  Tensor out = ops::binary(op, a, b);
  if (!is_floating(out.dtype()) || !any_requires_grad({&a, &b})) return out;
  auto n = binary_node(op, binary_backward_name(op), Slots::Both, 1.0, &a, &b);
  save_operands(*n, a, b, false);
  set_history(out, n);
  save_result(*n, out);
  return out;
}

void binary_(BinaryOp op, const Tensor& a, const Tensor& b) {
  std::string name = inplace_name(ops::binary_name(op));
  check_inplace(a, name.c_str());
  // Logical ops written in place leave the history as it was (PyTorch marks them not differentiable).
  bool rec = !is_logical(op) && is_floating(a.dtype()) && any_requires_grad({&a, &b});
  if (!inplace_records(a, rec, name.c_str())) {
    ops::binary_(op, a, b);
    return;
  }
  binary_inplace(op, binary_backward_name(op), Slots::Both, 1.0, a, &b, b, [&] { ops::binary_(op, a, b); });
}

Tensor binary_scalar(BinaryOp op, const Tensor& a, double s, DType sdtype) {
  Tensor out = ops::binary_scalar(op, a, s, sdtype);
  if (!is_floating(out.dtype()) || !any_requires_grad({&a})) return out;
  auto n = binary_node(op, tensor_scalar_backward_name(op), tensor_scalar_slots(op), 1.0, &a, nullptr);
  save_operands(*n, a, ops::scalar_like_device(s, out.dtype(), a), false);
  set_history(out, n);
  save_result(*n, out);
  return out;
}

void binary_scalar_(BinaryOp op, const Tensor& a, double s, DType sdtype) {
  std::string name = inplace_name(ops::binary_name(op));
  check_inplace(a, name.c_str());
  bool rec = !is_logical(op) && is_floating(a.dtype()) && any_requires_grad({&a});
  if (!inplace_records(a, rec, name.c_str())) {
    ops::binary_scalar_(op, a, s, sdtype);
    return;
  }
  binary_inplace(op, tensor_scalar_backward_name(op), tensor_scalar_slots(op), 1.0, a, nullptr,
                 ops::scalar_like_device(s, a.dtype(), a), [&] { ops::binary_scalar_(op, a, s, sdtype); });
}

Tensor scalar_binary(BinaryOp op, double s, DType sdtype, const Tensor& b) {
  Tensor out = ops::scalar_binary(op, s, sdtype, b);
  if (!is_floating(out.dtype()) || !any_requires_grad({&b})) return out;
  // s - t is rsub (RsubBackward1) and s ** t is pow.Scalar (PowBackward2), each with one edge;
  // the others read as the tensor op with the scalar as a wrapped first operand.
  const char* name = op == KD_SUB ? "RsubBackward1" : op == KD_POW ? "PowBackward2" : binary_backward_name(op);
  Slots slots = (op == KD_SUB || op == KD_POW) ? Slots::OtherOnly : Slots::Both;
  auto n = binary_node(op, name, slots, 1.0, nullptr, &b);
  save_operands(*n, ops::scalar_like_device(s, out.dtype(), b), b, false);
  set_history(out, n);
  save_result(*n, out);
  return out;
}

Tensor add_scaled(const Tensor& a, const Tensor& b, double alpha) {
  Tensor out = ops::add_scaled(a, b, alpha);
  if (!is_floating(out.dtype()) || !any_requires_grad({&a, &b})) return out;
  auto n = binary_node(KD_ADD, "AddBackward0", Slots::Both, alpha, &a, &b);
  set_history(out, n);
  return out;
}

void add_scaled_(const Tensor& a, const Tensor& b, double alpha) {
  check_inplace(a, "add_");
  bool rec = is_floating(a.dtype()) && any_requires_grad({&a, &b});
  if (!inplace_records(a, rec, "add_")) {
    ops::add_scaled_(a, b, alpha);
    return;
  }
  binary_inplace(KD_ADD, "AddBackward0", Slots::Both, alpha, a, &b, b, [&] { ops::add_scaled_(a, b, alpha); });
}

// ---- the rest of the family

Tensor leaky_relu(const Tensor& t, double slope) {
  Tensor out = ops::leaky_relu(t, slope);
  if (!is_floating(out.dtype()) || !any_requires_grad({&t})) return out;
  auto n = make_node<LeakyReluBackward0>({&t}, slope);
  n->self_ = SavedVariable(t, false);
  set_history(out, n);
  return out;
}

Tensor clamp(const Tensor& t, double lo, double hi, bool has_lo, bool has_hi) {
  Tensor out = ops::clamp(t, lo, hi, has_lo, has_hi);
  if (!is_floating(out.dtype()) || !any_requires_grad({&t})) return out;
  auto n = make_node<ClampBackward1>({&t}, lo, hi, has_lo, has_hi);
  n->self_ = SavedVariable(t, false);
  set_history(out, n);
  return out;
}

void clamp_(const Tensor& t, double lo, double hi, bool has_lo, bool has_hi) {
  check_inplace(t, "clamp_");
  bool rec = is_floating(t.dtype()) && any_requires_grad({&t});
  if (!inplace_records(t, rec, "clamp_")) {
    ops::clamp_(t, lo, hi, has_lo, has_hi);
    return;
  }
  auto n = make_node<ClampBackward1>({&t}, lo, hi, has_lo, has_hi);
  if (has_lo || has_hi) n->blocked_ = SavedVariable(clamp_blocked(t, lo, hi, has_lo, has_hi), false);
  ops::clamp_(t, lo, hi, has_lo, has_hi);
  rebase_history(t, n);
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  Tensor out = ops::where(cond, a, b);
  if (!is_floating(out.dtype()) || !any_requires_grad({&a, &b})) return out;
  auto n = make_node<WhereBackward0>({&a, &b});
  n->cond_ = SavedVariable(cond, false);
  set_history(out, n);
  return out;
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, double value) {
  Tensor out = ops::masked_fill(t, mask, value);
  if (!is_floating(out.dtype()) || !any_requires_grad({&t})) return out;
  auto n = make_node<MaskedFillBackward0>({&t});
  n->mask_ = SavedVariable(mask, false);
  set_history(out, n);
  return out;
}

void masked_fill_(const Tensor& t, const Tensor& mask, double value) {
  check_inplace(t, "masked_fill_");
  bool rec = is_floating(t.dtype()) && any_requires_grad({&t});
  if (!inplace_records(t, rec, "masked_fill_")) {
    ops::masked_fill_(t, mask, value);
    return;
  }
  auto n = make_node<MaskedFillBackward0>({&t});
  n->mask_ = SavedVariable(mask, false);
  ops::masked_fill_(t, mask, value);
  rebase_history(t, n);
}

void fill_(const Tensor& t, double value) {
  check_inplace(t, "fill_");
  bool rec = is_floating(t.dtype()) && any_requires_grad({&t});
  if (!inplace_records(t, rec, "fill_")) {
    ops::fill_(t, value);
    return;
  }
  auto n = make_node<FillBackward2>({&t});
  ops::fill_(t, value);
  rebase_history(t, n);
}

void copy_(const Tensor& dst, const Tensor& src) {
  check_inplace(dst, "copy_");
  bool rec = is_floating(dst.dtype()) && any_requires_grad({&dst, &src});
  if (!inplace_records(dst, rec, "copy_")) {
    ops::copy_(dst, src);
    return;
  }
  auto n = make_node<CopyBackwards>({&dst, &src});
  ops::copy_(dst, src);
  rebase_history(dst, n);
}

}  // namespace ag
}  // namespace kd
