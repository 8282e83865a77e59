/*
 * Kindling C API: the only surface of the native core that Java binds (through JavaCPP).
 *
 * Design notes
 *  - Flat and C-only: opaque tensor handles (kd_tensor, an int64; 0 is "no tensor"), int64 arrays
 *    for shapes, int32 enums, status codes. No C++ type crosses this boundary.
 *  - Every handle returned to the caller owns exactly one reference to a native tensor; the caller
 *    gives it back with kd_release. Views share storage with their base through refcounts.
 *  - Errors never escape as C++ exceptions. A function that returns a handle returns 0 on failure;
 *    a function that returns int32_t returns KD_OK (0) or an error code. The message (naming the
 *    op, shapes and dtypes) is then available from kd_last_error_message() on the same thread.
 *  - Enumerations (dtype, unary/binary/reduction op codes) are fixed numbers: the Java side mirrors
 *    them, so never renumber an existing entry.
 */
#ifndef KINDLING_KINDLING_H
#define KINDLING_KINDLING_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t kd_tensor;

/* ---- status codes ------------------------------------------------------------------------ */
enum {
  KD_OK = 0,
  KD_ERR_ARGUMENT = 1,     /* bad shape, bad value, bad combination: IllegalArgumentException */
  KD_ERR_INDEX = 2,        /* dim or index out of range: IndexOutOfBoundsException */
  KD_ERR_DTYPE = 3,        /* dtype not supported by the op: IllegalArgumentException */
  KD_ERR_UNSUPPORTED = 4,  /* no kernel for this device or op: UnsupportedOperationException */
  KD_ERR_STATE = 5,        /* invalid state (e.g. released handle): IllegalStateException */
  KD_ERR_MEMORY = 6,       /* allocation failed: OutOfMemoryError */
  KD_ERR_INTERNAL = 7,     /* a bug: RuntimeException */
  KD_ERR_CALLBACK = 8      /* a Java callback (hook) failed; the Java side holds the exception */
};

/* ---- dtypes and devices ------------------------------------------------------------------ */
enum { KD_FLOAT32 = 0, KD_FLOAT64 = 1, KD_INT64 = 2, KD_BOOL = 3 };
enum { KD_CPU = 0, KD_CUDA = 1 };

/* ---- op codes ---------------------------------------------------------------------------- */
enum {
  KD_NEG = 0, KD_ABS = 1, KD_EXP = 2, KD_LOG = 3, KD_SQRT = 4, KD_RSQRT = 5, KD_SIN = 6,
  KD_COS = 7, KD_TANH = 8, KD_SIGMOID = 9, KD_RELU = 10, KD_LOGICAL_NOT = 11, KD_SIGN = 12,
  KD_RECIPROCAL = 13, KD_SQUARE = 14, KD_LOG1P = 15, KD_EXPM1 = 16, KD_FLOOR = 17, KD_CEIL = 18,
  KD_ROUND = 19, KD_ERF = 20
};
enum {
  KD_ADD = 0, KD_SUB = 1, KD_MUL = 2, KD_DIV = 3, KD_POW = 4, KD_EQ = 5, KD_NE = 6, KD_LT = 7,
  KD_LE = 8, KD_GT = 9, KD_GE = 10, KD_MAXIMUM = 11, KD_MINIMUM = 12, KD_LOGICAL_AND = 13,
  KD_LOGICAL_OR = 14, KD_LOGICAL_XOR = 15, KD_REMAINDER = 16, KD_ATAN2 = 17
};
enum {
  KD_SUM = 0, KD_MEAN = 1, KD_PROD = 2, KD_AMAX = 3, KD_AMIN = 4, KD_LOGSUMEXP = 5,
  KD_ANY = 6, KD_ALL = 7
};

