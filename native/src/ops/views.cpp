// View ops: new layouts over the same storage (no copy), plus contiguous/clone/to_dtype which
// copy only when they must.
#include <algorithm>

#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

// PyTorch's stride computation for view(): succeeds when each run of new dims maps onto a run
// of old dims that is contiguous in memory.
bool view_strides(const Dims& oldsz, const Dims& oldst, const Dims& newsz, Dims* newst) {
  *newst = Dims::filled(newsz.size(), 1);
  // An empty tensor viewed as its own shape keeps its strides (as PyTorch's computeStride does;
  // e.g. t[::2] of an empty t keeps stride 2 through reshape), otherwise it gets contiguous ones.
  if (oldsz.numel() == 0 && oldsz.size() > 0 && oldsz == newsz) {
    *newst = oldst;
    return true;
  }
  if (oldsz.size() == 0 || oldsz.numel() == 0) {
    *newst = contiguous_strides(newsz);
    return true;
  }
  int32_t view_d = newsz.size() - 1;
  int64_t chunk_base_stride = oldst.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int32_t d = oldsz.size() - 1; d >= 0; --d) {
    tensor_numel *= oldsz[d];
    if (d == 0 || (oldsz[d - 1] != 1 && oldst[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || newsz[view_d] == 1)) {
        (*newst)[view_d] = view_numel * chunk_base_stride;
        view_numel *= newsz[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base_stride = oldst[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  return view_d == -1;
}

}  // namespace

Tensor alias(const Tensor& t) { return Tensor::view_of(t, t.sizes(), t.strides(), t.offset()); }

Dims infer_shape(const Dims& shape, int64_t numel, const char* op) {
  Dims out = shape;
  int32_t infer = -1;
  int64_t known = 1;
  for (int32_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer >= 0) fail(KD_ERR_ARGUMENT, op, ": only one dimension can be inferred, got shape ", shape.str());
      infer = i;
    } else if (shape[i] < 0) {
      fail(KD_ERR_ARGUMENT, op, ": invalid shape dimension ", shape[i], " in shape ", shape.str());
    } else {
      known *= shape[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || numel % known != 0)
      fail(KD_ERR_ARGUMENT, op, ": shape '", shape.str(), "' is invalid for input of size ", numel);
    out[infer] = numel / known;
  } else if (known != numel) {
    fail(KD_ERR_ARGUMENT, op, ": shape '", shape.str(), "' is invalid for input of size ", numel);
  }
  return out;
}

Tensor view(const Tensor& t, const Dims& shape) {
  Dims sz = infer_shape(shape, t.numel(), "view");
  Dims st;
  if (!view_strides(t.sizes(), t.strides(), sz, &st))
    fail(KD_ERR_ARGUMENT,
         "view: view size is not compatible with input tensor's size and stride (at least one "
         "dimension spans across two contiguous subspaces); input shape ",
         t.shape_str(), ", strides ", t.strides().str(), ", requested ", shape.str(),
         ". Use reshape(...) instead.");
  return Tensor::view_of(t, sz, st, t.offset());
}

Tensor reshape(const Tensor& t, const Dims& shape) {
  Dims sz = infer_shape(shape, t.numel(), "reshape");
  Dims st;
  if (view_strides(t.sizes(), t.strides(), sz, &st)) return Tensor::view_of(t, sz, st, t.offset());
  return unsafe_view(clone(t), sz);  // a reshape that had to copy owns its memory
}

Tensor unsafe_view(const Tensor& fresh, const Dims& shape) {
  Tensor out = view(fresh, shape);
  out.impl()->is_view = false;
  return out;
}

Tensor transpose(const Tensor& t, int64_t d0, int64_t d1) {
  int32_t a = wrap_dim(d0, t.dim(), "transpose"), b = wrap_dim(d1, t.dim(), "transpose");
  if (t.dim() == 0) return alias(t);
  Dims sz = t.sizes(), st = t.strides();
  std::swap(sz[a], sz[b]);
  std::swap(st[a], st[b]);
  return Tensor::view_of(t, sz, st, t.offset());
}

Tensor permute(const Tensor& t, const Dims& dims) {
  if (dims.size() != t.dim())
    fail(KD_ERR_ARGUMENT, "permute: number of dims don't match: input of shape ", t.shape_str(),
         " has ", t.dim(), " dims, but ", dims.size(), " were given (", dims.str(), ")");
  Dims sz, st;
  bool seen[kMaxDims] = {false};
  for (int32_t i = 0; i < dims.size(); ++i) {
    int32_t d = wrap_dim(dims[i], t.dim(), "permute");
    if (seen[d])
      fail(KD_ERR_ARGUMENT, "permute: duplicate dims are not allowed: dim ", dims[i], " repeats in ",
           dims.str(), " for input of shape ", t.shape_str());
    seen[d] = true;
    sz.push_back(t.size(d));
    st.push_back(t.stride(d));
  }
  return Tensor::view_of(t, sz, st, t.offset());
}

Tensor slice(const Tensor& t, int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (t.dim() == 0) fail(KD_ERR_INDEX, "slice: cannot slice a 0-dim tensor");
  int32_t d = wrap_dim(dim, t.dim(), "slice");
  if (step <= 0) fail(KD_ERR_ARGUMENT, "slice: step must be greater than zero, got ", step);
  int64_t n = t.size(d);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::min(std::max<int64_t>(start, 0), n);
  end = std::min(std::max<int64_t>(end, start), n);
  Dims sz = t.sizes(), st = t.strides();
  sz[d] = (end - start + step - 1) / step;
  st[d] = t.stride(d) * step;
  return Tensor::view_of(t, sz, st, t.offset() + start * t.stride(d));
}

Tensor narrow(const Tensor& t, int64_t dim, int64_t start, int64_t length) {
  if (t.dim() == 0) fail(KD_ERR_INDEX, "narrow: cannot be applied to a 0-dim tensor");
  int32_t d = wrap_dim(dim, t.dim(), "narrow");
  int64_t n = t.size(d);
  if (start < -n || start > n)
    fail(KD_ERR_INDEX, "narrow: start (", start, ") out of range for dimension ", d, " of size ", n);
  if (start < 0) start += n;
  if (length < 0) fail(KD_ERR_ARGUMENT, "narrow: length must be non-negative, got ", length);
  if (start + length > n)
    fail(KD_ERR_INDEX, "narrow: start (", start, ") + length (", length,
         ") exceeds dimension size (", n, ") of tensor with shape ", t.shape_str());
  return slice(t, d, start, start + length, 1);
}

Tensor select(const Tensor& t, int64_t dim, int64_t index) {
  if (t.dim() == 0) fail(KD_ERR_INDEX, "select: cannot be applied to a 0-dim tensor");
  int32_t d = wrap_dim(dim, t.dim(), "select");
  int64_t n = t.size(d);
  if (index < -n || index >= n)
    fail(KD_ERR_INDEX, "select: index ", index, " out of range for tensor of size ", t.shape_str(),
         " at dimension ", d);
  if (index < 0) index += n;
  Dims sz = t.sizes(), st = t.strides();
  sz.erase(d);
  st.erase(d);
  return Tensor::view_of(t, sz, st, t.offset() + index * t.stride(d));
}

Tensor expand(const Tensor& t, const Dims& shape) {
  if (shape.size() < t.dim())
    fail(KD_ERR_ARGUMENT, "expand: the number of sizes provided (", shape.size(),
         ") must be greater or equal to the number of dimensions in the tensor (", t.dim(),
         ").  Target sizes: ", shape.str(), ".  Tensor sizes: ", t.shape_str());
  int32_t lead = shape.size() - t.dim();
  Dims sz = shape, st = Dims::filled(shape.size(), 0);
  for (int32_t i = shape.size() - 1; i >= 0; --i) {
    int32_t j = i - lead;
    if (j < 0) {
      if (shape[i] < 0)
        fail(KD_ERR_ARGUMENT, "expand: the expanded size of the tensor (", shape[i],
             ") isn't allowed in a leading, non-existing dimension ", i);
      st[i] = 0;
      continue;
    }
    int64_t have = t.size(j);
    int64_t want = shape[i] == -1 ? have : shape[i];
    if (have == want) {
      sz[i] = have;
      st[i] = t.stride(j);
    } else if (have == 1 && want >= 0) {
      sz[i] = want;
      st[i] = 0;
    } else {
      fail(KD_ERR_ARGUMENT, "expand: the expanded size of the tensor (", want,
           ") must match the existing size (", have, ") at non-singleton dimension ", i,
           ".  Target sizes: ", shape.str(), ".  Tensor sizes: ", t.shape_str());
    }
  }
  return Tensor::view_of(t, sz, st, t.offset());
}

Tensor squeeze(const Tensor& t) {
  Dims sz, st;
  for (int32_t i = 0; i < t.dim(); ++i)
    if (t.size(i) != 1) {
      sz.push_back(t.size(i));
      st.push_back(t.stride(i));
    }
  return Tensor::view_of(t, sz, st, t.offset());
}

Tensor squeeze_dim(const Tensor& t, int64_t dim) {
  int32_t d = wrap_dim(dim, t.dim(), "squeeze");
  if (t.dim() == 0 || t.size(d) != 1) return alias(t);
  Dims sz = t.sizes(), st = t.strides();
  sz.erase(d);
  st.erase(d);
  return Tensor::view_of(t, sz, st, t.offset());
}

Tensor unsqueeze(const Tensor& t, int64_t dim) {
  int32_t d = wrap_dim(dim, t.dim() + 1, "unsqueeze");
  Dims sz = t.sizes(), st = t.strides();
  int64_t s = d < t.dim() ? t.size(d) * t.stride(d) : 1;
  sz.insert(d, 1);
  st.insert(d, s);
  return Tensor::view_of(t, sz, st, t.offset());
}

Tensor flatten(const Tensor& t, int64_t start, int64_t end) {
  if (t.dim() == 0) return reshape(t, Dims{1});
  int32_t s = wrap_dim(start, t.dim(), "flatten"), e = wrap_dim(end, t.dim(), "flatten");
  if (s > e) fail(KD_ERR_ARGUMENT, "flatten: start_dim (", start, ") cannot come after end_dim (", end, ")");
  if (s == e) return alias(t);
  Dims sz;
  for (int32_t i = 0; i < s; ++i) sz.push_back(t.size(i));
  int64_t p = 1;
  for (int32_t i = s; i <= e; ++i) p *= t.size(i);
  sz.push_back(p);
  for (int32_t i = e + 1; i < t.dim(); ++i) sz.push_back(t.size(i));
  return reshape(t, sz);
}

Tensor contiguous(const Tensor& t) {
  if (t.is_contiguous()) return alias(t);
  return clone(t);
}

Tensor clone(const Tensor& t) {
  Tensor out = Tensor::empty_like_device(t.sizes(), t.dtype(), t);
  if (out.numel() > 0) KD_KERNEL(out, copy_kernel, out, t);
  return out;
}

Tensor to_dtype(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return alias(t);
  Tensor out = Tensor::empty_like_device(t.sizes(), dtype, t);
  if (out.numel() > 0) KD_KERNEL(out, copy_kernel, out, t);
  return out;
}

}  // namespace ops
}  // namespace kd
