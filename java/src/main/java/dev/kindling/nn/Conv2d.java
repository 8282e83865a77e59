package dev.kindling.nn;

import dev.kindling.Tensor;

/**
 * A 2-D convolution layer, like {@code torch.nn.Conv2d}: weight [out, in/groups, kH, kW], optional
 * bias [out], PyTorch's default initialisation and repr. Input [N, C, H, W] or [C, H, W].
 */
public class Conv2d extends ConvNd {
  public Conv2d(long inChannels, long outChannels, long kernelSize) {
    this(inChannels, outChannels, kernelSize, 1, 0, 1, 1, true);
  }

  public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
    this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, true);
  }

  public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, boolean bias) {
    this(inChannels, outChannels, kernelSize, stride, padding, 1, 1, bias);
  }

  public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation,
      long groups, boolean bias) {
    this(inChannels, outChannels, repeat(kernelSize, 2), repeat(stride, 2), repeat(padding, 2),
        repeat(dilation, 2), groups, bias);
  }

  /** Every option per dimension (height, width). */
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
