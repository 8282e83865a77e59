package dev.kindling.nn;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Device;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The base of every layer and model, like {@code torch.nn.Module}. Why explicit registration:
 * Java has no {@code __setattr__}, so a module names its parameters, buffers and children itself
 * ({@code register("fc1", new Linear(…))}); registration order is iteration order, which makes
 * {@link #namedParameters()} and {@link #stateDict()} keys identical to PyTorch's for the same
 * structure. A module owns what it registers: those tensors leave any {@link Scope} (a training
 * step's scope never closes them) and {@link #close()} frees them. A parameter is the same Java
 * object on every call, so identity sets work like {@code id(p)} in Python.
 */
public abstract class Module implements AutoCloseable {
  private final Map<String, Tensor> parameters = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final Set<String> nonPersistent = new java.util.HashSet<>();
  private final Map<String, Module> modules = new LinkedHashMap<>();
  private boolean training = true;

  /**
   * The computation of this module on one input.
   *
   * @param input the input
   * @return the output
   */
  public abstract Tensor forward(Tensor input);

  /**
   * {@code module(x)}: the same as {@link #forward(Tensor)}.
   *
   * @param input the input
   * @return the output of forward
   */
  public Tensor call(Tensor input) {
    return forward(input);
  }

  // ---------------------------------------------------------------------------------------------
  // registration

  private void checkName(String name, String what, Map<String, ?> own) {
    if (name == null) throw new NullPointerException(className() + ": " + what + " name is null");
    if (name.isEmpty())
      throw new IllegalArgumentException(className() + ": " + what + " name can't be empty string \"\"");
    if (name.contains("."))
      throw new IllegalArgumentException(className() + ": " + what + " name can't contain \".\", got \"" + name + "\"");
    boolean taken = (own != parameters && parameters.containsKey(name))
        || (own != buffers && buffers.containsKey(name))
        || (own != modules && modules.containsKey(name));
    if (taken) throw new IllegalArgumentException(className() + ": attribute '" + name + "' already exists");
  }

  /**
   * Adds a child module under name (PyTorch's {@code add_module}) and returns it.
   *
   * @param <M> the child's type
   * @param name the attribute name, without dots
   * @param module the child
   * @return module
   */
  public <M extends Module> M register(String name, M module) {
    checkName(name, "module", modules);
    if (module == null) throw new NullPointerException(className() + ": module '" + name + "' is null");
    if (module == this) throw new IllegalArgumentException(className() + ": a module can't be its own child ('" + name + "')");
    modules.put(name, module);
    return module;
  }

  /**
   * {@code add_module(name, m)}: the same as {@link #register(String, Module)}.
   *
   * @param <M> the child's type
   * @param name the attribute name, without dots
   * @param module the child
   * @return module
   */
  public <M extends Module> M addModule(String name, M module) {
    return register(name, module);
  }

  /**
   * Registers p as a parameter (it becomes a leaf that requires grad) and returns it; null
   * registers an absent parameter (like {@code self.bias = None}) that traversals skip.
   *
   * @param name the attribute name, without dots
   * @param p a floating-point leaf tensor, or null
   * @return p
   */
  public Tensor registerParameter(String name, Tensor p) {
    checkName(name, "parameter", parameters);
    if (p != null) {
      if (!p.isLeaf())
        throw new IllegalArgumentException(className() + ": cannot assign a non-leaf tensor to parameter '" + name
            + "'; model parameters must be created explicitly (use detach() to get a leaf)");
      if (!p.isFloatingPoint())
        throw new IllegalArgumentException(className() + ": parameter '" + name + "' must be floating point, got " + p.dtype());
      Scope.escape(p);
      p.requiresGrad_(true);
    }
    parameters.put(name, p);
    return p;
  }

  /**
   * Registers a buffer (state that is not a parameter, such as BatchNorm's running mean);
   * persistent buffers are part of {@link #stateDict()}. Null registers an absent buffer.
   *
   * @param name the attribute name, without dots
   * @param b the buffer, or null
   * @param persistent whether it is saved in the state dict
   * @return b
   */
  public Tensor registerBuffer(String name, Tensor b, boolean persistent) {
    checkName(name, "buffer", buffers);
    if (b != null) Scope.escape(b);
    buffers.put(name, b);
    if (persistent) nonPersistent.remove(name);
    else nonPersistent.add(name);
    return b;
  }

  /**
   * {@code register_buffer(name, b)}: registers a persistent buffer (see {@link
   * #registerBuffer(String, Tensor, boolean)}).
   *
   * @param name the attribute name, without dots
   * @param b the buffer, or null
   * @return b
   */
  public Tensor registerBuffer(String name, Tensor b) {
    return registerBuffer(name, b, true);
  }

  /**
   * This module's own parameter called name (null when absent), for subclasses.
   *
   * @param name the parameter's name
   * @return the parameter, or null
   */
  protected Tensor parameter(String name) {
    return parameters.get(name);
  }

  /**
   * This module's own buffer called name (null when absent), for subclasses.
   *
   * @param name the buffer's name
   * @return the buffer, or null
   */
  protected Tensor buffer(String name) {
    return buffers.get(name);
  }

  /**
   * The direct child called name, or null.
   *
   * @param name the child's name
   * @return the child, or null
   */
  public Module child(String name) {
    return modules.get(name);
  }

  /**
   * {@code get_submodule("features.0")}: the descendant at a dotted path.
   *
   * @param target a dotted path such as "features.0"; empty for this module
   * @return the module at that path
   * @throws IllegalArgumentException if a part of the path is not a child
   */
  public Module getSubmodule(String target) {
    if (target == null || target.isEmpty()) return this;
    Module m = this;
    for (String part : target.split("\\.", -1)) {
      Module next = m.modules.get(part);
      if (next == null)
        throw new IllegalArgumentException(m.className() + " has no attribute `" + part + "`");
      m = next;
    }
    return m;
  }

  // ---------------------------------------------------------------------------------------------
  // traversal (PyTorch's order: self first, then children depth first; each object once)

  /**
   * {@code named_modules()}: self (name "") then every descendant, each module once.
   *
   * @return an ordered map from dotted name to module
   */
  public LinkedHashMap<String, Module> namedModules() {
    LinkedHashMap<String, Module> out = new LinkedHashMap<>();
    collectModules("", Collections.newSetFromMap(new IdentityHashMap<>()), out);
    return out;
  }

  private void collectModules(String prefix, Set<Module> seen, Map<String, Module> out) {
    if (!seen.add(this)) return;
    out.put(prefix, this);
    for (Map.Entry<String, Module> e : modules.entrySet())
      e.getValue().collectModules(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), seen, out);
  }

  /**
   * {@code modules()}: this module then every descendant, each once.
   *
   * @return a new list
   */
  public List<Module> modules() {
    return new ArrayList<>(namedModules().values());
  }

  /**
   * {@code named_children()}: direct children, each once.
   *
   * @return an ordered map from name to child
   */
  public LinkedHashMap<String, Module> namedChildren() {
    LinkedHashMap<String, Module> out = new LinkedHashMap<>();
    Set<Module> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<String, Module> e : modules.entrySet())
      if (seen.add(e.getValue())) out.put(e.getKey(), e.getValue());
    return out;
  }

  /**
   * {@code children()}: the direct children, each once.
   *
   * @return a new list
   */
  public List<Module> children() {
    return new ArrayList<>(namedChildren().values());
  }

  /**
   * {@code named_parameters()}: dotted names such as {@code features.0.weight}; shared ones once.
   *
   * @return an ordered map from dotted name to parameter
   */
  public LinkedHashMap<String, Tensor> namedParameters() {
    return namedTensors(true);
  }

  /**
   * {@code parameters()}: every parameter of this module and its descendants, shared ones once.
   *
   * @return a new list, in {@link #namedParameters()} order
   */
  public List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /**
   * {@code named_buffers()}: persistent or not, each once.
   *
   * @return an ordered map from dotted name to buffer
   */
  public LinkedHashMap<String, Tensor> namedBuffers() {
    return namedTensors(false);
  }

  /**
   * {@code buffers()}: every buffer of this module and its descendants, each once.
   *
   * @return a new list
   */
  public List<Tensor> buffers() {
    return new ArrayList<>(namedBuffers().values());
  }

  private LinkedHashMap<String, Tensor> namedTensors(boolean params) {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Map.Entry<String, Module> m : namedModules().entrySet()) {
      String prefix = m.getKey().isEmpty() ? "" : m.getKey() + ".";
      Map<String, Tensor> own = params ? m.getValue().parameters : m.getValue().buffers;
      for (Map.Entry<String, Tensor> e : own.entrySet()) {
        Tensor t = e.getValue();
        if (t != null && seen.add(t)) out.put(prefix + e.getKey(), t);
      }
    }
    return out;
  }

  /**
   * {@code apply(fn)}: fn on every child (recursively) first, then on this module.
   *
   * @param fn the function to apply
   * @return this module
   */
  public Module apply(Consumer<Module> fn) {
    for (Module c : children()) c.apply(fn);
    fn.accept(this);
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // modes and gradients

  /**
   * Sets training mode on this module and all descendants (Dropout, BatchNorm depend on it).
   *
   * @param mode true for training, false for evaluation
   * @return this module
   */
  public Module train(boolean mode) {
    training = mode;
    for (Module c : children()) c.train(mode);
    return this;
  }

  /**
   * {@code train()}: training mode for this module and its descendants.
   *
   * @return this module
   */
  public Module train() {
    return train(true);
  }

  /**
   * {@code eval()}: evaluation mode for this module and its descendants, the same as {@code
   * train(false)}.
   *
   * @return this module
   */
  public Module eval() {
    return train(false);
  }

  /**
   * Whether this module is in training mode ({@code module.training}).
   *
   * @return true in training mode
   */
  public boolean isTraining() {
    return training;
  }

  /** {@code zero_grad()}: sets every parameter's gradient to none (PyTorch 2's default). */
  public void zeroGrad() {
    zeroGrad(true);
  }

  /**
   * {@code zero_grad(set_to_none)}: clears gradients, or fills existing ones with zeros.
   *
   * @param setToNone clear the gradients (true) or zero them in place (false)
   */
  public void zeroGrad(boolean setToNone) {
    for (Tensor p : parameters()) {
      if (setToNone) {
        p.setGrad(null);
        continue;
      }
      Tensor g = p.grad();
      if (g == null) continue;
      try (var ng = Autograd.noGrad()) {
        g.zero_();
      } finally {
        g.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // dtype conversion

  /**
   * {@code module.to(dtype)}: converts every floating-point parameter and buffer to dtype in place
   * (the same Java objects, like PyTorch's {@code param.data = param.to(dtype)}), so references
   * held elsewhere (an optimizer's list) stay valid. Integer buffers such as
   * {@code num_batches_tracked} are untouched, and a gradient of the old dtype is cleared.
   *
   * @param dtype a floating-point dtype
   * @return this module
   * @throws IllegalArgumentException if dtype is not floating point
   */
  public Module to(DType dtype) {
    if (dtype == null) throw new NullPointerException(className() + ".to: dtype is null");
    if (!dtype.isFloatingPoint())
      throw new IllegalArgumentException("nn.Module.to only accepts floating point dtypes, but got desired dtype=" + dtype);
    try (var g = Autograd.noGrad()) {
      for (Tensor t : parameters()) convert(t, dtype);
      for (Tensor t : buffers()) convert(t, dtype);
    }
    return this;
  }

  private static void convert(Tensor t, DType dtype) {
    if (!t.isFloatingPoint() || t.dtype() == dtype) return;
    try (Tensor c = t.to(dtype)) {
      t.setData(c);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // devices

  /**
   * {@code module.to(device)}: moves every parameter and buffer (and each parameter's gradient) to
   * device in place, like PyTorch's {@code param.data = param.to(device)}: the Java objects stay
   * the same, so an optimizer built before or after the move, hooks, and {@code requiresGrad}
   * flags all carry over. Returns this. A CUDA device this process cannot use throws
   * {@link UnsupportedOperationException} saying why, before anything has moved.
   *
   * @param device the target device
   * @return this module
   */
  public Module to(Device device) {
    if (device == null) throw new NullPointerException(className() + ".to: device is null");
    if (device.isCuda()) device.checkAvailable(className() + ".to");
    try (var g = Autograd.noGrad()) {
      for (Tensor t : parameters()) move(t, device);
      for (Tensor t : buffers()) move(t, device);
    }
    return this;
  }

  // The gradient moves first, so it already matches when the parameter's data changes device.
  private static void move(Tensor t, Device device) {
    Tensor grad = t.grad();
    if (grad != null) {
      try {
        moveData(grad, device);
      } finally {
        grad.close();
      }
    }
    moveData(t, device);
  }

  private static void moveData(Tensor t, Device device) {
    if (t.device().equals(device)) return;
    try (Tensor moved = t.to(device)) {
      t.setData(moved);
    }
  }

  /**
   * {@code module.cuda()}: {@link #to(Device)} CUDA device 0.
   *
   * @return this module
   */
  public Module cuda() {
    return to(Device.cuda());
  }

  /**
   * {@code module.cuda(index)}: {@link #to(Device)} CUDA device index.
   *
   * @param index the CUDA device ordinal
   * @return this module
   */
  public Module cuda(int index) {
    return to(Device.cuda(index));
  }

  /**
   * {@code module.cpu()}: every parameter and buffer back to host memory, in place.
   *
   * @return this module
   */
  public Module cpu() {
    return to(Device.CPU);
  }

  /**
   * {@code module.double()}: floating-point parameters and buffers to float64.
   *
   * @return this module
   */
  public Module toDouble() {
    return to(DType.FLOAT64);
  }

  /**
   * {@code module.float()}: floating-point parameters and buffers to float32.
   *
   * @return this module
   */
  public Module toFloat() {
    return to(DType.FLOAT32);
  }

  /**
   * {@code requires_grad_(flag)}: freezes (false) or unfreezes every parameter.
   *
   * @param requiresGrad whether the parameters record gradients
   * @return this module
   */
  public Module requiresGrad_(boolean requiresGrad) {
    for (Tensor p : parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // state dict

  /**
   * {@code state_dict()}: parameters and persistent buffers by dotted name, in PyTorch's key
   * order, as detached tensors sharing storage with the module's (new handles: owned by the
   * current scope, else the caller).
   *
   * @return an ordered map from dotted name to tensor
   */
  public LinkedHashMap<String, Tensor> stateDict() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    saveTo(out, "");
    return out;
  }

  private void saveTo(Map<String, Tensor> out, String prefix) {
    for (Map.Entry<String, Tensor> e : parameters.entrySet())
      if (e.getValue() != null) out.put(prefix + e.getKey(), e.getValue().detach());
    for (Map.Entry<String, Tensor> e : buffers.entrySet())
      if (e.getValue() != null && !nonPersistent.contains(e.getKey())) out.put(prefix + e.getKey(), e.getValue().detach());
    for (Map.Entry<String, Module> e : modules.entrySet()) e.getValue().saveTo(out, prefix + e.getKey() + ".");
  }

  /**
   * {@code load_state_dict(state_dict, strict=True)}.
   *
   * @param stateDict tensors by dotted name, as made by {@link #stateDict()}
   * @return the missing and unexpected keys (both empty, as strict loading demands)
   */
  public IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict) {
    return loadStateDict(stateDict, true);
  }

  /**
   * {@code load_state_dict(state_dict, strict)}: copies values into the parameters and
   * persistent buffers without recording gradients. A shape or dtype mismatch (or a null or closed
   * tensor) is always an error; with strict, missing and unexpected keys are too (one message
   * listing all, like PyTorch's). Everything is checked before anything is copied, so a failed
   * load leaves the module untouched. Unlike PyTorch, which converts silently, a dtype that differs
   * from the module's is refused: convert the module ({@code toDouble()}) or the tensors first.
   *
   * @param stateDict tensors by dotted name, as made by {@link #stateDict()}
   * @param strict fail on missing or unexpected keys
   * @return the missing and unexpected keys
   */
  public IncompatibleKeys loadStateDict(Map<String, Tensor> stateDict, boolean strict) {
    if (stateDict == null) throw new NullPointerException(className() + ".loadStateDict: stateDict is null");
    List<String> missing = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    List<Tensor[]> copies = new ArrayList<>();  // {destination, source}, copied once all is checked
    loadFrom(stateDict, "", missing, unexpected, errors, copies);
    if (strict) {
      if (!unexpected.isEmpty()) errors.add(0, "Unexpected key(s) in state_dict: " + quoted(unexpected) + ". ");
      if (!missing.isEmpty()) errors.add(0, "Missing key(s) in state_dict: " + quoted(missing) + ". ");
    }
    if (!errors.isEmpty())
      throw new IllegalArgumentException("Error(s) in loading state_dict for " + className() + ":\n\t" + String.join("\n\t", errors));
    try (var g = Autograd.noGrad()) {
      for (Tensor[] c : copies) {
        // A checkpoint's tensors may live elsewhere (a CPU file into a CUDA model): bring each to
        // the parameter's device first, as PyTorch's copy_ does across devices.
        if (c[0].device().equals(c[1].device())) c[0].copy_(c[1]);
        else
          try (Tensor here = c[1].to(c[0].device())) {
            c[0].copy_(here);
          }
      }
    }
    return new IncompatibleKeys(missing, unexpected);
  }

  private void loadFrom(Map<String, Tensor> sd, String prefix, List<String> missing,
      List<String> unexpected, List<String> errors, List<Tensor[]> copies) {
    Map<String, Tensor> local = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : parameters.entrySet())
      if (e.getValue() != null) local.put(e.getKey(), e.getValue());
    for (Map.Entry<String, Tensor> e : buffers.entrySet())
      if (e.getValue() != null && !nonPersistent.contains(e.getKey())) local.put(e.getKey(), e.getValue());
    for (Map.Entry<String, Tensor> e : local.entrySet()) {
      String key = prefix + e.getKey();
      Tensor mine = e.getValue();
      if (!sd.containsKey(key)) {
        missing.add(key);
        continue;
      }
      Tensor in = sd.get(key);
      if (in == null) {
        errors.add("While copying the parameter named \"" + key + "\", expected a tensor but got null.");
        continue;
      }
      if (in.isClosed()) {
        errors.add("While copying the parameter named \"" + key + "\", the tensor in the state_dict has been closed.");
        continue;
      }
      if (!Arrays.equals(in.shape(), mine.shape())) {
        errors.add("size mismatch for " + key + ": copying a param with shape " + Arrays.toString(in.shape())
            + " from checkpoint, the shape in current model is " + Arrays.toString(mine.shape()) + ".");
        continue;
      }
      if (in.dtype() != mine.dtype()) {
        errors.add("dtype mismatch for " + key + ": copying a param with dtype " + in.dtype()
            + " from checkpoint, the dtype in current model is " + mine.dtype() + ".");
        continue;
      }
      copies.add(new Tensor[] {mine, in});
    }
    for (String key : sd.keySet()) {
      if (!key.startsWith(prefix)) continue;
      String rest = key.substring(prefix.length());
      int dot = rest.indexOf('.');
      String first = dot < 0 ? rest : rest.substring(0, dot);
      if (!modules.containsKey(first) && !local.containsKey(rest)) unexpected.add(key);
    }
    for (Map.Entry<String, Module> e : modules.entrySet())
      e.getValue().loadFrom(sd, prefix + e.getKey() + ".", missing, unexpected, errors, copies);
  }

  private static String quoted(List<String> keys) {
    StringBuilder sb = new StringBuilder();
    for (String k : keys) {
      if (sb.length() > 0) sb.append(", ");
      sb.append('"').append(k).append('"');
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // printing

  /**
   * PyTorch's class name of this module ({@code Linear}, {@code Sequential}, …).
   *
   * @return the simple class name
   */
  protected String className() {
    String n = getClass().getSimpleName();
    return n.isEmpty() ? getClass().getName() : n;
  }

  /**
   * The text inside the parentheses of this module's own line, like {@code extra_repr()}.
   *
   * @return the extra text; empty by default
   */
  public String extraRepr() {
    return "";
  }

  /** The module tree, as PyTorch's {@code repr(module)} prints it. */
  @Override
  public String toString() {
    List<String> extra = new ArrayList<>();
    String er = extraRepr();
    if (er != null && !er.isEmpty()) extra.addAll(Arrays.asList(er.split("\n", -1)));
    List<String> childLines = new ArrayList<>();
    for (Map.Entry<String, Module> e : modules.entrySet())
      childLines.add("(" + e.getKey() + "): " + indent(e.getValue().toString()));
    List<String> lines = new ArrayList<>(extra);
    lines.addAll(childLines);
    StringBuilder sb = new StringBuilder(className()).append('(');
    if (!lines.isEmpty()) {
      if (extra.size() == 1 && childLines.isEmpty()) sb.append(extra.get(0));
      else sb.append("\n  ").append(String.join("\n  ", lines)).append('\n');
    }
    return sb.append(')').toString();
  }

  private static String indent(String s) {
    String[] parts = s.split("\n", -1);
    if (parts.length == 1) return s;
    StringBuilder sb = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) sb.append('\n').append("  ").append(parts[i]);
    return sb.toString();
  }

  /** Python's repr of a float ({@code 0.01}, {@code 1e-05}, {@code 0.5}), for extra reprs. */
  static String pyFloat(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e16) return String.valueOf((long) v) + ".0";
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) return s;
    String mant = s.substring(0, e);
    if (mant.endsWith(".0")) mant = mant.substring(0, mant.length() - 2);
    int exp = Integer.parseInt(s.substring(e + 1));
    if (exp >= -4 && exp < 16) return new java.math.BigDecimal(s).toPlainString();
    return mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }

  // ---------------------------------------------------------------------------------------------

  /** Frees every parameter, buffer and child this module owns; using them afterwards throws. */
  @Override
  public void close() {
    for (Tensor p : parameters.values()) if (p != null) p.close();
    for (Tensor b : buffers.values()) if (b != null) b.close();
    for (Module m : modules.values()) m.close();
  }
}