/* ---- library ----------------------------------------------------------------------------- */
const char* kd_version(void);
/* Message and code of the last failed call on this thread. */
const char* kd_last_error_message(void);
int32_t kd_last_error_code(void);
/* Live native tensors and bytes of storage currently allocated (for leak tests). */
int64_t kd_live_tensors(void);
int64_t kd_live_bytes(void);
/* Bytes of freed large blocks the host allocator keeps for reuse (not counted as live). */
int64_t kd_cached_bytes(void);
/* Frees every cached block (memory in use by tensors is untouched). */
void kd_empty_cache(void);
/* Threads used by Kindling's own CPU kernels (not BLAS). */
int32_t kd_set_num_threads(int32_t n);
int32_t kd_get_num_threads(void);

/* ---- handle lifetime --------------------------------------------------------------------- */
/* Drop one reference. Releasing 0 is a no-op. */
void kd_release(kd_tensor t);
/* A second handle to the same tensor (refcount + 1). */
kd_tensor kd_retain(kd_tensor t);

/* ---- metadata ---------------------------------------------------------------------------- */
int32_t kd_ndim(kd_tensor t);
int32_t kd_dtype(kd_tensor t);
int32_t kd_device(kd_tensor t);
int64_t kd_numel(kd_tensor t);
int64_t kd_size(kd_tensor t, int32_t dim);     /* dim already wrapped by caller, else -1 */
int64_t kd_stride(kd_tensor t, int32_t dim);
int64_t kd_storage_offset(kd_tensor t);
/* Writes ndim sizes (strides) into out, which must hold kd_ndim(t) values. */
void kd_shape(kd_tensor t, int64_t* out);
void kd_strides(kd_tensor t, int64_t* out);
int32_t kd_is_contiguous(kd_tensor t);
/* 1 when both tensors view the same storage. */
int32_t kd_same_storage(kd_tensor a, kd_tensor b);
/* The storage's version counter (bumped by every in-place write). */
int64_t kd_version_counter(kd_tensor t);

/* ---- creation ---------------------------------------------------------------------------- */
kd_tensor kd_empty(const int64_t* shape, int32_t ndim, int32_t dtype);
kd_tensor kd_full(const int64_t* shape, int32_t ndim, double value, int32_t dtype);
kd_tensor kd_from_float(const float* data, const int64_t* shape, int32_t ndim);
kd_tensor kd_from_double(const double* data, const int64_t* shape, int32_t ndim);
kd_tensor kd_from_long(const int64_t* data, const int64_t* shape, int32_t ndim);
kd_tensor kd_from_bool(const int8_t* data, const int64_t* shape, int32_t ndim);
/* A 0-dim tensor holding one number (used for Java scalars). */
kd_tensor kd_scalar(double value, int32_t dtype);
kd_tensor kd_eye(int64_t n, int64_t m, int32_t dtype);
kd_tensor kd_arange(double start, double end, double step, int32_t dtype);
kd_tensor kd_linspace(double start, double end, int64_t steps, int32_t dtype);

/* ---- copying out ------------------------------------------------------------------------- */
/* Copies min(n, numel) elements in row-major order, converting to the target type. */
int32_t kd_copy_to_float(kd_tensor t, float* out, int64_t n);
int32_t kd_copy_to_double(kd_tensor t, double* out, int64_t n);
int32_t kd_copy_to_long(kd_tensor t, int64_t* out, int64_t n);
int32_t kd_copy_to_bool(kd_tensor t, int8_t* out, int64_t n);
/* Value of a one-element tensor. Errors leave *out untouched. */
int32_t kd_item(kd_tensor t, double* out);

/* ---- random ------------------------------------------------------------------------------ */
/* Seeds the CPU generator and, where CUDA devices exist, the CUDA generator (torch.manual_seed). */
void kd_manual_seed(int64_t seed);
int64_t kd_initial_seed(void);
/* Generator state as bytes (for checkpoints): size query, save, restore. */
int64_t kd_rng_state_size(void);
int32_t kd_rng_get_state(int8_t* out, int64_t n);
int32_t kd_rng_set_state(const int8_t* in, int64_t n);
kd_tensor kd_rand(const int64_t* shape, int32_t ndim, int32_t dtype);
kd_tensor kd_randn(const int64_t* shape, int32_t ndim, int32_t dtype);
kd_tensor kd_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, int32_t dtype);
kd_tensor kd_randperm(int64_t n, int32_t dtype);
int32_t kd_uniform_(kd_tensor t, double from, double to);
int32_t kd_normal_(kd_tensor t, double mean, double std);
int32_t kd_bernoulli_(kd_tensor t, double p);

