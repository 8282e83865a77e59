package dev.kindling.io;

import dev.kindling.Pins;
import dev.kindling.Tensor;
import dev.kindling.internal.KindlingNative;
import dev.kindling.internal.Native;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * Reading and writing <a href="https://github.com/huggingface/safetensors">safetensors</a> files:
 * an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
 * range (plus an optional {@code __metadata__} map of strings), then the raw little-endian data.
 * Files written here are what the safetensors library writes for the same tensors (tensors sorted
 * by dtype and name, header padded with spaces to 8 bytes), so {@code safetensors.torch.load_file}
 * reads them; writes are atomic (temp file, fsync, rename, directory fsync), so a failed or
 * interrupted save never leaves a torn file where the last good one was.
 *
 * <p>Reading validates the whole file before trusting it. Errors: a file that is not valid
 * safetensors (truncated, absurd header length, bad JSON, offsets out of range, overlapping or not
 * covering the data) gives an {@link IllegalArgumentException} naming the file and the problem; a
 * dtype the format defines but Kindling does not hold yet (F16, BF16, I32, …) an
 * {@link UnsupportedOperationException}; a file system failure an {@link java.io.UncheckedIOException}.
 * Kindling holds F32, F64, I64 and BOOL.
 */
public final class SafeTensors {
  private SafeTensors() {}

  /**
   * The tensors of a file in header order, and its metadata. The tensors are new handles, owned by
   * the current scope (else by the caller); {@link #close()} releases them all.
   */
  public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) implements AutoCloseable {
    @Override
    public void close() {
      for (Tensor t : tensors.values()) t.close();
    }
  }

  /**
   * Reads a whole file: tensors and {@code __metadata__}.
   *
   * @param path the .safetensors file
   * @return the tensors and metadata
   */
  public static Contents read(Path path) {
    try (NativeFile f = NativeFile.safetensors(path)) {
      return contents(f);
    }
  }

  /**
   * Reads a whole file; see {@link #read(Path)}.
   *
   * @param path the .safetensors file
   * @return the tensors and metadata
   */
  public static Contents read(String path) {
    return read(Path.of(path));
  }

  /**
   * Parses a safetensors image held in memory (same checks as reading a file).
   *
   * @param image the file's bytes
   * @return the tensors and metadata
   */
  public static Contents parse(byte[] image) {
    if (image == null) throw new NullPointerException("SafeTensors.parse: image is null");
    try (NativeFile f = NativeFile.safetensors(image)) {
      return contents(f);
    }
  }

  /**
   * Just the tensors of a file, by name in header order (like {@code safetensors.torch.load_file}).
   *
   * @param path the .safetensors file
   * @return the tensors by name
   */
  public static LinkedHashMap<String, Tensor> load(Path path) {
    return read(path).tensors();
  }

  /**
   * Just the tensors of a file; see {@link #load(Path)}.
   *
   * @param path the .safetensors file
   * @return the tensors by name
   */
  public static LinkedHashMap<String, Tensor> load(String path) {
    return load(Path.of(path));
  }

  private static Contents contents(NativeFile f) {
    int n = f.numTensors();
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    try {
      for (int i = 0; i < n; i++) out.put(f.tensorName(i), f.tensor(i));
    } catch (RuntimeException e) {
      for (Tensor t : out.values()) t.close();
      throw e;
    }
    return new Contents(out, Collections.unmodifiableMap(f.metadata()));
  }

  /**
   * Writes tensors without metadata.
   *
   * @param path the file to write
   * @param tensors the tensors by name
   */
  public static void write(Path path, Map<String, Tensor> tensors) {
    write(path, tensors, Map.of());
  }

  /**
   * Writes tensors (any layout: non-contiguous ones are written row-major) and string metadata
   * to path, atomically. Names must be unique and not {@code "__metadata__"}.
   *
   * @param path the file to write
   * @param tensors the tensors by name
   * @param metadata string pairs stored under {@code __metadata__}
   */
  public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) {
    Pins pins = Pins.enter();
    try {
      if (tensors == null) throw new NullPointerException("SafeTensors.write: tensors is null");
      if (metadata == null) throw new NullPointerException("SafeTensors.write: metadata is null");
      List<String> names = new ArrayList<>(tensors.keySet());
      long[] handles = new long[names.size()];
      for (int i = 0; i < handles.length; i++) {
        String name = names.get(i);
        if (name == null) throw new NullPointerException("SafeTensors.write: a tensor name is null");
        Tensor t = tensors.get(name);
        if (t == null) throw new NullPointerException("SafeTensors.write: tensor '" + name + "' is null");
        if (t.isClosed()) throw new IllegalStateException("SafeTensors.write: tensor '" + name + "' has been closed");
        handles[i] = t.nativeHandle();
      }
      // CUDA tensors are written from host copies (the writer reads host memory), made here and
      // closed once the file is written.
      List<Tensor> hostCopies = new ArrayList<>();
      try {
        for (int i = 0; i < handles.length; i++) {
          Tensor t = tensors.get(names.get(i));
          if (t.isCuda()) {
            try (Tensor d = t.detach()) {
              Tensor c = d.cpu();
              hostCopies.add(c);
              handles[i] = c.nativeHandle();
            }
          }
        }
        writeHandles(path, names, handles, metadata);
      } finally {
        for (Tensor c : hostCopies) c.close();
      }
      java.lang.ref.Reference.reachabilityFence(tensors);
    } finally {
      pins.exit();
    }
  }

  private static void writeHandles(Path path, List<String> names, long[] handles, Map<String, String> metadata) {
    ByteArrayOutputStream nameBytes = new ByteArrayOutputStream();
    long[] nameLens = new long[names.size()];
    for (int i = 0; i < nameLens.length; i++) nameLens[i] = append(nameBytes, names.get(i));
    ByteArrayOutputStream metaBytes = new ByteArrayOutputStream();
    long[] metaLens = new long[2 * metadata.size()];
    int k = 0;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      if (e.getKey() == null || e.getValue() == null)
        throw new NullPointerException("SafeTensors.write: metadata holds a null key or value");
      metaLens[k++] = append(metaBytes, e.getKey());
      metaLens[k++] = append(metaBytes, e.getValue());
    }
    // The tensors stay referenced by this frame (reachable: no cleaner can release them) until the
    // native call returns; the core takes its own references while it writes.
    try (BytePointer p = NativeFile.pathBytes(path);
        LongPointer hs = new LongPointer(handles.length == 0 ? new long[1] : handles);
        BytePointer nb = new BytePointer(nonEmpty(nameBytes.toByteArray()));
        LongPointer nl = new LongPointer(nameLens.length == 0 ? new long[1] : nameLens);
        BytePointer mb = new BytePointer(nonEmpty(metaBytes.toByteArray()));
        LongPointer ml = new LongPointer(metaLens.length == 0 ? new long[1] : metaLens)) {
      Native.check(KindlingNative.kd_safetensors_write(p, p.limit(), hs, handles.length, nb, nl, mb, ml, metadata.size()));
    }
  }

  /**
   * Writes tensors and metadata; see {@link #write(Path, Map, Map)}.
   *
   * @param path the file to write
   * @param tensors the tensors by name
   * @param metadata string pairs stored under {@code __metadata__}
   */
  public static void write(String path, Map<String, Tensor> tensors, Map<String, String> metadata) {
    write(Path.of(path), tensors, metadata);
  }

  private static long append(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
    return b.length;
  }

  private static byte[] nonEmpty(byte[] b) {
    return b.length == 0 ? new byte[1] : b;
  }
}
