// The C API: converts handles to tensors, runs the op, and turns every C++ exception into a
// status code plus a thread-local message. Nothing thrown here ever reaches the caller.
#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "core/host_cache.h"
#include "core/tensor.h"
#include "cpu/parallel.h"
#include "cuda/cuda.h"
#include "kindling/kindling.h"
#include "ops/dispatch.h"
#include "ops/ops.h"
#include "autograd/engine.h"
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "io/byte_source.h"
#include "io/loaded_file.h"
#include "io/safetensors.h"
#include "io/torch_file.h"

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
int64_t kd_cached_bytes(void) { return kd::host_cache::cached_bytes(); }
void kd_empty_cache(void) { kd::host_cache::empty(); }
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
void kd_manual_seed(int64_t seed) {
  // Seeds the CUDA generator too; a void entry, so a (device) failure is only recorded.
  guard([&] { kd::ops::manual_seed(static_cast<uint64_t>(seed)); });
}
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
  return guard([&] { kd::ag::check_inplace(T(t), "uniform_"); kd::ops::uniform_(T(t), from, to); });
}
int32_t kd_normal_(kd_tensor t, double mean, double std) {
  return guard([&] { kd::ag::check_inplace(T(t), "normal_"); kd::ops::normal_(T(t), mean, std); });
}
int32_t kd_bernoulli_(kd_tensor t, double p) {
  return guard([&] { kd::ag::check_inplace(T(t), "bernoulli_"); kd::ops::bernoulli_(T(t), p); });
}

// ---- views
kd_tensor kd_alias(kd_tensor t) { return make([&] { return kd::ag::alias(T(t)); }); }
kd_tensor kd_view(kd_tensor t, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ag::view(T(t), D(shape, ndim, "view")); });
}
kd_tensor kd_reshape(kd_tensor t, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ag::reshape(T(t), D(shape, ndim, "reshape")); });
}
kd_tensor kd_transpose(kd_tensor t, int32_t d0, int32_t d1) {
  return make([&] { return kd::ag::transpose(T(t), d0, d1); });
}
kd_tensor kd_permute(kd_tensor t, const int64_t* dims, int32_t ndim) {
  return make([&] { return kd::ag::permute(T(t), D(dims, ndim, "permute")); });
}
kd_tensor kd_slice(kd_tensor t, int32_t dim, int64_t start, int64_t end, int64_t step) {
  return make([&] { return kd::ag::slice(T(t), dim, start, end, step); });
}
kd_tensor kd_narrow(kd_tensor t, int32_t dim, int64_t start, int64_t length) {
  return make([&] { return kd::ag::narrow(T(t), dim, start, length); });
}
kd_tensor kd_select(kd_tensor t, int32_t dim, int64_t index) {
  return make([&] { return kd::ag::select(T(t), dim, index); });
}
kd_tensor kd_expand(kd_tensor t, const int64_t* shape, int32_t ndim) {
  return make([&] { return kd::ag::expand(T(t), D(shape, ndim, "expand")); });
}
kd_tensor kd_squeeze(kd_tensor t) { return make([&] { return kd::ag::squeeze(T(t)); }); }
kd_tensor kd_squeeze_dim(kd_tensor t, int32_t dim) {
  return make([&] { return kd::ag::squeeze_dim(T(t), dim); });
}
kd_tensor kd_unsqueeze(kd_tensor t, int32_t dim) {
  return make([&] { return kd::ag::unsqueeze(T(t), dim); });
}
kd_tensor kd_flatten(kd_tensor t, int32_t s, int32_t e) {
  return make([&] { return kd::ag::flatten(T(t), s, e); });
}
kd_tensor kd_contiguous(kd_tensor t) { return make([&] { return kd::ag::contiguous(T(t)); }); }
kd_tensor kd_clone(kd_tensor t) { return make([&] { return kd::ag::clone(T(t)); }); }
kd_tensor kd_to_dtype(kd_tensor t, int32_t dtype) {
  return make([&] { return kd::ag::to_dtype(T(t), DT(dtype)); });
}

