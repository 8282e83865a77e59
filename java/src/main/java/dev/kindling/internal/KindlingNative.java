package dev.kindling.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FunctionPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP peer of the C API in {@code native/include/kindling/kindling.h}: one static native method
 * per C function, handles as {@code long}. Not public API: {@link dev.kindling.Tensor} and friends
 * wrap it. {@code @NoException}: the C API never throws, it returns a status (0 handle or non-zero
 * code) and {@link #kd_last_error_message()} says why, so the glue needs no try/catch.
 * {@code @CriticalRegion}: Java arrays are passed pinned, not copied (no C function here calls
 * back into the JVM), which makes shape arrays cheap and bulk copies in and out a single pass.
 */
@Platform(compiler = "cpp17", include = "kindling/kindling.h", link = "kindling", library = "jnikindling")
@NoException
@CriticalRegion
public final class KindlingNative {
  static {
    NativeLoader.load();
  }

  private KindlingNative() {}

  static void loadPeer() {
    Loader.load(KindlingNative.class);
  }

  // ---- library
  public static native @Cast("const char*") String kd_version();
  public static native @Cast("const char*") String kd_last_error_message();
  public static native int kd_last_error_code();
  public static native long kd_live_tensors();
  public static native long kd_live_bytes();
  public static native long kd_cached_bytes();
  public static native void kd_empty_cache();
  public static native int kd_set_num_threads(int n);
  public static native int kd_get_num_threads();

  // ---- handles and metadata
  public static native void kd_release(long t);
  public static native long kd_retain(long t);
  public static native int kd_ndim(long t);
  public static native int kd_dtype(long t);
  public static native int kd_device(long t);
  public static native long kd_numel(long t);
  public static native long kd_size(long t, int dim);
  public static native long kd_stride(long t, int dim);
  public static native long kd_storage_offset(long t);
  public static native void kd_shape(long t, @Cast("int64_t*") long[] out);
  public static native void kd_strides(long t, @Cast("int64_t*") long[] out);
  public static native int kd_is_contiguous(long t);
  public static native int kd_same_storage(long a, long b);
  public static native long kd_version_counter(long t);

  // ---- creation
  public static native long kd_empty(@Cast("const int64_t*") long[] shape, int ndim, int dtype);
  public static native long kd_full(@Cast("const int64_t*") long[] shape, int ndim, double value, int dtype);
  public static native long kd_from_float(float[] data, @Cast("const int64_t*") long[] shape, int ndim);
  public static native long kd_from_double(double[] data, @Cast("const int64_t*") long[] shape, int ndim);
  public static native long kd_from_long(@Cast("const int64_t*") long[] data, @Cast("const int64_t*") long[] shape, int ndim);
  public static native long kd_from_bool(@Cast("const int8_t*") byte[] data, @Cast("const int64_t*") long[] shape, int ndim);
  public static native long kd_scalar(double value, int dtype);
  public static native long kd_eye(long n, long m, int dtype);
  public static native long kd_arange(double start, double end, double step, int dtype);
  public static native long kd_linspace(double start, double end, long steps, int dtype);

  // ---- copying out
  public static native int kd_copy_to_float(long t, float[] out, long n);
  public static native int kd_copy_to_double(long t, double[] out, long n);
  public static native int kd_copy_to_long(long t, @Cast("int64_t*") long[] out, long n);
  public static native int kd_copy_to_bool(long t, @Cast("int8_t*") byte[] out, long n);
  public static native int kd_item(long t, double[] out);

  // ---- random
  public static native void kd_manual_seed(long seed);
  public static native long kd_initial_seed();
  public static native long kd_rng_state_size();
  public static native int kd_rng_get_state(@Cast("int8_t*") byte[] out, long n);
  public static native int kd_rng_set_state(@Cast("const int8_t*") byte[] in, long n);
  public static native long kd_rand(@Cast("const int64_t*") long[] shape, int ndim, int dtype);
  public static native long kd_randn(@Cast("const int64_t*") long[] shape, int ndim, int dtype);
  public static native long kd_randint(long low, long high, @Cast("const int64_t*") long[] shape, int ndim, int dtype);
  public static native long kd_randperm(long n, int dtype);
  public static native int kd_uniform_(long t, double from, double to);
  public static native int kd_normal_(long t, double mean, double std);
  public static native int kd_bernoulli_(long t, double p);

  // ---- views
  public static native long kd_alias(long t);
  public static native long kd_view(long t, @Cast("const int64_t*") long[] shape, int ndim);
  public static native long kd_reshape(long t, @Cast("const int64_t*") long[] shape, int ndim);
  public static native long kd_transpose(long t, int dim0, int dim1);
  public static native long kd_permute(long t, @Cast("const int64_t*") long[] dims, int ndim);
  public static native long kd_slice(long t, int dim, long start, long end, long step);
  public static native long kd_narrow(long t, int dim, long start, long length);
  public static native long kd_select(long t, int dim, long index);
  public static native long kd_expand(long t, @Cast("const int64_t*") long[] shape, int ndim);
  public static native long kd_squeeze(long t);
  public static native long kd_squeeze_dim(long t, int dim);
  public static native long kd_unsqueeze(long t, int dim);
  public static native long kd_flatten(long t, int startDim, int endDim);
  public static native long kd_contiguous(long t);
  public static native long kd_clone(long t);
  public static native long kd_to_dtype(long t, int dtype);

  // ---- elementwise
  public static native long kd_unary(int op, long t);
  public static native int kd_unary_(int op, long t);
  public static native long kd_binary(int op, long a, long b);
  public static native int kd_binary_(int op, long a, long b);
  public static native long kd_binary_scalar(int op, long a, double s, int sdtype);
  public static native int kd_binary_scalar_(int op, long a, double s, int sdtype);
  public static native long kd_scalar_binary(int op, double s, int sdtype, long b);
  public static native long kd_add_scaled(long a, long b, double alpha);
  public static native int kd_add_scaled_(long a, long b, double alpha);
  public static native long kd_leaky_relu(long t, double negativeSlope);
  public static native long kd_clamp(long t, double lo, double hi, int hasLo, int hasHi);
  public static native int kd_clamp_(long t, double lo, double hi, int hasLo, int hasHi);
  public static native long kd_where(long cond, long a, long b);
  public static native long kd_masked_fill(long t, long mask, double value);
  public static native int kd_masked_fill_(long t, long mask, double value);
  public static native int kd_fill_(long t, double value);
  public static native int kd_zero_(long t);
  public static native int kd_copy_(long dst, long src);

  // ---- reductions
  public static native long kd_reduce(int op, long t, @Cast("const int64_t*") long[] dims, int ndims, int keepdim);
  public static native long kd_var(long t, @Cast("const int64_t*") long[] dims, int ndims, double correction, int keepdim, int takeSqrt);
  public static native int kd_max_dim(long t, int dim, int keepdim, @Cast("kd_tensor*") long[] out);
  public static native int kd_min_dim(long t, int dim, int keepdim, @Cast("kd_tensor*") long[] out);
  public static native long kd_argmax(long t, int dim, int hasDim, int keepdim);
  public static native long kd_argmin(long t, int dim, int hasDim, int keepdim);
  public static native long kd_softmax(long t, int dim);
  public static native long kd_log_softmax(long t, int dim);

  // ---- linear algebra
  public static native long kd_matmul(long a, long b);
  public static native long kd_mm(long a, long b);
  public static native long kd_bmm(long a, long b);

  // ---- pooling and upsampling
  public static native long kd_max_pool2d(long t, @Cast("const int64_t*") long[] kernel,
      @Cast("const int64_t*") long[] stride, @Cast("const int64_t*") long[] padding,
      @Cast("const int64_t*") long[] dilation, int ceilMode);
  public static native long kd_avg_pool2d(long t, @Cast("const int64_t*") long[] kernel,
      @Cast("const int64_t*") long[] stride, @Cast("const int64_t*") long[] padding, int ceilMode,
      int countIncludePad);
  public static native long kd_adaptive_avg_pool2d(long t, @Cast("const int64_t*") long[] outputSize);
  public static native long kd_upsample_nearest2d(long t, @Cast("const int64_t*") long[] outputSize,
      @Cast("const double*") double[] scales);

  // ---- joining and indexing
  public static native long kd_cat(@Cast("const kd_tensor*") long[] ts, int n, int dim);
  public static native long kd_stack(@Cast("const kd_tensor*") long[] ts, int n, int dim);
  public static native int kd_split_with_sizes(long t, @Cast("const int64_t*") long[] sizes, int n, int dim, @Cast("kd_tensor*") long[] out);
  public static native long kd_index_select(long t, int dim, long index);
  public static native long kd_gather(long t, int dim, long index);
  public static native long kd_scatter_add(long t, int dim, long index, long src);
  public static native int kd_scatter_add_(long t, int dim, long index, long src);

  // ---- batch norm (0 = absent weight/bias/running stats)
  public static native long kd_batch_norm(long input, long weight, long bias, long runningMean, long runningVar, int training, double momentum, double eps);

  // ---- convolutions (bias 0 = none; stride/padding/dilation hold 2 values each)
  public static native long kd_conv2d(long input, long weight, long bias, @Cast("const int64_t*") long[] stride, @Cast("const int64_t*") long[] padding, @Cast("const int64_t*") long[] dilation, long groups);
  public static native long kd_conv_transpose2d(long input, long weight, long bias, @Cast("const int64_t*") long[] stride, @Cast("const int64_t*") long[] padding, @Cast("const int64_t*") long[] outputPadding, @Cast("const int64_t*") long[] dilation, long groups);

  // ---- autograd
  public static native int kd_is_grad_enabled();
  public static native int kd_set_grad_enabled(int enabled);
  public static native int kd_requires_grad(long t);
  public static native int kd_set_requires_grad(long t, int flag);
  public static native int kd_is_leaf(long t);
  public static native int kd_grad(long t, @Cast("kd_tensor*") long[] out);
  public static native int kd_set_grad(long t, long g);
  public static native int kd_retain_grad(long t);
  public static native int kd_retains_grad(long t);
  public static native long kd_detach(long t);
  public static native int kd_detach_(long t);
  public static native int kd_set_data(long t, long src);
  public static native long kd_grad_fn(long t);
  public static native void kd_node_release(long n);
  public static native @Cast("const char*") String kd_node_name(long n);
  public static native long kd_node_id(long n);
  public static native int kd_node_num_next(long n);
  public static native long kd_node_next(long n, int i, int[] inputNr);
  public static native long kd_node_variable(long n);
  public static native int kd_backward(@Cast("const kd_tensor*") long[] roots, @Cast("const kd_tensor*") long[] grads, int n,
      int retainGraph, int createGraph, @Cast("const kd_tensor*") long[] inputs, int nInputs);
  public static native int kd_autograd_grad(@Cast("const kd_tensor*") long[] outputs, @Cast("const kd_tensor*") long[] gradOutputs,
      int n, @Cast("const kd_tensor*") long[] inputs, int nInputs, int retainGraph, int createGraph, int allowUnused,
      @Cast("kd_tensor*") long[] out);
  public static native void kd_set_hook_dispatcher(HookDispatcher fn);
  public static native int kd_register_hook(long t, long hookId);
  public static native int kd_remove_hook(long t, long hookId);

  // ---- optimizer steps: one call per step for every parameter (see kindling.h for the row layouts)
  public static native int kd_optim_sgd(long n, @Cast("const kd_tensor*") long[] params, @Cast("const kd_tensor*") long[] grads,
      @Cast("const kd_tensor*") long[] momentumBuffers, double[] hyper);
  public static native int kd_optim_adam(long n, @Cast("const kd_tensor*") long[] params, @Cast("const kd_tensor*") long[] grads,
      @Cast("const kd_tensor*") long[] expAvgs, @Cast("const kd_tensor*") long[] expAvgSqs,
      @Cast("const kd_tensor*") long[] maxExpAvgSqs, double[] hyper);
  public static native int kd_optim_rmsprop(long n, @Cast("const kd_tensor*") long[] params, @Cast("const kd_tensor*") long[] grads,
      @Cast("const kd_tensor*") long[] squareAvgs, @Cast("const kd_tensor*") long[] momentumBuffers,
      @Cast("const kd_tensor*") long[] gradAvgs, double[] hyper);
  public static native int kd_optim_adagrad(long n, @Cast("const kd_tensor*") long[] params, @Cast("const kd_tensor*") long[] grads,
      @Cast("const kd_tensor*") long[] sums, double[] hyper);

  // ---- files: safetensors and torch.save (io). Paths, names and tensor handles go in native
  // memory (BytePointer/LongPointer), never pinned Java arrays: these calls do file I/O, which must
  // not run inside a JNI critical region (that would hold up the garbage collector).
  public static native long kd_safetensors_read(@Cast("const int8_t*") BytePointer path, long pathLen);
  public static native long kd_safetensors_parse(@Cast("const int8_t*") BytePointer data, long n);
  public static native long kd_torch_load(@Cast("const int8_t*") BytePointer path, long pathLen);
  public static native void kd_file_close(long f);
  public static native long kd_file_num_tensors(long f);
  public static native long kd_file_num_metadata(long f);
  public static native long kd_file_tensor(long f, long i);
  public static native long kd_file_string(long f, int kind, long i, @Cast("int8_t*") byte[] out, long cap);
  public static native int kd_safetensors_write(@Cast("const int8_t*") BytePointer path, long pathLen,
      @Cast("const kd_tensor*") LongPointer tensors, int n, @Cast("const int8_t*") BytePointer names,
      @Cast("const int64_t*") LongPointer nameLens, @Cast("const int8_t*") BytePointer meta,
      @Cast("const int64_t*") LongPointer metaLens, int nMeta);

  // ---- CUDA devices (issue 7). Device codes: 0 = CPU, 1 = CUDA; index -1 on CPU tensors.
  public static native int kd_cuda_built();
  public static native int kd_cuda_device_count();
  public static native @Cast("const char*") String kd_cuda_unavailable_reason();
  public static native int kd_device_index(long t);
  public static native long kd_to_device(long t, int device, int index);
  public static native long kd_empty_on(@Cast("const int64_t*") long[] shape, int ndim, int dtype, int device, int index);
  public static native long kd_full_on(@Cast("const int64_t*") long[] shape, int ndim, double value, int dtype, int device, int index);
  public static native int kd_cuda_synchronize(int index);
  public static native long kd_cuda_memory_allocated(int index);
  public static native long kd_cuda_memory_cached(int index);
  public static native void kd_cuda_empty_cache();
  public static native @Cast("const char*") String kd_cuda_gemm_backend();

  /**
   * The one native-to-Java callback: the engine calls it for every Java tensor hook with the
   * hook's id and a gradient handle. Subclassed by {@code dev.kindling.internal.Hooks}.
   */
  public static class HookDispatcher extends FunctionPointer {
    static {
      Loader.load();
    }

    protected HookDispatcher() {
      allocate();
    }

    private native void allocate();

    public @Cast("kd_tensor") long call(@Cast("int64_t") long hookId, @Cast("kd_tensor") long grad) {
      return 0;
    }
  }
}
