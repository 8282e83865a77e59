// The backward engine. Reads like micrograd at its centre: find what depends on what, then walk
// the graph from the roots, summing the gradients that reach each node's inputs and handing the
// node's results to the next nodes once all their contributions have arrived.
#include "autograd/engine.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "core/error.h"
#include "ops/dispatch.h"

namespace kd {
namespace ag {

namespace {

// The synthetic first node: hands the root gradients to the roots' grad_fns.
struct GraphRoot : Node {
  explicit GraphRoot(TensorList g) : grads(std::move(g)) {}
  const char* name() const override { return "GraphRoot"; }
  TensorList apply(TensorList&&) override { return grads; }
  TensorList grads;
};

bool expandable_to(const Dims& shape, const Dims& target) {
  if (shape.size() > target.size()) return false;
  for (int32_t i = 0; i < shape.size(); ++i) {
    int64_t s = shape[shape.size() - 1 - i], t = target[target.size() - 1 - i];
    if (s != t && s != 1) return false;
  }
  return true;
}

// Makes a gradient fit the input it is for: summed over broadcast dims, cast to its dtype.
Tensor validate(const Tensor& g, const InputMeta& meta, const Node& node, size_t i) {
  Tensor out = g;
  if (out.sizes() != meta.shape) {
    if (!expandable_to(meta.shape, out.sizes()))
      fail(KD_ERR_INTERNAL, node.name(), ": returned a gradient of shape ", out.shape_str(),
           " for input ", i, " of shape ", meta.shape.str());
    out = sum_to(out, meta.shape);
  }
  if (out.dtype() != meta.dtype) out = to_dtype(out, meta.dtype);
  if (out.device() != meta.device ||
      (meta.device == Device::CUDA && out.device_index() != meta.device_index)) {
    // A 0-dim CPU input of a CUDA op gets its (one-element) gradient moved back to it.
    if (out.dim() != 0)
      fail(KD_ERR_ARGUMENT, node.name(), ": invalid gradient at index ", i, " - expected device ",
           device_str(meta.device, meta.device_index), " but got ", device_str(out));
    out = to_device(out, meta.device, meta.device_index);
  }
  return out;
}

Tensor sum_grads(const Tensor& acc, const Tensor& g) {
  if (!acc.defined()) return g;
  if (!g.defined()) return acc;
  return add(acc, g);
}

// Runs the tensor hooks registered for gradients flowing into `node` (slot by slot).
// User hooks first, in registration order; retain_grad hooks (id -1) last.
void run_pre_hooks(Node& node, TensorList& grads) {
  std::vector<Node::Hook> hooks = node.pre_hooks;  // a hook may add or remove hooks
  for (int pass = 0; pass < 2; ++pass)
    for (auto& h : hooks) {
      if ((h.id == -1) != (pass == 1)) continue;
      if (h.output_nr >= grads.size() || !grads[h.output_nr].defined()) continue;
      Tensor r = h.fn(grads[h.output_nr]);
      if (r.defined()) grads[h.output_nr] = r;
    }
}

void run_leaf_hooks(AccumulateGrad& acc, TensorList& grads) {
  AutogradMeta* m = acc.variable ? acc.variable->autograd : nullptr;
  if (!m || grads.empty() || !grads[0].defined()) return;
  // Copy: a hook may register or remove hooks.
  std::vector<Node::Hook> hooks = m->leaf_hooks;
  for (auto& h : hooks) {
    Tensor r = h.fn(grads[0]);
    if (r.defined()) grads[0] = r;
  }
}

struct Capture {
  Node* node;
  uint32_t slot;
  size_t input_index;
};

struct ReadyCompare {
  bool operator()(const std::shared_ptr<Node>& a, const std::shared_ptr<Node>& b) const {
    return a->sequence_nr < b->sequence_nr;  // later nodes first
  }
};

// Core walk. With `captures`, the gradients reaching those (node, slot)s are stored in `captured`
// and AccumulateGrad nodes only run if `accumulate` is set.
void execute(const TensorList& roots, const TensorList& grad_outputs, const BackwardOptions& opts,
             bool accumulate, const std::vector<Capture>& captures,
             const std::unordered_set<Node*>* only_accumulate, TensorList* captured,
             const char* api) {
  GradModeGuard mode(opts.create_graph);

  // Root gradients: given, or ones for a one-element root.
  TensorList root_grads;
  std::vector<const Tensor*> root_inputs;
  for (size_t i = 0; i < roots.size(); ++i) {
    const Tensor& r = roots[i];
    if (!requires_grad(r))
      fail(KD_ERR_STATE, api, ": element ", i,
           " of tensors does not require grad and does not have a grad_fn");
    Tensor g = i < grad_outputs.size() ? grad_outputs[i] : Tensor();
    if (!g.defined()) {
      if (r.numel() != 1)
        fail(KD_ERR_STATE, api, ": grad can be implicitly created only for scalar outputs (got shape ",
             r.shape_str(), ")");
      g = ops::full_like_device(r.sizes(), 1.0, r.dtype(), r);
    } else if (g.sizes() != r.sizes()) {
      fail(KD_ERR_ARGUMENT, api, ": mismatch in shape: grad_output[", i, "] has a shape of ",
           g.shape_str(), " and output[", i, "] has a shape of ", r.shape_str(), ".");
    }
    root_grads.push_back(g);
    root_inputs.push_back(&r);
  }
  auto root = std::make_shared<GraphRoot>(root_grads);
  collect_inputs(*root, root_inputs);

  // Dependencies: how many edges point at each node.
  std::unordered_map<Node*, int> deps;
  std::unordered_set<Node*> seen{root.get()};
  std::vector<Node*> stack{root.get()};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (auto& e : n->next_edges) {
      if (!e.valid()) continue;
      ++deps[e.fn.get()];
      if (seen.insert(e.fn.get()).second) stack.push_back(e.fn.get());
    }
  }

