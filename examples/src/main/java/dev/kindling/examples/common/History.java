package dev.kindling.examples.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Training metrics as named columns of numbers, one row per step or epoch (e.g. epoch, loss,
 * accuracy): what the plots draw, what a CSV file keeps, and what a checkpoint carries so that a
 * resumed run continues the same curves.
 */
public final class History {
  private final Map<String, List<Double>> columns = new LinkedHashMap<>();

  /** A history with these columns, in this order. */
  public History(String... names) {
    for (String n : names) columns.put(n, new ArrayList<>());
  }

  /** Appends one row: a value for each column, in column order. */
  public void add(double... values) {
    if (values.length != columns.size())
      throw new IllegalArgumentException("History.add: " + values.length + " values for columns " + columns.keySet());
    int i = 0;
    for (List<Double> c : columns.values()) c.add(values[i++]);
  }

  public List<Double> get(String column) {
    List<Double> c = columns.get(column);
    if (c == null) throw new IllegalArgumentException("History: no column '" + column + "' in " + columns.keySet());
    return c;
  }

  public List<String> names() {
    return List.copyOf(columns.keySet());
  }

  public int size() {
    return columns.isEmpty() ? 0 : columns.values().iterator().next().size();
  }

  /** The last value of column, or NaN when there is none. */
  public double last(String column) {
    List<Double> c = get(column);
    return c.isEmpty() ? Double.NaN : c.get(c.size() - 1);
  }

  /** The whole table as one array, row by row (for a checkpoint). */
  public double[] toArray() {
    int rows = size(), cols = columns.size();
    double[] out = new double[rows * cols];
    int j = 0;
    for (List<Double> c : columns.values()) {
      for (int r = 0; r < rows; r++) out[r * cols + j] = c.get(r);
      j++;
    }
    return out;
  }

  /** Replaces the rows by those of a table made by {@link #toArray()}. */
  public void setFromArray(double[] rows) {
    int cols = columns.size();
    if (rows.length % cols != 0)
      throw new IllegalArgumentException("History: " + rows.length + " values do not make rows of " + cols + " columns");
    for (List<Double> c : columns.values()) c.clear();
    double[] row = new double[cols];
    for (int r = 0; r < rows.length / cols; r++) {
      for (int j = 0; j < cols; j++) row[j] = rows[r * cols + j];
      add(row);
    }
  }

  /** Writes the table as CSV with a header line. */
  public void writeCsv(Path path) {
    StringBuilder sb = new StringBuilder(String.join(",", columns.keySet())).append('\n');
    for (int r = 0; r < size(); r++) {
      int j = 0;
      for (List<Double> c : columns.values()) {
        if (j++ > 0) sb.append(',');
        double v = c.get(r);
        sb.append(v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.6g", v));
      }
      sb.append('\n');
    }
    try {
      Files.writeString(path, sb);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
    }
  }
}
