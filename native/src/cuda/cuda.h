// The CUDA backend as the rest of the core sees it: plain C++ declarations, no CUDA types, so
// nothing outside src/cuda/ includes a CUDA header. A build with CUDA compiles the .cu files of
// this folder; a build without it compiles absent.cpp, where device_count() is 0 and every other
// entry fails with KD_ERR_UNSUPPORTED (no CUDA tensor can exist there, so kernels are unreachable).
//
// Kernels have the CPU kernels' signatures (cpu/kernels.h, cpu/pool.h, cpu/conv.h, cpu/optim.h)
// and contracts: the ops layer validates, allocates outputs on the inputs' device and calls the
// kernel of that device through KD_KERNEL (ops/dispatch.h), which first makes the tensor's device
// current. Tensor::raw_data() of a CUDA tensor is a device pointer. Kernels run asynchronously on
// the device's stream; anything that hands data to the host synchronises (memcpy_d2h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/tensor.h"
#include "ops/ops.h"

namespace kd {
namespace cpu {
struct Conv2dGeometry;
}
namespace cuda {

// ---- runtime (runtime.cu) -----------------------------------------------------------------
// True when this library was compiled with the CUDA backend.
bool built();
// Usable devices; 0 when the backend is absent or no driver/GPU is present. Never throws.
int device_count();
// Why device_count() is 0 ("" when devices exist): no CUDA in this build, no driver, ...
std::string unavailable_reason();
// Throws KD_ERR_UNSUPPORTED naming `op` unless device `index` exists.
void check_device(int32_t index, const char* op);
// Makes `index` the calling thread's current device (cheap when it already is).
void set_device(int32_t index);
int32_t current_device();

// The caching allocator: freed blocks are kept per device and size class for reuse (the
// device's memory is returned only by empty_cache or when an allocation would otherwise fail).
void* allocate(size_t nbytes, int32_t device);
void release(void* ptr, size_t nbytes, int32_t device);
int64_t allocated_bytes(int32_t device);  // in use by tensors
int64_t cached_bytes(int32_t device);     // held for reuse
void empty_cache();

// Copies on the device's stream. d2h waits for the copy (and so for every kernel before it).
void memcpy_h2d(void* dst, const void* src, size_t n, int32_t device);
void memcpy_d2h(void* dst, const void* src, size_t n, int32_t device);
void memcpy_d2d(void* dst, const void* src, size_t n, int32_t device);
// Waits for all work queued on the device's stream; reports an asynchronous kernel fault.
void synchronize(int32_t device);

// The CUDA generator (Philox counter-based, random.cu): seeded by ops::manual_seed with the CPU one.
void manual_seed(uint64_t seed);

// ---- elementwise (elementwise.cu) ----------------------------------------------------------
void unary_kernel(int32_t op, const Tensor& out, const Tensor& in);
void binary_kernel(int32_t op, const Tensor& out, const Tensor& a, const Tensor& b);
void add_scaled_kernel(const Tensor& out, const Tensor& a, const Tensor& b, double alpha);
// dst and src on this device, same shape (src may have stride 0), any dtypes.
void copy_kernel(const Tensor& dst, const Tensor& src);
void fill_kernel(const Tensor& t, double value);
void leaky_relu_kernel(const Tensor& out, const Tensor& in, double slope);
void clamp_kernel(const Tensor& out, const Tensor& in, double lo, double hi, bool has_lo,
                  bool has_hi);
void where_kernel(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
void masked_fill_kernel(const Tensor& t, const Tensor& mask, double value);
void threshold_backward_kernel(const Tensor& out, const Tensor& grad, const Tensor& self,
                               double threshold);

// ---- joining and indexing (index.cu) --------------------------------------------------------
void cat_kernel(const Tensor& out, const Tensor* inputs, int32_t n, int32_t dim);
// Index values are checked on the device; a bad one is a KD_ERR_INDEX naming it (found when
// the kernel's error flag is read back, which synchronises).
void index_select_kernel(const Tensor& out, const Tensor& self, int32_t dim, const Tensor& index);
void gather_kernel(const Tensor& out, const Tensor& self, int32_t dim, const Tensor& index);
void scatter_add_kernel(const Tensor& self, int32_t dim, const Tensor& index, const Tensor& src);

// ---- random (random.cu): fills t in place from the CUDA generator ---------------------------
void uniform_kernel(const Tensor& t, double from, double to);
void normal_kernel(const Tensor& t, double mean, double std);
void bernoulli_kernel(const Tensor& t, double p);

// ---- reductions and softmax (reduce.cu) -----------------------------------------------------
void reduce_kernel(int32_t op, const Tensor& out, const Tensor& in, uint32_t reduced);
void var_kernel(const Tensor& out, const Tensor& in, uint32_t reduced, double correction,
                bool take_sqrt);
void max_min_dim_kernel(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in,
                        int32_t dim);
void softmax_kernel(const Tensor& out, const Tensor& in, int32_t dim, bool log);

// ---- pooling (pool.cu) ------------------------------------------------------------------------
void window_mean(const Tensor& x, const ops::PoolPlan& plan, const Tensor& out);
void window_mean_backward(const Tensor& grad, const ops::PoolPlan& plan, const Tensor& out);
void max_pool2d(const Tensor& x, const int64_t kernel[2], const int64_t stride[2],
                const int64_t padding[2], const int64_t dilation[2], const Tensor& values,
                const Tensor& indices);
void index_scatter2d(const Tensor& grad, const Tensor& indices, const Tensor& out);
void index_gather2d(const Tensor& x, const Tensor& indices, const Tensor& out);

// ---- batch normalisation (batch_norm.cu): the whole op after ops/norm.cpp's validation, with
// the per-channel arithmetic on the device (no host round trip). Same results as ops::.
ops::BatchNormResult batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const Tensor& running_mean, const Tensor& running_var,
                                bool training, double momentum, double eps);
void batch_norm_backward(const Tensor& grad, const Tensor& input, const Tensor& weight,
                         const Tensor& mean, const Tensor& invstd, bool training,
                         Tensor* grad_input, Tensor* grad_weight, Tensor* grad_bias);

// ---- matrix products and convolution (blas.cu, conv.cu) -------------------------------------
// cuBLAS is loaded at run time (dlopen); without it an in-house tiled kernel computes the GEMMs.
void matmul_kernel(const Tensor& out, const Tensor& a, const Tensor& b);
void conv2d_kernel(const Tensor& out, const Tensor& x, const Tensor& w, const Tensor& bias,
                   const cpu::Conv2dGeometry& g);
void conv2d_weight_kernel(const Tensor& out, const Tensor& x, const Tensor& gout,
                          const cpu::Conv2dGeometry& g);
void conv_transpose2d_kernel(const Tensor& out, const Tensor& x, const Tensor& w,
                             const Tensor& bias, const cpu::Conv2dGeometry& g);
// "cublas" or "in-house" (what GEMMs on this device use) — for diagnostics and benchmarks.
std::string gemm_backend();

// ---- optimizer updates (optim.cu): PyTorch's single-tensor arithmetic per element -------------
void sgd_kernel(const ops::SgdHyper& h, const Tensor& param, const Tensor& grad, const Tensor& buf);
void adam_kernel(const ops::AdamHyper& h, const Tensor& param, const Tensor& grad,
                 const Tensor& exp_avg, const Tensor& exp_avg_sq, const Tensor& max_exp_avg_sq);
void rmsprop_kernel(const ops::RmspropHyper& h, const Tensor& param, const Tensor& grad,
                    const Tensor& square_avg, const Tensor& buf, const Tensor& grad_avg);
void adagrad_kernel(const ops::AdagradHyper& h, const Tensor& param, const Tensor& grad,
                    const Tensor& sum);

}  // namespace cuda
}  // namespace kd
