package dev.kindling.io;

import dev.kindling.Tensor;
import dev.kindling.internal.KindlingNative;
import dev.kindling.internal.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.bytedeco.javacpp.BytePointer;

/**
 * A file loaded by the native readers ({@code kd_file}): named tensors, safetensors metadata and
 * the torch.save container structure. Strings come back as UTF-8 bytes, so any name survives.
 * Closing it releases the native copy; tensors taken from it are separate handles and stay valid.
 */
final class NativeFile implements AutoCloseable {
  private static final int TENSOR_NAME = 0, METADATA_KEY = 1, METADATA_VALUE = 2, STRUCTURE = 3;
  private long handle;

  private NativeFile(long handle) {
    this.handle = handle;
  }

  static NativeFile safetensors(Path path) {
    try (BytePointer p = pathBytes(path)) {
      return new NativeFile(Native.check(KindlingNative.kd_safetensors_read(p, p.limit())));
    }
  }

  static NativeFile safetensors(byte[] image) {
    try (BytePointer p = new BytePointer(image.length == 0 ? new byte[1] : image)) {
      return new NativeFile(Native.check(KindlingNative.kd_safetensors_parse(p, image.length)));
    }
  }

  static NativeFile torch(Path path) {
    try (BytePointer p = pathBytes(path)) {
      return new NativeFile(Native.check(KindlingNative.kd_torch_load(p, p.limit())));
    }
  }

  static BytePointer pathBytes(Path path) {
    if (path == null) throw new NullPointerException("path is null");
    byte[] b = path.toString().getBytes(StandardCharsets.UTF_8);
    BytePointer p = new BytePointer(b.length == 0 ? new byte[1] : b);
    p.limit(b.length);
    return p;
  }

  int numTensors() {
    return (int) checkCount(KindlingNative.kd_file_num_tensors(h()));
  }

  /** A new handle to tensor i, owned by the current scope (else the caller). */
  Tensor tensor(int i) {
    return Tensor.fromNativeHandle(Native.check(KindlingNative.kd_file_tensor(h(), i)));
  }

  String tensorName(int i) {
    return string(TENSOR_NAME, i);
  }

  LinkedHashMap<String, String> metadata() {
    int n = (int) checkCount(KindlingNative.kd_file_num_metadata(h()));
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) out.put(string(METADATA_KEY, i), string(METADATA_VALUE, i));
    return out;
  }

  String structure() {
    return string(STRUCTURE, 0);
  }

  private String string(int kind, long i) {
    long h = h();
    long n = KindlingNative.kd_file_string(h, kind, i, null, 0);
    if (n < 0) throw Native.lastError();
    if (n > Integer.MAX_VALUE - 16) throw new IllegalStateException("file: string too long for Java (" + n + " bytes)");
    byte[] b = new byte[(int) n];
    if (n > 0 && KindlingNative.kd_file_string(h, kind, i, b, n) < 0) throw Native.lastError();
    return new String(b, StandardCharsets.UTF_8);
  }

  private static long checkCount(long n) {
    if (n < 0) throw Native.lastError();
    return n;
  }

  private long h() {
    if (handle == 0) throw new IllegalStateException("file: already closed");
    return handle;
  }

  @Override
  public void close() {
    long h = handle;
    handle = 0;
    if (h != 0) KindlingNative.kd_file_close(h);
  }
}
