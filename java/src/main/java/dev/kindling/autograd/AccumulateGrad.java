package dev.kindling.autograd;

import dev.kindling.Tensor;
import dev.kindling.internal.KindlingNative;

/** The sink of a leaf tensor that requires grad: adds the incoming gradient into its .grad. */
public final class AccumulateGrad extends Node {
  AccumulateGrad(long handle) {
    super(handle);
  }

  /**
   * The leaf tensor this node accumulates into (a new handle to it).
   *
   * @return the leaf tensor, or null if it is gone
   */
  public Tensor variable() {
    long t = KindlingNative.kd_node_variable(handle());
    return t == 0 ? null : Tensor.fromNativeHandle(t);
  }
}
