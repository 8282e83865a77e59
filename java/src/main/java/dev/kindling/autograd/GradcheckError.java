package dev.kindling.autograd;

/**
 * Thrown by {@link GradCheck} when a backward formula disagrees with finite differences, like
 * PyTorch's {@code torch.autograd.gradcheck.GradcheckError}. The message names the output, the
 * input and the first element where the two Jacobians differ, with both values.
 */
public class GradcheckError extends RuntimeException {
  public GradcheckError(String message) {
    super(message);
  }

  public GradcheckError(String message, Throwable cause) {
    super(message, cause);
  }
}
