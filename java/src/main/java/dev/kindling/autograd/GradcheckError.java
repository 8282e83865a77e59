package dev.kindling.autograd;

/**
 * Thrown by {@link GradCheck} when a backward formula disagrees with finite differences, like
 * PyTorch's {@code torch.autograd.gradcheck.GradcheckError}. The message names the output, the
 * input and the first element where the two Jacobians differ, with both values.
 */
public class GradcheckError extends RuntimeException {
  /**
   * A gradcheck failure described by message.
   *
   * @param message what disagreed, and where
   */
  public GradcheckError(String message) {
    super(message);
  }

  /**
   * A gradcheck failure caused by an exception in the checked function.
   *
   * @param message what was being checked
   * @param cause the exception
   */
  public GradcheckError(String message, Throwable cause) {
    super(message, cause);
  }
}
