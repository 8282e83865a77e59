package dev.kindling.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IDX files: what is written is read back, plain and gzip-compressed (told apart by content, not
 * name); the header is the one MNIST uses (0x00000803 and big-endian dims); every kind of bad file
 * gives an IdxFormatException that names the file and the fault.
 */
class IdxTest {
  @TempDir Path dir;

  static IdxArray sample() {
    byte[] data = new byte[3 * 4 * 5];
    for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 37);
    return new IdxArray(new int[] {3, 4, 5}, data);
  }

  @Test
  void roundTripPlainAndGzip() throws IOException {
    IdxArray a = sample();
    for (String name : new String[] {"x-idx3-ubyte", "x-idx3-ubyte.gz"}) {
      Path f = dir.resolve(name);
      Idx.write(f, a);
      IdxArray b = Idx.read(f);
      assertEquals(a, b, name);
      assertArrayEquals(new int[] {3, 4, 5}, b.dims());
      assertEquals(3, b.count());
      assertEquals(20, b.itemSize());
      assertEquals((1 * 37) & 0xff, b.get(1), "values are unsigned");
    }
    byte[] plain = Files.readAllBytes(dir.resolve("x-idx3-ubyte"));
    assertEquals(16 + 60, plain.length);
    assertArrayEquals(new byte[] {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5}, Arrays.copyOf(plain, 16), "MNIST's header");
    byte[] gz = Files.readAllBytes(dir.resolve("x-idx3-ubyte.gz"));
    assertEquals(0x1f, gz[0] & 0xff);
    assertEquals(0x8b, gz[1] & 0xff);
    // gzip content under a plain name and plain content under a .gz name are both read
    Files.write(dir.resolve("swapped"), gz);
    Files.write(dir.resolve("swapped.gz"), plain);
    assertEquals(a, Idx.read(dir.resolve("swapped")));
    assertEquals(a, Idx.read(dir.resolve("swapped.gz")));
    // labels: one dim; an empty array
    IdxArray labels = new IdxArray(new int[] {4}, new byte[] {9, 0, 0, 3});
    Idx.write(dir.resolve("l.gz"), labels);
    assertEquals(labels, Idx.read(dir.resolve("l.gz")));
    IdxArray empty = new IdxArray(new int[] {0, 28, 28}, new byte[0]);
    Idx.write(dir.resolve("e"), empty);
    assertEquals(empty, Idx.read(dir.resolve("e")));
  }

  private static byte[] plain(IdxArray a) throws IOException {
    var out = new ByteArrayOutputStream();
    Idx.write(out, a);
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] b) throws IOException {
    var out = new ByteArrayOutputStream();
    try (var z = new GZIPOutputStream(out)) {
      z.write(b);
    }
    return out.toByteArray();
  }

  private static String error(byte[] file) {
    var e = assertThrows(IdxFormatException.class, () -> Idx.read(new ByteArrayInputStream(file), "f.idx"));
    assertTrue(e.getMessage().startsWith("IDX file f.idx: "), e.getMessage());
    return e.getMessage().substring("IDX file f.idx: ".length());
  }

  @Test
  void badFilesAreRejectedWithClearErrors() throws IOException {
    byte[] good = plain(sample());
    assertEquals("bad magic number 0x89504E47 (an IDX file starts with two zero bytes, the type and the number of dims: "
        + "0x00000803 for MNIST images, 0x00000801 for labels)", error(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0}));
    byte[] floats = good.clone();
    floats[2] = 0x0D;
    assertEquals("element type 0x0D (float32) is not supported, only 0x08 (unsigned byte)", error(floats));
    assertEquals("truncated: 2 bytes, too short for the 4-byte magic number", error(new byte[] {0, 0}));
    assertEquals("truncated: 0 bytes, too short for the 4-byte magic number", error(new byte[0]));
    assertEquals("truncated: the header declares 3 dims but the file ends after 10 bytes", error(Arrays.copyOf(good, 10)));
    assertEquals("truncated: dims [3, 4, 5] need 60 bytes of data, the file has 59", error(Arrays.copyOf(good, good.length - 1)));
    assertEquals("unexpected bytes after the 60 bytes of data that dims [3, 4, 5] declare", error(Arrays.copyOf(good, good.length + 3)));
    byte[] noDims = {0, 0, 8, 0};
    assertEquals("magic number 0x00000800 declares 0 dims", error(noDims));
    byte[] negative = good.clone();
    negative[4] = (byte) 0x80;
    assertEquals("dim 0 is negative (-2147483645)", error(negative));
    byte[] huge = {0, 0, 8, 2, 0x7f, 0, 0, 0, 0x7f, 0, 0, 0};
    assertTrue(error(huge).contains("hold more values than fit one array"));
    // compressed: cut short, and corrupted
    byte[] gz = gzip(good);
    assertEquals("truncated (the gzip stream ends early)", error(Arrays.copyOf(gz, gz.length - 12)));
    byte[] corrupt = gz.clone();
    corrupt[gz.length - 6] ^= 0x55;  // inside the CRC/size trailer
    assertTrue(error(corrupt).startsWith("corrupt gzip data"), error(corrupt));
    assertTrue(error(Arrays.copyOf(gz, 5)).startsWith("broken gzip header"));
    // a file that is not there
    assertThrows(java.nio.file.NoSuchFileException.class, () -> Idx.read(dir.resolve("missing")));
  }

  @Test
  void idxArrayChecksItsShape() {
    var e = assertThrows(IllegalArgumentException.class, () -> new IdxArray(new int[] {2, 3}, new byte[5]));
    assertEquals("IdxArray: dims [2, 3] need 6 values, got 5", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new IdxArray(new int[0], new byte[0]));
    int[] dims = {1, 2};
    IdxArray a = new IdxArray(dims, new byte[2]);
    dims[0] = 5;
    assertArrayEquals(new int[] {1, 2}, a.dims(), "the dims are copied");
  }
}
