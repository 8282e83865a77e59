package dev.kindling;

import dev.kindling.autograd.GradMode;
import dev.kindling.internal.KindlingNative;
import dev.kindling.internal.Native;
import java.util.ArrayList;
import java.util.List;

/**
 * Autograd entry points: grad mode regions ({@code torch.no_grad()}, {@code torch.enable_grad()})
 * and {@code torch.autograd.grad}.
 *
 * <pre>{@code
 * try (var g = Autograd.noGrad()) {
 *   for (Tensor p : model.parameters()) p.sub_(p.grad().mul(lr));
 * }
 * }</pre>
 */
public final class Autograd {
  static {
    dev.kindling.internal.NativeLoader.load();
  }

  private Autograd() {}

  /**
   * Disables gradient recording on this thread until closed.
   *
   * @return a region to close (try-with-resources) that restores the previous mode
   */
  public static GradMode noGrad() {
    return new GradMode(false);
  }

  /**
   * Enables gradient recording on this thread until closed (inside a noGrad region).
   *
   * @return a region to close (try-with-resources) that restores the previous mode
   */
  public static GradMode enableGrad() {
    return new GradMode(true);
  }

  /**
   * {@code torch.set_grad_enabled(mode)} as a region.
   *
   * @param enabled whether ops record gradients inside the region
   * @return a region to close (try-with-resources) that restores the previous mode
   */
  public static GradMode setGradEnabled(boolean enabled) {
    return new GradMode(enabled);
  }

  /**
   * Whether ops on this thread record gradients now ({@code torch.is_grad_enabled()}).
   *
   * @return true unless inside a noGrad region
   */
  public static boolean isGradEnabled() {
    return KindlingNative.kd_is_grad_enabled() != 0;
  }

  /**
   * {@code torch.autograd.grad}: gradients of outputs with respect to inputs.
   *
   * @param gradOutputs one per output (an element may be null for one-element outputs), or null
   * @param retainGraph keep the graph for another backward
   * @param createGraph make the gradients differentiable (higher-order gradients)
   * @param allowUnused give null for inputs the outputs do not depend on, instead of an error
   * @param outputs the differentiated outputs
   * @param inputs the tensors to differentiate with respect to
   * @return one gradient per input (null for an unused input when allowUnused)
   */
  public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
      boolean retainGraph, boolean createGraph, boolean allowUnused) {
    Pins pins = Pins.enter();
    try {
      long[] outs = Tensor.handles(outputs, "grad", "outputs", false);
      long[] ins = Tensor.handles(inputs, "grad", "inputs", false);
      long[] gos = null;
      if (gradOutputs != null) {
        if (gradOutputs.size() != outputs.size())
          throw new IllegalArgumentException("grad: got " + gradOutputs.size() + " gradOutputs for " + outputs.size() + " outputs");
        gos = Tensor.handles(gradOutputs, "grad", "gradOutputs", true);
      }
      long[] res = new long[ins.length];
      Native.check(KindlingNative.kd_autograd_grad(outs, gos, outs.length, ins, ins.length, retainGraph ? 1 : 0,
          createGraph ? 1 : 0, allowUnused ? 1 : 0, res));
      List<Tensor> out = new ArrayList<>(res.length);
      for (long h : res) out.add(h == 0 ? null : Tensor.fromNativeHandle(h));
      return out;
    } finally {
      pins.exit();
    }
  }

  /**
   * {@code torch.autograd.grad(outputs, inputs, grad_outputs, create_graph=createGraph)}: as in
   * PyTorch, the graph is retained exactly when createGraph is set (for a later backward through
   * the returned gradients, e.g. a gradient penalty).
   *
   * @param outputs the differentiated outputs
   * @param inputs the tensors to differentiate with respect to
   * @param gradOutputs one per output (null elements for one-element outputs), or null
   * @param createGraph make the gradients differentiable, and retain the graph
   * @return one gradient per input
   */
  public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs,
      boolean createGraph) {
    return grad(outputs, inputs, gradOutputs, createGraph, createGraph, false);
  }

  /**
   * {@code torch.autograd.grad(outputs, inputs)} with retainGraph = createGraph = false.
   *
   * @param outputs the differentiated outputs, each with one element
   * @param inputs the tensors to differentiate with respect to
   * @return one gradient per input
   */
  public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs) {
    return grad(outputs, inputs, null, false, false, false);
  }

  /**
   * Gradient of one output with respect to one input.
   *
   * @param output a one-element output
   * @param input the tensor to differentiate with respect to
   * @return d(output)/d(input), of input's shape
   */
  public static Tensor grad(Tensor output, Tensor input) {
    return grad(List.of(output), List.of(input)).get(0);
  }

  /**
   * {@code torch.autograd.backward(tensors, grad_tensors)}.
   *
   * @param tensors the roots whose gradients flow into the leaves' .grad
   * @param gradTensors one gradient per root (null elements for one-element roots), or null
   * @param retainGraph keep the graph for another backward
   * @param createGraph record the backward pass for higher-order gradients
   */
  public static void backward(List<Tensor> tensors, List<Tensor> gradTensors, boolean retainGraph, boolean createGraph) {
    Pins pins = Pins.enter();
    try {
      long[] roots = Tensor.handles(tensors, "backward", "tensors", false);
      long[] gs = gradTensors == null ? null : Tensor.handles(gradTensors, "backward", "gradTensors", true);
      if (gs != null && gs.length != roots.length)
        throw new IllegalArgumentException("backward: got " + gs.length + " gradients for " + roots.length + " tensors");
      Native.check(KindlingNative.kd_backward(roots, gs, roots.length, retainGraph ? 1 : 0, createGraph ? 1 : 0, new long[0], 0));
    } finally {
      pins.exit();
    }
  }
}
