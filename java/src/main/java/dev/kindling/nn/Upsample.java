package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * Nearest-neighbour upsampling of [N, C, H, W], like {@code torch.nn.Upsample} with
 * mode="nearest" (the only mode so far), to a fixed size or by a scale factor.
 */
public class Upsample extends Module {
  private final long[] size;
  private final double[] scaleFactor;

  private Upsample(long[] size, double[] scaleFactor) {
    this.size = size;
    this.scaleFactor = scaleFactor;
  }

  /**
   * Upsample(size=...): one size for both dims, or (H, W).
   *
   * @param size one size or (H_out, W_out)
   * @return the module
   */
  public static Upsample ofSize(long... size) {
    F.pair(size, "Upsample", "size");
    return new Upsample(size.clone(), null);
  }

  /**
   * Upsample(scale_factor=...): one factor for both dims, or (H, W).
   *
   * @param scaleFactor one factor or (for H, for W)
   * @return the module
   */
  public static Upsample ofScale(double... scaleFactor) {
    if (scaleFactor == null || (scaleFactor.length != 1 && scaleFactor.length != 2)) {
      throw new IllegalArgumentException("Upsample: scale_factor must be 1 or 2 numbers");
    }
    return new Upsample(null, scaleFactor.clone());
  }

  /**
   * The target size, or null when a scale factor is used.
   *
   * @return (H_out, W_out), or null
   */
  public long[] size() {
    return size == null ? null : F.pair(size, "Upsample", "size");
  }

  /**
   * The scale factor per dim, or null when a size is used.
   *
   * @return (for H, for W), or null
   */
  public double[] scaleFactor() {
    if (scaleFactor == null) return null;
    return scaleFactor.length == 1 ? new double[] {scaleFactor[0], scaleFactor[0]} : scaleFactor.clone();
  }

  /**
   * The interpolation mode; only "nearest" is supported.
   *
   * @return "nearest"
   */
  public String mode() {
    return "nearest";
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.pooled("Upsample", () -> F.interpolate(input, size, scaleFactor, "nearest"));
  }

  @Override
  public String extraRepr() {
    String what;
    if (size != null) {
      what = "size=" + F.pyInts(size);
    } else if (scaleFactor.length == 1) {
      what = "scale_factor=" + pyFloat(scaleFactor[0]);
    } else {
      what = "scale_factor=(" + pyFloat(scaleFactor[0]) + ", " + pyFloat(scaleFactor[1]) + ")";
    }
    return what + ", mode=nearest";
  }
}
