package dev.kindling.internal;

import dev.kindling.DType;
import dev.kindling.Device;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a tensor exactly as PyTorch 1.13's {@code repr(tensor)} does (torch/_tensor_str.py), so
 * output can be compared with Python's character for character:
 *
 * <pre>
 * tensor([[1., 2.],
 *         [3., 4.]])
 * tensor([ 0.5000, -1.2500], dtype=torch.float64)
 * tensor([], size=(0, 3))
 * </pre>
 *
 * <p>The work is split as in PyTorch: pick the values to show (all of them, or the 3 edge items of
 * every long dim when there are more than 1000 elements), format them to one width
 * ({@link ElementFormatter}), lay them out in nested brackets wrapped at 80 columns, then append
 * the suffixes ({@code device=}, {@code size=}, {@code dtype=}, and whatever the caller adds, such
 * as autograd's {@code grad_fn=<AddBackward0>} or {@code requires_grad=True}).
 */
public final class TensorFormatter {
  /** PyTorch's default print options. */
  static final int PRECISION = 4, THRESHOLD = 1000, EDGE_ITEMS = 3, LINE_WIDTH = 80;

  private static final String PREFIX = "tensor(";

  private TensorFormatter() {}

  /** {@code repr(t)} for a tensor without autograd information. */
  public static String format(Tensor t) {
    return format(t, List.of());
  }

  /**
   * {@code repr(t)} with extra suffixes after PyTorch's own (device, size, dtype), for example
   * {@code "grad_fn=<MulBackward0>"} or {@code "requires_grad=True"}; each is placed on the last
   * line or, if it would pass 80 columns, on a new one.
   */
  public static String format(Tensor t, List<String> extraSuffixes) {
    long[] shape = t.shape();
    DType dtype = t.dtype();
    long numel = t.numel();
    int indent = PREFIX.length();

    List<String> suffixes = new ArrayList<>();
    Device device = t.device();
    if (!device.equals(Device.CPU)) suffixes.add("device='" + device + "'");
    String body;
    if (numel == 0) {
      // No values tell the dtype or the shape, so both are spelled out (as NumPy does).
      if (shape.length != 1) suffixes.add("size=" + pythonTuple(shape));
      if (dtype != DType.FLOAT32) suffixes.add("dtype=" + dtype);
      body = "[]";
    } else {
      // float32 is the default; int64 and bool are told apart by how their values print.
      if (dtype == DType.FLOAT64) suffixes.add("dtype=" + dtype);
      body = new Body(t, shape, dtype, numel > THRESHOLD).render(indent);
    }
    suffixes.addAll(extraSuffixes);
    return addSuffixes(PREFIX + body, suffixes, indent);
  }

  /** PyTorch's {@code _add_suffixes}, including its way of counting the last line's length. */
  private static String addSuffixes(String text, List<String> suffixes, int indent) {
    StringBuilder b = new StringBuilder(text);
    int lastLineLength = text.length() - text.lastIndexOf('\n') + 1;
    for (String suffix : suffixes) {
      if (lastLineLength + suffix.length() + 2 > LINE_WIDTH) {
        b.append(",\n").append(spaces(indent)).append(suffix);
        lastLineLength = indent + suffix.length();
      } else {
        b.append(", ").append(suffix);
        lastLineLength += suffix.length() + 2;
      }
    }
    return b.append(')').toString();
  }

  /** Python's {@code str(tuple(shape))}: {@code (0, 3)}, {@code (0,)}. */
  private static String pythonTuple(long[] shape) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) b.append(", ");
      b.append(shape[i]);
    }
    if (shape.length == 1) b.append(',');
    return b.append(')').toString();
  }

  private static String spaces(int n) {
    return " ".repeat(Math.max(0, n));
  }

  /**
   * The shown part of a non-empty tensor and its layout. Along a summarised dim (size &gt; 6 when
   * the tensor has more than 1000 elements) only the first and last 3 indices are shown, with
   * "..." between them; {@code cells} holds the formatted shown values in row-major order.
   */
  private static final class Body {
    private final int ndim;
    private final long[] shownSizes;
    private final boolean[] summarised;
    private final String[] cells;
    private final int width;

    Body(Tensor t, long[] shape, DType dtype, boolean summarize) {
      ndim = shape.length;
      shownSizes = new long[ndim];
      summarised = new boolean[ndim];
      for (int d = 0; d < ndim; d++) {
        summarised[d] = summarize && shape[d] > 2 * EDGE_ITEMS;
        shownSizes[d] = summarised[d] ? 2 * EDGE_ITEMS : shape[d];
      }
      ShownValues v = ShownValues.read(t, shape, summarised, dtype);
      ElementFormatter f;
      if (dtype == DType.INT64) f = ElementFormatter.forLongs(v.longs);
      else if (dtype == DType.BOOL) f = ElementFormatter.forBooleans(v.booleans);
      else f = ElementFormatter.forFloats(v.doubles, PRECISION);
      cells = new String[v.count];
      for (int i = 0; i < cells.length; i++) {
        if (dtype == DType.INT64) cells[i] = f.format(v.longs[i]);
        else if (dtype == DType.BOOL) cells[i] = f.format(v.booleans[i]);
        else cells[i] = f.format(v.doubles[i]);
      }
      width = f.width();
    }

    String render(int indent) {
      if (ndim == 0) return cells[0];
      StringBuilder b = new StringBuilder();
      render(b, 0, 0, indent);
      return b.toString();
    }

    /** Appends the sub-tensor at dim {@code d} whose first cell is {@code first}. */
    private void render(StringBuilder b, int d, int first, int indent) {
      if (d == ndim - 1) {
        renderVector(b, d, first, indent);
        return;
      }
      int block = 1;
      for (int k = d + 1; k < ndim; k++) block *= (int) shownSizes[k];
      String separator = "," + "\n".repeat(ndim - d - 1) + spaces(indent + 1);
      b.append('[');
      for (int i = 0; i < shownSizes[d]; i++) {
        if (i > 0) b.append(separator);
        if (summarised[d] && i == EDGE_ITEMS) b.append("...").append(separator);
        render(b, d + 1, first + i * block, indent + 1);
      }
      b.append(']');
    }

    /** The innermost dim: as many elements per line as fit in 80 columns after the indent. */
    private void renderVector(StringBuilder b, int d, int first, int indent) {
      List<String> items = new ArrayList<>();
      for (int i = 0; i < shownSizes[d]; i++) {
        if (summarised[d] && i == EDGE_ITEMS) items.add(" ...");
        items.add(cells[first + i]);
      }
      int perLine = Math.max(1, Math.floorDiv(LINE_WIDTH - indent, width + 2));
      String lineBreak = ",\n" + spaces(indent + 1);
      b.append('[');
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) b.append(i % perLine == 0 ? lineBreak : ", ");
        b.append(items.get(i));
      }
      b.append(']');
    }
  }

  /**
   * The shown values, read from native memory in row-major order of the shown sizes. Without
   * summarising that is the whole tensor; with it, each combination of leading/trailing edge
   * blocks is a narrowed view read separately, so a huge tensor costs only its edges.
   */
  private static final class ShownValues {
    double[] doubles;
    long[] longs;
    boolean[] booleans;
    int count;

    static ShownValues read(Tensor t, long[] shape, boolean[] summarised, DType dtype) {
      ShownValues v = new ShownValues();
      int ndim = shape.length;
      List<Integer> cut = new ArrayList<>();
      for (int d = 0; d < ndim; d++) if (summarised[d]) cut.add(d);
      if (cut.isEmpty()) {
        v.take(t, dtype);
        return v;
      }
      long[] shown = new long[ndim];
      long total = 1;
      for (int d = 0; d < ndim; d++) {
        shown[d] = summarised[d] ? 2 * EDGE_ITEMS : shape[d];
        total *= shown[d];
      }
      v.allocate(dtype, (int) total);
      // Temporaries are closed here, not left in the caller's scope.
      try (Scope s = Kindling.scope()) {
        for (int mask = 0; mask < (1 << cut.size()); mask++) {
          Tensor block = t;
          long[] offset = new long[ndim];
          for (int c = 0; c < cut.size(); c++) {
            int d = cut.get(c);
            boolean tail = (mask & (1 << c)) != 0;
            block = block.narrow(d, tail ? shape[d] - EDGE_ITEMS : 0, EDGE_ITEMS);
            offset[d] = tail ? EDGE_ITEMS : 0;
          }
          ShownValues part = new ShownValues();
          part.take(block, dtype);
          v.place(part, block.shape(), offset, shown);
        }
      }
      return v;
    }

    private void take(Tensor t, DType dtype) {
      if (dtype == DType.INT64) count = (longs = t.toLongArray()).length;
      else if (dtype == DType.BOOL) count = (booleans = t.toBooleanArray()).length;
      else count = (doubles = t.toDoubleArray()).length;
    }

    private void allocate(DType dtype, int n) {
      count = n;
      if (dtype == DType.INT64) longs = new long[n];
      else if (dtype == DType.BOOL) booleans = new boolean[n];
      else doubles = new double[n];
    }

    /** Copies a block (row-major, sizes {@code sizes}) to {@code offset} within the shown grid. */
    private void place(ShownValues part, long[] sizes, long[] offset, long[] shown) {
      int ndim = sizes.length;
      long[] index = new long[ndim];
      for (int i = 0; i < part.count; i++) {
        long dest = 0;
        for (int d = 0; d < ndim; d++) dest = dest * shown[d] + offset[d] + index[d];
        int j = (int) dest;
        if (longs != null) longs[j] = part.longs[i];
        else if (booleans != null) booleans[j] = part.booleans[i];
        else doubles[j] = part.doubles[i];
        for (int d = ndim - 1; d >= 0; d--) {
          if (++index[d] < sizes[d]) break;
          index[d] = 0;
        }
      }
    }
  }
}
