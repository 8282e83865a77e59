// Tensor = storage + layout (sizes, strides, offset in elements) + dtype (+ autograd meta, later).
// Views share storage and copy nothing. Tensor is a cheap refcounted handle to a TensorImpl.
#pragma once
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>

#include "core/dtype.h"
#include "core/error.h"
#include "core/ref.h"
#include "core/storage.h"

namespace kd {

constexpr int kMaxDims = 16;

// Dims: a small fixed-capacity vector of int64 (sizes, strides, dim lists).
class Dims {
 public:
  Dims() = default;
  Dims(std::initializer_list<int64_t> v) { for (int64_t x : v) push_back(x); }
  Dims(const int64_t* p, int32_t n);
  static Dims filled(int32_t n, int64_t value);

  int32_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  int64_t& operator[](int32_t i) { return d_[i]; }
  int64_t operator[](int32_t i) const { return d_[i]; }
  const int64_t* data() const { return d_; }
  int64_t* data() { return d_; }
  const int64_t* begin() const { return d_; }
  const int64_t* end() const { return d_ + n_; }
  int64_t back() const { return d_[n_ - 1]; }
  void push_back(int64_t v);
  void insert(int32_t pos, int64_t v);
  void erase(int32_t pos);
  void resize(int32_t n, int64_t fill = 0);
  int64_t numel() const;  // product (1 for an empty list)
  bool operator==(const Dims& o) const;
  bool operator!=(const Dims& o) const { return !(*this == o); }
  std::string str() const;  // "[2, 3]"

 private:
  int32_t n_ = 0;
  int64_t d_[kMaxDims];
};

Dims contiguous_strides(const Dims& sizes);

struct AutogradMeta;  // defined by the autograd layer

class TensorImpl : public RefCounted {
 public:
  TensorImpl(Ref<Storage> storage, const Dims& sizes, const Dims& strides, int64_t offset,
             DType dtype);
  ~TensorImpl();

  Ref<Storage> storage;
  Dims sizes;
  Dims strides;
  int64_t offset;  // in elements
  DType dtype;
  bool is_view = false;              // made by a view op from another tensor's storage
  // For views made by a differentiable view op while grad mode was on: the tensor whose memory
  // they view (never itself a tracked view), so an in-place op on the view can rebase the base's
  // autograd history (PyTorch's CopySlices). Kept here rather than in AutogradMeta so that
  // tracking a view costs a refcount, not an allocation.
  Ref<TensorImpl> view_base;
  AutogradMeta* autograd = nullptr;  // owned; null for tensors outside autograd

  static int64_t live_count();
};

// Wraps a dim into [0, ndim) or throws PyTorch's "Dimension out of range" error.
int32_t wrap_dim(int64_t dim, int32_t ndim, const char* op);

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Ref<TensorImpl> impl) : impl_(std::move(impl)) {}

  // CPU by default (the C API's kd_empty, io, tests); ops pass a device, usually through
  // empty_like_device.
  static Tensor empty(const Dims& sizes, DType dtype, Device device = Device::CPU,
                      int32_t device_index = 0);
  // A fresh tensor on the same device as `like`.
  static Tensor empty_like_device(const Dims& sizes, DType dtype, const Tensor& like) {
    return empty(sizes, dtype, like.device(), like.device_index());
  }
  // A view of base's storage with a new layout.
  static Tensor view_of(const Tensor& base, const Dims& sizes, const Dims& strides,
                        int64_t offset);

  bool defined() const { return static_cast<bool>(impl_); }
  TensorImpl* impl() const { return impl_.get(); }
  const Ref<TensorImpl>& ref() const { return impl_; }
  // Gives up this handle's reference (for the C API).
  TensorImpl* release() { return impl_.release(); }

  int32_t dim() const { return impl_->sizes.size(); }
  int64_t size(int32_t i) const { return impl_->sizes[i]; }
  int64_t stride(int32_t i) const { return impl_->strides[i]; }
  const Dims& sizes() const { return impl_->sizes; }
  const Dims& strides() const { return impl_->strides; }
  int64_t offset() const { return impl_->offset; }
  DType dtype() const { return impl_->dtype; }
  Device device() const { return impl_->storage->device(); }
  int32_t device_index() const { return impl_->storage->device_index(); }
  bool is_cuda() const { return impl_->storage->device() == Device::CUDA; }
  Storage* storage() const { return impl_->storage.get(); }
  int64_t numel() const { return impl_->sizes.numel(); }
  bool is_contiguous() const;
  std::string shape_str() const { return impl_->sizes.str(); }

  void* raw_data() const {
    return static_cast<char*>(impl_->storage->data()) +
           impl_->offset * static_cast<int64_t>(element_size(impl_->dtype));
  }
  template <typename T>
  T* data() const { return static_cast<T*>(raw_data()); }

  // Marks the storage as written in place (version counter).
  void bump_version() const { impl_->storage->bump_version(); }

 private:
  Ref<TensorImpl> impl_;
};

}  // namespace kd