// ---- elementwise
kd_tensor kd_unary(int32_t op, kd_tensor t) { return make([&] { return kd::ag::unary(op, T(t)); }); }
int32_t kd_unary_(int32_t op, kd_tensor t) { return guard([&] { kd::ag::unary_(op, T(t)); }); }
kd_tensor kd_binary(int32_t op, kd_tensor a, kd_tensor b) {
  return make([&] { return kd::ag::binary(op, T(a), T(b)); });
}
int32_t kd_binary_(int32_t op, kd_tensor a, kd_tensor b) {
  return guard([&] { kd::ag::binary_(op, T(a), T(b)); });
}
kd_tensor kd_binary_scalar(int32_t op, kd_tensor a, double s, int32_t sdtype) {
  return make([&] { return kd::ag::binary_scalar(op, T(a), s, DT(sdtype)); });
}
int32_t kd_binary_scalar_(int32_t op, kd_tensor a, double s, int32_t sdtype) {
  return guard([&] { kd::ag::binary_scalar_(op, T(a), s, DT(sdtype)); });
}
kd_tensor kd_scalar_binary(int32_t op, double s, int32_t sdtype, kd_tensor b) {
  return make([&] { return kd::ag::scalar_binary(op, s, DT(sdtype), T(b)); });
}
kd_tensor kd_add_scaled(kd_tensor a, kd_tensor b, double alpha) {
  return make([&] { return kd::ag::add_scaled(T(a), T(b), alpha); });
}
int32_t kd_add_scaled_(kd_tensor a, kd_tensor b, double alpha) {
  return guard([&] { kd::ag::add_scaled_(T(a), T(b), alpha); });
}
kd_tensor kd_leaky_relu(kd_tensor t, double slope) {
  return make([&] { return kd::ag::leaky_relu(T(t), slope); });
}
kd_tensor kd_clamp(kd_tensor t, double lo, double hi, int32_t has_lo, int32_t has_hi) {
  return make([&] { return kd::ag::clamp(T(t), lo, hi, has_lo != 0, has_hi != 0); });
}
int32_t kd_clamp_(kd_tensor t, double lo, double hi, int32_t has_lo, int32_t has_hi) {
  return guard([&] { kd::ag::clamp_(T(t), lo, hi, has_lo != 0, has_hi != 0); });
}
kd_tensor kd_where(kd_tensor c, kd_tensor a, kd_tensor b) {
  return make([&] { return kd::ag::where(T(c), T(a), T(b)); });
}
kd_tensor kd_masked_fill(kd_tensor t, kd_tensor mask, double value) {
  return make([&] { return kd::ag::masked_fill(T(t), T(mask), value); });
}
int32_t kd_masked_fill_(kd_tensor t, kd_tensor mask, double value) {
  return guard([&] { kd::ag::masked_fill_(T(t), T(mask), value); });
}
int32_t kd_fill_(kd_tensor t, double value) { return guard([&] { kd::ag::fill_(T(t), value); }); }
int32_t kd_zero_(kd_tensor t) { return guard([&] { kd::ag::fill_(T(t), 0.0); }); }
int32_t kd_copy_(kd_tensor dst, kd_tensor src) {
  return guard([&] { kd::ag::copy_(T(dst), T(src)); });
}