/* ---- views (no copy) --------------------------------------------------------------------- */
kd_tensor kd_alias(kd_tensor t);  /* new tensor object, same storage and layout */
kd_tensor kd_view(kd_tensor t, const int64_t* shape, int32_t ndim);  /* one entry may be -1 */
kd_tensor kd_reshape(kd_tensor t, const int64_t* shape, int32_t ndim);
kd_tensor kd_transpose(kd_tensor t, int32_t dim0, int32_t dim1);
kd_tensor kd_permute(kd_tensor t, const int64_t* dims, int32_t ndim);
kd_tensor kd_slice(kd_tensor t, int32_t dim, int64_t start, int64_t end, int64_t step);
kd_tensor kd_narrow(kd_tensor t, int32_t dim, int64_t start, int64_t length);
kd_tensor kd_select(kd_tensor t, int32_t dim, int64_t index);
kd_tensor kd_expand(kd_tensor t, const int64_t* shape, int32_t ndim);
kd_tensor kd_squeeze(kd_tensor t);
kd_tensor kd_squeeze_dim(kd_tensor t, int32_t dim);
kd_tensor kd_unsqueeze(kd_tensor t, int32_t dim);
kd_tensor kd_flatten(kd_tensor t, int32_t start_dim, int32_t end_dim);
kd_tensor kd_contiguous(kd_tensor t);
kd_tensor kd_clone(kd_tensor t);
kd_tensor kd_to_dtype(kd_tensor t, int32_t dtype);

/* ---- elementwise ------------------------------------------------------------------------- */
kd_tensor kd_unary(int32_t op, kd_tensor t);
int32_t kd_unary_(int32_t op, kd_tensor t);
kd_tensor kd_binary(int32_t op, kd_tensor a, kd_tensor b);
/* a = a op b (b broadcast to a's shape; result cast to a's dtype as PyTorch allows). */
int32_t kd_binary_(int32_t op, kd_tensor a, kd_tensor b);
/* Tensor op Python-style scalar: the scalar takes part in type promotion as a wrapped number of
 * kind sdtype (KD_FLOAT64 for a Java double, KD_INT64 for a long, KD_BOOL for a boolean). */
kd_tensor kd_binary_scalar(int32_t op, kd_tensor a, double s, int32_t sdtype);
int32_t kd_binary_scalar_(int32_t op, kd_tensor a, double s, int32_t sdtype);
/* scalar op tensor (for rsub, rdiv, rpow). */
kd_tensor kd_scalar_binary(int32_t op, double s, int32_t sdtype, kd_tensor b);
/* a + alpha * b */
kd_tensor kd_add_scaled(kd_tensor a, kd_tensor b, double alpha);
int32_t kd_add_scaled_(kd_tensor a, kd_tensor b, double alpha);
kd_tensor kd_leaky_relu(kd_tensor t, double negative_slope);
/* clamp to [lo, hi]; has_lo / has_hi say which bounds apply. */
kd_tensor kd_clamp(kd_tensor t, double lo, double hi, int32_t has_lo, int32_t has_hi);
int32_t kd_clamp_(kd_tensor t, double lo, double hi, int32_t has_lo, int32_t has_hi);
kd_tensor kd_where(kd_tensor cond, kd_tensor a, kd_tensor b);
kd_tensor kd_masked_fill(kd_tensor t, kd_tensor mask, double value);
int32_t kd_masked_fill_(kd_tensor t, kd_tensor mask, double value);
int32_t kd_fill_(kd_tensor t, double value);
int32_t kd_zero_(kd_tensor t);
/* dst.copy_(src): src broadcast to dst's shape, converted to dst's dtype. */
int32_t kd_copy_(kd_tensor dst, kd_tensor src);

