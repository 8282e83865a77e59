package dev.kindling.io;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.Module;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerStateDict;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A training checkpoint in one file — the Java form of PyTorch's
 * {@code torch.save({'epoch': e, 'arch': a, 'state_dict': model.state_dict(), 'optimizer':
 * optimizer.state_dict(), 'best_prec1': b}, path)} and of {@code checkpoint = torch.load(path)}:
 *
 * <pre>{@code
 * Checkpoint.save(path, Checkpoint.entries()
 *     .with("epoch", epoch + 1).with("arch", "resnet18")
 *     .with("state_dict", model.stateDict()).with("best_prec1", best)
 *     .with("optimizer", optimizer.stateDict()).withRngState());
 * try (Checkpoint c = Checkpoint.load(path)) {
 *   model.loadStateDict(c.stateDict("state_dict"));
 *   optimizer.loadStateDict(c.optimizerState("optimizer"));
 *   int start = c.getInt("epoch");
 * }
 * }</pre>
 *
 * <p>Entries are named (no '.' in a name) and hold: a model state dict ({@code Map<String,
 * Tensor>}), an {@link OptimizerStateDict}, a {@link Tensor}, bytes ({@code byte[]}, such as
 * {@link Kindling#getRngState()}), or metadata — String, Long/Integer, Double/Float, Boolean, null,
 * Lists of those and Maps with String keys of those (a scheduler's {@code stateDict()}; nesting
 * allowed), read back with {@link #getMap(String)}.
 *
 * <h2>File format</h2>
 * One <a href="https://github.com/huggingface/safetensors">safetensors</a> file, written
 * atomically (temp file, fsync, rename, directory fsync: a failed or interrupted save leaves the
 * previous checkpoint intact), so any safetensors reader — {@code safetensors.torch.load_file} in
 * PyTorch — opens it. Tensors are named by where they live:
 * <ul>
 *   <li>state dict entry {@code e}, key {@code k}: tensor {@code e.k}
 *       ({@code state_dict.features.0.weight});</li>
 *   <li>optimizer entry {@code e}, state {@code name} of parameter index {@code i}: tensor
 *       {@code e.state.i.name} ({@code optimizer.state.0.momentum_buffer});</li>
 *   <li>tensor entry {@code e}: tensor {@code e}.</li>
 * </ul>
 * The {@code __metadata__} map holds {@code "kindling.checkpoint"} →
 * {@code {"version":1,"entries":[names in order]}} and, for every entry {@code e}, {@code e} → its
 * value as JSON text: numbers ({@code 12} is an integer, {@code 0.625} or {@code 1.0E-8} a double;
 * non-finite doubles {@code {"$float":"nan"|"inf"|"-inf"}}), strings ({@code "\"resnet18\""}),
 * booleans, null and lists as JSON, maps as {@code {"$map":{...}}}; bytes as {@code {"$bytes":"<base64>"}}; a tensor as
 * {@code {"$tensor":"e"}}; a state dict as {@code {"$state_dict":[keys in order]}}; an optimizer
 * state dict as {@code {"$optimizer":{"state":{"0":{"momentum_buffer":{"$tensor":
 * "optimizer.state.0.momentum_buffer"},"step":3}},"param_groups":[{"lr":0.1,…,"params":[0,1]}]}}}.
 * So in Python: {@code json.loads(safe_open(p, "pt").metadata()["epoch"])}.
 *
 * <p>{@link #load} also reads checkpoints written by PyTorch's {@code torch.save} (see
 * {@link TorchFiles}): a dict of tensors becomes a state dict, a dict with {@code state} and
 * {@code param_groups} an optimizer state dict, other values their Java types.
 *
 * <p>A loaded checkpoint owns its tensors (no scope closes them): close it when done; tensors
 * copied into a model or optimizer by {@code loadStateDict} are copies and stay.
 */
public final class Checkpoint implements AutoCloseable {
  /** The metadata key that marks a Kindling checkpoint and lists its entries. */
  public static final String FORMAT_KEY = "kindling.checkpoint";
  /** The entry name {@link Entries#withRngState()} and {@link #rngState()} use. */
  public static final String RNG_STATE = "rng_state";

  private final Path path;
  private final LinkedHashMap<String, Object> entries;
  private final List<Tensor> owned;
  private boolean closed;

  private Checkpoint(Path path, LinkedHashMap<String, Object> entries, List<Tensor> owned) {
    this.path = path;
    this.entries = entries;
    this.owned = owned;
  }

  // ---------------------------------------------------------------------------------------------
  // saving

  /**
   * An ordered set of entries to save, built fluently.
   *
   * @return a new, empty builder
   */
  public static Entries entries() {
    return new Entries();
  }

  /** Entries in the order they were added; {@link #with} replaces an entry of the same name. */
  public static final class Entries {
    private final LinkedHashMap<String, Object> map = new LinkedHashMap<>();

    /**
     * Adds an entry, like {@code 'name': value} in the dict passed to {@code torch.save}; a later
     * call with the same name replaces it.
     *
     * @param name the entry name (no '.')
     * @param value a Tensor, state dict, OptimizerStateDict, number, String, Boolean, byte[], list
     *     or map of plain values
     * @return this builder
     */
    public Entries with(String name, Object value) {
      map.put(name, value);
      return this;
    }

    /**
     * Adds the generator state ({@link Kindling#getRngState()}) as {@value Checkpoint#RNG_STATE}.
     *
     * @return this builder
     */
    public Entries withRngState() {
      return with(RNG_STATE, Kindling.getRngState());
    }

    /**
     * The entries so far, in insertion order.
     *
     * @return a read-only view
     */
    public Map<String, Object> asMap() {
      return Collections.unmodifiableMap(map);
    }
  }

  /**
   * Writes the entries to path; see {@link #save(Path, Map)}.
   *
   * @param path the file to write
   * @param entries the entries, in order
   */
  public static void save(Path path, Entries entries) {
    save(path, entries.map);
  }

  /**
   * Writes the entries to path; see {@link #save(Path, Map)}.
   *
   * @param path the file to write
   * @param entries the entries, in order
   */
  public static void save(String path, Entries entries) {
    save(Path.of(path), entries.map);
  }

  /**
   * Writes the entries to path; see {@link #save(Path, Map)}.
   *
   * @param path the file to write
   * @param entries the entries, in iteration order
   */
  public static void save(String path, Map<String, ?> entries) {
    save(Path.of(path), entries);
  }

  /**
   * Writes the entries (in the map's iteration order) to path atomically. Nothing is written when
   * an entry is invalid (a name with '.', an unsupported value type, a closed tensor).
   *
   * @param path the file to write (replaced atomically)
   * @param entries the entries, in iteration order
   */
  public static void save(Path path, Map<String, ?> entries) {
    if (path == null) throw new NullPointerException("Checkpoint.save: path is null");
    if (entries == null) throw new NullPointerException("Checkpoint.save: entries is null");
    LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> meta = new LinkedHashMap<>();
    List<Object> names = new ArrayList<>();
    for (Map.Entry<String, ?> e : entries.entrySet()) {
      String name = e.getKey();
      checkName(name);
      names.add(name);
      meta.put(name, encode(name, e.getValue(), tensors));
    }
    Map<String, Object> format = new LinkedHashMap<>();
    format.put("version", 1L);
    format.put("entries", names);
    meta.put(FORMAT_KEY, Json.write(format));
    SafeTensors.write(path, tensors, meta);
  }

  private static void checkName(String name) {
    if (name == null) throw new NullPointerException("Checkpoint.save: an entry name is null");
    if (name.isEmpty() || name.indexOf('.') >= 0 || name.equals("__metadata__"))
      throw new IllegalArgumentException("Checkpoint.save: entry name '" + name + "' must be non-empty, without '.', and not __metadata__");
  }

  private static String encode(String name, Object v, Map<String, Tensor> tensors) {
    if (v instanceof Tensor t) {
      putTensor(tensors, name, t, name);
      return Json.write(Map.of("$tensor", name));
    }
    if (v instanceof byte[] b) return Json.write(Map.of("$bytes", Base64.getEncoder().encodeToString(b)));
    if (v instanceof OptimizerStateDict o) return Json.write(Map.of("$optimizer", encodeOptimizer(name, o, tensors)));
    if (v instanceof Map<?, ?> m && isPlainMap(m)) return Json.write(plain(name, v, 0));
    if (v instanceof Map<?, ?> m) {
      List<Object> keys = new ArrayList<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof Tensor t))
          throw new IllegalArgumentException("Checkpoint.save: entry '" + name + "' is a Map but not a state dict (String keys to Tensors)");
        putTensor(tensors, name + "." + k, t, name);
        keys.add(k);
      }
      return Json.write(Map.of("$state_dict", keys));
    }
    return Json.write(plain(name, v, 0));
  }

  private static void putTensor(Map<String, Tensor> tensors, String tensorName, Tensor t, String entry) {
    if (t.isClosed()) throw new IllegalStateException("Checkpoint.save: a tensor of entry '" + entry + "' has been closed");
    if (tensors.put(tensorName, t) != null)
      throw new IllegalArgumentException("Checkpoint.save: tensor name '" + tensorName + "' occurs twice");
  }

  /** A non-empty map with String keys and no tensor among its values: metadata, not a state dict. */
  private static boolean isPlainMap(Map<?, ?> m) {
    if (m.isEmpty()) return false;
    for (Map.Entry<?, ?> e : m.entrySet())
      if (!(e.getKey() instanceof String) || e.getValue() instanceof Tensor) return false;
    return true;
  }

  /**
   * Metadata values: String, integers, floating numbers, Boolean, null, lists of these, and maps
   * with String keys of these (a scheduler's state dict), written as {@code {"$map":{...}}}.
   */
  private static Object plain(String name, Object v, int depth) {
    if (depth > 100) throw new IllegalArgumentException("Checkpoint.save: entry '" + name + "' nests too deep");
    if (v == null || v instanceof String || v instanceof Boolean) return v;
    if (v instanceof Double || v instanceof Float) return ((Number) v).doubleValue();
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) out.add(plain(name, x, depth + 1));
      return out;
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k))
          throw new IllegalArgumentException("Checkpoint.save: entry '" + name + "' has a map with a non-String key " + e.getKey());
        out.put(k, plain(name, e.getValue(), depth + 1));
      }
      return Map.of("$map", out);
    }
    throw new IllegalArgumentException("Checkpoint.save: entry '" + name + "' has unsupported type " + v.getClass().getName()
        + " (supported: state dicts, OptimizerStateDict, Tensor, byte[], String, numbers, Boolean, null, List, Map of these)");
  }

  private static Map<String, Object> encodeOptimizer(String name, OptimizerStateDict o, Map<String, Tensor> tensors) {
    Map<String, Object> state = new LinkedHashMap<>();
    for (Map.Entry<Integer, Map<String, Object>> e : o.state().entrySet()) {
      Map<String, Object> s = new LinkedHashMap<>();
      for (Map.Entry<String, Object> kv : e.getValue().entrySet()) {
        if (kv.getValue() instanceof Tensor t) {
          String tn = name + ".state." + e.getKey() + "." + kv.getKey();
          putTensor(tensors, tn, t, name);
          s.put(kv.getKey(), Map.of("$tensor", tn));
        } else {
          s.put(kv.getKey(), plain(name, kv.getValue(), 1));
        }
      }
      state.put(String.valueOf(e.getKey()), s);
    }
    List<Object> groups = new ArrayList<>();
    for (Map<String, Object> g : o.paramGroups()) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, Object> kv : g.entrySet()) out.put(kv.getKey(), plain(name, kv.getValue(), 1));
      groups.add(out);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("state", state);
    out.put("param_groups", groups);
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // loading

  /**
   * Reads a checkpoint; see {@link #load(Path)}.
   *
   * @param path the file to read
   * @return the checkpoint, which owns its tensors until closed
   */
  public static Checkpoint load(String path) {
    return load(Path.of(path));
  }

  /**
   * Reads a checkpoint written by {@link #save} (or a {@code torch.save} checkpoint dict). The
   * whole file is validated first; a bad file is an IllegalArgumentException naming the problem.
   *
   * @param path the file to read
   * @return the checkpoint, which owns its tensors until closed
   */
  public static Checkpoint load(Path path) {
    if (path == null) throw new NullPointerException("Checkpoint.load: path is null");
    if (isZip(path)) return fromTorch(path);
    SafeTensors.Contents c = SafeTensors.read(path);
    List<Tensor> owned = new ArrayList<>(c.tensors().values());
    for (Tensor t : owned) Scope.escape(t);
    try {
      return new Checkpoint(path, decode(path, c), owned);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private static boolean isZip(Path path) {
    try (var in = Files.newInputStream(path)) {
      byte[] b = in.readNBytes(4);
      return b.length == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
    } catch (java.io.IOException e) {
      return false;  // the native reader reports the problem with the file
    }
  }

  private static LinkedHashMap<String, Object> decode(Path path, SafeTensors.Contents c) {
    String what = "Checkpoint.load: " + path;
    String format = c.metadata().get(FORMAT_KEY);
    if (format == null)
      throw new IllegalArgumentException(what + " is a safetensors file but not a Kindling checkpoint (no '" + FORMAT_KEY
          + "' metadata); read it with SafeTensors.read");
    if (!(Json.parse(format, what) instanceof Map<?, ?> f) || !(f.get("entries") instanceof List<?> names))
      throw new IllegalArgumentException(what + ": bad '" + FORMAT_KEY + "' metadata");
    if (!(f.get("version") instanceof Long v) || v != 1L)
      throw new IllegalArgumentException(what + ": unsupported checkpoint version " + f.get("version"));
    LinkedHashMap<String, Object> out = new LinkedHashMap<>();
    for (Object n : names) {
      if (!(n instanceof String name)) throw new IllegalArgumentException(what + ": bad entry name " + n);
      String text = c.metadata().get(name);
      if (text == null) throw new IllegalArgumentException(what + ": entry '" + name + "' has no metadata");
      if (out.containsKey(name)) throw new IllegalArgumentException(what + ": entry '" + name + "' is listed twice");
      out.put(name, decodeEntry(what, name, Json.parse(text, what + ": entry '" + name + "'"), c.tensors()));
    }
    return out;
  }

  private static Object decodeEntry(String what, String name, Object j, Map<String, Tensor> tensors) {
    if (j instanceof Map<?, ?> m && m.size() == 1) {
      if (m.get("$tensor") instanceof String tn) return tensor(what, tn, tensors);
      if (m.get("$bytes") instanceof String b) {
        try {
          return Base64.getDecoder().decode(b);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(what + ": entry '" + name + "' holds bad base64", e);
        }
      }
      if (m.get("$state_dict") instanceof List<?> keys) {
        LinkedHashMap<String, Tensor> sd = new LinkedHashMap<>();
        for (Object k : keys) {
          if (!(k instanceof String key)) throw new IllegalArgumentException(what + ": entry '" + name + "' has a bad key " + k);
          sd.put(key, tensor(what, name + "." + key, tensors));
        }
        return Collections.unmodifiableMap(sd);
      }
      if (m.get("$optimizer") instanceof Map<?, ?> o) return decodeOptimizer(what, name, o, tensors);
    }
    return decodePlain(what, name, j);
  }

  private static Tensor tensor(String what, String name, Map<String, Tensor> tensors) {
    Tensor t = tensors.get(name);
    if (t == null) throw new IllegalArgumentException(what + ": tensor '" + name + "' is missing from the file");
    return t;
  }

  private static Object decodePlain(String what, String name, Object j) {
    if (j instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) out.add(decodePlain(what, name, x));
      return Collections.unmodifiableList(out);
    }
    if (j instanceof Map<?, ?> m) {
      Double f = Json.taggedFloat(m);
      if (f != null) return f;
      if (m.size() == 1 && m.get("$map") instanceof Map<?, ?> inner) {
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : inner.entrySet()) out.put((String) e.getKey(), decodePlain(what, name, e.getValue()));
        return Collections.unmodifiableMap(out);
      }
      throw new IllegalArgumentException(what + ": entry '" + name + "' holds an unknown object " + m.keySet());
    }
    return j;
  }

  private static OptimizerStateDict decodeOptimizer(String what, String name, Map<?, ?> o, Map<String, Tensor> tensors) {
    if (!(o.get("state") instanceof Map<?, ?> state) || !(o.get("param_groups") instanceof List<?> groups))
      throw new IllegalArgumentException(what + ": optimizer entry '" + name + "' needs 'state' and 'param_groups'");
    Map<Integer, Map<String, Object>> outState = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : state.entrySet()) {
      int index;
      try {
        index = Integer.parseInt((String) e.getKey());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(what + ": optimizer entry '" + name + "' has a bad parameter index '" + e.getKey() + "'");
      }
      if (!(e.getValue() instanceof Map<?, ?> s))
        throw new IllegalArgumentException(what + ": optimizer entry '" + name + "': state " + index + " is not an object");
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> kv : s.entrySet()) {
        Object v = kv.getValue();
        if (v instanceof Map<?, ?> tm && tm.size() == 1 && tm.get("$tensor") instanceof String tn) out.put((String) kv.getKey(), tensor(what, tn, tensors));
        else out.put((String) kv.getKey(), decodePlain(what, name, v));
      }
      outState.put(index, out);
    }
    return new OptimizerStateDict(outState, decodeGroups(what, name, groups));
  }

  private static List<Map<String, Object>> decodeGroups(String what, String name, List<?> groups) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object g : groups) {
      if (!(g instanceof Map<?, ?> gm)) throw new IllegalArgumentException(what + ": optimizer entry '" + name + "' has a bad param group");
      Map<String, Object> group = new LinkedHashMap<>();
      for (Map.Entry<?, ?> kv : gm.entrySet()) {
        String k = String.valueOf(kv.getKey());
        Object v = kv.getValue() instanceof Map<?, ?> || kv.getValue() instanceof List<?> ? decodePlain(what, name, toJsonish(kv.getValue())) : kv.getValue();
        if (k.equals("params")) {
          if (!(v instanceof List<?> ids)) throw new IllegalArgumentException(what + ": optimizer entry '" + name + "': 'params' is not a list");
          List<Integer> params = new ArrayList<>();
          for (Object id : ids) {
            if (!(id instanceof Long l) || l < 0 || l > Integer.MAX_VALUE)
              throw new IllegalArgumentException(what + ": optimizer entry '" + name + "': bad parameter index " + id);
            params.add((int) (long) l);
          }
          v = params;
        }
        group.put(k, v);
      }
      out.add(group);
    }
    return out;
  }

  /** Torch-file lists are already Java lists; tuples come unmodifiable: copy them as plain lists. */
  private static Object toJsonish(Object v) {
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object x : l) out.add(toJsonish(x));
      return out;
    }
    return v;
  }

  private static Checkpoint fromTorch(Path path) {
    String what = "Checkpoint.load: " + path;
    Object root = TorchFiles.load(path);
    try {
      if (!(root instanceof Map<?, ?> m))
        throw new IllegalArgumentException(what + " holds a " + TorchFiles.typeName(root) + ", not a checkpoint dict");
      List<Tensor> owned = new ArrayList<>();
      collect(root, owned, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
      LinkedHashMap<String, Object> entries = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) throw new IllegalArgumentException(what + ": checkpoint key " + e.getKey() + " is not a string");
        entries.put(k, fromTorchValue(what, k, e.getValue()));
      }
      for (Tensor t : owned) Scope.escape(t);
      return new Checkpoint(path, entries, owned);
    } catch (RuntimeException e) {
      TorchFiles.closeAll(root);
      throw e;
    }
  }

  private static void collect(Object o, List<Tensor> out, Set<Tensor> seen) {
    if (o instanceof Tensor t) {
      if (seen.add(t)) out.add(t);
    } else if (o instanceof Map<?, ?> m) {
      for (Object v : m.values()) collect(v, out, seen);
    } else if (o instanceof List<?> l) {
      for (Object v : l) collect(v, out, seen);
    }
  }

  private static Object fromTorchValue(String what, String name, Object v) {
    if (v instanceof Map<?, ?> m) {
      if (m.containsKey("state") && m.containsKey("param_groups") && m.get("state") instanceof Map<?, ?> st
          && m.get("param_groups") instanceof List<?> groups) {
        Map<Integer, Map<String, Object>> state = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : st.entrySet()) {
          if (!(e.getKey() instanceof Long idx) || !(e.getValue() instanceof Map<?, ?> s))
            throw new IllegalArgumentException(what + ": optimizer entry '" + name + "' has bad state");
          Map<String, Object> one = new LinkedHashMap<>();
          for (Map.Entry<?, ?> kv : s.entrySet()) one.put(String.valueOf(kv.getKey()), kv.getValue());
          state.put((int) (long) idx, one);
        }
        return new OptimizerStateDict(state, decodeGroups(what, name, groups));
      }
      boolean stateDict = true;
      for (Map.Entry<?, ?> e : m.entrySet()) stateDict &= e.getKey() instanceof String && e.getValue() instanceof Tensor;
      if (stateDict) return Collections.unmodifiableMap(TorchFiles.asStateDict(m, what));
      return Collections.unmodifiableMap(m);
    }
    return v;
  }

  // ---------------------------------------------------------------------------------------------
  // getters

  /**
   * Where this checkpoint was read from.
   *
   * @return the file path
   */
  public Path path() {
    return path;
  }

  /**
   * The entry names in saved order.
   *
   * @return a read-only set of names
   */
  public Set<String> keys() {
    return Collections.unmodifiableSet(entries.keySet());
  }

  /**
   * Whether the checkpoint has an entry called key ({@code key in checkpoint}).
   *
   * @param key the entry name
   * @return true if present
   */
  public boolean has(String key) {
    return entries.containsKey(key);
  }

  /**
   * The raw value of an entry (see the class comment for the types).
   *
   * @param key the entry name
   * @return the value
   * @throws java.util.NoSuchElementException if there is no such entry
   */
  public Object get(String key) {
    checkOpen();
    if (!entries.containsKey(key))
      throw new NoSuchElementException("checkpoint " + path + " has no entry '" + key + "' (entries: " + entries.keySet() + ")");
    return entries.get(key);
  }

  /**
   * An integer entry, such as {@code checkpoint['epoch']}.
   *
   * @param key the entry name
   * @return the value
   * @throws IllegalArgumentException if the entry is not an integer
   */
  public long getLong(String key) {
    Object v = get(key);
    if (v instanceof Long l) return l;
    throw wrongType(key, v, "an integer");
  }

  /**
   * An integer entry that must fit in an int.
   *
   * @param key the entry name
   * @return the value
   * @throws IllegalArgumentException if the entry is not an integer or does not fit
   */
  public int getInt(String key) {
    long v = getLong(key);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)
      throw new IllegalArgumentException("checkpoint entry '" + key + "' = " + v + " does not fit in an int");
    return (int) v;
  }

  /**
   * A number entry (an integer entry converts).
   *
   * @param key the entry name
   * @return the value
   */
  public double getDouble(String key) {
    Object v = get(key);
    if (v instanceof Double d) return d;
    if (v instanceof Long l) return l;
    throw wrongType(key, v, "a number");
  }

  /**
   * A string entry, such as {@code checkpoint['arch']}.
   *
   * @param key the entry name
   * @return the value
   * @throws IllegalArgumentException if the entry is not a string
   */
  public String getString(String key) {
    Object v = get(key);
    if (v instanceof String s) return s;
    throw wrongType(key, v, "a string");
  }

  /**
   * A boolean entry.
   *
   * @param key the entry name
   * @return the value
   * @throws IllegalArgumentException if the entry is not a boolean
   */
  public boolean getBoolean(String key) {
    Object v = get(key);
    if (v instanceof Boolean b) return b;
    throw wrongType(key, v, "a boolean");
  }

  /**
   * A list entry (read-only); elements are Long, Double, String, Boolean, null or lists.
   *
   * @param key the entry name
   * @return a read-only copy
   */
  public List<Object> getList(String key) {
    Object v = get(key);
    if (v instanceof List<?> l) return Collections.unmodifiableList(new ArrayList<>(l));
    throw wrongType(key, v, "a list");
  }

  /**
   * A map entry of plain values (such as a scheduler's state dict).
   *
   * @param key the entry name
   * @return the map
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> getMap(String key) {
    Object v = get(key);
    if (v instanceof Map<?, ?> m && !m.values().stream().anyMatch(x -> x instanceof Tensor)) return (Map<String, Object>) v;
    throw wrongType(key, v, "a map of plain values");
  }

  /**
   * A state dict entry, for {@code model.loadStateDict(...)}; the tensors belong to this
   * checkpoint.
   *
   * @param key the entry name
   * @return tensors by dotted name
   */
  @SuppressWarnings("unchecked")
  public Map<String, Tensor> stateDict(String key) {
    Object v = get(key);
    if (v instanceof Map<?, ?> m && !(v instanceof OptimizerStateDict)) {
      for (Map.Entry<?, ?> e : m.entrySet())
        if (!(e.getKey() instanceof String) || !(e.getValue() instanceof Tensor)) throw wrongType(key, v, "a state dict");
      return (Map<String, Tensor>) m;
    }
    throw wrongType(key, v, "a state dict");
  }

  /**
   * An optimizer state dict entry, for {@code optimizer.loadStateDict(...)}.
   *
   * @param key the entry name
   * @return the optimizer state
   */
  public OptimizerStateDict optimizerState(String key) {
    Object v = get(key);
    if (v instanceof OptimizerStateDict o) return o;
    throw wrongType(key, v, "an optimizer state dict");
  }

  /**
   * A tensor entry; it belongs to this checkpoint.
   *
   * @param key the entry name
   * @return the tensor
   */
  public Tensor tensor(String key) {
    Object v = get(key);
    if (v instanceof Tensor t) return t;
    throw wrongType(key, v, "a tensor");
  }

  /**
   * A bytes entry (a copy).
   *
   * @param key the entry name
   * @return a copy of the bytes
   */
  public byte[] bytes(String key) {
    Object v = get(key);
    if (v instanceof byte[] b) return b.clone();
    throw wrongType(key, v, "bytes");
  }

  /**
   * The generator state saved by {@link Entries#withRngState()}, for {@link Kindling#setRngState}.
   *
   * @return the saved generator state
   */
  public byte[] rngState() {
    return bytes(RNG_STATE);
  }

  private IllegalArgumentException wrongType(String key, Object v, String expected) {
    return new IllegalArgumentException("checkpoint entry '" + key + "' is " + describe(v) + ", not " + expected);
  }

  private static String describe(Object v) {
    if (v == null) return "null";
    if (v instanceof OptimizerStateDict) return "an optimizer state dict";
    if (v instanceof Map) return "a dict";
    if (v instanceof byte[]) return "bytes";
    return "a " + TorchFiles.typeName(v) + " (" + (v instanceof Tensor ? "tensor" : v) + ")";
  }

  private void checkOpen() {
    if (closed) throw new IllegalStateException("checkpoint " + path + " has been closed");
  }

  /** Releases the checkpoint's tensors. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (Tensor t : owned) t.close();
  }

  // ---------------------------------------------------------------------------------------------
  // resuming

  /**
   * {@link #resume(String, Module, Optimizer, PrintStream)} printing to {@code System.out}.
   *
   * @param path the checkpoint file
   * @param model the model whose state dict is loaded
   * @param optimizer the optimizer whose state dict is loaded
   * @return the loaded checkpoint, or null when there is no file at path
   */
  public static Checkpoint resume(String path, Module model, Optimizer optimizer) {
    return resume(path, model, optimizer, System.out);
  }

  /**
   * The seed's resume block:
   * <pre>
   * if os.path.isfile(args.resume):
   *     print("=> loading checkpoint '{}'".format(args.resume))
   *     checkpoint = torch.load(args.resume)
   *     model.load_state_dict(checkpoint['state_dict'])
   *     optimizer.load_state_dict(checkpoint['optimizer'])
   *     print("=> loaded checkpoint '{}' (epoch {})".format(args.resume, checkpoint['epoch']))
   * else:
   *     print("=> no checkpoint found at '{}'".format(args.resume))
   * </pre>
   * Loads {@code state_dict} into model and {@code optimizer} into optimizer (either may be null
   * to skip it) and restores the generator state when the checkpoint holds {@value #RNG_STATE}.
   * Returns the open checkpoint (read {@code epoch}, {@code best_prec1}…; then close it), or null
   * when there is no file at path. A bad file throws, and model and optimizer are left as they were.
   *
   * @param path the checkpoint file
   * @param model the model whose state dict is loaded
   * @param optimizer the optimizer whose state dict is loaded
   * @param out where the progress lines are printed
   * @return the loaded checkpoint, or null when there is no file at path
   */
  public static Checkpoint resume(String path, Module model, Optimizer optimizer, PrintStream out) {
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      out.println("=> no checkpoint found at '" + path + "'");
      return null;
    }
    out.println("=> loading checkpoint '" + path + "'");
    Checkpoint c = load(path);
    try {
      Map<String, Tensor> sd = model != null ? c.stateDict("state_dict") : null;
      OptimizerStateDict osd = optimizer != null ? c.optimizerState("optimizer") : null;
      byte[] rng = c.has(RNG_STATE) ? c.rngState() : null;
      // Each loadStateDict checks everything before it changes anything; the optimizer goes first
      // and is put back if the model then refuses its part, so a bad file changes neither.
      OptimizerStateDict backup = optimizer != null ? optimizer.stateDict() : null;
      try {
        if (optimizer != null) optimizer.loadStateDict(osd);
        try {
          if (model != null) model.loadStateDict(sd);
        } catch (RuntimeException e) {
          if (optimizer != null) optimizer.loadStateDict(backup);
          throw e;
        }
      } finally {
        if (backup != null) for (Map<String, Object> s : backup.state().values()) for (Object v : s.values()) if (v instanceof Tensor t) t.close();
      }
      if (rng != null) Kindling.setRngState(rng);
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    out.println("=> loaded checkpoint '" + path + "' (epoch " + (c.has("epoch") ? c.get("epoch") : "?") + ")");
    return c;
  }
}
