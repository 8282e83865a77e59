package dev.kindling.data;

/** A dataset's files are not where they were looked for; the message says how to get them. */
public final class DatasetNotFoundException extends RuntimeException {
  /**
   * A dataset whose files are missing, with a message that says where they were looked for.
   *
   * @param message the message
   */
  public DatasetNotFoundException(String message) {
    super(message);
  }
}
