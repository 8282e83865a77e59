package dev.kindling.autograd;

import dev.kindling.internal.KindlingNative;

/**
 * A grad-mode region, like {@code with torch.no_grad():}. Closing it restores the mode that was
 * in force when it was opened. Grad mode is per thread; regions nest.
 */
public final class GradMode implements AutoCloseable {
  private final int previous;
  private final Thread thread = Thread.currentThread();
  private boolean closed;

  /**
   * Opens a region on this thread in which gradient recording is enabled or disabled.
   *
   * @param enabled whether ops record gradients inside the region
   */
  public GradMode(boolean enabled) {
    this.previous = KindlingNative.kd_set_grad_enabled(enabled ? 1 : 0);
  }

  @Override
  public void close() {
    if (closed) return;
    if (Thread.currentThread() != thread)
      throw new IllegalStateException("GradMode.close: must be closed on the thread that opened it");
    closed = true;
    KindlingNative.kd_set_grad_enabled(previous);
  }
}
