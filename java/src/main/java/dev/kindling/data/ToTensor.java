package dev.kindling.data;

/**
 * torchvision's {@code ToTensor} for raw pixels: unsigned bytes in height × width × channels
 * order (as image files and IDX files store them) become a float [C, H, W] image with values
 * {@code byte / 255} in [0, 1], computed as PyTorch does ({@code img.float().div(255)}).
 */
public final class ToTensor {
  private ToTensor() {}

  /**
   * The image stored in src from offset: height × width × channels unsigned bytes.
   *
   * @param src the bytes
   * @param offset where the image starts
   * @param channels C
   * @param height H
   * @param width W
   * @return a new [C, H, W] float image scaled to [0, 1]
   */
  public static Image apply(byte[] src, int offset, int channels, int height, int width) {
    if (src == null) throw new NullPointerException("ToTensor: src is null");
    long n = (long) channels * height * width;
    if (channels <= 0 || height <= 0 || width <= 0 || offset < 0 || offset + n > src.length)
      throw new IllegalArgumentException("ToTensor: " + height + "x" + width + "x" + channels + " bytes from offset " + offset
          + " do not fit an array of " + src.length);
    float[] out = new float[(int) n];
    if (channels == 1) {
      for (int i = 0; i < out.length; i++) out[i] = (src[offset + i] & 0xff) / 255f;
    } else {
      int hw = height * width;
      for (int p = 0; p < hw; p++)
        for (int c = 0; c < channels; c++) out[c * hw + p] = (src[offset + p * channels + c] & 0xff) / 255f;
    }
    return new Image(out, channels, height, width);
  }
}
