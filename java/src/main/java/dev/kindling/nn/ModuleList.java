package dev.kindling.nn;

import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A list of modules that are registered (so their parameters are found) but not called in any
 * fixed order, like {@code torch.nn.ModuleList}; children are named "0", "1", ….
 */
public class ModuleList extends Module implements Iterable<Module> {
  private final List<Module> items = new ArrayList<>();

  /**
   * {@code nn.ModuleList(modules)}: registers each module under its index.
   *
   * @param modules the children, in order
   */
  public ModuleList(Module... modules) {
    for (Module m : modules) add(m);
  }

  /**
   * Appends a module, registered under its index.
   *
   * @param module the child
   * @return this list
   */
  public ModuleList add(Module module) {
    register(String.valueOf(items.size()), module);
    items.add(module);
    return this;
  }

  /**
   * {@code append(m)}: the same as {@link #add(Module)}.
   *
   * @param module the child
   * @return this list
   */
  public ModuleList append(Module module) {
    return add(module);
  }

  /**
   * {@code list[index]}; negative counts from the end.
   *
   * @param index the position
   * @return the module
   */
  public Module get(int index) {
    int i = index < 0 ? index + items.size() : index;
    if (i < 0 || i >= items.size())
      throw new IndexOutOfBoundsException(className() + ": index " + index + " is out of range");
    return items.get(i);
  }

  /**
   * {@code len(list)}.
   *
   * @return the number of modules
   */
  public int size() {
    return items.size();
  }

  @Override
  public Iterator<Module> iterator() {
    return List.copyOf(items).iterator();
  }

  /** A ModuleList has no forward of its own, as in PyTorch: iterate it in your own forward. */
  @Override
  public Tensor forward(Tensor input) {
    throw new UnsupportedOperationException(className() + " is not callable: it has no forward; iterate over it instead");
  }
}