// ---- reductions
kd_tensor kd_reduce(int32_t op, kd_tensor t, const int64_t* dims, int32_t ndims, int32_t keepdim) {
  return make([&] { return kd::ag::reduce(op, T(t), D(dims, ndims, "reduce"), keepdim != 0); });
}
kd_tensor kd_var(kd_tensor t, const int64_t* dims, int32_t ndims, double correction,
                 int32_t keepdim, int32_t take_sqrt) {
  return make([&] {
    return kd::ag::var(T(t), D(dims, ndims, "var"), correction, keepdim != 0, take_sqrt != 0);
  });
}
int32_t kd_max_dim(kd_tensor t, int32_t dim, int32_t keepdim, kd_tensor* out) {
  return guard([&] {
    if (!out) kd::fail(KD_ERR_ARGUMENT, "max: null output array");
    Tensor v, i;
    kd::ag::max_dim(T(t), dim, keepdim != 0, &v, &i);
    out[0] = H(v);
    out[1] = H(i);
  });
}
int32_t kd_min_dim(kd_tensor t, int32_t dim, int32_t keepdim, kd_tensor* out) {
  return guard([&] {
    if (!out) kd::fail(KD_ERR_ARGUMENT, "min: null output array");
    Tensor v, i;
    kd::ag::min_dim(T(t), dim, keepdim != 0, &v, &i);
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
kd_tensor kd_softmax(kd_tensor t, int32_t dim) { return make([&] { return kd::ag::softmax(T(t), dim); }); }
kd_tensor kd_log_softmax(kd_tensor t, int32_t dim) {
  return make([&] { return kd::ag::log_softmax(T(t), dim); });
}

// ---- linear algebra
kd_tensor kd_matmul(kd_tensor a, kd_tensor b) { return make([&] { return kd::ag::matmul(T(a), T(b)); }); }
kd_tensor kd_mm(kd_tensor a, kd_tensor b) { return make([&] { return kd::ag::mm(T(a), T(b)); }); }
kd_tensor kd_bmm(kd_tensor a, kd_tensor b) { return make([&] { return kd::ag::bmm(T(a), T(b)); }); }

// ---- pooling and upsampling
namespace {
void pair_arg(const int64_t* p, const char* op, const char* what) {
  if (!p) kd::fail(KD_ERR_ARGUMENT, op, ": null ", what, " array");
}
}  // namespace
kd_tensor kd_max_pool2d(kd_tensor t, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                        const int64_t* dilation, int32_t ceil_mode) {
  return make([&] {
    pair_arg(kernel, "max_pool2d", "kernel_size");
    pair_arg(stride, "max_pool2d", "stride");
    pair_arg(padding, "max_pool2d", "padding");
    pair_arg(dilation, "max_pool2d", "dilation");
    return kd::ag::max_pool2d(T(t), kernel, stride, padding, dilation, ceil_mode != 0);
  });
}
kd_tensor kd_avg_pool2d(kd_tensor t, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                        int32_t ceil_mode, int32_t count_include_pad) {
  return make([&] {
    pair_arg(kernel, "avg_pool2d", "kernel_size");
    pair_arg(stride, "avg_pool2d", "stride");
    pair_arg(padding, "avg_pool2d", "padding");
    return kd::ag::avg_pool2d(T(t), kernel, stride, padding, ceil_mode != 0, count_include_pad != 0);
  });
}
kd_tensor kd_adaptive_avg_pool2d(kd_tensor t, const int64_t* output_size) {
  return make([&] {
    pair_arg(output_size, "adaptive_avg_pool2d", "output_size");
    return kd::ag::adaptive_avg_pool2d(T(t), output_size);
  });
}
kd_tensor kd_upsample_nearest2d(kd_tensor t, const int64_t* output_size, const double* scales) {
  return make([&] {
    const int64_t no_size[2] = {0, 0};
    const double no_scales[2] = {0, 0};
    if (!output_size && !scales)
      kd::fail(KD_ERR_ARGUMENT, "upsample_nearest2d: either output_size or scale_factor must be given");
    return kd::ag::upsample_nearest2d(T(t), output_size ? output_size : no_size, scales ? scales : no_scales);
  });
}

// ---- joining and indexing
kd_tensor kd_cat(const kd_tensor* ts, int32_t n, int32_t dim) {
  return make([&] {
    if (n < 0 || (n > 0 && !ts)) kd::fail(KD_ERR_ARGUMENT, "cat: bad tensor list");
    std::vector<Tensor> v;
    for (int32_t i = 0; i < n; ++i) v.push_back(T(ts[i]));
    return kd::ag::cat(v, dim);
  });
}
kd_tensor kd_stack(const kd_tensor* ts, int32_t n, int32_t dim) {
  return make([&] {
    if (n < 0 || (n > 0 && !ts)) kd::fail(KD_ERR_ARGUMENT, "stack: bad tensor list");
    std::vector<Tensor> v;
    for (int32_t i = 0; i < n; ++i) v.push_back(T(ts[i]));
    return kd::ag::stack(v, dim);
  });
}
int32_t kd_split_with_sizes(kd_tensor t, const int64_t* sizes, int32_t n, int32_t dim, kd_tensor* out) {
  return guard([&] {
    if (!out && n > 0) kd::fail(KD_ERR_ARGUMENT, "split: null output array");
    if (n < 0 || (n > 0 && !sizes)) kd::fail(KD_ERR_ARGUMENT, "split: bad sizes array");
    std::vector<int64_t> sz(sizes, sizes + n);
    std::vector<Tensor> parts = kd::ag::split_with_sizes(T(t), sz, dim);
    for (size_t i = 0; i < parts.size(); ++i) out[i] = H(parts[i]);
  });
}
kd_tensor kd_index_select(kd_tensor t, int32_t dim, kd_tensor index) {
  return make([&] { return kd::ag::index_select(T(t), dim, T(index)); });
}
kd_tensor kd_gather(kd_tensor t, int32_t dim, kd_tensor index) {
  return make([&] { return kd::ag::gather(T(t), dim, T(index)); });
}
kd_tensor kd_scatter_add(kd_tensor t, int32_t dim, kd_tensor index, kd_tensor src) {
  return make([&] { return kd::ag::scatter_add(T(t), dim, T(index), T(src)); });
}
int32_t kd_scatter_add_(kd_tensor t, int32_t dim, kd_tensor index, kd_tensor src) {
  return guard([&] { kd::ag::scatter_add_(T(t), dim, T(index), T(src)); });
}

// ---- convolutions
namespace {
kd::ops::Pair2 P2(const int64_t* p, const char* what) {
  if (!p) kd::fail(KD_ERR_ARGUMENT, what, ": null array");
  return {p[0], p[1]};
}
Tensor OptT(kd_tensor h) { return h == 0 ? Tensor() : T(h); }
}  // namespace
kd_tensor kd_conv2d(kd_tensor input, kd_tensor weight, kd_tensor bias_or_0, const int64_t* stride,
                    const int64_t* padding, const int64_t* dilation, int64_t groups) {
  return make([&] {
    return kd::ag::conv2d(T(input), T(weight), OptT(bias_or_0), P2(stride, "conv2d stride"),
                          P2(padding, "conv2d padding"), P2(dilation, "conv2d dilation"), groups);
  });
}
kd_tensor kd_batch_norm(kd_tensor input, kd_tensor weight_or_0, kd_tensor bias_or_0,
                        kd_tensor running_mean_or_0, kd_tensor running_var_or_0, int32_t training,
                        double momentum, double eps) {
  return make([&] {
    return kd::ag::batch_norm(T(input), OptT(weight_or_0), OptT(bias_or_0),
                              OptT(running_mean_or_0), OptT(running_var_or_0), training != 0,
                              momentum, eps);
  });
}
kd_tensor kd_conv_transpose2d(kd_tensor input, kd_tensor weight, kd_tensor bias_or_0,
                              const int64_t* stride, const int64_t* padding,
                              const int64_t* output_padding, const int64_t* dilation,
                              int64_t groups) {
  return make([&] {
    return kd::ag::conv_transpose2d(
        T(input), T(weight), OptT(bias_or_0), P2(stride, "conv_transpose2d stride"),
        P2(padding, "conv_transpose2d padding"),
        P2(output_padding, "conv_transpose2d output_padding"),
        P2(dilation, "conv_transpose2d dilation"), groups);
  });
}

// ---- autograd
namespace {
kd_hook_fn g_hook_dispatcher = nullptr;

std::shared_ptr<kd::ag::Node>& N(kd_node n) {
  if (n == 0) kd::fail(KD_ERR_STATE, "null node handle");
  return *reinterpret_cast<std::shared_ptr<kd::ag::Node>*>(n);
}
kd_node box(std::shared_ptr<kd::ag::Node> n) {
  if (!n) return 0;
  return reinterpret_cast<kd_node>(new std::shared_ptr<kd::ag::Node>(std::move(n)));
}
std::vector<Tensor> list(const kd_tensor* hs, int32_t n, bool allow_null, const char* what) {
  if (n < 0 || (n > 0 && !hs)) kd::fail(KD_ERR_ARGUMENT, what, ": bad tensor list");
  std::vector<Tensor> v;
  for (int32_t i = 0; i < n; ++i) v.push_back(hs[i] == 0 && allow_null ? Tensor() : T(hs[i]));
  return v;
}
}  // namespace

int32_t kd_is_grad_enabled(void) { return kd::ag::is_grad_enabled() ? 1 : 0; }
int32_t kd_set_grad_enabled(int32_t enabled) {
  int32_t prev = kd::ag::is_grad_enabled() ? 1 : 0;
  kd::ag::set_grad_enabled(enabled != 0);
  return prev;
}
int32_t kd_requires_grad(kd_tensor t) { return kd::ag::requires_grad(T(t)) ? 1 : 0; }
int32_t kd_set_requires_grad(kd_tensor t, int32_t flag) {
  return guard([&] { kd::ag::set_requires_grad(T(t), flag != 0); });
}
int32_t kd_is_leaf(kd_tensor t) { return kd::ag::is_leaf(T(t)) ? 1 : 0; }
int32_t kd_grad(kd_tensor t, kd_tensor* out) {
  return guard([&] {
    if (!out) kd::fail(KD_ERR_ARGUMENT, "grad: null output pointer");
    kd::AutogradMeta* m = kd::ag::meta_or_null(T(t));
    *out = (m && m->grad.defined()) ? H(m->grad) : 0;
  });
}
int32_t kd_set_grad(kd_tensor t, kd_tensor g) {
  return guard([&] {
    Tensor x = T(t);
    if (g == 0) {
      if (kd::AutogradMeta* m = kd::ag::meta_or_null(x)) m->grad = Tensor();
      return;
    }
    Tensor gr = T(g);
    if (gr.sizes() != x.sizes())
      kd::fail(KD_ERR_ARGUMENT, "grad: assigned grad has data of a different size (", gr.shape_str(),
               " vs the tensor's ", x.shape_str(), ")");
    if (gr.dtype() != x.dtype())
      kd::fail(KD_ERR_DTYPE, "grad: assigned grad has data of a different type (", kd::dtype_name(gr.dtype()),
               " vs the tensor's ", kd::dtype_name(x.dtype()), ")");
    if (gr.device() != x.device() || gr.device_index() != x.device_index())
      kd::fail(KD_ERR_ARGUMENT, "grad: assigned grad has data located on a different device (",
               kd::device_str(gr), " vs the tensor's ", kd::device_str(x), ")");
    kd::ag::meta(x).grad = gr;
  });
}
int32_t kd_retain_grad(kd_tensor t) { return guard([&] { kd::ag::retain_grad(T(t)); }); }
int32_t kd_retains_grad(kd_tensor t) {
  kd::AutogradMeta* m = kd::ag::meta_or_null(T(t));
  return m && m->retains_grad ? 1 : 0;
}
kd_tensor kd_detach(kd_tensor t) { return make([&] { return kd::ag::detach(T(t)); }); }
int32_t kd_detach_(kd_tensor t) { return guard([&] { kd::ag::detach_(T(t)); }); }
int32_t kd_set_data(kd_tensor t, kd_tensor src) {
  return guard([&] { kd::ag::set_data(T(t), T(src)); });
}

kd_node kd_grad_fn(kd_tensor t) {
  kd_node out = 0;
  guard([&] { out = box(kd::ag::grad_fn(T(t))); });
  return out;
}
void kd_node_release(kd_node n) {
  if (n) delete reinterpret_cast<std::shared_ptr<kd::ag::Node>*>(n);
}
const char* kd_node_name(kd_node n) { return n ? N(n)->name() : ""; }
int64_t kd_node_id(kd_node n) { return n ? reinterpret_cast<int64_t>(N(n).get()) : 0; }
int32_t kd_node_num_next(kd_node n) { return n ? static_cast<int32_t>(N(n)->next_edges.size()) : 0; }
kd_node kd_node_next(kd_node n, int32_t i, int32_t* input_nr) {
  kd_node out = 0;
  guard([&] {
    auto& node = N(n);
    if (i < 0 || i >= static_cast<int32_t>(node->next_edges.size()))
      kd::fail(KD_ERR_INDEX, "next_functions: index ", i, " out of range for ", node->next_edges.size(), " edges");
    const kd::ag::Edge& e = node->next_edges[i];
    if (input_nr) *input_nr = static_cast<int32_t>(e.input_nr);
    out = box(e.fn);
  });
  return out;
}
kd_tensor kd_node_variable(kd_node n) {
  kd_tensor out = 0;
  guard([&] {
    auto* acc = dynamic_cast<kd::ag::AccumulateGrad*>(N(n).get());
    if (acc) out = H(Tensor(acc->variable));
  });
  return out;
}

int32_t kd_backward(const kd_tensor* roots, const kd_tensor* grads, int32_t n, int32_t retain_graph,
                    int32_t create_graph, const kd_tensor* inputs, int32_t n_inputs) {
  return guard([&] {
    kd::ag::BackwardOptions o;
    o.retain_graph = retain_graph != 0;
    o.create_graph = create_graph != 0;
    std::vector<Tensor> r = list(roots, n, false, "backward");
    std::vector<Tensor> g = grads ? list(grads, n, true, "backward") : std::vector<Tensor>(n);
    kd::ag::backward(r, g, o, list(inputs, n_inputs, false, "backward"));
  });
}

int32_t kd_autograd_grad(const kd_tensor* outputs, const kd_tensor* grad_outputs, int32_t n,
                         const kd_tensor* inputs, int32_t n_inputs, int32_t retain_graph,
                         int32_t create_graph, int32_t allow_unused, kd_tensor* out) {
  return guard([&] {
    if (!out && n_inputs > 0) kd::fail(KD_ERR_ARGUMENT, "grad: null output array");
    kd::ag::BackwardOptions o;
    o.retain_graph = retain_graph != 0;
    o.create_graph = create_graph != 0;
    o.allow_unused = allow_unused != 0;
    std::vector<Tensor> g = grad_outputs ? list(grad_outputs, n, true, "grad") : std::vector<Tensor>(n);
    std::vector<Tensor> res =
        kd::ag::grad(list(outputs, n, false, "grad"), list(inputs, n_inputs, false, "grad"), g, o);
    for (size_t i = 0; i < res.size(); ++i) out[i] = res[i].defined() ? H(res[i]) : 0;
  });
}

void kd_set_hook_dispatcher(kd_hook_fn fn) { g_hook_dispatcher = fn; }

int32_t kd_register_hook(kd_tensor t, int64_t hook_id) {
  return guard([&] {
    if (!g_hook_dispatcher) kd::fail(KD_ERR_STATE, "register_hook: no hook dispatcher installed");
    if (hook_id < 0) kd::fail(KD_ERR_ARGUMENT, "register_hook: hook ids must be non-negative");
    kd::ag::register_hook(T(t), hook_id, [hook_id](const Tensor& g) -> Tensor {
      kd_tensor r = g_hook_dispatcher(hook_id, H(g));
      if (r == -1) kd::fail(KD_ERR_CALLBACK, "hook ", hook_id, " threw an exception");
      if (r == 0) return Tensor();
      return Tensor(kd::Ref<TensorImpl>::adopt(reinterpret_cast<TensorImpl*>(r)));
    });
  });
}

int32_t kd_remove_hook(kd_tensor t, int64_t hook_id) {
  int32_t removed = 0;
  int32_t st = guard([&] { removed = kd::ag::remove_hook(T(t), hook_id) ? 1 : 0; });
  return st == KD_OK ? removed : -st;
}

// ---- files: safetensors and torch.save (io) ------------------------------------------------
// A kd_file is a heap LoadedFile; its tensors are handed out as new references.
}  // extern "C"

namespace {

kd::io::LoadedFile& F(kd_file f) {
  if (f == 0) kd::fail(KD_ERR_STATE, "file handle is null (closed?)");
  return *reinterpret_cast<kd::io::LoadedFile*>(f);
}

std::string path_arg(const int8_t* p, int64_t n, const char* op) {
  if (!p || n <= 0) kd::fail(KD_ERR_ARGUMENT, op, ": empty path");
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

template <typename Load>
kd_file open_file(Load&& load) {
  kd_file out = 0;
  guard([&] {
    auto* f = new kd::io::LoadedFile(load());
    out = reinterpret_cast<kd_file>(f);
  });
  return out;
}

}  // namespace

extern "C" {

kd_file kd_safetensors_read(const int8_t* path, int64_t path_len) {
  return open_file([&] {
    kd::io::FileSource src(path_arg(path, path_len, "safetensors"));
    return kd::io::read_safetensors(src);
  });
}

kd_file kd_safetensors_parse(const int8_t* data, int64_t n) {
  return open_file([&] {
    if (n < 0 || (n > 0 && !data)) kd::fail(KD_ERR_ARGUMENT, "safetensors: bad buffer");
    kd::io::MemorySource src(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(n));
    return kd::io::read_safetensors(src);
  });
}

kd_file kd_torch_load(const int8_t* path, int64_t path_len) {
  return open_file([&] {
    kd::io::FileSource src(path_arg(path, path_len, "torch.load"));
    return kd::io::read_torch_file(src);
  });
}

void kd_file_close(kd_file f) {
  if (f != 0) delete reinterpret_cast<kd::io::LoadedFile*>(f);
}

int64_t kd_file_num_tensors(kd_file f) {
  int64_t n = -1;
  guard([&] { n = static_cast<int64_t>(F(f).tensors.size()); });
  return n;
}

int64_t kd_file_num_metadata(kd_file f) {
  int64_t n = -1;
  guard([&] { n = static_cast<int64_t>(F(f).metadata.size()); });
  return n;
}

kd_tensor kd_file_tensor(kd_file f, int64_t i) {
  return make([&] {
    auto& file = F(f);
    if (i < 0 || i >= static_cast<int64_t>(file.tensors.size()))
      kd::fail(KD_ERR_INDEX, "file: tensor index ", i, " out of range for ", file.tensors.size(), " tensors");
    return file.tensors[static_cast<size_t>(i)].tensor;
  });
}

int64_t kd_file_string(kd_file f, int32_t kind, int64_t i, int8_t* out, int64_t cap) {
  int64_t len = -1;
  guard([&] {
    auto& file = F(f);
    const std::string* s = nullptr;
    auto in_range = [&](size_t n) {
      if (i < 0 || i >= static_cast<int64_t>(n)) kd::fail(KD_ERR_INDEX, "file: index ", i, " out of range for ", n, " entries");
      return static_cast<size_t>(i);
    };
    switch (kind) {
      case KD_FILE_TENSOR_NAME: s = &file.tensors[in_range(file.tensors.size())].name; break;
      case KD_FILE_METADATA_KEY: s = &file.metadata[in_range(file.metadata.size())].first; break;
      case KD_FILE_METADATA_VALUE: s = &file.metadata[in_range(file.metadata.size())].second; break;
      case KD_FILE_STRUCTURE: s = &file.structure; break;
      default: kd::fail(KD_ERR_ARGUMENT, "file: unknown string kind ", kind);
    }
    if (cap < 0 || (cap > 0 && !out)) kd::fail(KD_ERR_ARGUMENT, "file: bad output buffer");
    size_t n = std::min(s->size(), static_cast<size_t>(cap));
    if (n) std::memcpy(out, s->data(), n);
    len = static_cast<int64_t>(s->size());
  });
  return len;
}

int32_t kd_safetensors_write(const int8_t* path, int64_t path_len, const kd_tensor* tensors,
                             int32_t n, const int8_t* names, const int64_t* name_lens,
                             const int8_t* meta, const int64_t* meta_lens, int32_t n_meta) {
  return guard([&] {
    std::string p = path_arg(path, path_len, "safetensors save");
    if (n < 0 || n_meta < 0) kd::fail(KD_ERR_ARGUMENT, "safetensors save: negative count");
    if ((n > 0 && (!tensors || !name_lens)) || (n_meta > 0 && !meta_lens))
      kd::fail(KD_ERR_ARGUMENT, "safetensors save: null array");
    std::vector<kd::io::NamedTensor> ts;
    ts.reserve(static_cast<size_t>(n));
    const char* np = reinterpret_cast<const char*>(names);
    for (int32_t i = 0; i < n; ++i) {
      if (name_lens[i] < 0 || (name_lens[i] > 0 && !np)) kd::fail(KD_ERR_ARGUMENT, "safetensors save: bad name length");
      std::string name(np ? np : "", static_cast<size_t>(name_lens[i]));
      if (np) np += name_lens[i];
      // The writer reads values on the host: a CUDA tensor is saved from a host copy (as
      // safetensors' save_file does).
      ts.push_back({std::move(name), kd::ops::to_device(T(tensors[i]), kd::Device::CPU, 0)});
    }
    std::vector<std::pair<std::string, std::string>> md;
    const char* mp = reinterpret_cast<const char*>(meta);
    for (int32_t i = 0; i < 2 * n_meta; ++i) {
      if (meta_lens[i] < 0 || (meta_lens[i] > 0 && !mp)) kd::fail(KD_ERR_ARGUMENT, "safetensors save: bad metadata length");
      std::string v(mp ? mp : "", static_cast<size_t>(meta_lens[i]));
      if (mp) mp += meta_lens[i];
      if (i % 2 == 0) md.emplace_back(std::move(v), std::string());
      else md.back().second = std::move(v);
    }
    kd::io::write_safetensors(p, ts, md);
  });
}

}  // extern "C"

// ---- optimizer steps ----------------------------------------------------------------------------
// Handle arrays become Tensor arrays (0 = absent buffer; ops::*_step says which must exist) and
// each row of doubles becomes the op's hyper-parameter struct; see kindling.h for the layouts.
namespace {

std::vector<Tensor> optim_tensors(const kd_tensor* hs, int64_t n) {
  std::vector<Tensor> v(hs ? static_cast<size_t>(n) : 0);
  for (int64_t i = 0; hs && i < n; ++i)
    if (hs[i] != 0) v[i] = T(hs[i]);
  return v;
}

const Tensor* optim_ptr(const std::vector<Tensor>& v) { return v.empty() ? nullptr : v.data(); }

void optim_check_count(const char* op, int64_t n, const double* hyper) {
  if (n < 0) kd::fail(KD_ERR_ARGUMENT, op, ": negative parameter count ", n);
  if (n > 0 && !hyper) kd::fail(KD_ERR_ARGUMENT, op, ": null hyper-parameter array for ", n, " parameter(s)");
}

}  // namespace

extern "C" {

int32_t kd_optim_sgd(int64_t n, const kd_tensor* params, const kd_tensor* grads,
                     const kd_tensor* momentum_buffers, const double* hyper) {
  return guard([&] {
    optim_check_count("sgd", n, hyper);
    std::vector<kd::ops::SgdHyper> h(n);
    for (int64_t i = 0; i < n; ++i) {
      const double* r = hyper + i * KD_SGD_ROW;
      h[i] = {r[0], r[1], r[2], r[3], r[4] != 0, r[5] != 0, r[6] != 0};
    }
    auto p = optim_tensors(params, n), g = optim_tensors(grads, n), b = optim_tensors(momentum_buffers, n);
    kd::ops::sgd_step(n, optim_ptr(p), optim_ptr(g), optim_ptr(b), h.data());
  });
}

int32_t kd_optim_adam(int64_t n, const kd_tensor* params, const kd_tensor* grads,
                      const kd_tensor* exp_avgs, const kd_tensor* exp_avg_sqs,
                      const kd_tensor* max_exp_avg_sqs, const double* hyper) {
  return guard([&] {
    optim_check_count("adam", n, hyper);
    std::vector<kd::ops::AdamHyper> h(n);
    for (int64_t i = 0; i < n; ++i) {
      const double* r = hyper + i * KD_ADAM_ROW;
      h[i] = {r[0], r[1], r[2], r[3], r[4], r[5] != 0, r[6] != 0, r[7], r[8] != 0};
    }
    auto p = optim_tensors(params, n), g = optim_tensors(grads, n), m = optim_tensors(exp_avgs, n),
         v = optim_tensors(exp_avg_sqs, n), vm = optim_tensors(max_exp_avg_sqs, n);
    kd::ops::adam_step(n, optim_ptr(p), optim_ptr(g), optim_ptr(m), optim_ptr(v), optim_ptr(vm), h.data());
  });
}

int32_t kd_optim_rmsprop(int64_t n, const kd_tensor* params, const kd_tensor* grads,
                         const kd_tensor* square_avgs, const kd_tensor* momentum_buffers,
                         const kd_tensor* grad_avgs, const double* hyper) {
  return guard([&] {
    optim_check_count("rmsprop", n, hyper);
    std::vector<kd::ops::RmspropHyper> h(n);
    for (int64_t i = 0; i < n; ++i) {
      const double* r = hyper + i * KD_RMSPROP_ROW;
      h[i] = {r[0], r[1], r[2], r[3], r[4], r[5] != 0, r[6] != 0};
    }
    auto p = optim_tensors(params, n), g = optim_tensors(grads, n), s = optim_tensors(square_avgs, n),
         b = optim_tensors(momentum_buffers, n), ga = optim_tensors(grad_avgs, n);
    kd::ops::rmsprop_step(n, optim_ptr(p), optim_ptr(g), optim_ptr(s), optim_ptr(b), optim_ptr(ga), h.data());
  });
}

int32_t kd_optim_adagrad(int64_t n, const kd_tensor* params, const kd_tensor* grads,
                         const kd_tensor* sums, const double* hyper) {
  return guard([&] {
    optim_check_count("adagrad", n, hyper);
    std::vector<kd::ops::AdagradHyper> h(n);
    for (int64_t i = 0; i < n; ++i) {
      const double* r = hyper + i * KD_ADAGRAD_ROW;
      h[i] = {r[0], r[1], r[2], r[3], r[4] != 0, r[5]};
    }
    auto p = optim_tensors(params, n), g = optim_tensors(grads, n), s = optim_tensors(sums, n);
    kd::ops::adagrad_step(n, optim_ptr(p), optim_ptr(g), optim_ptr(s), h.data());
  });
}

// ---- devices (CUDA backend)
namespace {
kd::Device DEV(int32_t device, int32_t index, const char* op) {
  if (device == KD_CPU) return kd::Device::CPU;
  if (device != KD_CUDA) kd::fail(KD_ERR_ARGUMENT, op, ": unknown device code ", device);
  kd::cuda::check_device(index, op);
  return kd::Device::CUDA;
}
}  // namespace

int32_t kd_cuda_built(void) { return kd::cuda::built() ? 1 : 0; }
int32_t kd_cuda_device_count(void) { return kd::cuda::device_count(); }
const char* kd_cuda_unavailable_reason(void) {
  static const std::string reason = kd::cuda::unavailable_reason();  // fixed once discovered
  return reason.c_str();
}
int32_t kd_device_index(kd_tensor t) {
  TensorImpl* p = reinterpret_cast<TensorImpl*>(t);
  return p->storage->device() == kd::Device::CUDA ? p->storage->device_index() : -1;
}
kd_tensor kd_to_device(kd_tensor t, int32_t device, int32_t index) {
  return make([&] {
    kd::Device d = DEV(device, index, "to");
    return kd::ag::to_device(T(t), d, d == kd::Device::CPU ? 0 : index);
  });
}
kd_tensor kd_empty_on(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device, int32_t index) {
  return make([&] {
    Dims sh = D(shape, ndim, "empty");
    DType dt = DT(dtype);
    kd::Device d = DEV(device, index, "empty");
    return Tensor::empty(sh, dt, d, d == kd::Device::CPU ? 0 : index);
  });
}
kd_tensor kd_full_on(const int64_t* shape, int32_t ndim, double value, int32_t dtype, int32_t device,
                     int32_t index) {
  return make([&] {
    Dims sh = D(shape, ndim, "full");
    DType dt = DT(dtype);
    kd::Device d = DEV(device, index, "full");
    return kd::ops::full(sh, value, dt, d, d == kd::Device::CPU ? 0 : index);
  });
}
int32_t kd_cuda_synchronize(int32_t index) {
  return guard([&] { kd::cuda::synchronize(index); });
}
int64_t kd_cuda_memory_allocated(int32_t index) { return kd::cuda::allocated_bytes(index); }
int64_t kd_cuda_memory_cached(int32_t index) { return kd::cuda::cached_bytes(index); }
void kd_cuda_empty_cache(void) {
  guard([&] { kd::cuda::empty_cache(); });
}
const char* kd_cuda_gemm_backend(void) {
  thread_local std::string backend;
  guard([&] { backend = kd::cuda::gemm_backend(); });
  return backend.c_str();
}

}  // extern "C"
