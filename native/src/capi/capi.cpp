// The C API: converts handles to tensors, runs the op, and turns every C++ exception into a
// status code plus a thread-local message. Nothing thrown here ever reaches the caller.
#include <cstring>
#include <new>
#include <string>

#include "core/tensor.h"
#include "cpu/parallel.h"
#include "kindling/kindling.h"
#include "ops/ops.h"

using kd::Dims;
using kd::DType;
using kd::Tensor;
using kd::TensorImpl;

namespace {

thread_local std::string t_error_message;
thread_local int32_t t_error_code = KD_OK;

void set_error(int32_t code, const char* msg) {
  t_error_code = code;
  t_error_message = msg;
}

// Runs f, mapping exceptions to a status.
template <typename F>
int32_t guard(F&& f) {
  try {
    f();
    return KD_OK;
  } catch (const kd::Error& e) {
    set_error(e.code(), e.what());
    return e.code();
  } catch (const std::bad_alloc&) {
    set_error(KD_ERR_MEMORY, "out of memory");
    return KD_ERR_MEMORY;
  } catch (const std::exception& e) {
    set_error(KD_ERR_INTERNAL, e.what());
    return KD_ERR_INTERNAL;
  } catch (...) {
    set_error(KD_ERR_INTERNAL, "unknown native error");
    return KD_ERR_INTERNAL;
  }
}

// A Tensor for a handle (one extra reference for the duration of the call).
Tensor T(kd_tensor h) {
  if (h == 0) kd::fail(KD_ERR_STATE, "null tensor handle");
  return Tensor(kd::Ref<TensorImpl>::borrow(reinterpret_cast<TensorImpl*>(h)));
}

kd_tensor H(Tensor t) { return reinterpret_cast<kd_tensor>(t.release()); }

template <typename F>
kd_tensor make(F&& f) {
  kd_tensor out = 0;
  guard([&] { out = H(f()); });
  return out;
}

Dims D(const int64_t* p, int32_t n, const char* what) {
  if (n < 0 || n > kd::kMaxDims) kd::fail(KD_ERR_ARGUMENT, what, ": bad number of dims ", n);
  if (n > 0 && !p) kd::fail(KD_ERR_ARGUMENT, what, ": null shape array");
  return Dims(p, n);
}

DType DT(int32_t code) { return kd::dtype_from_code(code); }

}  // namespace

