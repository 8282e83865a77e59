// Saved tensors with in-place modification checks.
#include "autograd/saved.h"

#include "autograd/meta.h"
#include "core/error.h"
#include "ops/ops.h"

namespace kd {
namespace ag {

SavedVariable::SavedVariable(const Tensor& t, bool is_output) {
  if (!t.defined()) return;
  is_output_ = is_output;
  version_ = t.storage()->version();
  requires_grad_ = requires_grad(t);
  if (is_output) {
    // Keep the data without the history that points back at the node saving it.
    data_ = ops::alias(t);
    if (AutogradMeta* m = meta_or_null(t)) {
      grad_fn_ = m->grad_fn;
      output_nr_ = m->output_nr;
    }
  } else {
    data_ = t;
  }
}

void SavedVariable::reset() {
  if (data_.defined()) was_defined_ = true;
  data_ = Tensor();
}

Tensor SavedVariable::unpack(const Node* owner) const {
  const char* who = owner ? owner->name() : "backward";
  if (!data_.defined()) {
    if (!was_defined_) return Tensor();
    fail(KD_ERR_STATE, who,
         ": Trying to backward through the graph a second time (or directly access saved tensors "
         "after they have already been freed). Saved intermediate values of the graph are freed "
         "when you call backward() or autograd.grad(). Specify retainGraph=true if you need to "
         "backward through the graph a second time or if you need to access saved tensors after "
         "calling backward.");
  }
  uint64_t now = data_.storage()->version();
  if (now != version_)
    fail(KD_ERR_STATE, who,
         ": one of the variables needed for gradient computation has been modified by an inplace "
         "operation: [", dtype_name(data_.dtype()), " ", data_.shape_str(), "] is at version ", now,
         "; expected version ", version_, " instead.");
  if (!is_output_) return data_;
  Tensor out = ops::alias(data_);
  if (requires_grad_) {
    std::shared_ptr<Node> fn = grad_fn_.lock();
    if (fn) set_history(out, fn, output_nr_);
  }
  return out;
}

}  // namespace ag
}  // namespace kd
