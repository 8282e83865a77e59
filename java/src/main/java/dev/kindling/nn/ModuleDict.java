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

  /** An empty {@code nn.ModuleDict()}. */
  public ModuleDict() {}

  /**
   * {@code nn.ModuleDict(modules)}: registers each module under its key, in the map's order.
   *
   * @param modules the children by name
   */
  public ModuleDict(Map<String, ? extends Module> modules) {
    modules.forEach(this::put);
  }

  /**
   * {@code dict[name] = module}: registers module as a child under name.
   *
   * @param name the key, without dots
   * @param module the child
   * @return this dict
   */
  public ModuleDict put(String name, Module module) {
    register(name, module);
    items.put(name, module);
    return this;
  }

  /**
   * {@code dict[name]}.
   *
   * @param name the key
   * @return the module
   * @throws IllegalArgumentException if there is no such key
   */
  public Module get(String name) {
    Module m = items.get(name);
    if (m == null) throw new IllegalArgumentException(className() + ": no module named '" + name + "'");
    return m;
  }

  /**
   * {@code name in dict}.
   *
   * @param name the key
   * @return true if present
   */
  public boolean containsKey(String name) {
    return items.containsKey(name);
  }

  /**
   * The keys in insertion order.
   *
   * @return a read-only set
   */
  public Set<String> keySet() {
    return java.util.Collections.unmodifiableSet(items.keySet());
  }

  /**
   * {@code len(dict)}.
   *
   * @return the number of modules
   */
  public int size() {
    return items.size();
  }

  /** A ModuleDict has no forward of its own, as in PyTorch. */
  @Override
  public Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(className() + " is not callable: it has no forward; look modules up by name");
  }
}
