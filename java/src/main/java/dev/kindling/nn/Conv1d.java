package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * A 1-D convolution layer, like {@code torch.nn.Conv1d}: weight [out, in/groups, k], optional bias
 * [out], PyTorch's default initialisation and repr. Input [N, C, L] or [C, L].
 */
public class Conv1d extends ConvNd {
  /**
   * {@code nn.Conv1d(in, out, k)}: stride 1, no padding, with bias.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the kernel's length
   */
  public Conv1d(long inChannels, long outChannels, long kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
  }

  /**
   * {@code nn.Conv1d(in, out, k, stride, padding)} with bias.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the kernel's length
   * @param stride the step along L
   * @param padding zero padding on each side
   */
  public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
  }

  /**
   * {@code nn.Conv1d(in, out, k, stride, padding, dilation, groups, bias)}.
   *
   * @param inChannels channels of the input
   * @param outChannels channels of the output
   * @param kernelSize the kernel's length
   * @param stride the step along L
   * @param padding zero padding on each side
   * @param dilation the spacing of kernel taps
   * @param groups how many groups the channels are split into
   * @param bias whether to learn an additive bias
   */
  public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation,
      long groups, boolean bias) {
    super("Conv1d", inChannels, outChannels, new long[] {kernelSize}, new long[] {stride}, new long[] {padding},
        new long[] {dilation}, new long[] {0}, groups, bias, false);
  }

  @Override
  public Tensor forward(Tensor input) {
    checkInput(input);
    return F.conv1d(input, weight(), bias(), stride()[0], padding()[0], dilation()[0], groups());
  }
}
