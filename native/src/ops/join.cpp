// Joining and splitting: cat, stack and split_with_sizes, with torch.cat's rules. cat promotes
// its inputs to their common dtype, wraps dim against the first input that takes part, and
// skips legacy empty tensors of shape [0] (they still count for the dtype), as PyTorch does
// for backward compatibility. stack is cat of unsqueezed inputs; split returns views.
#include <string>

#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

// PyTorch lets 1-D empty tensors join anything: torch.cat([torch.zeros(0), x]) is x.
bool skipped_by_cat(const Tensor& t) { return t.dim() == 1 && t.size(0) == 0; }

std::string list_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(v[i]);
  }
  return s + "]";
}

}  // namespace

Tensor cat(const std::vector<Tensor>& ts, int64_t dim) {
  if (ts.empty()) fail(KD_ERR_ARGUMENT, "cat: expected a non-empty list of tensors");
  DType dtype = ts[0].dtype();
  int32_t first = -1;  // the first input that takes part
  for (size_t i = 0; i < ts.size(); ++i) {
    check_devices("cat", {&ts[0], &ts[i]});
    if (ts[i].dim() == 0)
      fail(KD_ERR_ARGUMENT, "cat: zero-dimensional tensor (at position ", i,
           ") cannot be concatenated");
    dtype = promote(dtype, ts[i].dtype());
    if (first < 0 && !skipped_by_cat(ts[i])) first = static_cast<int32_t>(i);
  }
  if (first < 0) return Tensor::empty_like_device(Dims{0}, dtype, ts[0]);

  const Tensor& ref = ts[first];
  const int32_t d = wrap_dim(dim, ref.dim(), "cat");
  std::vector<Tensor> parts;
  parts.reserve(ts.size());
  int64_t total = 0;
  for (size_t i = 0; i < ts.size(); ++i) {
    const Tensor& t = ts[i];
    if (skipped_by_cat(t)) continue;
    if (t.dim() != ref.dim())
      fail(KD_ERR_ARGUMENT, "cat: tensors must have same number of dimensions: got ", ref.dim(),
           " and ", t.dim(), " (tensor number ", i, " in the list has shape ", t.shape_str(), ")");
    for (int32_t j = 0; j < ref.dim(); ++j)
      if (j != d && t.size(j) != ref.size(j))
        fail(KD_ERR_ARGUMENT, "cat: sizes of tensors must match except in dimension ", d,
             ". Expected size ", ref.size(j), " but got size ", t.size(j), " for tensor number ",
             i, " in the list (shapes ", ref.shape_str(), " and ", t.shape_str(), ").");
    total += t.size(d);
    parts.push_back(t);
  }
  Dims sizes = ref.sizes();
  sizes[d] = total;
  Tensor out = Tensor::empty_like_device(sizes, dtype, ref);
  KD_KERNEL(out, cat_kernel, out, parts.data(), static_cast<int32_t>(parts.size()), d);
  return out;
}

Tensor stack(const std::vector<Tensor>& ts, int64_t dim) {
  if (ts.empty()) fail(KD_ERR_ARGUMENT, "stack: expected a non-empty list of tensors");
  const int32_t d = wrap_dim(dim, ts[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  parts.reserve(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    if (ts[i].sizes() != ts[0].sizes())
      fail(KD_ERR_ARGUMENT, "stack expects each tensor to be equal size, but got ",
           ts[0].shape_str(), " at entry 0 and ", ts[i].shape_str(), " at entry ", i);
    parts.push_back(unsqueeze(ts[i], d));
  }
  return cat(parts, d);
}

std::vector<Tensor> split_with_sizes(const Tensor& t, const std::vector<int64_t>& sizes,
                                     int64_t dim) {
  if (t.dim() == 0) fail(KD_ERR_ARGUMENT, "split expects at least a 1-dimensional tensor");
  const int32_t d = wrap_dim(dim, t.dim(), "split");
  const int64_t n = t.size(d);
  int64_t sum = 0;
  for (int64_t len : sizes) {
    if (len < 0)
      fail(KD_ERR_ARGUMENT, "split_with_sizes expects split_sizes have only non-negative entries, "
           "but got split_sizes=", list_str(sizes));
    sum = len > n - sum ? n + 1 : sum + len;  // saturates just past n: no overflow
  }
  if (sum != n)
    fail(KD_ERR_ARGUMENT, "split_with_sizes expects split_sizes to sum exactly to ", n,
         " (input tensor's size at dimension ", d, "), but got split_sizes=", list_str(sizes));

  std::vector<Tensor> parts;
  parts.reserve(sizes.size());
  int64_t start = 0;
  for (int64_t len : sizes) {
    Dims sz = t.sizes();
    sz[d] = len;
    parts.push_back(Tensor::view_of(t, sz, t.strides(), t.offset() + start * t.stride(d)));
    start += len;
  }
  return parts;
}

}  // namespace ops
}  // namespace kd
