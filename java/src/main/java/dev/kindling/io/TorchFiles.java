package dev.kindling.io;

import dev.kindling.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading files written by PyTorch's {@code torch.save} (the zip format of PyTorch 1.6 and later):
 * {@code torch.save(model.state_dict(), path)} and checkpoint dicts such as
 * {@code {'epoch', 'arch', 'state_dict', 'best_prec1'}}. Only tensors and plain containers load —
 * the {@code weights_only} subset: the pickle inside is interpreted by a restricted native
 * interpreter that knows {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2},
 * {@code _rebuild_parameter} and the storage types, and refuses anything else (another global such
 * as {@code os.system} or {@code torch.device}, object-building opcodes) without executing it.
 *
 * <p>Tensors keep their layout: views of one storage (a slice, a transpose) stay views sharing
 * memory. float32, float64, int64 and bool load as they are; float16 and bfloat16 are converted to
 * float32, int32 and uint8 to int64; other dtypes are refused. {@code requires_grad} is not
 * restored (loaded tensors are data). Errors: {@link IllegalArgumentException} for a bad or
 * forbidden file, {@link UnsupportedOperationException} for a known but unsupported feature (the
 * legacy pre-1.6 format, compressed entries), {@link java.io.UncheckedIOException} for I/O.
 */
public final class TorchFiles {
  private TorchFiles() {}

  /**
   * {@code torch.load(path)}: the saved object with Java types — None → null, bool → Boolean,
   * int → Long, float → Double, str → String, list and tuple → List (tuples unmodifiable),
   * dict and OrderedDict → LinkedHashMap (keys String or Long, order kept), tensor → Tensor (new
   * handles, owned by the current scope, else by the caller; a tensor saved twice is one object).
   *
   * @param path the file written by torch.save
   * @return the loaded object
   */
  public static Object load(Path path) {
    try (NativeFile f = NativeFile.torch(path)) {
      List<Tensor> tensors = new ArrayList<>();
      try {
        for (int i = 0, n = f.numTensors(); i < n; i++) tensors.add(f.tensor(i));
        return convert(Json.parse(f.structure(), "torch.load: " + path), tensors);
      } catch (RuntimeException e) {
        for (Tensor t : tensors) t.close();
        throw e;
      }
    }
  }

  /**
   * {@code torch.load(path)}; see {@link #load(Path)}.
   *
   * @param path the file written by torch.save
   * @return the loaded object
   */
  public static Object load(String path) {
    return load(Path.of(path));
  }

  /**
   * Loads a file holding a plain state dict ({@code torch.save(model.state_dict(), path)}): names
   * to tensors in saved order, ready for {@code Module.loadStateDict}. Anything else (a checkpoint
   * dict, a list) is an IllegalArgumentException that says what the file holds instead.
   *
   * @param path the file written by torch.save
   * @return the state dict
   */
  public static LinkedHashMap<String, Tensor> loadStateDict(Path path) {
    Object root = load(path);
    try {
      return asStateDict(root, "torch.load: " + path);
    } catch (RuntimeException e) {
      closeAll(root);
      throw e;
    }
  }

  /**
   * Loads a plain state dict; see {@link #loadStateDict(Path)}.
   *
   * @param path the file written by torch.save
   * @return the state dict
   */
  public static LinkedHashMap<String, Tensor> loadStateDict(String path) {
    return loadStateDict(Path.of(path));
  }

  static LinkedHashMap<String, Tensor> asStateDict(Object root, String what) {
    if (!(root instanceof Map<?, ?> m))
      throw new IllegalArgumentException(what + " holds a " + typeName(root) + ", not a state_dict");
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String k))
        throw new IllegalArgumentException(what + " is not a state_dict: key " + e.getKey() + " is not a string");
      if (!(e.getValue() instanceof Tensor t)) {
        String hint = m.containsKey("state_dict") ? " (it looks like a checkpoint dict: use Checkpoint.load(path).stateDict(\"state_dict\"))" : "";
        throw new IllegalArgumentException(what + " is not a state_dict: '" + k + "' holds a " + typeName(e.getValue()) + ", not a tensor" + hint);
      }
      out.put(k, t);
    }
    return out;
  }

  static String typeName(Object o) {
    if (o == null) return "None";
    if (o instanceof Map) return "dict";
    if (o instanceof List) return "list";
    if (o instanceof Long) return "int";
    if (o instanceof Double) return "float";
    if (o instanceof String) return "str";
    if (o instanceof Boolean) return "bool";
    if (o instanceof Tensor) return "tensor";
    return o.getClass().getSimpleName();
  }

  /** Closes every tensor reachable from a loaded object. */
  static void closeAll(Object o) {
    if (o instanceof Tensor t) t.close();
    else if (o instanceof Map<?, ?> m) for (Object v : m.values()) closeAll(v);
    else if (o instanceof List<?> l) for (Object v : l) closeAll(v);
  }

  /** The tagged structure (see native/src/io/torch_file.h) to Java objects. */
  private static Object convert(Object j, List<Tensor> tensors) {
    if (j instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) out.add(convert(x, tensors));
      return out;
    }
    if (!(j instanceof Map<?, ?> m)) return j;  // null, Boolean, Long, Double, String
    Double f = Json.taggedFloat(m);
    if (f != null) return f;
    if (m.size() == 1 && m.get("$tensor") instanceof Long idx) return tensors.get((int) (long) idx);
    if (m.size() == 1 && m.get("$tuple") instanceof List<?> items) {
      List<Object> out = new ArrayList<>(items.size());
      for (Object x : items) out.add(convert(x, tensors));
      return Collections.unmodifiableList(out);
    }
    Object pairs = m.size() == 1 ? (m.containsKey("$dict") ? m.get("$dict") : m.get("$ordered_dict")) : null;
    if (pairs instanceof List<?> ps) {
      LinkedHashMap<Object, Object> out = new LinkedHashMap<>();
      for (Object p : ps) {
        List<?> kv = (List<?>) p;
        out.put(kv.get(0), convert(kv.get(1), tensors));
      }
      return out;
    }
    throw new IllegalStateException("torch.load: unexpected structure element " + m.keySet());
  }
}
