package dev.kindling.io;

import static dev.kindling.io.IoFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.Sequential;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * safetensors files: those written by the format's specification in Python (gen_io.py) read into
 * the same values as PyTorch held; files written here are byte-identical to the spec writer's;
 * every kind of bad file is refused with a clear message; a failed write leaves the previous file.
 */
class SafeTensorsTest {
  @TempDir Path dir;

  @Test
  void readsEveryDtypeWrittenByTheSpecWriter() {
    JsonObject g = json().getAsJsonObject("dtypes");
    try (Scope s = Kindling.scope(); var c = SafeTensors.read(golden("dtypes.safetensors"))) {
      assertEquals(g.keySet(), c.tensors().keySet());
      for (String k : g.keySet()) assertTensor(g.getAsJsonObject(k), c.tensors().get(k), k);
      assertTrue(c.metadata().isEmpty());
    }
  }

  @Test
  void stateDictFromTheSpecWriterLoadsIntoTheModel() {
    JsonObject g = json().getAsJsonObject("small_state");
    try (Scope s = Kindling.scope(); Sequential m = small(); var c = SafeTensors.read(golden("small_state.safetensors"))) {
      assertEquals(Map.of("format", "pt", "epoch", "7"), c.metadata());
      m.loadStateDict(c.tensors());
      for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) assertTensor(g.getAsJsonObject(e.getKey()), e.getValue(), e.getKey());
    }
  }

  @Test
  void writesTheSameBytesAsTheSpecWriter() throws Exception {
    Path out = dir.resolve("again.safetensors");
    try (Scope s = Kindling.scope(); var c = SafeTensors.read(golden("small_state.safetensors"))) {
      SafeTensors.write(out, c.tensors(), c.metadata());
    }
    assertArrayEquals(bytes("small_state.safetensors"), Files.readAllBytes(out));
  }

  @Test
  void roundTripsLayoutsNamesAndMetadata() {
    Path out = dir.resolve("rt.safetensors");
    try (Scope s = Kindling.scope()) {
      Tensor base = Tensor.arange(0.0, 12.0, 1.0).reshape(3, 4);
      Map<String, Tensor> ts = new LinkedHashMap<>();
      ts.put("t", base.t());                          // non-contiguous: stored row-major
      ts.put("col", base.select(1, 1));               // offset view
      ts.put("d", Tensor.of(1.5, -2.0));
      ts.put("b", Tensor.of(true, false));
      ts.put("l", Tensor.of(3L, -4L));
      ts.put("naïve \"name\" ✓", Tensor.of(1f));
      ts.put("empty", Tensor.zeros(0, 2));
      SafeTensors.write(out, ts, Map.of("k", "v\n\"w\" ✓"));
      var c = SafeTensors.read(out);
      assertEquals(List.of("l", "d", "col", "empty", "naïve \"name\" ✓", "t", "b"), List.copyOf(c.tensors().keySet()));
      for (String k : ts.keySet()) {
        Tensor a = ts.get(k), b = c.tensors().get(k);
        assertEquals(a.dtype(), b.dtype(), k);
        assertArrayEquals(a.shape(), b.shape(), k);
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), k);
        assertTrue(b.isContiguous(), k);
      }
      assertEquals(Map.of("k", "v\n\"w\" ✓"), c.metadata());
    }
  }

  /** Writes the file that `gen_io.py --check` verifies, and runs that check where PyTorch exists. */
  @Test
  void fileWrittenHereIsReadByThePythonSpecReader() throws Exception {
    Path out = Path.of("target", "io-check", "kindling.safetensors").toAbsolutePath();
    Files.createDirectories(out.getParent());
    try (Scope s = Kindling.scope()) {
      Map<String, Tensor> ts = new LinkedHashMap<>();
      ts.put("weight", Tensor.arange(0.0, 6.0, 1.0).reshape(2, 3).div(4.0));
      ts.put("steps", Tensor.of(1L, -2L, 205891132094649L));
      ts.put("mask", Tensor.of(new boolean[] {true, false, false, true}).reshape(2, 2));
      ts.put("f64", Tensor.of(0.1, 1e-300));
      ts.put("scalar", Tensor.scalar(-1.5));
      ts.put("zero", Tensor.zeros(0, 4));
      ts.put("uni ✓", Tensor.of(7f));
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("epoch", "12");
      meta.put("arch", "résnet \"18\"");
      SafeTensors.write(out, ts, meta);
    }
    Path script = Path.of("src", "test", "resources", "golden", "gen_io.py").toAbsolutePath();
    org.junit.jupiter.api.Assumptions.assumeTrue(pythonWithTorch(), "no /usr/bin/python3 with torch: run gen_io.py --check by hand");
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), "--check", out.toString()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), log);
    assertTrue(log.startsWith("OK"), log);
  }

  static boolean pythonWithTorch() {
    if (!Files.isExecutable(Path.of("/usr/bin/python3"))) return false;
    try {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  // ---- bad files

  private static byte[] file(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  private static String refused(byte[] image) {
    return assertThrows(IllegalArgumentException.class, () -> SafeTensors.parse(image)).getMessage();
  }

  @Test
  void badFilesAreRefusedWithClearMessages() {
    String ok = "{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    try (Scope s = Kindling.scope()) {
      assertEquals(1, SafeTensors.parse(file(ok, 8)).tensors().size());
    }
    assertTrue(refused(new byte[3]).contains("too small"));
    byte[] absurd = file("{}", 0);
    absurd[7] = 0x7f;
    assertTrue(refused(absurd).contains("header length") && refused(absurd).contains("absurd"));
    byte[] tooLong = file("{}", 0);
    tooLong[0] = 100;
    assertTrue(refused(tooLong).contains("exceeds"));
    assertTrue(refused(file(ok, 4)).contains("truncated"));
    assertTrue(refused(file(ok, 12)).contains("trailing bytes"));
    assertTrue(refused(file("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},}", 8)).contains("invalid JSON"));
    assertTrue(refused(file("PK\u0003\u0004 not json", 0)).contains("does not start with '{'"));
    assertTrue(refused(file("{\"t\":{\"dtype\":\"Q8\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8)).contains("unknown dtype 'Q8'"));
    assertTrue(refused(file("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,80]}}", 8)).contains("span 80 bytes"));
    assertTrue(refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)).contains("overlaps"));
    assertTrue(refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12)).contains("gap"));
    assertTrue(refused(file("{\"__metadata__\":{\"epoch\":7}}", 0)).contains("must be a string"));
    var f16 = assertThrows(UnsupportedOperationException.class, () -> SafeTensors.read(golden("f16.safetensors")));
    assertTrue(f16.getMessage().contains("F16, which is not supported yet"), f16.getMessage());
    var missing = assertThrows(UncheckedIOException.class, () -> SafeTensors.read(dir.resolve("nope.safetensors")));
    assertTrue(missing.getMessage().contains("No such file"), missing.getMessage());
  }

  @Test
  void everyTruncationIsRefusedAndLeavesTheModelUntouched() {
    byte[] good = bytes("small_state.safetensors");
    try (Scope s = Kindling.scope(); Sequential m = small()) {
      var before = snapshot(m);
      for (int n = 0; n < good.length; n++) {
        byte[] cut = Arrays.copyOf(good, n);
        assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(SafeTensors.parse(cut).tensors()), "cut at " + n);
      }
      assertSameSnapshot(before, snapshot(m));
    }
  }

  // ---- atomic writes

  private static long tempFiles(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().contains(".tmp.")).count();
    }
  }

  @Test
  void aFailedWriteLeavesThePreviousFileAndNoTempFile() throws Exception {
    Path target = dir.resolve("model.safetensors");
    try (Scope s = Kindling.scope()) {
      SafeTensors.write(target, Map.of("w", Tensor.of(1f, 2f)), Map.of("epoch", "1"));
      byte[] good = Files.readAllBytes(target);
      // A tensor closed before the write: refused before a byte is written.
      Tensor closed = Tensor.of(3f);
      closed.close();
      assertThrows(IllegalStateException.class, () -> SafeTensors.write(target, Map.of("w", closed)));
      assertArrayEquals(good, Files.readAllBytes(target));
      // The last step fails: the data is written and synced, then renaming over the target fails
      // (here the target is a non-empty directory). The temp file must go.
      Path asDir = dir.resolve("taken");
      Files.createDirectories(asDir.resolve("inside"));
      var e = assertThrows(UncheckedIOException.class, () -> SafeTensors.write(asDir, Map.of("w", Tensor.of(5f))));
      assertTrue(e.getMessage().contains("renaming the temporary file"), e.getMessage());
      assertTrue(Files.isDirectory(asDir.resolve("inside")));
      // The directory disappears.
      Path gone = dir.resolve("gone");
      Files.createDirectories(gone);
      Files.delete(gone);
      assertThrows(UncheckedIOException.class, () -> SafeTensors.write(gone.resolve("x.safetensors"), Map.of("w", Tensor.of(5f))));
      assertArrayEquals(good, Files.readAllBytes(target));
      assertEquals(0, tempFiles(dir));
      assertArrayEquals(new float[] {1f, 2f}, SafeTensors.load(target).get("w").toFloatArray());
    }
  }

  @Test
  void nothingLeaks() {
    long before = Kindling.liveTensors();
    for (int i = 0; i < 20; i++) {
      try (Scope s = Kindling.scope()) {
        SafeTensors.read(golden("dtypes.safetensors"));
        assertThrows(RuntimeException.class, () -> SafeTensors.parse(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, '{'}));
      }
      try (var c = SafeTensors.read(golden("dtypes.safetensors"))) {
        assertEquals(DType.FLOAT64, c.tensors().get("f64").dtype());
      }
    }
    LeakCheck.assertNotAbove(before, "safetensors reads");
  }
}
