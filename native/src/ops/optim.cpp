// Optimizer steps: validation of every parameter's tensors, then one fused kernel per parameter
// (cpu/optim_kernels.cpp). Why one call per step rather than one per parameter or per op: a step
// of a model touches every parameter, and crossing the Java/native boundary once for all of them
// (with a row of hyper-parameters per parameter, so groups with different options and parameters
// with different step counts share the call) keeps the per-step cost independent of the number of
// parameters. Why validate everything first: a step either happens for every parameter or, on a
// bad argument, for none, so the optimizer's state never goes half a step ahead.
//
// The updates write raw storage and record nothing for autograd, like PyTorch's optimizers under
// torch.no_grad(); each written tensor's version counter is bumped like any in-place op, so
// backward through a graph that saved a parameter before the step fails loudly.
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

// One tensor of a parameter's update: its role ("params", "grads", a state buffer's array name)
// and whether the update writes it.
struct Slot {
  const char* array;
  Tensor t;
  bool written;
};

bool has_internal_overlap(const Tensor& t) {
  for (int32_t d = 0; d < t.dim(); ++d)
    if (t.stride(d) == 0 && t.size(d) > 1) return true;
  return false;
}

// Checks parameter i's tensors. slots[0] is the parameter, slots[1] its gradient; the rest are its
// state buffers (undefined when the update does not use them; `needed` says which must exist).
void check(const char* op, int64_t i, const std::vector<Slot>& slots, const std::vector<bool>& needed) {
  const Tensor& p = slots[0].t;
  if (!p.defined()) fail(KD_ERR_STATE, op, ": params[", i, "] is a null handle");
  if (!is_floating(p.dtype()))
    fail(KD_ERR_DTYPE, op, ": params[", i, "] has dtype ", dtype_name(p.dtype()),
         "; optimizers update only float32 or float64 parameters");
  for (size_t k = 1; k < slots.size(); ++k) {
    const Slot& s = slots[k];
    if (!s.t.defined()) {
      if (needed[k]) fail(KD_ERR_STATE, op, ": ", s.array, "[", i, "] is a null handle but the update of params[", i, "] needs it");
      continue;
    }
    const std::string which = std::string(op) + " (params[" + std::to_string(i) + "] and " + s.array +
                              "[" + std::to_string(i) + "])";
    check_devices(which.c_str(), {&p, &s.t});
    if (s.t.dtype() != p.dtype())
      fail(KD_ERR_DTYPE, op, ": ", s.array, "[", i, "] has dtype ", dtype_name(s.t.dtype()), " but params[", i,
           "] has dtype ", dtype_name(p.dtype()));
    if (s.t.sizes() != p.sizes())
      fail(KD_ERR_ARGUMENT, op, ": ", s.array, "[", i, "] has shape ", s.t.shape_str(), " but params[", i,
           "] has shape ", p.shape_str());
  }
  for (size_t k = 0; k < slots.size(); ++k) {
    const Slot& s = slots[k];
    if (!s.t.defined()) continue;
    if (s.written && has_internal_overlap(s.t))
      fail(KD_ERR_ARGUMENT, op, ": ", s.array, "[", i, "] has shape ", s.t.shape_str(),
           " and strides ", s.t.strides().str(),
           ": unsupported operation: more than one element of the written-to tensor refers to a single memory "
           "location. Please clone() the tensor before performing the operation.");
    for (size_t j = 0; j < k; ++j) {
      const Slot& o = slots[j];
      if (o.t.defined() && o.t.storage() == s.t.storage() && (o.written || s.written))
        fail(KD_ERR_ARGUMENT, op, ": ", o.array, "[", i, "] and ", s.array, "[", i,
             "] share memory; a parameter, its gradient and its state buffers must be separate tensors");
    }
  }
}

// Runs kernel(tensors) on contiguous stand-ins of the slots and writes non-contiguous written
// tensors back; bumps the version counter of every written tensor.
template <typename K>
void update(const std::vector<Slot>& slots, K&& kernel) {
  std::vector<Tensor> work;
  work.reserve(slots.size());
  for (const Slot& s : slots) work.push_back(!s.t.defined() || s.t.is_contiguous() ? s.t : clone(s.t));
  kernel(work);
  for (size_t k = 0; k < slots.size(); ++k) {
    const Slot& s = slots[k];
    if (!s.written || !s.t.defined()) continue;
    if (work[k].impl() != s.t.impl()) KD_KERNEL(s.t, copy_kernel, s.t, work[k]);
    s.t.bump_version();
  }
}

Tensor at(const Tensor* ts, int64_t i) {
  return ts ? ts[i] : Tensor();
}

void check_arrays(const char* op, int64_t n, const void* params, const void* grads, const void* hyper) {
  if (n < 0) fail(KD_ERR_ARGUMENT, op, ": negative parameter count ", n);
  if (n > 0 && (!params || !grads || !hyper))
    fail(KD_ERR_ARGUMENT, op, ": null ", !params ? "params" : !grads ? "grads" : "hyper-parameter", " array for ", n,
         " parameter(s)");
}

