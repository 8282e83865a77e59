// Differentiable pooling and upsampling. Each op is linear in its input once the windows (or,
// for max pooling, the argmax indices) are fixed, so its backward is the transposed map and
// the backward of that is the forward map again: the nodes below come in pairs that record
// each other, which makes gradients of any order exact. The indices of max pooling are
// constants of the graph (max pooling is piecewise linear), as in PyTorch.
#include <memory>
#include <string>

#include "autograd/functions.h"
#include "autograd/meta.h"
#include "autograd/saved.h"

namespace kd {
namespace ag {

namespace {

using PlanPtr = std::shared_ptr<const ops::PoolPlan>;

// The names of a window-average op's backward node and of that node's own backward.
struct Names {
  const char* forward;   // e.g. AvgPool2DBackward0
  const char* backward;  // e.g. AvgPool2DBackwardBackward0
};

Tensor window_mean_rec(const Tensor& x, const PlanPtr& plan, Names names);
Tensor window_mean_backward_rec(const Tensor& g, const PlanPtr& plan, Names names);

struct WindowMeanNode : Node {
  PlanPtr plan;
  Names names;
  const char* name() const override { return names.forward; }
  TensorList apply(TensorList&& g) override {
    TensorList out(1);
    if (needs_input_grad(0) && g[0].defined()) out[0] = window_mean_backward_rec(g[0], plan, names);
    return out;
  }
};

struct WindowMeanBackwardNode : Node {
  PlanPtr plan;
  Names names;
  const char* name() const override { return names.backward; }
  TensorList apply(TensorList&& g) override {
    TensorList out(1);
    if (needs_input_grad(0) && g[0].defined()) out[0] = window_mean_rec(g[0], plan, names);
    return out;
  }
};

Tensor window_mean_rec(const Tensor& x, const PlanPtr& plan, Names names) {
  Tensor out = ops::window_mean(x, *plan);
  if (!any_requires_grad({&x})) return out;
  auto n = make_node<WindowMeanNode>({&x});
  n->plan = plan;
  n->names = names;
  set_history(out, n);
  return out;
}

Tensor window_mean_backward_rec(const Tensor& g, const PlanPtr& plan, Names names) {
  Tensor out = ops::window_mean_backward(g, *plan);
  if (!any_requires_grad({&g})) return out;
  auto n = make_node<WindowMeanBackwardNode>({&g});
  n->plan = plan;
  n->names = names;
  set_history(out, n);
  return out;
}

// Max pooling: the gradient is scattered to the argmax; the scatter's gradient is a gather.
Tensor scatter_rec(const Tensor& g, const Tensor& idx, int64_t h, int64_t w);
Tensor gather_rec(const Tensor& x, const Tensor& idx);

struct MaxPool2DWithIndicesBackward0 : Node {
  Tensor indices;  // int64, never modified by anyone: the op's second output, kept private
  int64_t h = 0, w = 0;
  const char* name() const override { return "MaxPool2DWithIndicesBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(1);
    if (needs_input_grad(0) && g[0].defined()) out[0] = scatter_rec(g[0], indices, h, w);
    return out;
  }
  void release_saved() override { indices = Tensor(); }
};

struct MaxPool2DWithIndicesBackwardBackward0 : Node {
  Tensor indices;
  const char* name() const override { return "MaxPool2DWithIndicesBackwardBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(1);
    if (needs_input_grad(0) && g[0].defined()) out[0] = gather_rec(g[0], indices);
    return out;
  }
  void release_saved() override { indices = Tensor(); }
};

struct MaxPoolDoubleBackwardBackward0 : Node {
  Tensor indices;
  int64_t h = 0, w = 0;
  const char* name() const override { return "MaxPoolDoubleBackwardBackward0"; }
  TensorList apply(TensorList&& g) override {
    TensorList out(1);
    if (needs_input_grad(0) && g[0].defined()) out[0] = scatter_rec(g[0], indices, h, w);
    return out;
  }
  void release_saved() override { indices = Tensor(); }
};

Tensor scatter_rec(const Tensor& g, const Tensor& idx, int64_t h, int64_t w) {
  Tensor out = ops::max_pool2d_scatter(g, idx, h, w);
  if (!any_requires_grad({&g})) return out;
  auto n = make_node<MaxPool2DWithIndicesBackwardBackward0>({&g});
  n->indices = idx;
  set_history(out, n);
  return out;
}

Tensor gather_rec(const Tensor& x, const Tensor& idx) {
  Tensor out = ops::max_pool2d_gather(x, idx);
  if (!any_requires_grad({&x})) return out;
  auto n = make_node<MaxPoolDoubleBackwardBackward0>({&x});
  n->indices = idx;
  n->h = x.size(x.dim() - 2);
  n->w = x.size(x.dim() - 1);
  set_history(out, n);
  return out;
}

}  // namespace

Tensor max_pool2d(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                  const int64_t padding[2], const int64_t dilation[2], bool ceil_mode) {
  Tensor values, indices;
  ops::max_pool2d_with_indices(x, kernel, stride, padding, dilation, ceil_mode, &values, &indices);
  if (!any_requires_grad({&x})) return values;
  auto n = make_node<MaxPool2DWithIndicesBackward0>({&x});
  n->indices = indices;
  n->h = x.size(x.dim() - 2);
  n->w = x.size(x.dim() - 1);
  set_history(values, n);
  return values;
}

Tensor avg_pool2d(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                  const int64_t padding[2], bool ceil_mode, bool count_include_pad) {
  auto plan = std::make_shared<const ops::PoolPlan>(
      ops::avg_pool2d_plan(x, kernel, stride, padding, ceil_mode, count_include_pad));
  return window_mean_rec(x, plan, Names{"AvgPool2DBackward0", "AvgPool2DBackwardBackward0"});
}

Tensor adaptive_avg_pool2d(const Tensor& x, const int64_t output_size[2]) {
  auto plan = std::make_shared<const ops::PoolPlan>(ops::adaptive_avg_pool2d_plan(x, output_size));
  return window_mean_rec(x, plan,
                         Names{"AdaptiveAvgPool2DBackward0", "AdaptiveAvgPool2DBackwardBackward0"});
}

Tensor upsample_nearest2d(const Tensor& x, const int64_t output_size[2], const double scales[2]) {
  auto plan = std::make_shared<const ops::PoolPlan>(ops::upsample_nearest2d_plan(x, output_size, scales));
  // torch 1.13 records F.interpolate's nearest upsampling as the vec overload: ...Backward1.
  return window_mean_rec(x, plan,
                         Names{"UpsampleNearest2DBackward1", "UpsampleNearest2DBackwardBackward1"});
}

}  // namespace ag
}  // namespace kd
