package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * A 2-D transposed convolution layer, like {@code torch.nn.ConvTranspose2d}: weight
 * [in, out/groups, kH, kW], optional bias [out]; the default initialisation takes fan_in from that
 * layout (out/groups · kH · kW), as PyTorch does. Input [N, C, H, W] or [C, H, W].
 */
public class ConvTranspose2d extends ConvNd {
  public ConvTranspose2d(long inChannels, long outChannels, long kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 0, 1, true, 1);
  }

  public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, 0, 1, true, 1);
  }

  public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding,
      boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, padding, 0, 1, bias, 1);
  }

  /** PyTorch's argument order: ..., output_padding, groups, bias, dilation. */
  public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding,
      long outputPadding, long groups, boolean bias, long dilation) {
    this(inChannels, outChannels, repeat(kernelSize, 2), repeat(stride, 2), repeat(padding, 2),
        repeat(outputPadding, 2), groups, bias, repeat(dilation, 2));
  }

  /** Every option per dimension (height, width). */
  public ConvTranspose2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding,
      long[] outputPadding, long groups, boolean bias, long[] dilation) {
    super("ConvTranspose2d", inChannels, outChannels, kernelSize, stride, padding, dilation, outputPadding, groups,
        bias, true);
  }

  @Override
  public Tensor forward(Tensor input) {
    checkInput(input);
    return F.convTranspose2d(input, weight(), bias(), stride(), padding(), outputPadding(), groups(), dilation());
  }
}
