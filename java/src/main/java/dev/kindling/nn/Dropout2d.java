package dev.kindling.nn;

import dev.kindling.Tensor;
import java.util.Arrays;

/**
 * Drops whole channels: for (N, C, H, W) input (or unbatched (C, H, W)) each channel map is
 * zeroed with probability p and the rest scaled by 1/(1−p), like {@code torch.nn.Dropout2d}.
 */
public class Dropout2d extends Dropout {
  /** {@code nn.Dropout2d()}: p = 0.5. */
  public Dropout2d() {
    super(0.5);
  }

  /**
   * {@code nn.Dropout2d(p)}: zeroes whole channels with probability p in training.
   *
   * @param p the drop probability, in [0, 1]
   */
  public Dropout2d(double p) {
    super(p);
  }

  @Override
  long[] maskShape(Tensor input) {
    long[] s = input.shape();
    if (s.length == 4) return new long[] {s[0], s[1], 1, 1};
    if (s.length == 3) return new long[] {s[0], 1, 1};
    throw new IllegalArgumentException(className() + ": expected 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape "
        + Arrays.toString(s));
  }
}
