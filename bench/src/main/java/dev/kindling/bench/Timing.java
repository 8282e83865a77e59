package dev.kindling.bench;

import java.util.Arrays;

/**
 * Warmed-up loop timing for the side-by-side run. Each workload's batch size is calibrated so a
 * batch takes about {@code roundNanos}; the peers of one row then run their batches in turn,
 * round after round, so a noisy neighbour on the machine hits them alike. The row reports each
 * peer's median time per op over the rounds.
 */
final class Timing {
  private Timing() {}

  /** Iterations that take about targetNanos, after running the workload for warmupNanos. */
  static long calibrate(Workload w, long warmupNanos, long targetNanos) {
    long n = 1, start = System.nanoTime(), t;
    while (true) {
      long t0 = System.nanoTime();
      w.run(n);
      t = System.nanoTime() - t0;
      if (System.nanoTime() - start >= warmupNanos && t >= targetNanos / 4) break;
      if (t < targetNanos / 4) n *= 2;
    }
    return Math.max(1, Math.round(n * (double) targetNanos / Math.max(t, 1)));
  }

  /** Nanoseconds per op of one batch. */
  static double batch(Workload w, long iterations) {
    long t0 = System.nanoTime();
    w.run(iterations);
    return (System.nanoTime() - t0) / (double) iterations;
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  /** Relative spread (max - min) / median, to flag noisy rows. */
  static double spread(double[] xs) {
    double lo = Double.MAX_VALUE, hi = 0;
    for (double x : xs) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    return (hi - lo) / median(xs);
  }
}
