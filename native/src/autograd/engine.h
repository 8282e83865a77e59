// The backward engine (single-threaded, as PyTorch's CPU engine): counts dependencies from the
// roots, runs nodes in order of readiness (latest created first among the ready), accumulates
// gradients per input slot, runs tensor hooks, and either accumulates into leaves' .grad
// (backward) or captures the gradients of given inputs (autograd.grad).
#pragma once
#include <vector>

#include "core/tensor.h"

namespace kd {
namespace ag {

struct BackwardOptions {
  bool retain_graph = false;
  bool create_graph = false;
  bool allow_unused = false;
};

// tensor.backward(grads): grad_outputs[i] may be undefined for a one-element root (ones).
// With inputs given, only those leaves accumulate (backward(inputs=...)).
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grad_outputs,
              const BackwardOptions& opts, const std::vector<Tensor>& inputs = {});

// torch.autograd.grad(outputs, inputs, grad_outputs, ...): returns one gradient per input
// (undefined for unused inputs when allow_unused).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, const BackwardOptions& opts);

}  // namespace ag
}  // namespace kd