extern "C" {

const char* kd_version(void) { return "0.1.0"; }
const char* kd_last_error_message(void) { return t_error_message.c_str(); }
int32_t kd_last_error_code(void) { return t_error_code; }
int64_t kd_live_tensors(void) { return TensorImpl::live_count(); }
int64_t kd_live_bytes(void) { return kd::Storage::live_bytes(); }
int32_t kd_set_num_threads(int32_t n) {
  return guard([&] {
    if (n < 1) kd::fail(KD_ERR_ARGUMENT, "set_num_threads: expected a positive number, got ", n);
    kd::cpu::set_num_threads(n);
  });
}
int32_t kd_get_num_threads(void) { return kd::cpu::num_threads(); }

void kd_release(kd_tensor t) {
  if (t == 0) return;
  TensorImpl* p = reinterpret_cast<TensorImpl*>(t);
  if (p->decref()) delete p;
}

kd_tensor kd_retain(kd_tensor t) {
  if (t == 0) return 0;
  reinterpret_cast<TensorImpl*>(t)->incref();
  return t;
}

int32_t kd_ndim(kd_tensor t) { return reinterpret_cast<TensorImpl*>(t)->sizes.size(); }
int32_t kd_dtype(kd_tensor t) { return static_cast<int32_t>(reinterpret_cast<TensorImpl*>(t)->dtype); }
int32_t kd_device(kd_tensor t) {
  return static_cast<int32_t>(reinterpret_cast<TensorImpl*>(t)->storage->device());
}
int64_t kd_numel(kd_tensor t) { return reinterpret_cast<TensorImpl*>(t)->sizes.numel(); }
int64_t kd_size(kd_tensor t, int32_t dim) {
  TensorImpl* p = reinterpret_cast<TensorImpl*>(t);
  return (dim >= 0 && dim < p->sizes.size()) ? p->sizes[dim] : -1;
}
int64_t kd_stride(kd_tensor t, int32_t dim) {
  TensorImpl* p = reinterpret_cast<TensorImpl*>(t);
  return (dim >= 0 && dim < p->strides.size()) ? p->strides[dim] : -1;
}
int64_t kd_storage_offset(kd_tensor t) { return reinterpret_cast<TensorImpl*>(t)->offset; }
void kd_shape(kd_tensor t, int64_t* out) {
  TensorImpl* p = reinterpret_cast<TensorImpl*>(t);
  if (out && p->sizes.size()) std::memcpy(out, p->sizes.data(), sizeof(int64_t) * p->sizes.size());
}
void kd_strides(kd_tensor t, int64_t* out) {
  TensorImpl* p = reinterpret_cast<TensorImpl*>(t);
  if (out && p->strides.size()) std::memcpy(out, p->strides.data(), sizeof(int64_t) * p->strides.size());
}
int32_t kd_is_contiguous(kd_tensor t) { return T(t).is_contiguous() ? 1 : 0; }
int32_t kd_same_storage(kd_tensor a, kd_tensor b) {
  return reinterpret_cast<TensorImpl*>(a)->storage == reinterpret_cast<TensorImpl*>(b)->storage;
}
int64_t kd_version_counter(kd_tensor t) {
  return static_cast<int64_t>(reinterpret_cast<TensorImpl*>(t)->storage->version());
}

// ---- creation
kd_tensor kd_empty(const int64_t* shape, int32_t ndim, int32_t dtype) {
  return make([&] { return Tensor::empty(D(shape, ndim, "empty"), DT(dtype)); });
}
kd_tensor kd_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype) {
  return make([&] { return kd::ops::full(D(shape, ndim, "full"), value, DT(dtype)); });
}
kd_tensor kd_from_float(const float* data, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ops::from_host(data, DType::Float32, D(shape, ndim, "tensor")); });
}
kd_tensor kd_from_double(const double* data, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ops::from_host(data, DType::Float64, D(shape, ndim, "tensor")); });
}
kd_tensor kd_from_long(const int64_t* data, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ops::from_host(data, DType::Int64, D(shape, ndim, "tensor")); });
}
kd_tensor kd_from_bool(const int8_t* data, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ops::from_host(data, DType::Bool, D(shape, ndim, "tensor")); });
}
kd_tensor kd_scalar(double value, int32_t dtype) {
  return make([&] { return kd::ops::scalar(value, DT(dtype)); });
}
kd_tensor kd_eye(int64_t n, int64_t m, int32_t dtype) {
  return make([&] { return kd::ops::eye(n, m, DT(dtype)); });
}
kd_tensor kd_arange(double start, double end, double step, int32_t dtype) {
  return make([&] { return kd::ops::arange(start, end, step, DT(dtype)); });
}
kd_tensor kd_linspace(double start, double end, int64_t steps, int32_t dtype) {
  return make([&] { return kd::ops::linspace(start, end, steps, DT(dtype)); });
}

// ---- copying out
int32_t kd_copy_to_float(kd_tensor t, float* out, int64_t n) {
  return guard([&] { kd::ops::copy_to_host(T(t), out, DType::Float32, n); });
}
int32_t kd_copy_to_double(kd_tensor t, double* out, int64_t n) {
  return guard([&] { kd::ops::copy_to_host(T(t), out, DType::Float64, n); });
}
int32_t kd_copy_to_long(kd_tensor t, int64_t* out, int64_t n) {
  return guard([&] { kd::ops::copy_to_host(T(t), out, DType::Int64, n); });
}
int32_t kd_copy_to_bool(kd_tensor t, int8_t* out, int64_t n) {
  return guard([&] { kd::ops::copy_to_host(T(t), out, DType::Bool, n); });
}
int32_t kd_item(kd_tensor t, double* out) {
  return guard([&] {
    double v = kd::ops::item(T(t));
    if (out) *out = v;
  });
}

