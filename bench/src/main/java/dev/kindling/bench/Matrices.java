package dev.kindling.bench;

import java.util.SplittableRandom;

/**
 * The GEMM inputs every peer multiplies: the same two random n x n float32 matrices (row-major),
 * and a check of a peer's product against dot products computed here, so a fast wrong answer (or a
 * stub) never reaches the table.
 */
public final class Matrices {
  public final int n;
  public final float[] a;
  public final float[] b;

  public Matrices(int n, long seed) {
    this.n = n;
    SplittableRandom r = new SplittableRandom(seed);
    a = new float[n * n];
    b = new float[n * n];
    for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
    for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 2 - 1);
  }

  /** 2 n^3: the multiply-adds of one product, counted as two flops each. */
  public double flops() {
    return 2.0 * n * n * (double) n;
  }

  /** Throws unless c (row-major n x n) matches a.b at a spread of entries. */
  public void check(float[] c, String who) {
    if (c.length != n * n)
      throw new IllegalStateException(who + ": product has " + c.length + " elements, expected " + n * n);
    for (int s = 0; s < 64; s++) {
      int i = (int) ((s * 2654435761L) % n), j = (int) ((s * 40503L + 7) % n);
      double want = 0;
      for (int k = 0; k < n; k++) want += (double) a[i * n + k] * b[k * n + j];
      double got = c[i * n + j];
      // float32 accumulation error grows like sqrt(n); entries are O(sqrt(n))
      if (Math.abs(got - want) > 1e-3 * n)
        throw new IllegalStateException(who + ": mm result wrong at [" + i + ", " + j + "]: " + got + " vs " + want);
    }
  }
}
