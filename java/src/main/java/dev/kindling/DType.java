package dev.kindling;

/** Element types, with PyTorch's names ({@code torch.float32} …). Float32 is the default. */
public enum DType {
  /** 32-bit floating point, {@code torch.float32} (the default dtype). */
  FLOAT32(0, "float32", 4),
  /** 64-bit floating point, {@code torch.float64}. */
  FLOAT64(1, "float64", 8),
  /** 64-bit signed integer, {@code torch.int64} (indices and class labels). */
  INT64(2, "int64", 8),
  /** Boolean, {@code torch.bool}, one byte per element (comparison results and masks). */
  BOOL(3, "bool", 1);

  private final int code;
  private final String torchName;
  private final int itemSize;

  DType(int code, String torchName, int itemSize) {
    this.code = code;
    this.torchName = torchName;
    this.itemSize = itemSize;
  }

  /**
   * The number used by the native API.
   *
   * @return the native dtype code
   */
  public int code() {
    return code;
  }

  /**
   * Bytes per element.
   *
   * @return the element size in bytes
   */
  public int itemSize() {
    return itemSize;
  }

  /**
   * Whether this is float32 or float64 ({@code dtype.is_floating_point}).
   *
   * @return true for a floating-point dtype
   */
  public boolean isFloatingPoint() {
    return this == FLOAT32 || this == FLOAT64;
  }

  /**
   * The name without the {@code torch.} prefix, e.g. {@code float32}.
   *
   * @return the name
   */
  public String torchName() {
    return torchName;
  }

  @Override
  public String toString() {
    return "torch." + torchName;
  }

  /**
   * The dtype with the native API's number code.
   *
   * @param code the native code
   * @return the dtype
   * @throws IllegalArgumentException for an unknown code
   */
  public static DType fromCode(int code) {
    switch (code) {
      case 0: return FLOAT32;
      case 1: return FLOAT64;
      case 2: return INT64;
      case 3: return BOOL;
      default: throw new IllegalArgumentException("unknown dtype code " + code);
    }
  }
}
