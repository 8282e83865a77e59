package dev.kindling.autograd;

/** Returned by {@code registerHook}: {@link #remove()} unregisters the hook (idempotent). */
public interface RemovableHandle extends AutoCloseable {
  /** Unregisters the hook; calling it again does nothing ({@code handle.remove()}). */
  void remove();

  @Override
  default void close() {
    remove();
  }
}
