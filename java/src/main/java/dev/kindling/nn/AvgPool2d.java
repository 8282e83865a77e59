package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * 2-D average pooling over [N, C, H, W] or [C, H, W], like {@code torch.nn.AvgPool2d}: the
 * stride defaults to the kernel size, padding counts in the divisor unless countIncludePad is
 * false.
 */
public class AvgPool2d extends Module {
  private final long[] kernelSize, stride, padding;
  private final boolean ceilMode, countIncludePad;

  /**
   * {@code nn.AvgPool2d(kernel_size)}: square window, stride = kernel size, no padding.
   *
   * @param kernelSize the window size in both dims
   */
  public AvgPool2d(long kernelSize) {
    this(new long[] {kernelSize}, null, new long[] {0}, false, true);
  }

  /**
   * {@code nn.AvgPool2d(kernel_size, stride)}.
   *
   * @param kernelSize the window size in both dims
   * @param stride the step in both dims
   */
  public AvgPool2d(long kernelSize, long stride) {
    this(new long[] {kernelSize}, new long[] {stride}, new long[] {0}, false, true);
  }

  /**
   * {@code nn.AvgPool2d(kernel_size, stride, padding)}.
   *
   * @param kernelSize the window size in both dims
   * @param stride the step in both dims
   * @param padding zero padding on each side
   */
  public AvgPool2d(long kernelSize, long stride, long padding) {
    this(new long[] {kernelSize}, new long[] {stride}, new long[] {padding}, false, true);
  }

  /**
   * A null stride means the kernel size.
   *
   * @param kernelSize one size or (kH, kW)
   * @param stride one value or (sH, sW), or null
   * @param padding one value or (pH, pW)
   * @param ceilMode use ceil instead of floor for the output size
   * @param countIncludePad count the padding zeros in each average
   */
  public AvgPool2d(long[] kernelSize, long[] stride, long[] padding, boolean ceilMode, boolean countIncludePad) {
    F.pair(kernelSize, "AvgPool2d", "kernel_size");
    F.pair(padding, "AvgPool2d", "padding");
    if (stride != null) F.pair(stride, "AvgPool2d", "stride");
    this.kernelSize = kernelSize.clone();
    this.stride = stride == null ? kernelSize.clone() : stride.clone();
    this.padding = padding.clone();
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
  }

  /**
   * The (H, W) window.
   *
   * @return (kH, kW)
   */
  public long[] kernelSize() {
    return F.pair(kernelSize, "AvgPool2d", "kernel_size");
  }

  /**
   * The (H, W) step; the kernel size when none was given.
   *
   * @return (sH, sW)
   */
  public long[] stride() {
    return F.pair(stride, "AvgPool2d", "stride");
  }

  /**
   * The (H, W) zero padding on each side.
   *
   * @return (pH, pW)
   */
  public long[] padding() {
    return F.pair(padding, "AvgPool2d", "padding");
  }

  /**
   * Whether the output size rounds up ({@code ceil_mode}).
   *
   * @return the setting
   */
  public boolean ceilMode() {
    return ceilMode;
  }

  /**
   * Whether padding zeros count in the averages ({@code count_include_pad}).
   *
   * @return the setting
   */
  public boolean countIncludePad() {
    return countIncludePad;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.pooled("AvgPool2d",
        () -> F.avgPool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad));
  }

  @Override
  public String extraRepr() {
    return "kernel_size=" + F.pyInts(kernelSize) + ", stride=" + F.pyInts(stride) + ", padding="
        + F.pyInts(padding);
  }
}
