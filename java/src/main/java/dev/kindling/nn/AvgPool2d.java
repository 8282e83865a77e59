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

  public AvgPool2d(long kernelSize) {
    this(new long[] {kernelSize}, null, new long[] {0}, false, true);
  }

  public AvgPool2d(long kernelSize, long stride) {
    this(new long[] {kernelSize}, new long[] {stride}, new long[] {0}, false, true);
  }

  public AvgPool2d(long kernelSize, long stride, long padding) {
    this(new long[] {kernelSize}, new long[] {stride}, new long[] {padding}, false, true);
  }

  /** A null stride means the kernel size. */
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

  public long[] kernelSize() {
    return F.pair(kernelSize, "AvgPool2d", "kernel_size");
  }

  public long[] stride() {
    return F.pair(stride, "AvgPool2d", "stride");
  }

  public long[] padding() {
    return F.pair(padding, "AvgPool2d", "padding");
  }

  public boolean ceilMode() {
    return ceilMode;
  }

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
