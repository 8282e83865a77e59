package dev.kindling.data;

import dev.kindling.Tensor;
import java.util.List;
import java.util.Objects;

/** An image and its class index: a sample of MNIST-like datasets ({@code (img, target)}). */
public record LabeledImage(Image image, int label) {
  /**
   * One sample: an image and its class index.
   *
   * @param image the image
   * @param label the class index
   */
  public LabeledImage {
    Objects.requireNonNull(image, "LabeledImage: image is null");
  }

  /**
   * The batch of samples: inputs float32 [N, C, H, W] and targets int64 [N]. All values go into
   * one Java array, which becomes one tensor; this is where the speed of image loading is won.
   *
   * @param samples the samples, at least one, all of one image shape
   * @return the batch
   */
  public static Batch collate(List<LabeledImage> samples) {
    int n = samples.size();
    if (n == 0) throw new IllegalArgumentException("LabeledImage.collate: no samples");
    Image first = samples.get(0).image();
    int per = first.numel();
    float[] x = new float[Math.multiplyExact(n, per)];
    long[] y = new long[n];
    for (int i = 0; i < n; i++) {
      LabeledImage s = samples.get(i);
      Image img = s.image();
      if (!img.sameShape(first))
        throw new IllegalArgumentException("LabeledImage.collate: stack expects each image to be equal size, but got "
            + first.shapeString() + " at entry 0 and " + img.shapeString() + " at entry " + i);
      System.arraycopy(img.data(), 0, x, i * per, per);
      y[i] = s.label();
    }
    Tensor inputs = Tensor.fromArray(x, n, first.channels(), first.height(), first.width());
    Tensor targets = Tensor.fromArray(y, n);
    return new Batch(inputs, targets);
  }
}
