// Node bookkeeping and the AccumulateGrad sink.
#include "autograd/node.h"

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "ops/dispatch.h"

namespace kd {
namespace ag {

namespace {
thread_local uint64_t t_next_sequence_nr = 0;
}

Node::Node() : sequence_nr(t_next_sequence_nr++) {}

AccumulateGrad::AccumulateGrad(Ref<TensorImpl> v) : variable(std::move(v)) {
  Tensor t(variable);
  input_meta.push_back({t.sizes(), t.dtype(), t.device(), t.device_index()});
}

namespace {

// Whether g can become .grad as it is, instead of a copy: nothing else references it or its
// memory (this is the last handle: no graph buffer, hook, saved tensor or user handle holds
// it), it has no autograd history, and it is laid out exactly as the copy would be (dense,
// contiguous, from the start of a storage of its own size, the variable's shape and dtype).
// Like PyTorch's AccumulateGrad, which steals a gradient whose use count says no one else has it.
bool can_take_as_is(const Tensor& g, const Tensor& var) {
  const TensorImpl* t = g.impl();
  return t->refcount() == 1 && t->storage->refcount() == 1 && t->autograd == nullptr &&
         !t->is_view && !t->view_base && t->offset == 0 && g.is_contiguous() &&
         g.sizes() == var.sizes() && g.dtype() == var.dtype() &&
         g.storage()->nbytes() == static_cast<size_t>(g.numel()) * element_size(g.dtype());
}

}  // namespace

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = grads.empty() ? Tensor() : std::move(grads[0]);
  grads.clear();
  if (!g.defined()) return {};
  Tensor var(variable);
  AutogradMeta& m = meta(var);
  if (!m.grad.defined()) {
    // Without create_graph the stored gradient is a fresh, history-free tensor (never an alias
    // of a buffer the graph or the user still holds): the incoming one when nothing else holds
    // it, else a copy; with create_graph, the gradient keeps its history.
    if (is_grad_enabled()) m.grad = g;
    else if (can_take_as_is(g, var)) m.grad = std::move(g);
    else m.grad = ops::clone(g);
  } else {
    // A .grad left on another device (the tensor was moved by set_data, its .grad was not) is
    // not silently copied: like PyTorch, adding into it is a device error.
    check_devices("AccumulateGrad", {&m.grad, &g});
    if (is_grad_enabled()) m.grad = add(m.grad, g);
    else ops::binary_(KD_ADD, m.grad, g);
  }
  return {};
}

}  // namespace ag
}  // namespace kd
