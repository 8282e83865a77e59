package dev.kindling.data;

import java.util.Objects;

/**
 * torchvision's {@code RandomCrop(size, padding)}: pads every side with zeros, then cuts a
 * height × width window at a random place: top = randint(0, H - height + 1), then
 * left = randint(0, W - width + 1), drawn in that order from its generator (no draw when the
 * window covers the padded image), as torchvision does.
 */
public final class RandomCrop implements Transform {
  private final int height, width, padding;
  private final Generator generator;

  /**
   * A height × width window after padding every side by padding zeros.
   *
   * @param height the window's height
   * @param width the window's width
   * @param padding zeros added on each side first, 0 or more
   * @param generator the generator the offsets are drawn from
   */
  public RandomCrop(int height, int width, int padding, Generator generator) {
    if (height <= 0 || width <= 0) throw new IllegalArgumentException("RandomCrop: size must be positive, got (" + height + ", " + width + ")");
    if (padding < 0) throw new IllegalArgumentException("RandomCrop: padding must be 0 or more, got " + padding);
    this.height = height;
    this.width = width;
    this.padding = padding;
    this.generator = Objects.requireNonNull(generator, "RandomCrop: generator is null");
  }

  /**
   * A size × size window after padding, e.g. {@code new RandomCrop(28, 4, new Generator(seed))}.
   *
   * @param size the window's height and width
   * @param padding zeros added on each side first
   * @param generator the generator the offsets are drawn from
   */
  public RandomCrop(int size, int padding, Generator generator) {
    this(size, size, padding, generator);
  }

  /**
   * The generator the offsets are drawn from.
   *
   * @return the generator
   */
  public Generator generator() {
    return generator;
  }

  @Override
  public Image apply(Image img) {
    int h = img.height() + 2 * padding, w = img.width() + 2 * padding;
    if (h < height || w < width)
      throw new IllegalArgumentException("RandomCrop: required crop size (" + height + ", " + width
          + ") is larger than input image size (" + h + ", " + w + ") after padding " + padding);
    int top = 0, left = 0;
    if (h != height || w != width) {
      top = (int) generator.randint(0, h - height + 1);
      left = (int) generator.randint(0, w - width + 1);
    }
    return crop(img, top - padding, left - padding, height, width);
  }

  /**
   * The window of the given size whose top-left corner is at (top, left) of img; the parts that
   * fall outside img are zeros.
   *
   * @param img the image
   * @param top the window's first row (may be negative)
   * @param left the window's first column (may be negative)
   * @param height the window's height
   * @param width the window's width
   * @return a new image
   */
  public static Image crop(Image img, int top, int left, int height, int width) {
    int ih = img.height(), iw = img.width();
    float[] in = img.data(), out = new float[img.channels() * height * width];
    int x0 = Math.max(0, -left), x1 = Math.min(width, iw - left);
    for (int c = 0; c < img.channels(); c++) {
      for (int y = 0; y < height; y++) {
        int sy = top + y;
        if (sy < 0 || sy >= ih || x0 >= x1) continue;
        int src = (c * ih + sy) * iw + left + x0, dst = (c * height + y) * width + x0;
        System.arraycopy(in, src, out, dst, x1 - x0);
      }
    }
    return new Image(out, img.channels(), height, width);
  }

  @Override
  public String toString() {
    return "RandomCrop(size=(" + height + ", " + width + "), padding=" + padding + ")";
  }
}
