package dev.kindling.optim;

import dev.kindling.Autograd;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The base of every optimizer, like {@code torch.optim.Optimizer}: parameter groups with their
 * own options, per-parameter state, {@link #zeroGrad()}, {@link #step()} and a state dict in
 * PyTorch's layout. Why per-parameter state is keyed by identity: a parameter is the same Java
 * object everywhere (see {@code Module}), so state follows it the way PyTorch's follows
 * {@code id(p)}. An optimizer owns its state tensors — no scope closes them — and
 * {@link #close()} frees them.
 */
public abstract class Optimizer implements AutoCloseable {
  private final String name;
  private final Map<String, Object> defaults;
  private final List<ParamGroup> groups = new ArrayList<>();
  private final Map<Tensor, Map<String, Object>> state = new IdentityHashMap<>();
  private boolean closed;

  /**
   * @param name the PyTorch class name, used in messages ({@code "SGD"})
   * @param params either parameters (tensors) or {@link ParamGroup}s, not mixed
   * @param defaults every option of this optimizer with its value, by PyTorch name
   */
  protected Optimizer(String name, Iterable<?> params, Map<String, Object> defaults) {
    this.name = name;
    Map<String, Object> d = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : defaults.entrySet()) d.put(e.getKey(), ParamGroup.checkValue(e.getKey(), e.getValue()));
    this.defaults = Collections.unmodifiableMap(d);
    if (params == null) throw new NullPointerException(name + ": params is null");
    List<Tensor> plain = new ArrayList<>();
    List<ParamGroup> given = new ArrayList<>();
    for (Object o : params) {
      if (o instanceof ParamGroup g) given.add(g);
      else if (o instanceof Tensor t) plain.add(t);
      else if (o == null) throw new NullPointerException(name + ": params contains null");
      else throw new IllegalArgumentException(name + ": params must be Tensors or ParamGroups, got " + o.getClass().getName());
    }
    if (!plain.isEmpty() && !given.isEmpty())
      throw new IllegalArgumentException(name + ": params mixes tensors and ParamGroups; pass one or the other");
    if (plain.isEmpty() && given.isEmpty()) throw new IllegalArgumentException(name + ": optimizer got an empty parameter list");
    if (!plain.isEmpty()) given.add(ParamGroup.of(plain));
    for (ParamGroup g : given) addParamGroup(g);
  }

  /**
   * The PyTorch class name of this optimizer.
   *
   * @return the name, such as "SGD" or "Adam"
   */
  public String name() {
    return name;
  }

  /**
   * The optimizer-wide defaults, by PyTorch name (read-only).
   *
   * @return the defaults
   */
  public Map<String, Object> defaults() {
    return defaults;
  }

  /**
   * {@code param_groups}: the groups in order; their options may be changed during training.
   *
   * @return a read-only list of the groups
   */
  public List<ParamGroup> paramGroups() {
    return Collections.unmodifiableList(groups);
  }

  /**
   * {@code add_param_group}: adds a group (used for fine-tuning, when layers are unfrozen later).
   * Options it does not set come from the defaults; a parameter already in another group, or a
   * tensor that is not a leaf, is an error.
   *
   * @param group the new group
   */
  public void addParamGroup(ParamGroup group) {
    checkOpen("addParamGroup");
    if (group == null) throw new NullPointerException(name + ".addParamGroup: group is null");
    if (groups.contains(group)) throw new IllegalArgumentException(name + ".addParamGroup: this group was already added");
    Map<Tensor, Boolean> seen = new IdentityHashMap<>();
    for (ParamGroup g : groups) for (Tensor p : g.params()) seen.put(p, true);
    Map<Tensor, Boolean> own = new IdentityHashMap<>();
    for (Tensor p : group.params()) {
      if (p.isClosed()) throw new IllegalStateException(name + ": a parameter of the group is closed");
      if (!p.isLeaf()) throw new IllegalArgumentException(name + ": can't optimize a non-leaf Tensor");
      if (!p.isFloatingPoint())
        throw new IllegalArgumentException(name + ": can only optimize floating-point tensors, got " + p.dtype());
      if (seen.containsKey(p)) throw new IllegalArgumentException(name + ": some parameters appear in more than one parameter group");
      if (own.put(p, true) != null) throw new IllegalArgumentException(name + ": a parameter group contains the same parameter twice");
    }
    group.fillDefaults(defaults);
    checkGroup(group);
    groups.add(group);
  }

  /**
   * Validates a group's options once the defaults are filled in (ranges of lr, betas, …).
   *
   * @param group a group with every option filled in
   */
  protected void checkGroup(ParamGroup group) {}

  /** {@code zero_grad()}: sets every parameter's gradient to none (PyTorch 2's default). */
  public void zeroGrad() {
    zeroGrad(true);
  }

  /**
   * {@code zero_grad(set_to_none)}: with setToNone the gradients become absent (so {@link #step()}
   * skips those parameters until a backward fills them); otherwise they are zeroed in place.
   *
   * @param setToNone clear the gradients (true) or zero them in place (false)
   */
  public void zeroGrad(boolean setToNone) {
    checkOpen("zeroGrad");
    try (Scope s = dev.kindling.Kindling.scope()) {
      for (ParamGroup g : groups) {
        for (Tensor p : g.params()) {
          if (setToNone) {
            p.setGrad(null);
          } else {
            Tensor grad = p.grad();
            if (grad == null) continue;
            if (grad.gradFn() != null) grad.detach_();
            else grad.requiresGrad_(false);
            grad.zero_();
          }
        }
      }
    }
  }

  /** One update of every parameter that has a gradient. */
  public abstract void step();

  /**
   * {@code step(closure)}: re-evaluates the model with grad enabled, then updates; returns the
   * closure's loss.
   *
   * @param closure computes and returns the loss (calling backward)
   * @return the closure's loss
   */
  public Tensor step(Supplier<Tensor> closure) {
    Tensor loss;
    try (var g = Autograd.enableGrad()) {
      loss = closure.get();
    }
    step();
    return loss;
  }

  // ---------------------------------------------------------------------------------------------
  // state

  /**
   * The state of parameter p (created empty on first use); subclasses keep their buffers here.
   *
   * @param p a parameter of this optimizer
   * @return its mutable state map
   */
  protected Map<String, Object> state(Tensor p) {
    return state.computeIfAbsent(p, k -> new LinkedHashMap<>());
  }

  /**
   * True when p has state (it has been stepped, or state was loaded for it).
   *
   * @param p a parameter of this optimizer
   * @return whether it has state
   */
  protected boolean hasState(Tensor p) {
    Map<String, Object> s = state.get(p);
    return s != null && !s.isEmpty();
  }

  /**
   * Takes a new state tensor out of any scope: the optimizer owns it from now on.
   *
   * @param t a tensor made for the state
   * @return t, now owned by no scope
   */
  protected static Tensor own(Tensor t) {
    return Scope.escape(t);
  }

  /**
   * {@code state_dict()}: state by parameter index and the groups' options with their
   * {@code params} index lists. Tensors are new handles sharing storage with the optimizer's.
   *
   * @return the optimizer's state
   */
  public OptimizerStateDict stateDict() {
    checkOpen("stateDict");
    Map<Integer, Map<String, Object>> outState = new LinkedHashMap<>();
    List<Map<String, Object>> outGroups = new ArrayList<>();
    int index = 0;
    for (ParamGroup g : groups) {
      Map<String, Object> opts = new LinkedHashMap<>(g.options());
      List<Integer> ids = new ArrayList<>();
      for (Tensor p : g.params()) {
        Map<String, Object> s = state.get(p);
        if (s != null && !s.isEmpty()) {
          Map<String, Object> copy = new LinkedHashMap<>();
          for (Map.Entry<String, Object> e : s.entrySet())
            copy.put(e.getKey(), e.getValue() instanceof Tensor t ? t.detach() : e.getValue());
          outState.put(index, copy);
        }
        ids.add(index++);
      }
      opts.put("params", ids);
      outGroups.add(opts);
    }
    return new OptimizerStateDict(outState, outGroups);
  }

  /**
   * {@code load_state_dict}: checks that the saved groups match this optimizer's (same number of
   * groups, same sizes), then takes the saved options and copies the saved state (floating state
   * tensors are cast to their parameter's dtype). Nothing changes when the check fails.
   *
   * @param sd a state dict made by {@link #stateDict()} of the same kind of optimizer
   */
  public void loadStateDict(OptimizerStateDict sd) {
    checkOpen("loadStateDict");
    if (sd == null) throw new NullPointerException(name + ".loadStateDict: state dict is null");
    List<Map<String, Object>> saved = sd.paramGroups();
    if (saved.size() != groups.size())
      throw new IllegalArgumentException(name + ".loadStateDict: loaded state dict has " + saved.size()
          + " parameter group(s), the optimizer has " + groups.size());
    Map<Integer, Tensor> byIndex = new LinkedHashMap<>();
    for (int gi = 0; gi < groups.size(); gi++) {
      Object ids = saved.get(gi).get("params");
      if (!(ids instanceof List<?> list))
        throw new IllegalArgumentException(name + ".loadStateDict: parameter group " + gi + " has no 'params' list");
      List<Tensor> mine = groups.get(gi).params();
      if (list.size() != mine.size())
        throw new IllegalArgumentException(name + ".loadStateDict: loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group "
            + gi + ": " + list.size() + " saved, " + mine.size() + " in the optimizer)");
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof Number n))
          throw new IllegalArgumentException(name + ".loadStateDict: group " + gi + " has a non-integer parameter id " + list.get(i));
        int id = n.intValue();
        if (byIndex.put(id, mine.get(i)) != null)
          throw new IllegalArgumentException(name + ".loadStateDict: parameter id " + id + " appears twice in the saved groups");
      }
      for (Map.Entry<String, Object> e : saved.get(gi).entrySet())
        if (!e.getKey().equals("params")) ParamGroup.checkValue(e.getKey(), e.getValue());
    }
    for (Map.Entry<Integer, Map<String, Object>> e : sd.state().entrySet()) {
      Tensor p = byIndex.get(e.getKey());
      if (p == null)
        throw new IllegalArgumentException(name + ".loadStateDict: state for parameter id " + e.getKey() + " matches no parameter of the saved groups");
      for (Map.Entry<String, Object> s : e.getValue().entrySet()) {
        checkStateEntry(p, s.getKey(), s.getValue());
      }
    }
    // Everything checked: now replace.
    List<Map<String, Object>> fresh = new ArrayList<>();
    try (var g = Autograd.noGrad()) {
      for (Map.Entry<Integer, Map<String, Object>> e : sd.state().entrySet()) {
        Tensor p = byIndex.get(e.getKey());
        Map<String, Object> s = new LinkedHashMap<>();
        for (Map.Entry<String, Object> v : e.getValue().entrySet()) {
          Object value = v.getValue();
          if (v.getKey().equals("step") && value instanceof Tensor t) {
            // Kindling keeps step counts as Java numbers (PyTorch 1.13: a float tensor).
            double d = t.item();
            value = d == Math.rint(d) && Math.abs(d) < 0x1p53 ? (Object) (long) d : (Object) d;
          } else if (value instanceof Tensor t) {
            Tensor c = t.isFloatingPoint() && t.dtype() != p.dtype() ? t.to(p.dtype()) : t.clone();
            if (!c.device().equals(p.device())) {
              // Like PyTorch's load_state_dict: state follows its parameter's device.
              Tensor moved = c.to(p.device());
              c.close();
              c = moved;
            }
            value = own(c.detach_());
          }
          s.put(v.getKey(), value);
        }
        fresh.add(s);
      }
    }
    clearState();
    int k = 0;
    for (Map.Entry<Integer, Map<String, Object>> e : sd.state().entrySet()) state.put(byIndex.get(e.getKey()), fresh.get(k++));
    for (int gi = 0; gi < groups.size(); gi++) {
      ParamGroup g = groups.get(gi);
      for (Map.Entry<String, Object> e : saved.get(gi).entrySet())
        if (!e.getKey().equals("params")) g.set(e.getKey(), e.getValue());
    }
  }

  /**
   * The names of this optimizer's per-parameter state buffers (tensors shaped like their
   * parameter, such as {@code exp_avg}); {@link #loadStateDict} refuses a saved value under one of
   * these names unless it is a floating-point tensor of the parameter's shape (or null, PyTorch's
   * None, which SGD stores for a parameter stepped without momentum).
   *
   * @return the buffer names; empty by default
   */
  protected Set<String> stateBuffers() {
    return Set.of();
  }

  /**
   * Checks one saved state value for parameter p before anything is replaced; subclasses may
   * check more. Buffers named by {@link #stateBuffers()} must be floating-point tensors of p's
   * shape; {@code step} must be a number or a one-element tensor (PyTorch 1.13 saves Adam's and
   * Adagrad's step as a float tensor); any other tensor with more than one element must have p's
   * shape.
   *
   * @param p the parameter the state belongs to
   * @param key the state entry's name
   * @param value the saved value
   */
  protected void checkStateEntry(Tensor p, String key, Object value) {
    if (key.equals("step") && !(value instanceof Number) && !(value instanceof Tensor st && !st.isClosed() && st.numel() == 1))
      throw new IllegalArgumentException(name + ".loadStateDict: state 'step' must be a number or a one-element tensor, got " + value);
    if (stateBuffers().contains(key) && value != null) {
      if (!(value instanceof Tensor t))
        throw new IllegalArgumentException(name + ".loadStateDict: state '" + key + "' must be a tensor, got " + value.getClass().getName());
      if (t.isClosed()) throw new IllegalStateException(name + ".loadStateDict: state tensor '" + key + "' is closed");
      if (!t.isFloatingPoint())
        throw new IllegalArgumentException(name + ".loadStateDict: state '" + key + "' has dtype " + t.dtype() + "; expected a floating-point tensor");
      if (!java.util.Arrays.equals(t.shape(), p.shape()))
        throw new IllegalArgumentException(name + ".loadStateDict: state '" + key + "' has shape " + java.util.Arrays.toString(t.shape())
            + " but its parameter has shape " + java.util.Arrays.toString(p.shape()));
    }
    if (value instanceof Tensor t) {
      if (t.isClosed()) throw new IllegalStateException(name + ".loadStateDict: state tensor '" + key + "' is closed");
      if (t.numel() > 1 && !java.util.Arrays.equals(t.shape(), p.shape()))
        throw new IllegalArgumentException(name + ".loadStateDict: state '" + key + "' has shape " + java.util.Arrays.toString(t.shape())
            + " but its parameter has shape " + java.util.Arrays.toString(p.shape()));
    } else if (value != null && !(value instanceof Number) && !(value instanceof Boolean) && !(value instanceof String) && !(value instanceof List<?>)) {
      throw new IllegalArgumentException(name + ".loadStateDict: state '" + key + "' has unsupported type " + value.getClass().getName());
    }
  }

  private void clearState() {
    for (Map<String, Object> s : state.values())
      for (Object v : s.values())
        if (v instanceof Tensor t) t.close();
    state.clear();
  }

  /**
   * Throws if this optimizer has been closed.
   *
   * @param op the method name, for the message
   * @throws IllegalStateException if closed
   */
  protected final void checkOpen(String op) {
    if (closed) throw new IllegalStateException(name + "." + op + ": the optimizer is closed");
  }

  /** Frees the optimizer's state tensors; the parameters belong to their module and stay. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    clearState();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(name).append(" (");
    for (int i = 0; i < groups.size(); i++) {
      sb.append("\nParameter Group ").append(i);
      for (Map.Entry<String, Object> e : new java.util.TreeMap<>(groups.get(i).options()).entrySet())
        sb.append("\n    ").append(e.getKey()).append(": ").append(e.getValue());
    }
    return sb.append("\n)").toString();
  }
}
