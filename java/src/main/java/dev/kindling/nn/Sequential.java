package dev.kindling.nn;

import dev.kindling.Tensor;
import java.util.Iterator;

/**
 * Modules applied one after another, like {@code torch.nn.Sequential}; children are named
 * "0", "1", … in order, so parameter names read {@code 0.weight}, {@code 2.bias}.
 */
public class Sequential extends Module implements Iterable<Module> {
  private int count;

  /**
   * {@code nn.Sequential(*modules)}: children named "0", "1", … run in order.
   *
   * @param modules the children, in order
   */
  public Sequential(Module... modules) {
    for (Module m : modules) add(m);
  }

  /**
   * Appends a module (named by its position) and returns this container.
   *
   * @param module the child
   * @return this container
   */
  public Sequential add(Module module) {
    register(String.valueOf(count), module);
    count++;
    return this;
  }

  /**
   * {@code append(m)}: the same as {@link #add(Module)}.
   *
   * @param module the child
   * @return this container
   */
  public Sequential append(Module module) {
    return add(module);
  }

  /**
   * The module at index (negative counts from the end).
   *
   * @param index the position
   * @return the module
   * @throws IndexOutOfBoundsException if index is out of range
   */
  public Module get(int index) {
    int i = index < 0 ? index + count : index;
    if (i < 0 || i >= count) throw new IndexOutOfBoundsException(className() + ": index " + index + " is out of range");
    return child(String.valueOf(i));
  }

  /**
   * {@code len(seq)}.
   *
   * @return the number of modules
   */
  public int size() {
    return count;
  }

  @Override
  public Iterator<Module> iterator() {
    return children().iterator();
  }

  @Override
  public Tensor forward(Tensor input) {
    Tensor x = input;
    for (int i = 0; i < count; i++) x = child(String.valueOf(i)).forward(x);
    return x == input ? input.alias() : x;
  }
}
