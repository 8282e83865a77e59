package dev.kindling.optim;

import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A test-only optimizer whose step() changes no parameter and only counts: the schedulers read and
 * write nothing but the groups' options, so their tests need an optimizer with SGD's or Adam's
 * defaults ({@code momentum}, or {@code betas}), not their algorithms. Each group holds one small
 * tensor from the caller's scope.
 */
final class RecordingOptimizer extends Optimizer {
  int steps;

  private RecordingOptimizer(String name, List<ParamGroup> groups, Map<String, Object> defaults) {
    super(name, groups, defaults);
  }

  /** Like {@code SGD(groups, lr=0.1, momentum=0.9)}, one group per lr. */
  static RecordingOptimizer sgd(double... lrs) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", 0.1);
    d.put("momentum", 0.9);
    d.put("dampening", 0.0);
    d.put("weight_decay", 0.0);
    d.put("nesterov", false);
    d.put("maximize", false);
    return new RecordingOptimizer("SGD(recording)", groups(lrs), d);
  }

  /** Like {@code Adam(groups, lr=0.1, betas=(0.9, 0.999))}, one group per lr. */
  static RecordingOptimizer adam(double... lrs) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", 0.1);
    d.put("betas", List.of(0.9, 0.999));
    d.put("eps", 1e-8);
    d.put("weight_decay", 0.0);
    d.put("amsgrad", false);
    d.put("maximize", false);
    return new RecordingOptimizer("Adam(recording)", groups(lrs), d);
  }

  /** An optimizer with neither momentum nor betas, like Adagrad. */
  static RecordingOptimizer withoutMomentum(double lr) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", lr);
    d.put("eps", 1e-10);
    return new RecordingOptimizer("Adagrad(recording)", groups(lr), d);
  }

  static RecordingOptimizer of(String kind, double... lrs) {
    return switch (kind) {
      case "SGD" -> sgd(lrs);
      case "Adam" -> adam(lrs);
      default -> throw new IllegalArgumentException(kind);
    };
  }

  private static List<ParamGroup> groups(double... lrs) {
    List<ParamGroup> groups = new ArrayList<>();
    for (double lr : lrs) groups.add(ParamGroup.of(Tensor.zeros(2)).lr(lr));
    return groups;
  }

  @Override
  public void step() {
    checkOpen("step");
    steps++;
  }
}
