package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * A 2-D convolution layer, like {@code torch.nn.Conv2d}: weight [out, in/groups, kH, kW], optional
 * bias [out], PyTorch's default initialisation and repr. Input [N, C, H, W] or [C, H, W].
 */
public class Conv2d extends ConvNd {
  /**
   * {@code nn.Conv2d(in, out, k)}: stride 1, no padding, with bias.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the square kernel's size
   */
  public Conv2d(long inChannels, long outChannels, long kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
  }

  /**
   * {@code nn.Conv2d(in, out, k, stride, padding)} with bias.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the square kernel's size
   * @param stride the step in both dims
   * @param padding zero padding on each side of both dims
   */
  public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
  }

  /**
   * {@code nn.Conv2d(in, out, k, stride, padding, bias=bias)}.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the square kernel's size
   * @param stride the step in both dims
   * @param padding zero padding on each side of both dims
   * @param bias whether to learn an additive bias
   */
  public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, bias);
  }

  /**
   * {@code nn.Conv2d(in, out, k, stride, padding, dilation, groups, bias)} with square values.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the square kernel's size
   * @param stride the step in both dims
   * @param padding zero padding on each side of both dims
   * @param dilation the spacing of kernel taps
   * @param groups how many groups the channels are split into
   * @param bias whether to learn an additive bias
   */
  public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation,
      long groups, boolean bias) {
    this(inChannels, outChannels, repeat(kernelSize, 2), repeat(stride, 2), repeat(padding, 2),
        repeat(dilation, 2), groups, bias);
  }

  /**
   * Every option per dimension (height, width).
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize (kH, kW)
   * @param stride (height, width) steps
   * @param padding (height, width) zero padding on each side
   * @param dilation (height, width) spacing of kernel taps
   * @param groups how many groups the channels are split into
   * @param bias whether to learn an additive bias
   */
  public Conv2d(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding,
      long[] dilation, long groups, boolean bias) {
    super("Conv2d", inChannels, outChannels, kernelSize, stride, padding, dilation, repeat(0, 2), groups, bias,
        false);
  }

  @Override
  public Tensor forward(Tensor input) {
    checkInput(input);
    return F.conv2d(input, weight(), bias(), stride(), padding(), dilation(), groups());
  }
}
