// Indexing ops with PyTorch's rules: index_select, gather and scatter_add(_). Index tensors are
// int64 (the only integer dtype we have). For gather/scatter a 0-dim tensor counts as 1-D of
// size 1, and an empty index skips the shape checks, as in PyTorch. Index values themselves are
// checked by the kernels, so a bad index is an error and never a stray memory access.
#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

// gather/scatter see a 0-dim tensor as the 1-D tensor [1] over the same element.
Tensor at_least_1d(const Tensor& t) {
  return t.dim() == 0 ? Tensor::view_of(t, Dims{1}, Dims{1}, t.offset()) : t;
}

int32_t dims_at_least_1(const Tensor& t) { return t.dim() == 0 ? 1 : t.dim(); }

void check_index_dtype(const Tensor& index, const char* op) {
  if (index.dtype() != DType::Int64)
    fail(KD_ERR_DTYPE, op, ": expected dtype int64 for index, got ", dtype_name(index.dtype()));
}

// Does t use any element more than once (an expanded tensor)? Writing to it in place would race.
bool has_internal_overlap(const Tensor& t) {
  for (int32_t d = 0; d < t.dim(); ++d)
    if (t.size(d) > 1 && t.stride(d) == 0) return true;
  return false;
}

// Do the memory spans of a and b intersect?
bool spans_overlap(const Tensor& a, const Tensor& b) {
  if (a.storage() != b.storage() || a.numel() == 0 || b.numel() == 0) return false;
  auto span = [](const Tensor& t, int64_t* lo, int64_t* hi) {
    const int64_t es = static_cast<int64_t>(element_size(t.dtype()));
    int64_t last = t.offset();
    for (int32_t d = 0; d < t.dim(); ++d) last += (t.size(d) - 1) * t.stride(d);
    *lo = t.offset() * es;
    *hi = (last + 1) * es;
  };
  int64_t alo, ahi, blo, bhi;
  span(a, &alo, &ahi);
  span(b, &blo, &bhi);
  return alo < bhi && blo < ahi;
}

// An input of an in-place op that reads memory the op writes: PyTorch refuses the dense case;
// otherwise (interleaved views, where it cannot tell) we read from a copy so the result is exact.
Tensor unaliased_input(const Tensor& self, const Tensor& in, const char* op) {
  if (!spans_overlap(self, in)) return in;
  if (self.is_contiguous() && in.is_contiguous())
    fail(KD_ERR_ARGUMENT, op, ": unsupported operation: some elements of the input tensor and "
         "the written-to tensor refer to a single memory location. Please clone() the tensor "
         "before performing the operation.");
  return clone(in);
}

// Shared by scatter_add and scatter_add_: checks, then adds src into self in place.
void scatter_add_into(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src,
                      const char* op) {
  check_devices(op, {&self, &index, &src});
  const int32_t d = wrap_dim(dim, self.dim(), op);
  if (index.numel() != 0) check_index_dtype(index, op);
  if (src.dtype() != self.dtype())
    fail(KD_ERR_DTYPE, op, ": expected self.dtype to be equal to src.dtype, got ",
         dtype_name(self.dtype()), " and ", dtype_name(src.dtype()));
  if (index.numel() == 0) return;

  if (dims_at_least_1(index) != dims_at_least_1(self))
    fail(KD_ERR_ARGUMENT, op, ": index tensor must have the same number of dimensions as self "
         "tensor (index ", index.shape_str(), ", self ", self.shape_str(), ")");
  if (dims_at_least_1(index) != dims_at_least_1(src))
    fail(KD_ERR_ARGUMENT, op, ": index tensor must have the same number of dimensions as src "
         "tensor (index ", index.shape_str(), ", src ", src.shape_str(), ")");
  Tensor self1 = at_least_1d(self), index1 = at_least_1d(index), src1 = at_least_1d(src);
  for (int32_t j = 0; j < index1.dim(); ++j)
    if ((j != d && index1.size(j) > self1.size(j)) || index1.size(j) > src1.size(j))
      fail(KD_ERR_ARGUMENT, op, ": expected index ", index.shape_str(),
           " to be smaller than self ", self.shape_str(), " apart from dimension ", d,
           " and to be smaller size than src ", src.shape_str());
  if (has_internal_overlap(self))
    fail(KD_ERR_ARGUMENT, op, ": unsupported operation: more than one element of the "
         "written-to tensor refers to a single memory location. Please clone() the tensor "
         "before performing the operation.");
  index1 = unaliased_input(self1, index1, op);
  src1 = unaliased_input(self1, src1, op);
  KD_KERNEL(self1, scatter_add_kernel, self1, d, index1, src1);
}

}  // namespace

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
  check_devices("index_select", {&t, &index});
  const int32_t d = wrap_dim(dim, t.dim(), "index_select");
  check_index_dtype(index, "index_select");
  if (index.dim() > 1)
    fail(KD_ERR_ARGUMENT, "index_select: index is supposed to be a vector, got shape ",
         index.shape_str());
  const int64_t n = index.numel();
  Tensor index1 = at_least_1d(index);
  if (t.dim() == 0) {
    // PyTorch returns a 0-dim result here whatever the index length; only one index makes sense.
    if (n != 1)
      fail(KD_ERR_ARGUMENT, "index_select: a 0-dim input takes exactly one index, got ", n);
    Tensor out = Tensor::empty_like_device(Dims{}, t.dtype(), t);
    Tensor out1 = at_least_1d(out);
    KD_KERNEL(out, index_select_kernel, out1, at_least_1d(t), 0, index1);
    return out;
  }
  Dims sizes = t.sizes();
  sizes[d] = n;
  Tensor out = Tensor::empty_like_device(sizes, t.dtype(), t);
  KD_KERNEL(out, index_select_kernel, out, t, d, index1);
  return out;
}

Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) {
  check_devices("gather", {&t, &index});
  const int32_t d = wrap_dim(dim, t.dim(), "gather");
  Tensor out = Tensor::empty_like_device(index.sizes(), t.dtype(), t);
  if (index.numel() == 0) return out;
  check_index_dtype(index, "gather");
  if (dims_at_least_1(index) != dims_at_least_1(t))
    fail(KD_ERR_ARGUMENT, "gather: index tensor must have the same number of dimensions as "
         "input tensor (index ", index.shape_str(), ", input ", t.shape_str(), ")");
  Tensor t1 = at_least_1d(t), index1 = at_least_1d(index);
  for (int32_t j = 0; j < index1.dim(); ++j)
    if (j != d && index1.size(j) > t1.size(j))
      fail(KD_ERR_ARGUMENT, "gather: size does not match at dimension ", j, ": expected index ",
           index.shape_str(), " to be smaller than self ", t.shape_str(),
           " apart from dimension ", d);
  KD_KERNEL(out, gather_kernel, at_least_1d(out), t1, d, index1);
  return out;
}

Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  check_devices("scatter_add", {&t, &index, &src});
  Tensor out = clone(t);
  scatter_add_into(out, dim, index, src, "scatter_add");
  return out;
}

void scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  scatter_add_into(t, dim, index, src, "scatter_add_");
  t.bump_version();
}

}  // namespace ops
}  // namespace kd