  // With captures: only run nodes from which a capture target (or an allowed accumulator) can be
  // reached, so autograd.grad never touches unrelated .grad fields or freed graphs.
  std::unordered_set<Node*> needed;
  bool prune = !captures.empty() || only_accumulate;
  if (prune) {
    std::unordered_set<Node*> targets;
    for (auto& c : captures) targets.insert(c.node);
    if (only_accumulate) targets.insert(only_accumulate->begin(), only_accumulate->end());
    // Reverse topological marking: iterate until stable (graphs are DAGs; a memoised DFS).
    std::unordered_map<Node*, int> state;  // 0 unknown, 1 visiting, 2 done
    std::function<bool(Node*)> reach = [&](Node* n) -> bool {
      auto it = state.find(n);
      if (it != state.end() && it->second == 2) return needed.count(n) > 0;
      state[n] = 1;
      bool r = targets.count(n) > 0;
      for (auto& e : n->next_edges)
        if (e.valid() && reach(e.fn.get())) r = true;
      state[n] = 2;
      if (r) needed.insert(n);
      return r;
    };
    reach(root.get());
  }

  std::unordered_map<Node*, TensorList> buffers;
  std::priority_queue<std::shared_ptr<Node>, std::vector<std::shared_ptr<Node>>, ReadyCompare> ready;
  ready.push(root);
  buffers[root.get()] = TensorList();

  while (!ready.empty()) {
    std::shared_ptr<Node> node = ready.top();
    ready.pop();
    TensorList grads = std::move(buffers[node.get()]);
    buffers.erase(node.get());
    grads.resize(std::max<size_t>(grads.size(), node->num_outputs));

    bool is_acc = dynamic_cast<AccumulateGrad*>(node.get()) != nullptr;
    if (is_acc) run_leaf_hooks(static_cast<AccumulateGrad&>(*node), grads);
    else run_pre_hooks(*node, grads);

    for (auto& c : captures)
      if (c.node == node.get() && c.slot < grads.size() && grads[c.slot].defined())
        (*captured)[c.input_index] = sum_grads((*captured)[c.input_index], grads[c.slot]);

    bool run = true;
    if (is_acc) {
      run = accumulate && (!only_accumulate || only_accumulate->count(node.get()));
    } else if (prune && !needed.count(node.get())) {
      run = false;
    }

    TensorList outputs;
    if (run) {
      bool any = false;
      for (auto& g : grads) any = any || g.defined();
      if (any || node == root) outputs = node->apply(std::move(grads));
      if (!opts.retain_graph) {
        node->release_saved();
        node->released = true;
      }
    }

    for (size_t i = 0; i < node->next_edges.size(); ++i) {
      const Edge& e = node->next_edges[i];
      if (!e.valid()) continue;
      Node* next = e.fn.get();
      if (run && i < outputs.size() && outputs[i].defined()) {
        Tensor g = validate(outputs[i], node->input_meta[i], *node, i);
        TensorList& buf = buffers[next];
        if (buf.size() <= e.input_nr) buf.resize(e.input_nr + 1);
        buf[e.input_nr] = sum_grads(buf[e.input_nr], g);
      }
      if (--deps[next] == 0) {
        buffers.emplace(next, TensorList());
        ready.push(e.fn);
      }
    }
  }
}

}  // namespace

void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_outputs,
              const BackwardOptions& opts, const std::vector<Tensor>& inputs) {
  if (roots.empty()) fail(KD_ERR_ARGUMENT, "backward: no tensors to differentiate");
  if (inputs.empty()) {
    execute(roots, grad_outputs, opts, true, {}, nullptr, nullptr, "backward");
    return;
  }
  std::unordered_set<Node*> allowed;
  std::vector<std::shared_ptr<Node>> keep;
  for (const Tensor& t : inputs) {
    if (!is_leaf(t) || !requires_grad(t))
      fail(KD_ERR_ARGUMENT, "backward: inputs must be leaf tensors that require grad");
    Edge e = gradient_edge(t);
    keep.push_back(e.fn);
    allowed.insert(e.fn.get());
  }
  execute(roots, grad_outputs, opts, true, {}, &allowed, nullptr, "backward");
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, const BackwardOptions& opts) {
  if (outputs.empty()) fail(KD_ERR_ARGUMENT, "grad: no outputs to differentiate");
  if (inputs.empty()) fail(KD_ERR_ARGUMENT, "grad: no inputs to differentiate with respect to");
  std::vector<Capture> captures;
  std::vector<std::shared_ptr<Node>> keep;  // accumulators made here must live through the walk
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!requires_grad(inputs[i]))
      fail(KD_ERR_ARGUMENT, "grad: input ", i, " of shape ", inputs[i].shape_str(),
           " does not require grad");
    Edge e = gradient_edge(inputs[i]);
    keep.push_back(e.fn);
    captures.push_back({e.fn.get(), e.input_nr, i});
  }
  TensorList captured(inputs.size());
  execute(outputs, grad_outputs, opts, false, captures, nullptr, &captured, "grad");
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!captured[i].defined()) {
      if (!opts.allow_unused)
        fail(KD_ERR_ARGUMENT, "grad: one of the differentiated Tensors (input ", i, ", shape ",
             inputs[i].shape_str(),
             ") appears to not have been used in the graph. Set allowUnused=true if this is the "
             "desired behavior.");
    } else if (!opts.create_graph) {
      captured[i] = detach(captured[i]);
    }
  }
  return captured;
}

}  // namespace ag
}  // namespace kd
