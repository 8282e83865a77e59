package dev.kindling.optim;

import java.util.List;
import java.util.Map;

/**
 * Typed reads from a scheduler's state dict, for {@link LRScheduler#loadOptions} (a map of plain data: numbers, booleans, strings,
 * lists). Why a reader: a state dict may come back from a checkpoint, where an integer can arrive
 * as a Double or a Long, and a missing or mistyped entry must fail with a message naming the
 * scheduler and the key before anything is loaded.
 */
public final class StateDictReader {
  private final String where;
  private final Map<String, Object> map;

  /**
   * Reads the entries of a scheduler's state dict, failing with messages that name where and the
   * key.
   *
   * @param where the loading method, for messages
   * @param map the state dict
   */
  public StateDictReader(String where, Map<String, Object> map) {
    if (map == null) throw new NullPointerException(where + ": state dict is null");
    this.where = where;
    this.map = map;
  }

  /**
   * Where the state dict is being loaded, for messages ({@code "StepLR.loadStateDict"}).
   *
   * @return the description
   */
  public String where() {
    return where;
  }

  private Object required(String key) {
    if (!map.containsKey(key)) throw new IllegalArgumentException(where + ": state dict has no '" + key + "'");
    Object v = map.get(key);
    if (v == null) throw new IllegalArgumentException(where + ": '" + key + "' is null");
    return v;
  }

  private IllegalArgumentException wrong(String key, String expected, Object v) {
    return new IllegalArgumentException(where + ": '" + key + "' must be " + expected + ", got " + v
        + " (" + v.getClass().getSimpleName() + ")");
  }

  /**
   * A number; also the strings "Infinity", "-Infinity" and "NaN", which is how JSON writers that
   * allow them (Python's, Gson's) give back the infinite {@code best} of a ReduceLROnPlateau.
   *
   * @param key the entry name
   * @return the value
   */
  public double number(String key) {
    Object v = required(key);
    if (v instanceof Number n) return n.doubleValue();
    if ("Infinity".equals(v)) return Double.POSITIVE_INFINITY;
    if ("-Infinity".equals(v)) return Double.NEGATIVE_INFINITY;
    if ("NaN".equals(v)) return Double.NaN;
    throw wrong(key, "a number", v);
  }

  /**
   * An integer entry (a whole number that fits in an int).
   *
   * @param key the entry name
   * @return the value
   * @throws IllegalArgumentException when absent or not such a number
   */
  public int integer(String key) {
    return toInt(key, required(key));
  }

  private int toInt(String key, Object v) {
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE) return (int) d;
    }
    throw wrong(key, "an integer", v);
  }

  /**
   * A boolean entry.
   *
   * @param key the entry name
   * @return the value
   * @throws IllegalArgumentException when absent or not a boolean
   */
  public boolean bool(String key) {
    Object v = required(key);
    if (v instanceof Boolean b) return b;
    throw wrong(key, "a boolean", v);
  }

  /**
   * A string that must be one of the allowed values.
   *
   * @param key the entry name
   * @param allowed the accepted values
   * @return the value
   */
  public String string(String key, String... allowed) {
    Object v = required(key);
    if (!(v instanceof String s)) throw wrong(key, "a string", v);
    for (String a : allowed) if (a.equals(s)) return s;
    throw wrong(key, "one of " + String.join(", ", allowed), v);
  }

  private List<?> list(String key, int size) {
    Object v = required(key);
    if (!(v instanceof List<?> l)) throw wrong(key, "a list", v);
    if (size >= 0 && l.size() != size)
      throw new IllegalArgumentException(where + ": '" + key + "' has " + l.size() + " value(s), expected " + size
          + " (one per parameter group of the optimizer)");
    return l;
  }

  /**
   * A list of numbers; size -1 accepts any length.
   *
   * @param key the entry name
   * @param size the required length, or -1
   * @return a new array
   */
  public double[] doubles(String key, int size) {
    List<?> l = list(key, size);
    double[] out = new double[l.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(l.get(i) instanceof Number n)) throw wrong(key, "a list of numbers", l);
      out[i] = n.doubleValue();
    }
    return out;
  }

  /**
   * A list of integers; size -1 accepts any length.
   *
   * @param key the entry name
   * @param size the required length, or -1
   * @return a new array
   */
  public int[] integers(String key, int size) {
    List<?> l = list(key, size);
    int[] out = new int[l.size()];
    for (int i = 0; i < out.length; i++) {
      if (l.get(i) == null) throw wrong(key, "a list of integers", l);
      out[i] = toInt(key, l.get(i));
    }
    return out;
  }
}
