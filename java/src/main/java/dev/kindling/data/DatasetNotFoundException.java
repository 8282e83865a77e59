package dev.kindling.data;

/** A dataset's files are not where they were looked for; the message says how to get them. */
public final class DatasetNotFoundException extends RuntimeException {
  public DatasetNotFoundException(String message) {
    super(message);
  }
}
