package dev.kindling.data;

import java.io.IOException;

/** A file that is not a valid IDX file (bad magic number, unsupported type, truncated, …). */
public final class IdxFormatException extends IOException {
  public IdxFormatException(String message) {
    super(message);
  }

  public IdxFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
