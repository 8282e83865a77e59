package dev.kindling;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leak assertions on the global live-tensor counter. The counter also holds tensors that earlier
 * tests forgot on purpose and that the cleaner thread frees at its own pace, so it may fall
 * while a test runs; only growth is a leak. When the count is above the bound, garbage is
 * collected and the check retried for a while before it fails.
 */
public final class LeakCheck {
  private LeakCheck() {}

  public static void assertNotAbove(long bound, String what) {
    long deadline = System.currentTimeMillis() + 5_000;
    while (Kindling.liveTensors() > bound && System.currentTimeMillis() < deadline) {
      System.gc();
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    long now = Kindling.liveTensors();
    assertTrue(now <= bound, what + ": " + (now - bound) + " native tensor(s) left alive");
  }
}
