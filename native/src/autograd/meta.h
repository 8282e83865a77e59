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

// Checks an in-place op on t is allowed, and afterwards moves t's history onto node (PyTorch's
// rebase_history). `check_inplace` is called before the write.
void check_inplace(const Tensor& t, const char* op);
// retain_grad(): a non-leaf keeps its .grad after backward.
void retain_grad(const Tensor& t);
// Adds a hook on the gradient of t (leaf: before accumulation; non-leaf: on its grad_fn slot).
void register_hook(const Tensor& t, int64_t id, GradHook fn);
bool remove_hook(const Tensor& t, int64_t id);

// Refuses an in-place op that would record history on a view (PyTorch rebases the base's
// history through CopySlices; Kindling does not yet, and says so rather than compute wrongly).
void check_inplace_view(const Tensor& t, bool records, const char* op);

}  // namespace ag
}  // namespace kd
