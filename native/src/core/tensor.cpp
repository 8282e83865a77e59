// Layout helpers, tensor construction and the live-tensor counter.
#include "core/tensor.h"

#include <atomic>

namespace kd {

namespace {
std::atomic<int64_t> g_live_tensors{0};
}

Dims::Dims(const int64_t* p, int32_t n) {
  if (n < 0 || n > kMaxDims) fail(KD_ERR_ARGUMENT, "tensors may have at most ", kMaxDims, " dims, got ", n);
  n_ = n;
  if (n) std::memcpy(d_, p, sizeof(int64_t) * n);
}

Dims Dims::filled(int32_t n, int64_t value) {
  Dims d;
  d.resize(n, value);
  return d;
}

void Dims::push_back(int64_t v) {
  if (n_ >= kMaxDims) fail(KD_ERR_ARGUMENT, "tensors may have at most ", kMaxDims, " dims");
  d_[n_++] = v;
}

void Dims::insert(int32_t pos, int64_t v) {
  if (n_ >= kMaxDims) fail(KD_ERR_ARGUMENT, "tensors may have at most ", kMaxDims, " dims");
  for (int32_t i = n_; i > pos; --i) d_[i] = d_[i - 1];
  d_[pos] = v;
  ++n_;
}

void Dims::erase(int32_t pos) {
  for (int32_t i = pos; i + 1 < n_; ++i) d_[i] = d_[i + 1];
  --n_;
}

void Dims::resize(int32_t n, int64_t fill) {
  if (n > kMaxDims) fail(KD_ERR_ARGUMENT, "tensors may have at most ", kMaxDims, " dims, got ", n);
  for (int32_t i = n_; i < n; ++i) d_[i] = fill;
  n_ = n;
}

int64_t Dims::numel() const {
  int64_t p = 1;
  for (int32_t i = 0; i < n_; ++i) p *= d_[i];
  return p;
}

bool Dims::operator==(const Dims& o) const {
  if (n_ != o.n_) return false;
  for (int32_t i = 0; i < n_; ++i)
    if (d_[i] != o.d_[i]) return false;
  return true;
}

std::string Dims::str() const {
  std::string s = "[";
  for (int32_t i = 0; i < n_; ++i) {
    if (i) s += ", ";
    s += std::to_string(d_[i]);
  }
  return s + "]";
}

Dims contiguous_strides(const Dims& sizes) {
  Dims st = Dims::filled(sizes.size(), 1);
  int64_t acc = 1;
  for (int32_t i = sizes.size() - 1; i >= 0; --i) {
    st[i] = acc;
    acc *= sizes[i] > 1 ? sizes[i] : 1;
  }
  return st;
}

TensorImpl::TensorImpl(Ref<Storage> s, const Dims& sz, const Dims& st, int64_t off, DType dt)
    : storage(std::move(s)), sizes(sz), strides(st), offset(off), dtype(dt) {
  g_live_tensors.fetch_add(1, std::memory_order_relaxed);
}

void destroy_autograd_meta(AutogradMeta* meta);  // defined by the autograd layer (meta.cpp)

TensorImpl::~TensorImpl() {
  if (autograd) destroy_autograd_meta(autograd);
  g_live_tensors.fetch_sub(1, std::memory_order_relaxed);
}

int64_t TensorImpl::live_count() { return g_live_tensors.load(std::memory_order_relaxed); }


int32_t wrap_dim(int64_t dim, int32_t ndim, const char* op) {
  int64_t n = ndim == 0 ? 1 : ndim;  // a 0-dim tensor accepts dim 0 and -1, like PyTorch
  if (dim < -n || dim >= n) {
    fail(KD_ERR_INDEX, op, ": dimension out of range (expected to be in range of [", -n, ", ",
         n - 1, "], but got ", dim, ")");
  }
  return static_cast<int32_t>(dim < 0 ? dim + n : dim);
}

Tensor Tensor::empty(const Dims& sizes, DType dtype, Device device, int32_t device_index) {
  for (int32_t i = 0; i < sizes.size(); ++i)
    if (sizes[i] < 0) fail(KD_ERR_ARGUMENT, "empty: negative dimension ", sizes[i], " in shape ", sizes.str());
  // An overflowing element count would allocate a tiny buffer for a huge shape.
  int64_t n = 1, nbytes = 0;
  bool overflow = false, has_zero = false;
  for (int32_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == 0) has_zero = true;
    else overflow = __builtin_mul_overflow(n, sizes[i], &n) || overflow;
  }
  if (has_zero) n = 0, overflow = false;
  if (overflow || __builtin_mul_overflow(n, static_cast<int64_t>(element_size(dtype)), &nbytes))
    fail(KD_ERR_ARGUMENT, "empty: storage size calculation overflowed with sizes ", sizes.str());
  auto storage = Storage::allocate(static_cast<size_t>(n) * element_size(dtype), device, device_index);
  return Tensor(Ref<TensorImpl>::adopt(
      new TensorImpl(std::move(storage), sizes, contiguous_strides(sizes), 0, dtype)));
}

Tensor Tensor::view_of(const Tensor& base, const Dims& sizes, const Dims& strides,
                       int64_t offset) {
  auto* impl = new TensorImpl(base.impl()->storage, sizes, strides, offset, base.dtype());
  impl->is_view = true;
  return Tensor(Ref<TensorImpl>::adopt(impl));
}

bool Tensor::is_contiguous() const {
  const Dims& sz = sizes();
  for (int32_t i = 0; i < sz.size(); ++i)
    if (sz[i] == 0) return true;  // like PyTorch: an empty tensor is contiguous
  const Dims& st = strides();
  int64_t expected = 1;
  for (int32_t i = sz.size() - 1; i >= 0; --i) {
    if (sz[i] == 1) continue;
    if (st[i] != expected) return false;
    expected *= sz[i];
  }
  return true;
}

}  // namespace kd