// ---- random
void kd_manual_seed(int64_t seed) { kd::ops::manual_seed(static_cast<uint64_t>(seed)); }
int64_t kd_initial_seed(void) { return static_cast<int64_t>(kd::ops::initial_seed()); }
int64_t kd_rng_state_size(void) { return static_cast<int64_t>(kd::ops::rng_state().size()); }
int32_t kd_rng_get_state(int8_t* out, int64_t n) {
  return guard([&] {
    auto s = kd::ops::rng_state();
    if (!out || n < static_cast<int64_t>(s.size()))
      kd::fail(KD_ERR_ARGUMENT, "rng_get_state: buffer of ", n, " bytes is smaller than the state (",
               s.size(), " bytes)");
    std::memcpy(out, s.data(), s.size());
  });
}
int32_t kd_rng_set_state(const int8_t* in, int64_t n) {
  return guard([&] {
    if (n < 0) kd::fail(KD_ERR_ARGUMENT, "rng_set_state: negative size");
    kd::ops::set_rng_state(reinterpret_cast<const uint8_t*>(in), static_cast<size_t>(n));
  });
}
kd_tensor kd_rand(const int64_t* shape, int32_t ndim, int32_t dtype) {
  return make([&] { return kd::ops::rand(D(shape, ndim, "rand"), DT(dtype)); });
}
kd_tensor kd_randn(const int64_t* shape, int32_t ndim, int32_t dtype) {
  return make([&] { return kd::ops::randn(D(shape, ndim, "randn"), DT(dtype)); });
}
kd_tensor kd_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, int32_t dtype) {
  return make([&] { return kd::ops::randint(low, high, D(shape, ndim, "randint"), DT(dtype)); });
}
kd_tensor kd_randperm(int64_t n, int32_t dtype) {
  return make([&] { return kd::ops::randperm(n, DT(dtype)); });
}
int32_t kd_uniform_(kd_tensor t, double from, double to) {
  return guard([&] { kd::ops::uniform_(T(t), from, to); });
}
int32_t kd_normal_(kd_tensor t, double mean, double std) {
  return guard([&] { kd::ops::normal_(T(t), mean, std); });
}
int32_t kd_bernoulli_(kd_tensor t, double p) {
  return guard([&] { kd::ops::bernoulli_(T(t), p); });
}

// ---- views
kd_tensor kd_alias(kd_tensor t) { return make([&] { return kd::ops::alias(T(t)); }); }
kd_tensor kd_view(kd_tensor t, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ops::view(T(t), D(shape, ndim, "view")); });
}
kd_tensor kd_reshape(kd_tensor t, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ops::reshape(T(t), D(shape, ndim, "reshape")); });
}
kd_tensor kd_transpose(kd_tensor t, int32_t d0, int32_t d1) {
  return make([&] { return kd::ops::transpose(T(t), d0, d1); });
}
kd_tensor kd_permute(kd_tensor t, const int64_t* dims, int32_t ndim) {
  return make([&] { return kd::ops::permute(T(t), D(dims, ndim, "permute")); });
}
kd_tensor kd_slice(kd_tensor t, int32_t dim, int64_t start, int64_t end, int64_t step) {
  return make([&] { return kd::ops::slice(T(t), dim, start, end, step); });
}
kd_tensor kd_narrow(kd_tensor t, int32_t dim, int64_t start, int64_t length) {
  return make([&] { return kd::ops::narrow(T(t), dim, start, length); });
}
kd_tensor kd_select(kd_tensor t, int32_t dim, int64_t index) {
  return make([&] { return kd::ops::select(T(t), dim, index); });
}
kd_tensor kd_expand(kd_tensor t, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ops::expand(T(t), D(shape, ndim, "expand")); });
}
kd_tensor kd_squeeze(kd_tensor t) { return make([&] { return kd::ops::squeeze(T(t)); }); }
kd_tensor kd_squeeze_dim(kd_tensor t, int32_t dim) {
  return make([&] { return kd::ops::squeeze_dim(T(t), dim); });
}
kd_tensor kd_unsqueeze(kd_tensor t, int32_t dim) {
  return make([&] { return kd::ops::unsqueeze(T(t), dim); });
}
kd_tensor kd_flatten(kd_tensor t, int32_t s, int32_t e) {
  return make([&] { return kd::ops::flatten(T(t), s, e); });
}
kd_tensor kd_contiguous(kd_tensor t) { return make([&] { return kd::ops::contiguous(T(t)); }); }
kd_tensor kd_clone(kd_tensor t) { return make([&] { return kd::ops::clone(T(t)); }); }
kd_tensor kd_to_dtype(kd_tensor t, int32_t dtype) {
  return make([&] { return kd::ops::to_dtype(T(t), DT(dtype)); });
}

