// The autograd graph, as PyTorch has it: a Node is one backward function; its next_edges point
// (node, input_nr) at the functions that receive the gradients it computes, one edge per forward
// input (a null node where that input needs no gradient). Leaves that require grad end in an
// AccumulateGrad sink, which adds into the tensor's .grad.
//
// A Node also records, for each forward input, the shape, dtype and device the gradient must
// have: the engine sums a broadcast gradient back to that shape and casts it to that dtype, so
// backward formulas never repeat that work, and refuses a gradient on another device (except a
// one-element one, which it moves) (PyTorch's validate_outputs).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace kd {
namespace ag {

using TensorList = std::vector<Tensor>;

struct Node;

struct Edge {
  std::shared_ptr<Node> fn;
  uint32_t input_nr = 0;
  bool valid() const { return static_cast<bool>(fn); }
};

struct InputMeta {
  Dims shape;
  DType dtype = DType::Float32;
  Device device = Device::CPU;
  int32_t device_index = 0;
};

// A hook on the gradient flowing into a node's input slot (a tensor hook). Returns an undefined
// Tensor to leave the gradient unchanged, or a replacement.
using GradHook = std::function<Tensor(const Tensor&)>;

struct Node : std::enable_shared_from_this<Node> {
  Node();
  virtual ~Node() = default;

  // PyTorch's class name of the backward function, e.g. "MulBackward0".
  virtual const char* name() const = 0;
  // Gradients w.r.t. the forward inputs (one per next edge; undefined where not needed) from the
  // gradients w.r.t. the forward outputs (undefined where no gradient flowed).
  virtual TensorList apply(TensorList&& grads) = 0;
  // Frees saved tensors after a backward without retain_graph.
  virtual void release_saved() {}

  // Whether input slot i of the forward needs a gradient.
  bool needs_input_grad(size_t i) const { return i < next_edges.size() && next_edges[i].valid(); }

  std::vector<Edge> next_edges;
  std::vector<InputMeta> input_meta;  // per forward input
  uint32_t num_outputs = 1;           // number of forward outputs (gradients this node receives)
  uint64_t sequence_nr;               // creation order; later nodes run first
  // Tensor hooks keyed by output slot (hooks registered on non-leaf tensors), with ids so they
  // can be removed.
  struct Hook {
    int64_t id;
    uint32_t output_nr;
    GradHook fn;
  };
  std::vector<Hook> pre_hooks;
  // Saved tensors released by a backward without retain_graph.
  bool released = false;
};

// The sink for a leaf: adds incoming gradients into the tensor's .grad.
struct AccumulateGrad : Node {
  explicit AccumulateGrad(Ref<TensorImpl> variable);
  const char* name() const override { return "AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  Ref<TensorImpl> variable;  // strong, as in PyTorch
};

}  // namespace ag
}  // namespace kd
