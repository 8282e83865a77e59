package dev.kindling.autograd;

/** Returned by {@code registerHook}: {@link #remove()} unregisters the hook (idempotent). */
public interface RemovableHandle extends AutoCloseable {
  void remove();

  @Override
  default void close() {
    remove();
  }
}
