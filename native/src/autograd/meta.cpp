// Autograd metadata of tensors, and the rules for requires_grad, leaves, history and in-place.
#include "autograd/meta.h"

#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "core/error.h"
#include "ops/ops.h"

namespace kd {

void destroy_autograd_meta(AutogradMeta* m) {
  if (m->self_cell) *m->self_cell = nullptr;
  delete m;
}

namespace ag {

AutogradMeta& meta(const Tensor& t) {
  TensorImpl* impl = t.impl();
  if (!impl->autograd) impl->autograd = new AutogradMeta();
  return *impl->autograd;
}

bool requires_grad(const Tensor& t) {
  const AutogradMeta* m = meta_or_null(t);
  return m && (m->requires_grad || m->grad_fn);
}

bool is_leaf(const Tensor& t) {
  const AutogradMeta* m = meta_or_null(t);
  return !m || !m->grad_fn;
}

void set_requires_grad(const Tensor& t, bool flag) {
  if (!is_leaf(t)) {
    if (!flag)
      fail(KD_ERR_ARGUMENT,
           "requires_grad_: you can only change requires_grad flags of leaf variables. If you want "
           "to use a computed variable in a subgraph that doesn't require differentiation use "
           "var_no_grad = var.detach().");
    return;
  }
  if (flag && !is_floating(t.dtype()))
    fail(KD_ERR_DTYPE, "requires_grad_: only Tensors of floating point dtype can require gradients, got ",
         dtype_name(t.dtype()));
  if (!flag && !meta_or_null(t)) return;
  meta(t).requires_grad = flag;
}

std::shared_ptr<Node> grad_fn(const Tensor& t) {
  const AutogradMeta* m = meta_or_null(t);
  return m ? m->grad_fn : nullptr;
}

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* m = meta_or_null(t);
  if (!m) return {};
  if (m->grad_fn) return {m->grad_fn, m->output_nr};
  if (!m->requires_grad) return {};
  std::shared_ptr<Node> acc = m->grad_accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t.ref());
    m->grad_accumulator = acc;
  }
  return {acc, 0};
}

bool any_requires_grad(std::initializer_list<const Tensor*> ts) {
  if (!is_grad_enabled()) return false;
  for (const Tensor* t : ts)
    if (t && t->defined() && requires_grad(*t)) return true;
  return false;
}

bool any_requires_grad(const std::vector<Tensor>& ts) {
  if (!is_grad_enabled()) return false;
  for (const Tensor& t : ts)
    if (t.defined() && requires_grad(t)) return true;
  return false;
}

void collect_inputs(Node& node, const std::vector<const Tensor*>& inputs) {
  node.next_edges.reserve(inputs.size());
  node.input_meta.reserve(inputs.size());
  for (const Tensor* t : inputs) {
    if (t && t->defined()) {
      node.next_edges.push_back(gradient_edge(*t));
      node.input_meta.push_back({t->sizes(), t->dtype(), t->device(), t->device_index()});
    } else {
      node.next_edges.push_back({});
      node.input_meta.push_back({});
    }
  }
}

void set_history(const Tensor& out, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  AutogradMeta& m = meta(out);
  m.grad_fn = node;
  m.output_nr = output_nr;
  m.requires_grad = false;  // implied by grad_fn
  if (node->num_outputs < output_nr + 1) node->num_outputs = output_nr + 1;
}

Tensor detach(const Tensor& t) { return ops::alias(t); }

void detach_(const Tensor& t) {
  AutogradMeta* m = meta_or_null(t);
  if (!m) return;
  if (t.impl()->is_view && m->grad_fn)
    fail(KD_ERR_ARGUMENT, "detach_: can't detach views in-place. Use detach() instead.");
  m->grad_fn.reset();
  m->output_nr = 0;
  m->requires_grad = false;
}

void set_data(const Tensor& dst, const Tensor& src) {
  if (!dst.defined() || !src.defined()) fail(KD_ERR_ARGUMENT, "set_data: undefined tensor");
  TensorImpl* d = dst.impl();
  TensorImpl* s = src.impl();
  if (d == s) return;
  d->storage = s->storage;
  d->sizes = s->sizes;
  d->strides = s->strides;
  d->offset = s->offset;
  d->dtype = s->dtype;
  // Whatever d viewed before, its memory is now src's: an in-place op on d must not be
  // replayed on its old base.
  d->is_view = s->is_view;
  d->view_base.reset();
  if (AutogradMeta* m = d->autograd) {
    m->grad_accumulator.reset();
    if (m->grad.defined() && (m->grad.dtype() != d->dtype || m->grad.sizes() != d->sizes))
      m->grad = Tensor();
  }
}

