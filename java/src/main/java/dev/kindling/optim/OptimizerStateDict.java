package dev.kindling.optim;

import java.util.List;
import java.util.Map;

/**
 * {@code optimizer.state_dict()} in PyTorch's shape: {@code state} maps a parameter's index
 * (counted across all groups in order) to its per-parameter state — tensors such as
 * {@code momentum_buffer} or {@code exp_avg}, and numbers such as {@code step}; {@code paramGroups}
 * lists each group's options by PyTorch name plus {@code "params"}, the list of its parameters'
 * indices. Values are plain data (Tensor, Double, Long, Boolean, String, List of numbers), so a
 * checkpoint can store it and {@link Optimizer#loadStateDict} can check it against the optimizer.
 * The tensors are new handles owned by the caller (or the current scope).
 */
public record OptimizerStateDict(Map<Integer, Map<String, Object>> state, List<Map<String, Object>> paramGroups) {
  /**
   * Checks that neither part is null.
   *
   * @param state per-parameter state by parameter index
   * @param paramGroups each group's options plus its "params" index list
   */
  public OptimizerStateDict {
    if (state == null) throw new NullPointerException("OptimizerStateDict: state is null");
    if (paramGroups == null) throw new NullPointerException("OptimizerStateDict: paramGroups is null");
  }
}