// Runs the checks for all n parameters, then the updates.
template <typename MakeSlots, typename Needed, typename Kernel>
void step_all(const char* op, int64_t n, MakeSlots&& make, Needed&& needed, Kernel&& kernel) {
  for (int64_t i = 0; i < n; ++i) check(op, i, make(i), needed(i));
  for (int64_t i = 0; i < n; ++i) {
    update(make(i), [&](const std::vector<Tensor>& w) { kernel(i, w); });
  }
}

}  // namespace

void sgd_step(int64_t n, const Tensor* params, const Tensor* grads, const Tensor* momentum_buffers,
              const SgdHyper* hyper) {
  const char* op = "sgd";
  check_arrays(op, n, params, grads, hyper);
  auto make = [&](int64_t i) {
    bool m = hyper[i].momentum != 0;
    return std::vector<Slot>{{"params", params[i], true},
                             {"grads", grads[i], false},
                             {"momentum_buffers", m ? at(momentum_buffers, i) : Tensor(), true}};
  };
  auto needed = [&](int64_t i) { return std::vector<bool>{true, true, hyper[i].momentum != 0}; };
  step_all(op, n, make, needed, [&](int64_t i, const std::vector<Tensor>& w) {
    KD_KERNEL(w[0], sgd_kernel, hyper[i], w[0], w[1], w[2]);
  });
}

void adam_step(int64_t n, const Tensor* params, const Tensor* grads, const Tensor* exp_avgs,
               const Tensor* exp_avg_sqs, const Tensor* max_exp_avg_sqs, const AdamHyper* hyper) {
  const char* op = hyper && n > 0 && hyper[0].decoupled ? "adamw" : "adam";
  check_arrays(op, n, params, grads, hyper);
  for (int64_t i = 0; i < n; ++i)
    if (!(hyper[i].step >= 1))
      fail(KD_ERR_ARGUMENT, op, ": step of params[", i, "] is ", hyper[i].step, "; steps count from 1");
  auto make = [&](int64_t i) {
    return std::vector<Slot>{{"params", params[i], true},
                             {"grads", grads[i], false},
                             {"exp_avgs", at(exp_avgs, i), true},
                             {"exp_avg_sqs", at(exp_avg_sqs, i), true},
                             {"max_exp_avg_sqs", hyper[i].amsgrad ? at(max_exp_avg_sqs, i) : Tensor(), true}};
  };
  auto needed = [&](int64_t i) { return std::vector<bool>{true, true, true, true, hyper[i].amsgrad}; };
  step_all(op, n, make, needed, [&](int64_t i, const std::vector<Tensor>& w) {
    KD_KERNEL(w[0], adam_kernel, hyper[i], w[0], w[1], w[2], w[3], w[4]);
  });
}

void rmsprop_step(int64_t n, const Tensor* params, const Tensor* grads, const Tensor* square_avgs,
                  const Tensor* momentum_buffers, const Tensor* grad_avgs, const RmspropHyper* hyper) {
  const char* op = "rmsprop";
  check_arrays(op, n, params, grads, hyper);
  auto make = [&](int64_t i) {
    return std::vector<Slot>{{"params", params[i], true},
                             {"grads", grads[i], false},
                             {"square_avgs", at(square_avgs, i), true},
                             {"momentum_buffers", hyper[i].momentum > 0 ? at(momentum_buffers, i) : Tensor(), true},
                             {"grad_avgs", hyper[i].centered ? at(grad_avgs, i) : Tensor(), true}};
  };
  auto needed = [&](int64_t i) {
    return std::vector<bool>{true, true, true, hyper[i].momentum > 0, hyper[i].centered};
  };
  step_all(op, n, make, needed, [&](int64_t i, const std::vector<Tensor>& w) {
    KD_KERNEL(w[0], rmsprop_kernel, hyper[i], w[0], w[1], w[2], w[3], w[4]);
  });
}

void adagrad_step(int64_t n, const Tensor* params, const Tensor* grads, const Tensor* sums,
                  const AdagradHyper* hyper) {
  const char* op = "adagrad";
  check_arrays(op, n, params, grads, hyper);
  for (int64_t i = 0; i < n; ++i)
    if (!(hyper[i].step >= 1))
      fail(KD_ERR_ARGUMENT, op, ": step of params[", i, "] is ", hyper[i].step, "; steps count from 1");
  auto make = [&](int64_t i) {
    return std::vector<Slot>{{"params", params[i], true}, {"grads", grads[i], false}, {"sums", at(sums, i), true}};
  };
  auto needed = [&](int64_t) { return std::vector<bool>{true, true, true}; };
  step_all(op, n, make, needed, [&](int64_t i, const std::vector<Tensor>& w) {
    KD_KERNEL(w[0], adagrad_kernel, hyper[i], w[0], w[1], w[2]);
  });
}

}  // namespace ops
}  // namespace kd
