package dev.kindling.nn;

import dev.kindling.Tensor;
import java.util.Arrays;

/**
 * Splits dimension dim into the given sizes, like {@code torch.nn.Unflatten(dim, sizes)}; one
 * size may be −1 (inferred).
 */
public class Unflatten extends Module {
  private final int dim;
  private final long[] sizes;

  /**
   * {@code nn.Unflatten(dim, unflattened_size)}.
   *
   * @param dim the dim to split
   * @param sizes the new sizes, whose product is dim's size (one may be -1)
   * @throws IllegalArgumentException if sizes is empty
   */
  public Unflatten(int dim, long... sizes) {
    if (sizes == null || sizes.length == 0)
      throw new IllegalArgumentException("Unflatten: unflattened_size must be a non-empty list of sizes");
    this.dim = dim;
    this.sizes = sizes.clone();
  }

  /**
   * The dim that is split.
   *
   * @return dim
   */
  public int dim() {
    return dim;
  }

  /**
   * The sizes it is split into.
   *
   * @return a copy
   */
  public long[] unflattenedSize() {
    return sizes.clone();
  }

  @Override
  public Tensor forward(Tensor input) {
    long[] shape = input.shape();
    int n = shape.length;
    int d = dim < 0 ? dim + n : dim;
    if (d < 0 || d >= n)
      throw new IndexOutOfBoundsException(className() + ": dimension out of range (expected to be in range of ["
          + (-n) + ", " + (n - 1) + "], but got " + dim + ")");
    long known = 1;
    int infer = -1;
    for (int i = 0; i < sizes.length; i++) {
      if (sizes[i] == -1 && infer < 0) infer = i;
      else known *= sizes[i];
    }
    long[] parts = sizes.clone();
    if (infer >= 0 && known != 0 && shape[d] % known == 0) parts[infer] = shape[d] / known;
    long prod = 1;
    for (long p : parts) prod *= p;
    if (prod != shape[d])
      throw new IllegalArgumentException(className() + ": unflattened_size " + Arrays.toString(sizes)
          + " does not multiply up to the size of dim " + dim + " (" + shape[d] + ") of input " + Arrays.toString(shape));
    long[] out = new long[n - 1 + parts.length];
    System.arraycopy(shape, 0, out, 0, d);
    System.arraycopy(parts, 0, out, d, parts.length);
    System.arraycopy(shape, d + 1, out, d + parts.length, n - d - 1);
    return input.view(out);
  }

  @Override
  public String extraRepr() {
    StringBuilder sb = new StringBuilder("dim=").append(dim).append(", unflattened_size=(");
    for (int i = 0; i < sizes.length; i++) sb.append(i > 0 ? ", " : "").append(sizes[i]);
    return sb.append(sizes.length == 1 ? ",)" : ")").toString();
  }
}