/* ---- reductions -------------------------------------------------------------------------- */
/* ndims == 0 reduces over all dims. */
kd_tensor kd_reduce(int32_t op, kd_tensor t, const int64_t* dims, int32_t ndims, int32_t keepdim);
kd_tensor kd_var(kd_tensor t, const int64_t* dims, int32_t ndims, double correction,
                 int32_t keepdim, int32_t take_sqrt);
/* max/min along one dim: writes (values, indices) handles into out[0], out[1]. */
int32_t kd_max_dim(kd_tensor t, int32_t dim, int32_t keepdim, kd_tensor* out);
int32_t kd_min_dim(kd_tensor t, int32_t dim, int32_t keepdim, kd_tensor* out);
/* has_dim == 0: index into the flattened tensor. */
kd_tensor kd_argmax(kd_tensor t, int32_t dim, int32_t has_dim, int32_t keepdim);
kd_tensor kd_argmin(kd_tensor t, int32_t dim, int32_t has_dim, int32_t keepdim);
kd_tensor kd_softmax(kd_tensor t, int32_t dim);
kd_tensor kd_log_softmax(kd_tensor t, int32_t dim);

/* ---- linear algebra ---------------------------------------------------------------------- */
kd_tensor kd_matmul(kd_tensor a, kd_tensor b);
kd_tensor kd_mm(kd_tensor a, kd_tensor b);
kd_tensor kd_bmm(kd_tensor a, kd_tensor b);

/* ---- pooling and upsampling (input [N, C, H, W] or [C, H, W]; pairs are (H, W)) ------------ */
kd_tensor kd_max_pool2d(kd_tensor t, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                        const int64_t* dilation, int32_t ceil_mode);
kd_tensor kd_avg_pool2d(kd_tensor t, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                        int32_t ceil_mode, int32_t count_include_pad);
kd_tensor kd_adaptive_avg_pool2d(kd_tensor t, const int64_t* output_size);
/* scales: PyTorch's scale_factor per dim, or null (or <= 0) to use output_size. */
kd_tensor kd_upsample_nearest2d(kd_tensor t, const int64_t* output_size, const double* scales);

/* ---- joining and indexing ---------------------------------------------------------------- */
kd_tensor kd_cat(const kd_tensor* ts, int32_t n, int32_t dim);
kd_tensor kd_stack(const kd_tensor* ts, int32_t n, int32_t dim);
/* Splits into pieces of the given sizes along dim (views); writes n handles into out. */
int32_t kd_split_with_sizes(kd_tensor t, const int64_t* sizes, int32_t n, int32_t dim,
                            kd_tensor* out);
kd_tensor kd_index_select(kd_tensor t, int32_t dim, kd_tensor index);
kd_tensor kd_gather(kd_tensor t, int32_t dim, kd_tensor index);
kd_tensor kd_scatter_add(kd_tensor t, int32_t dim, kd_tensor index, kd_tensor src);
int32_t kd_scatter_add_(kd_tensor t, int32_t dim, kd_tensor index, kd_tensor src);

/* ---- convolutions ------------------------------------------------------------------------ */
/* input [N, C, H, W] (or [C, H, W]); bias_or_0 may be 0; stride/padding/dilation are 2 values each.
   conv_transpose2d's weight is [C, O/groups, kH, kW]. */
kd_tensor kd_conv2d(kd_tensor input, kd_tensor weight, kd_tensor bias_or_0, const int64_t* stride,
                    const int64_t* padding, const int64_t* dilation, int64_t groups);
kd_tensor kd_conv_transpose2d(kd_tensor input, kd_tensor weight, kd_tensor bias_or_0,
                              const int64_t* stride, const int64_t* padding,
                              const int64_t* output_padding, const int64_t* dilation,
                              int64_t groups);

