package dev.kindling.optim;

import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code optimizer.param_groups}: a list of parameters and the options that apply to
 * them. Why a map of options under PyTorch's names rather than fields: each optimizer has its own
 * options ({@code lr}, {@code weight_decay}, {@code momentum}, {@code betas}, …), schedulers add
 * their own ({@code initial_lr}, {@code max_lr}), and the state dict writes them all by name, as
 * PyTorch's does. Options set here override the optimizer's defaults; the rest are filled in when
 * the group joins an optimizer, and may be changed during training ({@code group.lr(0.01)}).
 */
public final class ParamGroup {
  private final List<Tensor> params;
  private final Map<String, Object> options = new LinkedHashMap<>();

  private ParamGroup(List<Tensor> params) {
    this.params = params;
  }

  /**
   * A group of these parameters (order kept); options not set here come from the optimizer.
   *
   * @param params the parameters, in order
   * @return a new group without options
   */
  public static ParamGroup of(Iterable<? extends Tensor> params) {
    if (params == null) throw new NullPointerException("ParamGroup.of: params is null");
    List<Tensor> list = new ArrayList<>();
    for (Tensor p : params) {
      if (p == null) throw new NullPointerException("ParamGroup.of: params contains null");
      list.add(p);
    }
    return new ParamGroup(list);
  }

  /**
   * A group of these parameters.
   *
   * @param params the parameters, in order
   * @return a new group without options
   */
  public static ParamGroup of(Tensor... params) {
    if (params == null) throw new NullPointerException("ParamGroup.of: params is null");
    return of(java.util.Arrays.asList(params));
  }

  /**
   * The parameters of this group, in order (read-only).
   *
   * @return the parameters
   */
  public List<Tensor> params() {
    return Collections.unmodifiableList(params);
  }

  /**
   * Every option of this group by its PyTorch name (read-only view).
   *
   * @return the options by name
   */
  public Map<String, Object> options() {
    return Collections.unmodifiableMap(options);
  }

  /**
   * Whether this group sets the option key itself (otherwise the optimizer's default applies).
   *
   * @param key the option's PyTorch name, such as "lr"
   * @return true if set
   */
  public boolean has(String key) {
    return options.containsKey(key);
  }

  /**
   * The option under key, or null when absent.
   *
   * @param key the option's PyTorch name
   * @return the value, or null
   */
  public Object get(String key) {
    return options.get(key);
  }

  /**
   * Sets an option under its PyTorch name. Values are numbers, booleans, strings, or lists of
   * numbers (such as {@code betas}); anything else is refused so that state dicts stay plain data.
   *
   * @param key the option's PyTorch name, such as "lr" or "betas"
   * @param value the value
   * @return this group
   * @throws IllegalArgumentException for "params" or a value of another type
   */
  public ParamGroup set(String key, Object value) {
    if (key == null) throw new NullPointerException("ParamGroup.set: key is null");
    if (key.equals("params")) throw new IllegalArgumentException("ParamGroup.set: 'params' is not an option");
    options.put(key, checkValue(key, value));
    return this;
  }

  static Object checkValue(String key, Object value) {
    if (value == null || value instanceof Boolean || value instanceof String) return value;
    if (value instanceof Number n) {
      if (value instanceof Double || value instanceof Float) return n.doubleValue();
      return n.longValue();
    }
    if (value instanceof double[] a) {
      List<Double> l = new ArrayList<>();
      for (double d : a) l.add(d);
      return Collections.unmodifiableList(l);
    }
    if (value instanceof List<?> l) {
      List<Object> copy = new ArrayList<>();
      for (Object o : l) {
        if (!(o instanceof Number)) throw new IllegalArgumentException("ParamGroup: option '" + key + "' must be a list of numbers, got " + l);
        copy.add(o instanceof Double || o instanceof Float ? ((Number) o).doubleValue() : ((Number) o).longValue());
      }
      return Collections.unmodifiableList(copy);
    }
    throw new IllegalArgumentException("ParamGroup: option '" + key + "' has unsupported type " + value.getClass().getName());
  }

