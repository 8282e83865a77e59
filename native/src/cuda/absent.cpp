// The CUDA backend of a build without CUDA (no nvcc, or -DKINDLING_CUDA=OFF): no devices, and
// every entry a clear KD_ERR_UNSUPPORTED. Storage::allocate refuses CUDA memory here, so no CUDA
// tensor exists and the kernels below are never reached from the ops layer.
#include "core/error.h"
#include "cuda/cuda.h"

namespace kd {
namespace cuda {

namespace {
[[noreturn]] void absent(const char* what) {
  fail(KD_ERR_UNSUPPORTED, what, ": ", unavailable_reason());
}
}  // namespace

bool built() { return false; }
int device_count() { return 0; }
std::string unavailable_reason() {
  return "CUDA is not available: this build of Kindling has no CUDA backend (it was compiled "
         "without nvcc or with -DKINDLING_CUDA=OFF)";
}
void check_device(int32_t, const char* op) { absent(op); }
void set_device(int32_t) { absent("set_device"); }
int32_t current_device() { absent("current_device"); }
void* allocate(size_t, int32_t) { absent("allocate"); }
void release(void*, size_t, int32_t) {}
int64_t allocated_bytes(int32_t) { return 0; }
int64_t cached_bytes(int32_t) { return 0; }
void empty_cache() {}
void memcpy_h2d(void*, const void*, size_t, int32_t) { absent("copy to cuda"); }
void memcpy_d2h(void*, const void*, size_t, int32_t) { absent("copy from cuda"); }
void memcpy_d2d(void*, const void*, size_t, int32_t) { absent("copy on cuda"); }
void synchronize(int32_t) { absent("synchronize"); }
void manual_seed(uint64_t) {}

void unary_kernel(int32_t, const Tensor&, const Tensor&) { absent("unary"); }
void binary_kernel(int32_t, const Tensor&, const Tensor&, const Tensor&) { absent("binary"); }
void add_scaled_kernel(const Tensor&, const Tensor&, const Tensor&, double) { absent("add"); }
void copy_kernel(const Tensor&, const Tensor&) { absent("copy_"); }
void fill_kernel(const Tensor&, double) { absent("fill_"); }
void leaky_relu_kernel(const Tensor&, const Tensor&, double) { absent("leaky_relu"); }
void clamp_kernel(const Tensor&, const Tensor&, double, double, bool, bool) { absent("clamp"); }
void where_kernel(const Tensor&, const Tensor&, const Tensor&, const Tensor&) { absent("where"); }
void masked_fill_kernel(const Tensor&, const Tensor&, double) { absent("masked_fill"); }
void threshold_backward_kernel(const Tensor&, const Tensor&, const Tensor&, double) {
  absent("threshold_backward");
}
void cat_kernel(const Tensor&, const Tensor*, int32_t, int32_t) { absent("cat"); }
void index_select_kernel(const Tensor&, const Tensor&, int32_t, const Tensor&) { absent("index_select"); }
void gather_kernel(const Tensor&, const Tensor&, int32_t, const Tensor&) { absent("gather"); }
void scatter_add_kernel(const Tensor&, int32_t, const Tensor&, const Tensor&) { absent("scatter_add"); }
void uniform_kernel(const Tensor&, double, double) { absent("uniform_"); }
void normal_kernel(const Tensor&, double, double) { absent("normal_"); }
void bernoulli_kernel(const Tensor&, double) { absent("bernoulli_"); }
void reduce_kernel(int32_t, const Tensor&, const Tensor&, uint32_t) { absent("reduce"); }
void var_kernel(const Tensor&, const Tensor&, uint32_t, double, bool) { absent("var"); }
void max_min_dim_kernel(bool, const Tensor&, const Tensor&, const Tensor&, int32_t) { absent("max"); }
void softmax_kernel(const Tensor&, const Tensor&, int32_t, bool) { absent("softmax"); }
void window_mean(const Tensor&, const ops::PoolPlan&, const Tensor&) { absent("avg_pool2d"); }
void window_mean_backward(const Tensor&, const ops::PoolPlan&, const Tensor&) { absent("avg_pool2d_backward"); }
void max_pool2d(const Tensor&, const int64_t[2], const int64_t[2], const int64_t[2], const int64_t[2],
                const Tensor&, const Tensor&) { absent("max_pool2d"); }
void index_scatter2d(const Tensor&, const Tensor&, const Tensor&) { absent("max_pool2d_backward"); }
void index_gather2d(const Tensor&, const Tensor&, const Tensor&) { absent("max_pool2d"); }
ops::BatchNormResult batch_norm(const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                                const Tensor&, bool, double, double) { absent("batch_norm"); }
void batch_norm_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                         bool, Tensor*, Tensor*, Tensor*) { absent("batch_norm_backward"); }
void matmul_kernel(const Tensor&, const Tensor&, const Tensor&) { absent("matmul"); }
void conv2d_kernel(const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                   const cpu::Conv2dGeometry&) { absent("conv2d"); }
void conv2d_weight_kernel(const Tensor&, const Tensor&, const Tensor&, const cpu::Conv2dGeometry&) {
  absent("conv2d_weight");
}
void conv_transpose2d_kernel(const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                             const cpu::Conv2dGeometry&) { absent("conv_transpose2d"); }
std::string gemm_backend() { return "none"; }
void sgd_kernel(const ops::SgdHyper&, const Tensor&, const Tensor&, const Tensor&) { absent("sgd"); }
void adam_kernel(const ops::AdamHyper&, const Tensor&, const Tensor&, const Tensor&, const Tensor&,
                 const Tensor&) { absent("adam"); }
void rmsprop_kernel(const ops::RmspropHyper&, const Tensor&, const Tensor&, const Tensor&,
                    const Tensor&, const Tensor&) { absent("rmsprop"); }
void adagrad_kernel(const ops::AdagradHyper&, const Tensor&, const Tensor&, const Tensor&) {
  absent("adagrad");
}

}  // namespace cuda
}  // namespace kd