/* ---- batch norm -------------------------------------------------------------------------- */
/* torch.nn.functional.batch_norm: input [N, C, *]; weight, bias, running_mean, running_var are
   [C] or 0. training != 0 normalises with the batch's statistics and, when running stats are
   given, updates them in place (running = (1 - momentum) * running + momentum * batch stat, the
   variance unbiased); otherwise the running statistics are used. */
kd_tensor kd_batch_norm(kd_tensor input, kd_tensor weight_or_0, kd_tensor bias_or_0,
                        kd_tensor running_mean_or_0, kd_tensor running_var_or_0, int32_t training,
                        double momentum, double eps);

/* ---- autograd ---------------------------------------------------------------------------- */
/* Grad mode is per thread. kd_set_grad_enabled returns the previous mode. */
int32_t kd_is_grad_enabled(void);
int32_t kd_set_grad_enabled(int32_t enabled);
int32_t kd_requires_grad(kd_tensor t);
int32_t kd_set_requires_grad(kd_tensor t, int32_t flag);
int32_t kd_is_leaf(kd_tensor t);
/* *out = the .grad tensor (a new handle) or 0 when there is none. */
int32_t kd_grad(kd_tensor t, kd_tensor* out);
/* Sets .grad (g = 0 clears it). */
int32_t kd_set_grad(kd_tensor t, kd_tensor g);
int32_t kd_retain_grad(kd_tensor t);
int32_t kd_retains_grad(kd_tensor t);
/* detach(): shares data, no history. detach_(): drops t's history in place. */
kd_tensor kd_detach(kd_tensor t);
int32_t kd_detach_(kd_tensor t);
// t.data = src (PyTorch's set_data): t keeps its identity (handles, requires_grad, hooks) but now
// views src's storage with src's sizes, strides, offset, dtype and device; its cached gradient
// accumulator is dropped. A .grad that no longer matches t's dtype or shape is cleared (PyTorch
// keeps it, and the next accumulation fails; clearing is the safe choice); a .grad on another
// device is kept, so it can be moved the same way (Module.to moves parameters, then their grads).
int32_t kd_set_data(kd_tensor t, kd_tensor src);

/* Graph introspection. A kd_node owns a reference to a backward node; release it. */
typedef int64_t kd_node;
kd_node kd_grad_fn(kd_tensor t); /* 0 for leaves */
void kd_node_release(kd_node n);
const char* kd_node_name(kd_node n);
int64_t kd_node_id(kd_node n); /* the same node always has the same id */
int32_t kd_node_num_next(kd_node n);
/* Node of next edge i (0 where that input needs no gradient); *input_nr gets the edge's slot. */
kd_node kd_node_next(kd_node n, int32_t i, int32_t* input_nr);
/* The tensor an AccumulateGrad node accumulates into (a new handle), else 0. */
kd_tensor kd_node_variable(kd_node n);

/* roots[i].backward(grads[i]) for all i at once (grads[i] may be 0 for one-element roots).
 * With n_inputs > 0, only those leaves accumulate gradients. */
int32_t kd_backward(const kd_tensor* roots, const kd_tensor* grads, int32_t n, int32_t retain_graph,
                    int32_t create_graph, const kd_tensor* inputs, int32_t n_inputs);
/* torch.autograd.grad: writes n_inputs handles into out (0 for unused inputs with allow_unused). */
int32_t kd_autograd_grad(const kd_tensor* outputs, const kd_tensor* grad_outputs, int32_t n,
                         const kd_tensor* inputs, int32_t n_inputs, int32_t retain_graph,
                         int32_t create_graph, int32_t allow_unused, kd_tensor* out);

/* Tensor hooks. One dispatcher serves all hooks: it gets the hook's id and a gradient handle
 * (a reference it owns), and returns a handle to replace the gradient (ownership passes to the
 * core), 0 to keep it, or -1 when the hook failed (backward then stops with KD_ERR_CALLBACK). */
