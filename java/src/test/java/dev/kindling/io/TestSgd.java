package dev.kindling.io;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A test-only SGD with momentum written with tensor ops (buf = momentum * buf + grad;
 * p -= lr * buf), so checkpoint tests have an optimizer with tensor and number state before the
 * real algorithms land. State per parameter: {@code momentum_buffer} (tensor), {@code step} (Long).
 */
final class TestSgd extends Optimizer {
  TestSgd(Iterable<?> params, double lr, double momentum) {
    super("TestSGD", params, defaults(lr, momentum));
  }

  private static Map<String, Object> defaults(double lr, double momentum) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("lr", lr);
    d.put("momentum", momentum);
    return d;
  }

  @Override
  public void step() {
    checkOpen("step");
    try (var g = Autograd.noGrad(); Scope s = Kindling.scope()) {
      for (ParamGroup group : paramGroups()) {
        double lr = group.lr(), momentum = group.momentum();
        for (Tensor p : group.params()) {
          Tensor grad = p.grad();
          if (grad == null) continue;
          Map<String, Object> st = state(p);
          Tensor buf = (Tensor) st.get("momentum_buffer");
          if (buf == null) st.put("momentum_buffer", own(grad.clone()));
          else buf.mul_(momentum).add_(grad);
          p.add_((Tensor) st.get("momentum_buffer"), -lr);
          st.put("step", (Long) st.getOrDefault("step", 0L) + 1);
        }
      }
    }
  }
}
