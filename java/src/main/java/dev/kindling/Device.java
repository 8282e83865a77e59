package dev.kindling;

import dev.kindling.internal.KindlingNative;
import java.util.Objects;

/**
 * Where a tensor's storage lives, like {@code torch.device}: {@link #CPU}, or CUDA device
 * {@code i} ({@link #cuda(int)}). Why a value class and not an enum: a CUDA device carries its
 * index, and two {@code Device} objects naming the same device are equal. Whether CUDA can be used
 * is asked of the native library once ({@link #cudaAvailable()}): the same jar runs on machines
 * with and without a GPU, and on one without, asking for a CUDA tensor fails with an
 * {@link UnsupportedOperationException} that says why ({@link #cudaUnavailableReason()}).
 */
public final class Device {
  /** The device kinds; {@code code()} is the native core's device code (KD_CPU, KD_CUDA). */
  public enum Type {
    /** The host CPU. */
    CPU(0),
    /** An NVIDIA GPU. */
    CUDA(1);

    private final int code;

    Type(int code) {
      this.code = code;
    }

    /**
     * The native core's code for this kind.
     *
     * @return 0 for the CPU, 1 for CUDA
     */
    public int code() {
      return code;
    }
  }

  /** The host: {@code torch.device("cpu")}. */
  public static final Device CPU = new Device(Type.CPU, -1);

  private final Type type;
  private final int index;

  private Device(Type type, int index) {
    this.type = type;
    this.index = index;
  }

  /**
   * CUDA device {@code index} ({@code torch.device("cuda", index)}); not checked to exist here.
   *
   * @param index the device ordinal, at least 0
   * @return the device
   * @throws IllegalArgumentException if index is negative
   */
  public static Device cuda(int index) {
    if (index < 0) throw new IllegalArgumentException("Device index must not be negative, got " + index);
    return new Device(Type.CUDA, index);
  }

  /**
   * CUDA device 0. Kindling has no "current device" to change, so a bare {@code "cuda"} always
   * means device 0 (PyTorch's {@code torch.device("cuda")} on a process that never called
   * {@code set_device}).
   *
   * @return cuda:0
   */
  public static Device cuda() {
    return cuda(0);
  }

  /**
   * Parses {@code "cpu"}, {@code "cuda"} or {@code "cuda:N"}, as {@code torch.device(str)}.
   *
   * @param spec the device string
   * @return the device
   * @throws IllegalArgumentException for another string
   */
  public static Device parse(String spec) {
    if (spec == null) throw new NullPointerException("Device.parse: spec is null");
    String s = spec.trim();
    int colon = s.indexOf(':');
    String kind = colon < 0 ? s : s.substring(0, colon);
    if (!kind.equals("cpu") && !kind.equals("cuda"))
      throw new IllegalArgumentException("Expected one of cpu, cuda device type at start of device string: " + spec);
    if (colon < 0) return kind.equals("cpu") ? CPU : cuda();
    String digits = s.substring(colon + 1);
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 9
        || (digits.length() > 1 && digits.charAt(0) == '0'))
      throw new IllegalArgumentException("Invalid device string: '" + spec + "'");
    int index = Integer.parseInt(digits);
    if (kind.equals("cpu")) {
      if (index != 0) throw new IllegalArgumentException("CPU device index must be -1 or zero, got " + index);
      return CPU;
    }
    return cuda(index);
  }

  /**
   * Whether at least one CUDA device can be used ({@code torch.cuda.is_available()}).
   *
   * @return true if a CUDA device can be used
   */
  public static boolean cudaAvailable() {
    return cudaDeviceCount() > 0;
  }

  /**
   * CUDA devices usable by this process ({@code torch.cuda.device_count()}): 0 when the library was
   * built without the CUDA backend, or when there is no driver or GPU. Asked of the native library
   * once; the answer never changes while the process runs.
   *
   * @return the number of usable CUDA devices
   */
  public static int cudaDeviceCount() {
    return CudaInfo.COUNT;
  }

  /**
   * Why no CUDA device can be used ("" when one can): no backend in this build, no driver, …
   *
   * @return the reason, or ""
   */
  public static String cudaUnavailableReason() {
    return CudaInfo.REASON;
  }

  /**
   * The kind of device ({@code device.type}).
   *
   * @return CPU or CUDA
   */
  public Type type() {
    return type;
  }

  /**
   * The CUDA device index; -1 for the CPU (PyTorch's {@code index} is None there).
   *
   * @return the index, or -1
   */
  public int index() {
    return index;
  }

  /**
   * Whether this is a CUDA device.
   *
   * @return true for CUDA
   */
  public boolean isCuda() {
    return type == Type.CUDA;
  }

  /**
   * Whether this is the CPU.
   *
   * @return true for the CPU
   */
  public boolean isCpu() {
    return type == Type.CPU;
  }

  /**
   * Throws {@link UnsupportedOperationException} naming op and the reason unless this device can
   * hold tensors in this process (always true for the CPU).
   *
   * @param op the operation, for the message
   * @return this device
   * @throws UnsupportedOperationException if this CUDA device cannot be used
   */
  public Device checkAvailable(String op) {
    if (type == Type.CUDA && index >= cudaDeviceCount()) {
      String why = cudaDeviceCount() == 0
          ? cudaUnavailableReason()
          : "CUDA device " + index + " does not exist (" + cudaDeviceCount() + " device(s) visible)";
      throw new UnsupportedOperationException(op + ": cannot use device " + this + ": " + why);
    }
    return this;
  }

  /** The native index argument for this device (0 for the CPU, as the core's default). */
  int nativeIndex() {
    return type == Type.CUDA ? index : 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Device && ((Device) o).type == type && ((Device) o).index == index;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, index);
  }

  /** {@code "cpu"} or {@code "cuda:N"}, as {@code str(torch.device)}. */
  @Override
  public String toString() {
    return type == Type.CPU ? "cpu" : "cuda:" + index;
  }

  /** The native answers, read on first use (loading the library). */
  private static final class CudaInfo {
    static final int COUNT = Math.max(0, KindlingNative.kd_cuda_device_count());
    static final String REASON = COUNT > 0 ? "" : KindlingNative.kd_cuda_unavailable_reason();
  }
}
