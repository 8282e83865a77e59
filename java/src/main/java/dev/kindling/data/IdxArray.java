package dev.kindling.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * The contents of an IDX file of unsigned bytes (the format of MNIST and Fashion-MNIST): its dims
 * and its values in row-major order. Images are [count, rows, cols], labels [count].
 */
public record IdxArray(int[] dims, byte[] data) {
  /**
   * Checks the dims (1 to 255, none negative) and that data holds exactly their product in bytes.
   *
   * @param dims the dims from the IDX header
   * @param data the unsigned bytes, row-major
   */
  public IdxArray {
    Objects.requireNonNull(dims, "IdxArray: dims is null");
    Objects.requireNonNull(data, "IdxArray: data is null");
    if (dims.length == 0 || dims.length > 255)
      throw new IllegalArgumentException("IdxArray: an IDX array has 1 to 255 dims, got " + dims.length);
    long n = 1;
    for (int d : dims) {
      if (d < 0) throw new IllegalArgumentException("IdxArray: negative dim in " + Arrays.toString(dims));
      n *= d;
      if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("IdxArray: dims " + Arrays.toString(dims) + " hold too many values for one array");
    }
    if (n != data.length)
      throw new IllegalArgumentException("IdxArray: dims " + Arrays.toString(dims) + " need " + n + " values, got " + data.length);
    dims = dims.clone();
  }

  /**
   * The dims from the IDX header.
   *
   * @return a copy
   */
  @Override
  public int[] dims() {
    return dims.clone();
  }

  /**
   * The first dim: the number of items (images or labels).
   *
   * @return dims[0]
   */
  public int count() {
    return dims[0];
  }

  /**
   * Values per item: the product of the dims after the first.
   *
   * @return the product of dims[1..]
   */
  public int itemSize() {
    int n = 1;
    for (int i = 1; i < dims.length; i++) n *= dims[i];
    return n;
  }

  /**
   * Value i, read as unsigned (0 … 255).
   *
   * @param i the flat index
   * @return the value
   */
  public int get(int i) {
    return data[i] & 0xff;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdxArray a && Arrays.equals(dims, a.dims) && Arrays.equals(data, a.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(dims) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "IdxArray(dims=" + Arrays.toString(dims) + ")";
  }
}
