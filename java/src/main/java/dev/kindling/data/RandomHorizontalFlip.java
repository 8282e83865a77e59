package dev.kindling.data;

import java.util.Objects;

/**
 * Mirrors the image left to right with probability p, torchvision's
 * {@code RandomHorizontalFlip(p)}: one draw per image, {@code rand() < p}, from its generator;
 * for the same generator state it flips the same images as torchvision seeded alike.
 */
public final class RandomHorizontalFlip implements Transform {
  private final double p;
  private final Generator generator;

  /**
   * Flips with probability p, drawing from generator.
   *
   * @param p the flip probability, in [0, 1]
   * @param generator the generator to draw from
   */
  public RandomHorizontalFlip(double p, Generator generator) {
    if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("RandomHorizontalFlip: p must be in [0, 1], got " + p);
    this.p = p;
    this.generator = Objects.requireNonNull(generator, "RandomHorizontalFlip: generator is null");
  }

  /**
   * p = 0.5 with a generator of this seed.
   *
   * @param seed the generator's seed
   */
  public RandomHorizontalFlip(long seed) {
    this(0.5, new Generator(seed));
  }

  /**
   * The generator the draws come from.
   *
   * @return the generator
   */
  public Generator generator() {
    return generator;
  }

  @Override
  public Image apply(Image img) {
    if (!(generator.rand() < (float) p)) return img;
    return flip(img);
  }

  /**
   * The image mirrored left to right.
   *
   * @param img the image
   * @return a new image
   */
  public static Image flip(Image img) {
    int w = img.width(), rows = img.channels() * img.height();
    float[] in = img.data(), out = new float[in.length];
    for (int r = 0; r < rows; r++) {
      int base = r * w;
      for (int x = 0; x < w; x++) out[base + x] = in[base + w - 1 - x];
    }
    return new Image(out, img.channels(), img.height(), img.width());
  }

  @Override
  public String toString() {
    return "RandomHorizontalFlip(p=" + p + ")";
  }
}
