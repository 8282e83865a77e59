package dev.kindling;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The check shared by the bad-input tables: a call failed with exactly the expected exception class, and its message names what was wrong. */
public final class ExpectedFailure {
  private ExpectedFailure() {}

  /**
   * @param name the table row, for the failure messages
   * @param expected the exception class the call must throw (not a subclass)
   * @param thrown what the call threw, or null when it succeeded
   * @param words each must appear in the exception's message
   */
  public static void check(String name, Class<? extends Throwable> expected, Throwable thrown, String... words) {
    assertNotNull(thrown, name + ": expected " + expected.getSimpleName() + " but the call succeeded");
    if (thrown.getClass() != expected) {
      AssertionError e = new AssertionError(name + ": expected " + expected.getSimpleName() + " but got " + thrown);
      e.initCause(thrown);
      throw e;
    }
    String message = String.valueOf(thrown.getMessage());
    for (String w : words)
      assertTrue(message.contains(w), name + ": message should contain \"" + w + "\" but was: " + message);
  }
}
