// SavedVariable: a tensor a backward function keeps, with the storage version it had when saved,
// so that modifying it in place before backward is detected (PyTorch's error message). Saving a
// node's own output keeps only the data plus a weak link to the node, to avoid a reference cycle.
#pragma once
#include <memory>

#include "autograd/node.h"
#include "core/tensor.h"

namespace kd {
namespace ag {

class SavedVariable {
 public:
  SavedVariable() = default;
  SavedVariable(const Tensor& t, bool is_output);

  // The saved tensor (with its history re-attached for outputs), or an error if it was modified
  // in place or already freed by a backward without retain_graph.
  Tensor unpack(const Node* owner) const;
  void reset();
  bool defined() const { return data_.defined() || was_defined_; }

 private:
  Tensor data_;                // the tensor itself (inputs) or a history-free alias (outputs)
  bool is_output_ = false;
  bool was_defined_ = false;   // set once reset() frees it
  bool requires_grad_ = false;
  uint64_t version_ = 0;
  uint32_t output_nr_ = 0;
  std::weak_ptr<Node> grad_fn_;  // outputs: the node that made them
};

}  // namespace ag
}  // namespace kd