typedef kd_tensor (*kd_hook_fn)(int64_t hook_id, kd_tensor grad);
void kd_set_hook_dispatcher(kd_hook_fn fn);
int32_t kd_register_hook(kd_tensor t, int64_t hook_id);
/* Returns 1 when a hook was removed, 0 when there was none with that id. */
int32_t kd_remove_hook(kd_tensor t, int64_t hook_id);

/* ---- optimizer steps -------------------------------------------------------------------------
 * One call runs one optimizer step for n parameters: every parameter of every group, so a step
 * crosses into native code once. Parameter i is params[i] with gradient grads[i] and state buffers
 * of its shape and dtype (float32 or float64); row i of `hyper` (the *_ROW doubles listed below)
 * holds its hyper-parameters, so groups with different options, and parameters with different
 * step counts, share the call. Flags in a row are 0 or 1.
 *  - Updates are in place and recorded nowhere in autograd (as under torch.no_grad()); the version
 *    counter of each written tensor is bumped like any in-place op.
 *  - Every parameter is checked (null handles, dtypes, shapes, a parameter, gradient and state
 *    sharing memory, written tensors with internal overlap) before anything is written: a failed
 *    call changes nothing. Non-contiguous tensors are updated correctly (through a copy).
 *  - The arithmetic is PyTorch 1.13's single-tensor (foreach=False) update, element by element,
 *    with PyTorch's roundings (scalars rounded to the tensor's dtype where PyTorch rounds them;
 *    multiply-adds fused where PyTorch's CPU kernels fuse them: add with alpha, addcmul).
 *  - A state array may be null when no parameter uses that buffer; an entry may be 0 when its
 *    parameter's options do not use it. */
enum { KD_SGD_ROW = 7, KD_ADAM_ROW = 9, KD_RMSPROP_ROW = 7, KD_ADAGRAD_ROW = 6 };
/* SGD row: lr, momentum, dampening, weight_decay, nesterov, maximize, init_buffer.
 * momentum_buffers[i] is used when momentum != 0; init_buffer = 1 on the buffer's first step (it
 * has no value yet and receives the gradient, as PyTorch clones it). */
int32_t kd_optim_sgd(int64_t n, const kd_tensor* params, const kd_tensor* grads,
                     const kd_tensor* momentum_buffers, const double* hyper);
/* Adam/AdamW row: lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, step, decoupled.
 * step is the step being taken (1 on the first); decoupled = 1 is AdamW (the parameter decays by
 * lr * weight_decay; the gradient does not). max_exp_avg_sqs[i] is used when amsgrad. */
int32_t kd_optim_adam(int64_t n, const kd_tensor* params, const kd_tensor* grads,
                      const kd_tensor* exp_avgs, const kd_tensor* exp_avg_sqs,
                      const kd_tensor* max_exp_avg_sqs, const double* hyper);
/* RMSprop row: lr, alpha, eps, weight_decay, momentum, centered, maximize.
 * momentum_buffers[i] is used when momentum > 0, grad_avgs[i] when centered. */
int32_t kd_optim_rmsprop(int64_t n, const kd_tensor* params, const kd_tensor* grads,
                         const kd_tensor* square_avgs, const kd_tensor* momentum_buffers,
                         const kd_tensor* grad_avgs, const double* hyper);
/* Adagrad row: lr, lr_decay, weight_decay, eps, maximize, step (the step being taken, from 1). */
int32_t kd_optim_adagrad(int64_t n, const kd_tensor* params, const kd_tensor* grads,
                         const kd_tensor* sums, const double* hyper);

/* ---- files: safetensors and torch.save (io) ---------------------------------------------
 * Readers validate the whole file and return an opaque kd_file (0 on failure) that owns what was
 * loaded: named tensors in file order, safetensors' __metadata__ pairs, and for torch.save files
 * the container structure as JSON text (encoding in native/src/io/torch_file.h). Query it, take
 * new tensor handles from it, then kd_file_close it. Strings cross as UTF-8 bytes with explicit
 * lengths (never NUL-terminated), so any name survives the trip. Bad content fails with
 * KD_ERR_ARGUMENT (KD_ERR_UNSUPPORTED for a known but unsupported feature, e.g. an F16 tensor);
 * the file system failing (open, read, write, rename) fails with KD_ERR_IO. */
