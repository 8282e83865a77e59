package dev.kindling.examples.common;

import dev.kindling.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * A batch of images as one PNG grid, like torchvision's {@code save_image(make_grid(x, nrow,
 * padding=2, normalize=True, value_range=(lo, hi)))}: a [N, C, H, W] tensor (C = 1 grey or 3 RGB)
 * is clamped to [lo, hi], mapped to 0–255 and laid out nrow images per row with a 2-pixel border,
 * each pixel drawn scale × scale so small images stay visible. Written with javax.imageio.
 */
public final class ImageGrid {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private static final int PADDING = 2;

  private ImageGrid() {}

  /** The grid as an image. */
  public static BufferedImage render(Tensor images, int nrow, double lo, double hi, int scale) {
    long[] s = images.shape();
    if (s.length != 4 || (s[1] != 1 && s[1] != 3))
      throw new IllegalArgumentException("ImageGrid: expected images [N, 1 or 3, H, W], got shape " + java.util.Arrays.toString(s));
    if (!(hi > lo)) throw new IllegalArgumentException("ImageGrid: value range [" + lo + ", " + hi + "] is empty");
    if (nrow <= 0 || scale <= 0) throw new IllegalArgumentException("ImageGrid: nrow and scale must be positive");
    int n = (int) s[0], c = (int) s[1], h = (int) s[2], w = (int) s[3];
    float[] v = images.toFloatArray();
    int cols = Math.min(nrow, Math.max(n, 1)), rows = (n + cols - 1) / cols;
    int cellH = h + PADDING, cellW = w + PADDING;
    int width = (cols * cellW + PADDING) * scale, height = (rows * cellH + PADDING) * scale;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int k = 0; k < n; k++) {
      int top = (k / cols) * cellH + PADDING, left = (k % cols) * cellW + PADDING;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int rgb = 0;
          for (int ch = 0; ch < 3; ch++) {
            float f = v[((k * c + (c == 1 ? 0 : ch)) * h + y) * w + x];
            double t = (Math.min(hi, Math.max(lo, f)) - lo) / (hi - lo);
            int b = (int) Math.round(Double.isNaN(f) ? 0 : t * 255);
            rgb = (rgb << 8) | b;
          }
          for (int dy = 0; dy < scale; dy++)
            for (int dx = 0; dx < scale; dx++) img.setRGB((left + x) * scale + dx, (top + y) * scale + dy, rgb);
        }
      }
    }
    return img;
  }

  /** Writes the grid to path as a PNG (replaced atomically); returns path. */
  public static Path save(Tensor images, Path path, int nrow, double lo, double hi, int scale) {
    BufferedImage img = render(images, nrow, lo, hi, scale);
    try {
      Path dir = path.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".grid-", ".png");
      if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer in javax.imageio");
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return path;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the image grid " + path + ": " + e.getMessage(), e);
    }
  }
}