void retain_grad(const Tensor& t) {
  if (!requires_grad(t))
    fail(KD_ERR_STATE, "retain_grad: can't retain_grad on Tensor that has requires_grad=False");
  if (is_leaf(t)) return;  // leaves keep their gradient anyway
  AutogradMeta& m = meta(t);
  if (m.retains_grad) return;
  m.retains_grad = true;
  if (!m.self_cell) m.self_cell = std::make_shared<TensorImpl*>(t.impl());
  std::shared_ptr<TensorImpl*> cell = m.self_cell;
  // Id -1 marks the retain hook: the engine runs it after the user's hooks, as PyTorch does.
  m.grad_fn->pre_hooks.push_back({-1, m.output_nr, [cell](const Tensor& g) -> Tensor {
    TensorImpl* impl = *cell;
    if (!impl || !impl->autograd) return Tensor();
    AutogradMeta& tm = *impl->autograd;
    if (!tm.grad.defined()) tm.grad = is_grad_enabled() ? g : ops::clone(g);
    else tm.grad = is_grad_enabled() ? add(tm.grad, g) : ops::binary(KD_ADD, tm.grad, g);
    return Tensor();
  }});
}

void register_hook(const Tensor& t, int64_t id, GradHook fn) {
  if (!requires_grad(t))
    fail(KD_ERR_STATE, "register_hook: cannot register a hook on a tensor that doesn't require gradient");
  AutogradMeta& m = meta(t);
  if (m.grad_fn) m.grad_fn->pre_hooks.push_back({id, m.output_nr, std::move(fn)});
  else m.leaf_hooks.push_back({id, 0, std::move(fn)});
}

bool remove_hook(const Tensor& t, int64_t id) {
  AutogradMeta* m = meta_or_null(t);
  if (!m) return false;
  auto drop = [id](std::vector<Node::Hook>& hooks) {
    for (auto it = hooks.begin(); it != hooks.end(); ++it)
      if (it->id == id) {
        hooks.erase(it);
        return true;
      }
    return false;
  };
  bool removed = drop(m->leaf_hooks);
  if (!removed && m->grad_fn) removed = drop(m->grad_fn->pre_hooks);
  return removed;
}

void check_inplace(const Tensor& t, const char* op) {
  if (!is_grad_enabled()) return;
  if (requires_grad(t) && is_leaf(t))
    fail(KD_ERR_ARGUMENT, op,
         ": a leaf Variable that requires grad is being used in an in-place operation.");
}

void check_inplace_view(const Tensor& t, bool records, const char* op) {
  if (!records || !t.impl()->is_view) return;
  if (!t.impl()->view_base)
    fail(KD_ERR_UNSUPPORTED, op, ": this view (shape ", t.shape_str(),
         ") was not made by a differentiable view op with grad mode on (e.g. it came from "
         "detach(), data(), no-grad code, or an op that returns several views such as split), so an "
         "in-place op on it cannot be recorded; use an out-of-place op or clone() it first");
  Tensor base(t.impl()->view_base);
  if (requires_grad(base) && is_leaf(base))
    fail(KD_ERR_ARGUMENT, op,
         ": a view of a leaf Variable that requires grad is being used in an in-place operation.");
  for (int32_t i = 0; i < t.dim(); ++i)
    if (t.stride(i) == 0 && t.size(i) > 1)
      fail(KD_ERR_ARGUMENT, op,
           ": unsupported operation: more than one element of the written-to tensor refers to a "
           "single memory location. Please clone() the tensor before performing the operation.");
  if (base.impl()->is_view || !base.is_contiguous())
    fail(KD_ERR_UNSUPPORTED, op, ": in-place on a view of a non-contiguous tensor (shape ",
         base.shape_str(), ") is not supported by autograd yet; clone() it first");
}

Tensor track_view(const Tensor& in, Tensor out) {
  if (!is_grad_enabled() || out.storage() != in.storage() || out.impl() == in.impl()) return out;
  const Ref<TensorImpl>& inner = in.impl()->view_base;
  out.impl()->view_base = inner ? inner : in.ref();
  return out;
}

}  // namespace ag
}  // namespace kd
