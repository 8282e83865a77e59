package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * A 1-D convolution layer, like {@code torch.nn.Conv1d}: weight [out, in/groups, k], optional bias
 * [out], PyTorch's default initialisation and repr. Input [N, C, L] or [C, L].
 */
public class Conv1d extends ConvNd {
  public Conv1d(long inChannels, long outChannels, long kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
  }

  public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
  }

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
