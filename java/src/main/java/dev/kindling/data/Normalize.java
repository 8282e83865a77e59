package dev.kindling.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-channel normalisation, torchvision's {@code Normalize(mean, std)}:
 * {@code out[c] = (in[c] - mean[c]) / std[c]}, with mean and std rounded to float32 first and
 * the arithmetic in float32, as torchvision computes it, so the values agree bit for bit.
 */
public final class Normalize implements Transform {
  private final float[] mean, std;

  /**
   * One mean and one std per channel.
   *
   * @param mean the channel means
   * @param std the channel standard deviations, of the same length as mean
   */
  public Normalize(double[] mean, double[] std) {
    Objects.requireNonNull(mean, "Normalize: mean is null");
    Objects.requireNonNull(std, "Normalize: std is null");
    if (mean.length == 0 || mean.length != std.length)
      throw new IllegalArgumentException("Normalize: mean " + Arrays.toString(mean) + " and std " + Arrays.toString(std)
          + " must have one value per channel");
    this.mean = new float[mean.length];
    this.std = new float[std.length];
    for (int c = 0; c < mean.length; c++) {
      this.mean[c] = (float) mean[c];
      this.std[c] = (float) std[c];
      if (this.std[c] == 0)
        throw new IllegalArgumentException("Normalize: std evaluated to zero after conversion to float32, leading to division by zero (std "
            + Arrays.toString(std) + ")");
    }
  }

  /**
   * For single-channel images, e.g. {@code new Normalize(0.2860, 0.3530)} for Fashion-MNIST.
   *
   * @param mean the mean
   * @param std the standard deviation
   */
  public Normalize(double mean, double std) {
    this(new double[] {mean}, new double[] {std});
  }

  @Override
  public Image apply(Image img) {
    int channels = img.channels();
    // one value broadcasts over all channels, as a one-element mean tensor does in torchvision
    if (mean.length != 1 && mean.length != channels)
      throw new IllegalArgumentException("Normalize: " + mean.length + " means and stds for an image of " + channels
          + " channels (shape " + img.shapeString() + ")");
    float[] in = img.data(), out = new float[in.length];
    int plane = img.height() * img.width();
    for (int c = 0; c < channels; c++) {
      float m = mean[mean.length == 1 ? 0 : c], s = std[std.length == 1 ? 0 : c];
      for (int i = c * plane, end = i + plane; i < end; i++) out[i] = (in[i] - m) / s;
    }
    return new Image(out, channels, img.height(), img.width());
  }

  @Override
  public String toString() {
    return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
  }
}
