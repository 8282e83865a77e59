package dev.kindling.data;

import dev.kindling.Tensor;
import java.util.Objects;

/**
 * One image as a transform sees it: float values laid out channel by channel, row by row
 * ({@code [C, H, W]}, as a tensor from torchvision's {@code ToTensor}), kept in a Java array so
 * that per-sample work on the prefetch thread makes no native tensors; {@link LabeledImage#collate}
 * copies a whole batch into one tensor.
 */
public final class Image {
  private final float[] data;
  private final int channels, height, width;

  /**
   * Wraps data (not copied) as a [channels, height, width] image.
   *
   * @param data the values, [C, H, W] row-major, of length channels × height × width
   * @param channels C
   * @param height H
   * @param width W
   */
  public Image(float[] data, int channels, int height, int width) {
    Objects.requireNonNull(data, "Image: data is null");
    if (channels <= 0 || height <= 0 || width <= 0)
      throw new IllegalArgumentException("Image: sizes must be positive, got [" + channels + ", " + height + ", " + width + "]");
    if ((long) channels * height * width != data.length)
      throw new IllegalArgumentException("Image: shape [" + channels + ", " + height + ", " + width + "] needs "
          + (long) channels * height * width + " values, got " + data.length);
    this.data = data;
    this.channels = channels;
    this.height = height;
    this.width = width;
  }

  /**
   * The values, [C, H, W] row-major; the array itself, not a copy.
   *
   * @return the backing array
   */
  public float[] data() {
    return data;
  }

  /**
   * The number of channels C.
   *
   * @return C
   */
  public int channels() {
    return channels;
  }

  /**
   * The height H in pixels.
   *
   * @return H
   */
  public int height() {
    return height;
  }

  /**
   * The width W in pixels.
   *
   * @return W
   */
  public int width() {
    return width;
  }

  /**
   * channels × height × width.
   *
   * @return the number of values
   */
  public int numel() {
    return data.length;
  }

  /**
   * The value at channel c, row y, column x.
   *
   * @param c the channel
   * @param y the row
   * @param x the column
   * @return the value
   * @throws IndexOutOfBoundsException if an index is out of range
   */
  public float get(int c, int y, int x) {
    if (c < 0 || c >= channels || y < 0 || y >= height || x < 0 || x >= width)
      throw new IndexOutOfBoundsException("Image.get: index (" + c + ", " + y + ", " + x + ") is out of bounds for shape " + shapeString());
    return data[(c * height + y) * width + x];
  }

  /**
   * The shape as PyTorch prints it, e.g. [1, 28, 28].
   *
   * @return the shape text
   */
  public String shapeString() {
    return "[" + channels + ", " + height + ", " + width + "]";
  }

  boolean sameShape(Image o) {
    return channels == o.channels && height == o.height && width == o.width;
  }

  /**
   * A new float32 tensor [C, H, W] with these values.
   *
   * @return a new tensor
   */
  public Tensor toTensor() {
    return Tensor.fromArray(data, channels, height, width);
  }

  @Override
  public String toString() {
    return "Image(" + shapeString() + ")";
  }
}
