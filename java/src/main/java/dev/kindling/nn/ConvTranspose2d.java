package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * A 2-D transposed convolution layer, like {@code torch.nn.ConvTranspose2d}: weight
 * [in, out/groups, kH, kW], optional bias [out]; the default initialisation takes fan_in from that
 * layout (out/groups · kH · kW), as PyTorch does. Input [N, C, H, W] or [C, H, W].
 */
public class ConvTranspose2d extends ConvNd {
  /**
   * {@code nn.ConvTranspose2d(in, out, k)}: stride 1, no padding, with bias.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the square kernel's size
   */
  public ConvTranspose2d(long inChannels, long outChannels, long kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 0, 1, true, 1);
  }

  /**
   * {@code nn.ConvTranspose2d(in, out, k, stride, padding)} with bias.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the square kernel's size
   * @param stride the step in both dims
   * @param padding the padding removed from each side of both dims
   */
  public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, 0, 1, true, 1);
  }

  /**
   * {@code nn.ConvTranspose2d(in, out, k, stride, padding, bias=bias)}.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the square kernel's size
   * @param stride the step in both dims
   * @param padding the padding removed from each side of both dims
   * @param bias whether to learn an additive bias
   */
  public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding,
      boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, padding, 0, 1, bias, 1);
  }

  /**
   * PyTorch's argument order: ..., output_padding, groups, bias, dilation.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the square kernel's size
   * @param stride the step in both dims
   * @param padding the padding removed from each side of both dims
   * @param outputPadding extra size added to one side of both dims
   * @param groups how many groups the channels are split into
   * @param bias whether to learn an additive bias
   * @param dilation the spacing of kernel taps
   */
  public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding,
      long outputPadding, long groups, boolean bias, long dilation) {
    this(inChannels, outChannels, repeat(kernelSize, 2), repeat(stride, 2), repeat(padding, 2),
        repeat(outputPadding, 2), groups, bias, repeat(dilation, 2));
  }

  /**
   * Every option per dimension (height, width).
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize (kH, kW)
   * @param stride (height, width) steps
   * @param padding (height, width) padding removed from each side
   * @param outputPadding (height, width) extra size added to one side
   * @param groups how many groups the channels are split into
   * @param bias whether to learn an additive bias
   * @param dilation (height, width) spacing of kernel taps
   */
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