enum { KD_ERR_IO = 9 };  /* an I/O error: UncheckedIOException */
typedef int64_t kd_file;
kd_file kd_safetensors_read(const int8_t* path, int64_t path_len);
/* Parses a safetensors image held in memory (same checks as kd_safetensors_read). */
kd_file kd_safetensors_parse(const int8_t* data, int64_t n);
/* Reads a torch.save file (zip + restricted pickle: tensors and plain containers only). */
kd_file kd_torch_load(const int8_t* path, int64_t path_len);
void kd_file_close(kd_file f);
int64_t kd_file_num_tensors(kd_file f);
int64_t kd_file_num_metadata(kd_file f);
/* A new handle to tensor i (0 and KD_ERR_INDEX when out of range). */
kd_tensor kd_file_tensor(kd_file f, int64_t i);
enum { KD_FILE_TENSOR_NAME = 0, KD_FILE_METADATA_KEY = 1, KD_FILE_METADATA_VALUE = 2, KD_FILE_STRUCTURE = 3 };
/* String `kind` (for index i; i is ignored for the structure): copies min(length, cap) bytes into
 * out (which may be null when cap is 0) and returns the full length, or -1 on error. */
int64_t kd_file_string(kd_file f, int32_t kind, int64_t i, int8_t* out, int64_t cap);
/* Writes a safetensors file atomically (temp file, fsync, rename, directory fsync): tensors[i] is
 * named by the next name_lens[i] bytes of names; metadata keys and values alternate in meta
 * (key 0, value 0, key 1, ...) with their lengths in meta_lens (2 * n_meta entries). */
int32_t kd_safetensors_write(const int8_t* path, int64_t path_len, const kd_tensor* tensors,
                             int32_t n, const int8_t* names, const int64_t* name_lens,
                             const int8_t* meta, const int64_t* meta_lens, int32_t n_meta);

/* ---- devices (CUDA backend) ----------------------------------------------------------------
 * Device codes are KD_CPU and KD_CUDA; `index` picks the CUDA device (ignored for KD_CPU). A bad
 * device index, or CUDA where none is available, fails with KD_ERR_UNSUPPORTED and a message
 * that gives the reason. An op on tensors of different devices fails with KD_ERR_ARGUMENT:
 * "add: Expected all tensors to be on the same device, but found at least two devices, cuda:0
 * and cpu!" (copy_ is the exception: it is how data moves between devices). */
int32_t kd_cuda_built(void);                    /* 1 when compiled with the CUDA backend */
int32_t kd_cuda_device_count(void);             /* 0 without backend, driver or GPU; never fails */
const char* kd_cuda_unavailable_reason(void);   /* "" when devices exist */
int32_t kd_device_index(kd_tensor t);           /* CUDA device index; -1 for CPU tensors */
/* Differentiable copy to a device (autograd node ToCopyBackward0 sends the gradient back to the
 * source device). Same device and index: a new handle to the SAME tensor (like torch's to()
 * returning self). */
kd_tensor kd_to_device(kd_tensor t, int32_t device, int32_t index);
kd_tensor kd_empty_on(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t device, int32_t index);
kd_tensor kd_full_on(const int64_t* shape, int32_t ndim, double value, int32_t dtype, int32_t device,
                     int32_t index);
int32_t kd_cuda_synchronize(int32_t index);
int64_t kd_cuda_memory_allocated(int32_t index);  /* bytes in use by tensors */
int64_t kd_cuda_memory_cached(int32_t index);     /* bytes held by the caching allocator */
void kd_cuda_empty_cache(void);
const char* kd_cuda_gemm_backend(void);           /* "cublas", "in-house" or "none" */

#ifdef __cplusplus
}
#endif

#endif /* KINDLING_KINDLING_H */
