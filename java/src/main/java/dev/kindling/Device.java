package dev.kindling;

import java.util.Objects;

/** Where a tensor's storage lives: {@link #CPU}, or a CUDA device (not yet built in). */
public final class Device {
  public enum Type { CPU, CUDA }

  public static final Device CPU = new Device(Type.CPU, -1);

  private final Type type;
  private final int index;

  private Device(Type type, int index) {
    this.type = type;
    this.index = index;
  }

  public static Device cuda(int index) {
    if (index < 0) throw new IllegalArgumentException("cuda device index must be >= 0, got " + index);
    return new Device(Type.CUDA, index);
  }

  /** Whether a CUDA device can be used. This build has CPU kernels only. */
  public static boolean cudaAvailable() {
    return false;
  }

  public static int cudaDeviceCount() {
    return 0;
  }

  public Type type() {
    return type;
  }

  public int index() {
    return index;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Device && ((Device) o).type == type && ((Device) o).index == index;
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, index);
  }

  @Override
  public String toString() {
    return type == Type.CPU ? "cpu" : "cuda:" + index;
  }
}
