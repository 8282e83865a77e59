package dev.kindling.autograd;

import dev.kindling.internal.KindlingNative;
import dev.kindling.internal.Native;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A backward function in the autograd graph, PyTorch's {@code grad_fn}: {@link #name()} such as
 * {@code MulBackward0}, and {@link #nextFunctions()}, one (node or null, input index) pair per
 * input of the forward op. Two Node objects for the same graph node are {@code equals}.
 */
public class Node {
  private static final Cleaner CLEANER = Cleaner.create();

  private final long handle;
  private final long id;
  private final String name;

  Node(long handle) {
    this.handle = handle;
    this.id = KindlingNative.kd_node_id(handle);
    this.name = KindlingNative.kd_node_name(handle);
    final long h = handle;
    CLEANER.register(this, () -> KindlingNative.kd_node_release(h));
  }

  /**
   * Wraps an owned native node handle (0 gives null). For Kindling's own classes.
   *
   * @param handle a native node handle this call takes ownership of, or 0
   * @return the node, or null for 0
   */
  public static Node wrap(long handle) {
    if (handle == 0) return null;
    String name = KindlingNative.kd_node_name(handle);
    return "AccumulateGrad".equals(name) ? new AccumulateGrad(handle) : new Node(handle);
  }

  long handle() {
    return handle;
  }

  /**
   * PyTorch's name of this backward function, e.g. {@code AddBackward0}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The functions this one passes gradients to, one per forward input.
   *
   * @return a new list of edges
   */
  public List<Edge> nextFunctions() {
    int n = KindlingNative.kd_node_num_next(handle);
    List<Edge> out = new ArrayList<>(n);
    int[] nr = new int[1];
    for (int i = 0; i < n; i++) {
      long next = KindlingNative.kd_node_next(handle, i, nr);
      if (next == 0 && KindlingNative.kd_last_error_code() != 0 && KindlingNative.kd_node_num_next(handle) <= i)
        throw Native.lastError();
      out.add(new Edge(wrap(next), next == 0 ? 0 : nr[0]));
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Node && ((Node) o).id == id;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  /** Like PyTorch: {@code <MulBackward0 object at 0x…>}. */
  @Override
  public String toString() {
    return "<" + name + " object at 0x" + Long.toHexString(id) + ">";
  }
}
