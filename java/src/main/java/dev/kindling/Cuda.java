package dev.kindling;

import dev.kindling.internal.KindlingNative;
import dev.kindling.internal.Native;

/**
 * The CUDA runtime as {@code torch.cuda} shows it: availability, the caching allocator's counters,
 * and synchronisation. Why a class of its own: these calls only mean something for CUDA devices,
 * and grouping them keeps {@link Kindling} about the library as a whole. Kernels run
 * asynchronously on one stream per device; reading values back ({@code item()},
 * {@code toFloatArray()}) waits for them, so {@link #synchronize()} is needed only for timing.
 */
public final class Cuda {
  private Cuda() {}

  /**
   * {@code torch.cuda.is_available()}.
   *
   * @return true if a CUDA device can be used
   */
  public static boolean isAvailable() {
    return Device.cudaAvailable();
  }

  /**
   * {@code torch.cuda.device_count()}: 0 without a CUDA build, driver or GPU.
   *
   * @return the number of usable devices
   */
  public static int deviceCount() {
    return Device.cudaDeviceCount();
  }

  /**
   * Whether this native library was compiled with the CUDA backend (it may still see no GPU).
   *
   * @return true for a CUDA build
   */
  public static boolean isBuilt() {
    return KindlingNative.kd_cuda_built() != 0;
  }

  /**
   * Why CUDA cannot be used ("" when it can).
   *
   * @return the reason, or ""
   */
  public static String unavailableReason() {
    return Device.cudaUnavailableReason();
  }

  /**
   * What matrix products on CUDA run on: {@code "cublas"}, {@code "in-house"} or {@code "none"}.
   *
   * @return the backend's name
   */
  public static String gemmBackend() {
    return KindlingNative.kd_cuda_gemm_backend();
  }

  /** {@code torch.cuda.synchronize()}: waits for all work queued on device 0. */
  public static void synchronize() {
    synchronize(0);
  }

  /**
   * {@code torch.cuda.synchronize(device)}; reports a fault of an earlier asynchronous kernel.
   *
   * @param device the device index
   */
  public static void synchronize(int device) {
    check(device, "cuda.synchronize");
    Native.check(KindlingNative.kd_cuda_synchronize(device));
  }

  /**
   * {@code torch.cuda.memory_allocated()}: bytes of device 0 held by live tensors.
   *
   * @return the byte count
   */
  public static long memoryAllocated() {
    return memoryAllocated(0);
  }

  /**
   * {@code torch.cuda.memory_allocated(device)}: bytes of that device held by live tensors.
   *
   * @param device the device index
   * @return the byte count
   */
  public static long memoryAllocated(int device) {
    check(device, "cuda.memory_allocated");
    return KindlingNative.kd_cuda_memory_allocated(device);
  }

  /**
   * {@code torch.cuda.memory_reserved()}: bytes of device 0 the caching allocator holds from the
   * driver, in use by tensors or kept free for reuse ({@link #emptyCache()} returns the latter).
   *
   * @return the byte count
   */
  public static long memoryReserved() {
    return memoryReserved(0);
  }

  /**
   * {@code torch.cuda.memory_reserved(device)}: bytes of that device the caching allocator holds.
   *
   * @param device the device index
   * @return the byte count
   */
  public static long memoryReserved(int device) {
    check(device, "cuda.memory_reserved");
    return KindlingNative.kd_cuda_memory_allocated(device) + KindlingNative.kd_cuda_memory_cached(device);
  }

  /**
   * {@code torch.cuda.memory_cached()}, the older name of {@link #memoryReserved()}.
   *
   * @return the byte count
   */
  public static long memoryCached() {
    return memoryReserved(0);
  }

  /**
   * {@code torch.cuda.memory_cached(device)}, the older name of {@link #memoryReserved(int)}.
   *
   * @param device the device index
   * @return the byte count
   */
  public static long memoryCached(int device) {
    return memoryReserved(device);
  }

  /**
   * {@code torch.cuda.empty_cache()}: gives the blocks the allocator keeps for reuse back to the
   * driver (memory of live tensors stays). Does nothing where CUDA is unavailable, like PyTorch's.
   */
  public static void emptyCache() {
    if (isAvailable()) KindlingNative.kd_cuda_empty_cache();
  }

  private static void check(int device, String op) {
    if (device < 0) throw new IllegalArgumentException(op + ": device index must not be negative, got " + device);
    Device.cuda(device).checkAvailable(op);
  }
}