// ---- elementwise
kd_tensor kd_unary(int32_t op, kd_tensor t) { return make([&] { return kd::ops::unary(op, T(t)); }); }
int32_t kd_unary_(int32_t op, kd_tensor t) { return guard([&] { kd::ops::unary_(op, T(t)); }); }
kd_tensor kd_binary(int32_t op, kd_tensor a, kd_tensor b) {
  return make([&] { return kd::ops::binary(op, T(a), T(b)); });
}
int32_t kd_binary_(int32_t op, kd_tensor a, kd_tensor b) {
  return guard([&] { kd::ops::binary_(op, T(a), T(b)); });
}
kd_tensor kd_binary_scalar(int32_t op, kd_tensor a, double s, int32_t sdtype) {
  return make([&] { return kd::ops::binary_scalar(op, T(a), s, DT(sdtype)); });
}
int32_t kd_binary_scalar_(int32_t op, kd_tensor a, double s, int32_t sdtype) {
  return guard([&] { kd::ops::binary_scalar_(op, T(a), s, DT(sdtype)); });
}
kd_tensor kd_scalar_binary(int32_t op, double s, int32_t sdtype, kd_tensor b) {
  return make([&] { return kd::ops::scalar_binary(op, s, DT(sdtype), T(b)); });
}
kd_tensor kd_add_scaled(kd_tensor a, kd_tensor b, double alpha) {
  return make([&] { return kd::ops::add_scaled(T(a), T(b), alpha); });
}
int32_t kd_add_scaled_(kd_tensor a, kd_tensor b, double alpha) {
  return guard([&] { kd::ops::add_scaled_(T(a), T(b), alpha); });
}
kd_tensor kd_leaky_relu(kd_tensor t, double slope) {
  return make([&] { return kd::ops::leaky_relu(T(t), slope); });
}
kd_tensor kd_clamp(kd_tensor t, double lo, double hi, int32_t has_lo, int32_t has_hi) {
  return make([&] { return kd::ops::clamp(T(t), lo, hi, has_lo != 0, has_hi != 0); });
}
int32_t kd_clamp_(kd_tensor t, double lo, double hi, int32_t has_lo, int32_t has_hi) {
  return guard([&] { kd::ops::clamp_(T(t), lo, hi, has_lo != 0, has_hi != 0); });
}
kd_tensor kd_where(kd_tensor c, kd_tensor a, kd_tensor b) {
  return make([&] { return kd::ops::where(T(c), T(a), T(b)); });
}
kd_tensor kd_masked_fill(kd_tensor t, kd_tensor mask, double value) {
  return make([&] { return kd::ops::masked_fill(T(t), T(mask), value); });
}
int32_t kd_masked_fill_(kd_tensor t, kd_tensor mask, double value) {
  return guard([&] { kd::ops::masked_fill_(T(t), T(mask), value); });
}
int32_t kd_fill_(kd_tensor t, double value) { return guard([&] { kd::ops::fill_(T(t), value); }); }
int32_t kd_zero_(kd_tensor t) { return guard([&] { kd::ops::fill_(T(t), 0.0); }); }
int32_t kd_copy_(kd_tensor dst, kd_tensor src) {
  return guard([&] { kd::ops::copy_(T(dst), T(src)); });
}

