package dev.kindling.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files, the format of MNIST and Fashion-MNIST: a magic number
 * {@code 0x00 0x00 type ndims}, then ndims sizes as big-endian int32, then the values. Only the
 * type 0x08 (unsigned byte), which those datasets use, is supported. Files may be gzip-compressed
 * (recognised by their content, not their name). Everything is checked, and a bad file gives an
 * {@link IdxFormatException} naming the file and what is wrong with it.
 */
public final class Idx {
  /** The type byte of unsigned bytes. */
  public static final int UBYTE = 0x08;

  private Idx() {}

  /**
   * Reads an IDX file, plain or gzip-compressed.
   *
   * @param file the file
   * @return the array
   * @throws IOException if reading fails
   */
  public static IdxArray read(Path file) throws IOException {
    Objects.requireNonNull(file, "Idx.read: file is null");
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads an IDX stream, plain or gzip-compressed; name is used in error messages.
   *
   * @param stream the bytes (not closed)
   * @param name the source's name
   * @return the array
   * @throws IOException if reading fails
   */
  public static IdxArray read(InputStream stream, String name) throws IOException {
    InputStream in = new BufferedInputStream(stream, 1 << 16);
    in.mark(2);
    int b0 = in.read(), b1 = in.read();
    in.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    if (gzip) {
      try {
        in = new GZIPInputStream(in, 1 << 16);
      } catch (ZipException | EOFException e) {
        throw new IdxFormatException("IDX file " + name + ": broken gzip header (" + e.getMessage() + ")", e);
      }
    }
    try {
      return parse(in, name);
    } catch (ZipException e) {
      throw new IdxFormatException("IDX file " + name + ": corrupt gzip data (" + e.getMessage() + ")", e);
    } catch (EOFException e) {
      throw new IdxFormatException("IDX file " + name + ": truncated (the gzip stream ends early)", e);
    }
  }

  private static IdxArray parse(InputStream in, String name) throws IOException {
    byte[] head = in.readNBytes(4);
    if (head.length < 4)
      throw new IdxFormatException("IDX file " + name + ": truncated: " + head.length + " bytes, too short for the 4-byte magic number");
    int magic = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
    if (head[0] != 0 || head[1] != 0)
      throw new IdxFormatException(String.format("IDX file %s: bad magic number 0x%08X (an IDX file starts with two zero bytes, "
          + "the type and the number of dims: 0x00000803 for MNIST images, 0x00000801 for labels)", name, magic));
    int type = head[2] & 0xff, ndims = head[3] & 0xff;
    if (type != UBYTE)
      throw new IdxFormatException(String.format("IDX file %s: element type 0x%02X (%s) is not supported, only 0x08 (unsigned byte)",
          name, type, typeName(type)));
    if (ndims == 0) throw new IdxFormatException("IDX file " + name + ": magic number 0x" + String.format("%08X", magic) + " declares 0 dims");
    byte[] dimBytes = in.readNBytes(4 * ndims);
    if (dimBytes.length < 4 * ndims)
      throw new IdxFormatException("IDX file " + name + ": truncated: the header declares " + ndims + " dims but the file ends after "
          + (4 + dimBytes.length) + " bytes");
    int[] dims = new int[ndims];
    long n = 1;
    for (int i = 0; i < ndims; i++) {
      int d = ((dimBytes[4 * i] & 0xff) << 24) | ((dimBytes[4 * i + 1] & 0xff) << 16) | ((dimBytes[4 * i + 2] & 0xff) << 8)
          | (dimBytes[4 * i + 3] & 0xff);
      if (d < 0) throw new IdxFormatException("IDX file " + name + ": dim " + i + " is negative (" + d + ")");
      dims[i] = d;
      n *= d;
      if (n > Integer.MAX_VALUE - 8)
        throw new IdxFormatException("IDX file " + name + ": dims " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + "… hold more values than fit one array");
    }
    byte[] data = in.readNBytes((int) n);
    if (data.length < n)
      throw new IdxFormatException("IDX file " + name + ": truncated: dims " + Arrays.toString(dims) + " need " + n
          + " bytes of data, the file has " + data.length);
    if (in.read() != -1)
      throw new IdxFormatException("IDX file " + name + ": unexpected bytes after the " + n + " bytes of data that dims "
          + Arrays.toString(dims) + " declare");
    return new IdxArray(dims, data);
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0x08 -> "unsigned byte";
      case 0x09 -> "signed byte";
      case 0x0B -> "int16";
      case 0x0C -> "int32";
      case 0x0D -> "float32";
      case 0x0E -> "float64";
      default -> "unknown type";
    };
  }

  /**
   * Writes array to file as IDX, gzip-compressed when the file name ends with ".gz".
   *
   * @param file the file to write
   * @param array the array
   * @throws IOException if writing fails
   */
  public static void write(Path file, IdxArray array) throws IOException {
    Objects.requireNonNull(file, "Idx.write: file is null");
    Objects.requireNonNull(array, "Idx.write: array is null");
    boolean gzip = file.getFileName().toString().endsWith(".gz");
    try (OutputStream raw = Files.newOutputStream(file)) {
      OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : new BufferedOutputStream(raw, 1 << 16);
      write(out, array);
      out.close();
    }
  }

  /**
   * Writes array as IDX to out (left open; flushed).
   *
   * @param out the stream
   * @param array the array
   * @throws IOException if writing fails
   */
  public static void write(OutputStream out, IdxArray array) throws IOException {
    int[] dims = array.dims();
    DataOutputStream d = new DataOutputStream(out);
    d.writeInt((UBYTE << 8) | dims.length);
    for (int x : dims) d.writeInt(x);
    d.write(array.data());
    d.flush();
  }
}
