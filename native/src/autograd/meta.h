// Per-tensor autograd state (PyTorch's AutogradMeta) and the helpers ops use to record history.
#pragma once
#include <memory>
#include <vector>

#include "autograd/node.h"
#include "core/tensor.h"

namespace kd {

struct AutogradMeta {
  bool requires_grad = false;
  bool retains_grad = false;
  Tensor grad;                          // .grad (leaves, or non-leaves with retain_grad)
  std::shared_ptr<ag::Node> grad_fn;    // null for leaves
  uint32_t output_nr = 0;               // which output of grad_fn this tensor is
  std::weak_ptr<ag::Node> grad_accumulator;  // leaves: their AccumulateGrad, made on demand
  std::vector<ag::Node::Hook> leaf_hooks;     // hooks on a leaf (run before accumulation)
  // A view's base, when the view was made from a tensor that requires grad (in-place ops on
  // such views are not supported yet and say so).
  bool is_view_of_grad_tensor = false;
  // A weak link to the tensor for hooks that write into it (retain_grad): nulled when the
  // tensor dies, so the hook never keeps it alive or touches freed memory.
  std::shared_ptr<TensorImpl*> self_cell;
};

namespace ag {

// Meta of t, created on demand.
AutogradMeta& meta(const Tensor& t);
inline AutogradMeta* meta_or_null(const Tensor& t) { return t.defined() ? t.impl()->autograd : nullptr; }

bool requires_grad(const Tensor& t);
bool is_leaf(const Tensor& t);
// Sets requires_grad on a leaf (PyTorch's rules: floating point only; non-leaves can only be
// switched on, never off).
void set_requires_grad(const Tensor& t, bool flag);
std::shared_ptr<Node> grad_fn(const Tensor& t);
// The edge a gradient for t flows into: its grad_fn slot, or its AccumulateGrad; invalid when t
// does not require grad.
Edge gradient_edge(const Tensor& t);

// Whether an op on these inputs must record history: grad mode is on and one requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> ts);
bool any_requires_grad(const std::vector<Tensor>& ts);

// Fills node's next edges and input metadata from the forward inputs.
void collect_inputs(Node& node, const std::vector<const Tensor*>& inputs);
// Makes out the output_nr-th output of node (out requires grad afterwards).
void set_history(const Tensor& out, const std::shared_ptr<Node>& node, uint32_t output_nr = 0);

// Creates node N, wires its inputs and returns it; ops then save what backward needs and call
// set_history on their outputs.
template <typename N, typename... A>
std::shared_ptr<N> make_node(const std::vector<const Tensor*>& inputs, A&&... args) {
  auto n = std::make_shared<N>(std::forward<A>(args)...);
  collect_inputs(*n, inputs);
  return n;
}

// An alias of t that shares data but carries no autograd state (detach()).
Tensor detach(const Tensor& t);
// In place: t stops tracking history (detach_()).
void detach_(const Tensor& t);
// PyTorch's `dst.data = src`: dst keeps its identity (handles, requires_grad, grad_fn, hooks)
// but takes src's storage, sizes, strides, offset, dtype and device. Its cached gradient
// accumulator is dropped (a new one records the new shape, dtype and device); a .grad that no
// longer matches the dtype or shape is cleared; a .grad on another device is kept (it can be
// moved by set_data in turn, as Module.to does).
void set_data(const Tensor& dst, const Tensor& src);

// Checks an in-place op on t is allowed, and afterwards moves t's history onto node (PyTorch's
// rebase_history). `check_inplace` is called before the write.
void check_inplace(const Tensor& t, const char* op);
// retain_grad(): a non-leaf keeps its .grad after backward.
void retain_grad(const Tensor& t);
// Adds a hook on the gradient of t (leaf: before accumulation; non-leaf: on its grad_fn slot).
void register_hook(const Tensor& t, int64_t id, GradHook fn);
bool remove_hook(const Tensor& t, int64_t id);

// Checks an in-place op that records history on a view can be expressed on its base (PyTorch's
// rules: not on a view of a leaf that requires grad, not on overlapping memory); views that
// autograd did not track (made under no-grad, or one of several views an op returns) are refused
// rather than differentiated wrongly.
void check_inplace_view(const Tensor& t, bool records, const char* op);
// After an in-place op recorded as `node` wrote into t: t's history becomes node's output; if t
// is a tracked view, the base's history becomes CopySlices(base's old history, node) and t
// becomes a view of the new base (copy_slices.cpp).
void rebase_history(const Tensor& t, const std::shared_ptr<Node>& node);
// Records that out views in's memory (called by the differentiable view ops).
Tensor track_view(const Tensor& in, Tensor out);

}  // namespace ag
}  // namespace kd
