package dev.kindling;

/** Element types, with PyTorch's names ({@code torch.float32} …). Float32 is the default. */
public enum DType {
  FLOAT32(0, "float32", 4),
  FLOAT64(1, "float64", 8),
  INT64(2, "int64", 8),
  BOOL(3, "bool", 1);

  private final int code;
  private final String torchName;
  private final int itemSize;

  DType(int code, String torchName, int itemSize) {
    this.code = code;
    this.torchName = torchName;
    this.itemSize = itemSize;
  }

  /** The number used by the native API. */
  public int code() {
    return code;
  }

  /** Bytes per element. */
  public int itemSize() {
    return itemSize;
  }

  public boolean isFloatingPoint() {
    return this == FLOAT32 || this == FLOAT64;
  }

  /** The name without the {@code torch.} prefix, e.g. {@code float32}. */
  public String torchName() {
    return torchName;
  }

  @Override
  public String toString() {
    return "torch." + torchName;
  }

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
