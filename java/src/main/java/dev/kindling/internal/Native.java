package dev.kindling.internal;

/**
 * Turns the C API's status results into Java exceptions. A failed call returns handle 0 or a
 * non-zero status; the message, which names the op, shapes and dtypes, comes from the same thread.
 */
public final class Native {
  public static final int OK = 0;
  public static final int ERR_ARGUMENT = 1;
  public static final int ERR_INDEX = 2;
  public static final int ERR_DTYPE = 3;
  public static final int ERR_UNSUPPORTED = 4;
  public static final int ERR_STATE = 5;
  public static final int ERR_MEMORY = 6;
  public static final int ERR_CALLBACK = 8;
  public static final int ERR_IO = 9;  // file system errors (io): UncheckedIOException

  static {
    NativeLoader.load();
  }

  private Native() {}

  /** Returns h, or throws the pending native error when h is 0. */
  public static long check(long h) {
    if (h == 0) throw lastError();
    return h;
  }

  /** Throws the pending native error when status is not OK. */
  public static void check(int status) {
    if (status != OK) throw lastError();
  }

  public static RuntimeException lastError() {
    int code = KindlingNative.kd_last_error_code();
    String msg = KindlingNative.kd_last_error_message();
    switch (code) {
      case ERR_CALLBACK: {
        Throwable t = Hooks.takeFailure();
        if (t instanceof RuntimeException) return (RuntimeException) t;
        if (t instanceof Error) throw (Error) t;
        return new RuntimeException("a hook failed during backward: " + (t == null ? msg : t), t);
      }
      case ERR_INDEX:
        return new IndexOutOfBoundsException(msg);
      case ERR_UNSUPPORTED:
        return new UnsupportedOperationException(msg);
      case ERR_STATE:
        return new IllegalStateException(msg);
      case ERR_MEMORY:
        throw new OutOfMemoryError("Kindling native memory: " + msg);
      case ERR_IO:
        return new java.io.UncheckedIOException(new java.io.IOException(msg));
      case ERR_ARGUMENT:
      case ERR_DTYPE:
        return new IllegalArgumentException(msg);
      default:
        return new RuntimeException("Kindling internal error: " + msg);
    }
  }
}