  /**
   * The numeric option under key; an error naming the key when absent or not a number.
   *
   * @param key the option's PyTorch name
   * @return the value as a double
   * @throws IllegalStateException when absent or not a number
   */
  public double getDouble(String key) {
    Object v = options.get(key);
    if (v instanceof Number n) return n.doubleValue();
    throw new IllegalStateException("ParamGroup: option '" + key + "' is " + (v == null ? "not set" : "not a number: " + v));
  }

  /**
   * The boolean option under key; an error naming the key when absent or not a boolean.
   *
   * @param key the option's PyTorch name
   * @return the value
   * @throws IllegalStateException when absent or not a boolean
   */
  public boolean getBoolean(String key) {
    Object v = options.get(key);
    if (v instanceof Boolean b) return b;
    throw new IllegalStateException("ParamGroup: option '" + key + "' is " + (v == null ? "not set" : "not a boolean: " + v));
  }

  /**
   * The list-of-numbers option under key (such as {@code betas}).
   *
   * @param key the option's PyTorch name
   * @return a new array of the values
   */
  public double[] getDoubles(String key) {
    Object v = options.get(key);
    if (v instanceof List<?> l) {
      double[] out = new double[l.size()];
      for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).doubleValue();
      return out;
    }
    throw new IllegalStateException("ParamGroup: option '" + key + "' is " + (v == null ? "not set" : "not a list: " + v));
  }

  // Typed shortcuts for the common options.

  /**
   * The learning rate ({@code group['lr']}).
   *
   * @return the lr
   * @throws IllegalStateException when not set
   */
  public double lr() {
    return getDouble("lr");
  }

  /**
   * Sets the learning rate ({@code group['lr'] = lr}).
   *
   * @param lr the learning rate
   * @return this group
   */
  public ParamGroup lr(double lr) {
    return set("lr", lr);
  }

  /**
   * The weight decay ({@code group['weight_decay']}).
   *
   * @return the weight decay
   * @throws IllegalStateException when not set
   */
  public double weightDecay() {
    return getDouble("weight_decay");
  }

  /**
   * Sets the weight decay.
   *
   * @param weightDecay the L2 penalty (decoupled for AdamW)
   * @return this group
   */
  public ParamGroup weightDecay(double weightDecay) {
    return set("weight_decay", weightDecay);
  }

  /**
   * The momentum factor ({@code group['momentum']}).
   *
   * @return the momentum
   * @throws IllegalStateException when not set
   */
  public double momentum() {
    return getDouble("momentum");
  }

  /**
   * Sets the momentum factor.
   *
   * @param momentum the momentum
   * @return this group
   */
  public ParamGroup momentum(double momentum) {
    return set("momentum", momentum);
  }

  /**
   * Adam's coefficients for the running averages ({@code group['betas']}).
   *
   * @return {beta1, beta2}
   */
  public double[] betas() {
    return getDoubles("betas");
  }

  /**
   * Sets Adam's betas.
   *
   * @param beta1 the coefficient of the gradient average
   * @param beta2 the coefficient of the squared-gradient average
   * @return this group
   */
  public ParamGroup betas(double beta1, double beta2) {
    return set("betas", new double[] {beta1, beta2});
  }

  /**
   * The term added to denominators for stability ({@code group['eps']}).
   *
   * @return eps
   * @throws IllegalStateException when not set
   */
  public double eps() {
    return getDouble("eps");
  }

  /**
   * Sets eps.
   *
   * @param eps the term added to denominators
   * @return this group
   */
  public ParamGroup eps(double eps) {
    return set("eps", eps);
  }

  /** Adds the optimizer's defaults for every option this group does not set itself. */
  void fillDefaults(Map<String, Object> defaults) {
    for (Map.Entry<String, Object> e : defaults.entrySet()) options.putIfAbsent(e.getKey(), e.getValue());
  }

  @Override
  public String toString() {
    return "ParamGroup(" + params.size() + " params, " + options + ")";
  }
}
