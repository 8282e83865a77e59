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

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor g = grads.empty() ? Tensor() : grads[0];
  if (!g.defined()) return {};
  Tensor var(variable);
  AutogradMeta& m = meta(var);
  if (!m.grad.defined()) {
    // Without create_graph the stored gradient is a fresh, history-free copy (never an alias of
    // a buffer the graph or the user still holds); with it, the gradient keeps its history.
    m.grad = is_grad_enabled() ? g : ops::clone(g);
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
