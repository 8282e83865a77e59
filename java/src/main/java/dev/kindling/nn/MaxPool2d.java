package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * 2-D max pooling over [N, C, H, W] or [C, H, W], like {@code torch.nn.MaxPool2d}: the stride
 * defaults to the kernel size; sizes are one int for both dims or an (H, W) pair.
 */
public class MaxPool2d extends Module {
  private final long[] kernelSize, stride, padding, dilation;
  private final boolean ceilMode;

  /**
   * {@code nn.MaxPool2d(kernel_size)}: square window, stride = kernel size, no padding.
   *
   * @param kernelSize the window size in both dims
   */
  public MaxPool2d(long kernelSize) {
    this(new long[] {kernelSize}, null, new long[] {0}, new long[] {1}, false);
  }

  /**
   * {@code nn.MaxPool2d(kernel_size, stride)}.
   *
   * @param kernelSize the window size in both dims
   * @param stride the step in both dims
   */
  public MaxPool2d(long kernelSize, long stride) {
    this(new long[] {kernelSize}, new long[] {stride}, new long[] {0}, new long[] {1}, false);
  }

  /**
   * {@code nn.MaxPool2d(kernel_size, stride, padding, dilation, ceil_mode)} with square values.
   *
   * @param kernelSize the window size in both dims
   * @param stride the step in both dims
   * @param padding implicit -inf padding on each side
   * @param dilation the spacing of window taps
   * @param ceilMode use ceil instead of floor for the output size
   */
  public MaxPool2d(long kernelSize, long stride, long padding, long dilation, boolean ceilMode) {
    this(new long[] {kernelSize}, new long[] {stride}, new long[] {padding}, new long[] {dilation}, ceilMode);
  }

  /**
   * A null stride means the kernel size.
   *
   * @param kernelSize one size or (kH, kW)
   * @param stride one value or (sH, sW), or null
   * @param padding one value or (pH, pW)
   * @param dilation one value or (dH, dW)
   * @param ceilMode use ceil instead of floor for the output size
   */
  public MaxPool2d(long[] kernelSize, long[] stride, long[] padding, long[] dilation, boolean ceilMode) {
    F.pair(kernelSize, "MaxPool2d", "kernel_size");
    if (stride != null) F.pair(stride, "MaxPool2d", "stride");
    this.kernelSize = kernelSize.clone();
    this.stride = stride == null ? kernelSize.clone() : stride.clone();
    F.pair(padding, "MaxPool2d", "padding");
    F.pair(dilation, "MaxPool2d", "dilation");
    this.padding = padding.clone();
    this.dilation = dilation.clone();
    this.ceilMode = ceilMode;
  }

  /**
   * The (H, W) window.
   *
   * @return (kH, kW)
   */
  public long[] kernelSize() {
    return F.pair(kernelSize, "MaxPool2d", "kernel_size");
  }

  /**
   * The (H, W) step; the kernel size when none was given.
   *
   * @return (sH, sW)
   */
  public long[] stride() {
    return F.pair(stride, "MaxPool2d", "stride");
  }

  /**
   * The (H, W) padding on each side.
   *
   * @return (pH, pW)
   */
  public long[] padding() {
    return F.pair(padding, "MaxPool2d", "padding");
  }

  /**
   * The (H, W) spacing of window taps.
   *
   * @return (dH, dW)
   */
  public long[] dilation() {
    return F.pair(dilation, "MaxPool2d", "dilation");
  }

  /**
   * Whether the output size rounds up ({@code ceil_mode}).
   *
   * @return the setting
   */
  public boolean ceilMode() {
    return ceilMode;
  }

  @Override
  public Tensor forward(Tensor input) {
    return F.pooled("MaxPool2d", () -> F.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode));
  }

  @Override
  public String extraRepr() {
    return "kernel_size=" + F.pyInts(kernelSize) + ", stride=" + F.pyInts(stride) + ", padding="
        + F.pyInts(padding) + ", dilation=" + F.pyInts(dilation) + ", ceil_mode=" + (ceilMode ? "True" : "False");
  }
}
