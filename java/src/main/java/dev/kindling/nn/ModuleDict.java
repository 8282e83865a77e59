package dev.kindling.nn;

import dev.kindling.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Modules by name, in insertion order, registered under those names, like
 * {@code torch.nn.ModuleDict}; parameter keys read {@code name.weight}.
 */
public class ModuleDict extends Module {
  private final Map<String, Module> items = new LinkedHashMap<>();

  public ModuleDict() {}

  public ModuleDict(Map<String, ? extends Module> modules) {
    modules.forEach(this::put);
  }

  public ModuleDict put(String name, Module module) {
    register(name, module);
    items.put(name, module);
    return this;
  }

  public Module get(String name) {
    Module m = items.get(name);
    if (m == null) throw new IllegalArgumentException(className() + ": no module named '" + name + "'");
    return m;
  }

  public boolean containsKey(String name) {
    return items.containsKey(name);
  }

  public Set<String> keySet() {
    return java.util.Collections.unmodifiableSet(items.keySet());
  }

  public int size() {
    return items.size();
  }

  /** A ModuleDict has no forward of its own, as in PyTorch. */
  @Override
  public Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(className() + " is not callable: it has no forward; look modules up by name");
  }
}