// ---- reductions
kd_tensor kd_reduce(int32_t op, kd_tensor t, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  return make([&] { return kd::ops::reduce(op, T(t), D(dims, ndims, "reduce"), keepdim != 0); });
}
kd_tensor kd_var(kd_tensor t, const int64_t* dims, int32_t ndims, double correction,
                 int32_t keepdim, int32_t take_sqrt) {
  return make([&] {
    return kd::ops::var(T(t), D(dims, ndims, "var"), correction, keepdim != 0, take_sqrt != 0);
  });
}
int32_t kd_max_dim(kd_tensor t, int32_t dim, int32_t keepdim, kd_tensor* out) {
  return guard([&] {
    if (!out) kd::fail(KD_ERR_ARGUMENT, "max: null output array");
    Tensor v, i;
    kd::ops::max_dim(T(t), dim, keepdim != 0, &v, &i);
    out[0] = H(v);
    out[1] = H(i);
  });
}
int32_t kd_min_dim(kd_tensor t, int32_t dim, int32_t keepdim, kd_tensor* out) {
  return guard([&] {
    if (!out) kd::fail(KD_ERR_ARGUMENT, "min: null output array");
    Tensor v, i;
    kd::ops::min_dim(T(t), dim, keepdim != 0, &v, &i);
    out[0] = H(v);
    out[1] = H(i);
  });
}
kd_tensor kd_argmax(kd_tensor t, int32_t dim, int32_t has_dim, int32_t keepdim) {
  return make([&] { return kd::ops::argmax(T(t), dim, has_dim != 0, keepdim != 0); });
}
kd_tensor kd_argmin(kd_tensor t, int32_t dim, int32_t has_dim, int32_t keepdim) {
  return make([&] { return kd::ops::argmin(T(t), dim, has_dim != 0, keepdim != 0); });
}
kd_tensor kd_softmax(kd_tensor t, int32_t dim) { return make([&] { return kd::ops::softmax(T(t), dim); }); }
kd_tensor kd_log_softmax(kd_tensor t, int32_t dim) {
  return make([&] { return kd::ops::log_softmax(T(t), dim); });
}

// ---- linear algebra
kd_tensor kd_matmul(kd_tensor a, kd_tensor b) { return make([&] { return kd::ops::matmul(T(a), T(b)); }); }
kd_tensor kd_mm(kd_tensor a, kd_tensor b) { return make([&] { return kd::ops::mm(T(a), T(b)); }); }
kd_tensor kd_bmm(kd_tensor a, kd_tensor b) { return make([&] { return kd::ops::bmm(T(a), T(b)); }); }

// ---- joining and indexing
kd_tensor kd_cat(const kd_tensor* ts, int32_t n, int32_t dim) {
  return make([&] {
    if (n < 0 || (n > 0 && !ts)) kd::fail(KD_ERR_ARGUMENT, "cat: bad tensor list");
    std::vector<Tensor> v;
    for (int32_t i = 0; i < n; ++i) v.push_back(T(ts[i]));
    return kd::ops::cat(v, dim);
  });
}
kd_tensor kd_stack(const kd_tensor* ts, int32_t n, int32_t dim) {
  return make([&] {
    if (n < 0 || (n > 0 && !ts)) kd::fail(KD_ERR_ARGUMENT, "stack: bad tensor list");
    std::vector<Tensor> v;
    for (int32_t i = 0; i < n; ++i) v.push_back(T(ts[i]));
    return kd::ops::stack(v, dim);
  });
}
int32_t kd_split_with_sizes(kd_tensor t, const int64_t* sizes, int32_t n, int32_t dim, kd_tensor* out) {
  return guard([&] {
    if (!out && n > 0) kd::fail(KD_ERR_ARGUMENT, "split: null output array");
    if (n < 0 || (n > 0 && !sizes)) kd::fail(KD_ERR_ARGUMENT, "split: bad sizes array");
    std::vector<int64_t> sz(sizes, sizes + n);
    std::vector<Tensor> parts = kd::ops::split_with_sizes(T(t), sz, dim);
    for (size_t i = 0; i < parts.size(); ++i) out[i] = H(parts[i]);
  });
}
kd_tensor kd_index_select(kd_tensor t, int32_t dim, kd_tensor index) {
  return make([&] { return kd::ops::index_select(T(t), dim, T(index)); });
}
kd_tensor kd_gather(kd_tensor t, int32_t dim, kd_tensor index) {
  return make([&] { return kd::ops::gather(T(t), dim, T(index)); });
}
kd_tensor kd_scatter_add(kd_tensor t, int32_t dim, kd_tensor index, kd_tensor src) {
  return make([&] { return kd::ops::scatter_add(T(t), dim, T(index), T(src)); });
}
int32_t kd_scatter_add_(kd_tensor t, int32_t dim, kd_tensor index, kd_tensor src) {
  return guard([&] { kd::ops::scatter_add_(T(t), dim, T(index), T(src)); });
}

}  // extern "C"
