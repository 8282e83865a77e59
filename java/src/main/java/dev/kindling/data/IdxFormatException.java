package dev.kindling.data;

import java.io.IOException;

/** A file that is not a valid IDX file (bad magic number, unsupported type, truncated, …). */
public final class IdxFormatException extends IOException {
  /**
   * A malformed IDX file.
   *
   * @param message what is wrong, naming the file
   */
  public IdxFormatException(String message) {
    super(message);
  }

  /**
   * A malformed IDX file, caused by another exception (such as a bad gzip stream).
   *
   * @param message what is wrong, naming the file
   * @param cause the underlying exception
   */
  public IdxFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
