package dev.kindling.examples.common;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A line chart written as a PNG with XChart: curves on a left axis and, optionally, on a right
 * axis with its own scale (loss on the left, accuracy on the right). The file is replaced
 * atomically, so a viewer watching it while training redraws it never sees half a picture.
 */
public final class LinePlot {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private record Curve(String name, double[] x, double[] y, boolean right, boolean markers) {}

  private final String title, xLabel, yLabel;
  private String rightLabel;
  private final List<Curve> curves = new ArrayList<>();

  public LinePlot(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  /** A curve on the left axis; markers for short series (one point per epoch). */
  public LinePlot add(String name, List<? extends Number> x, List<? extends Number> y) {
    return add(name, toArray(x), toArray(y), false);
  }

  /** A curve on the right axis, labelled axisLabel. */
  public LinePlot addRight(String name, String axisLabel, List<? extends Number> x, List<? extends Number> y) {
    rightLabel = axisLabel;
    return add(name, toArray(x), toArray(y), true);
  }

  private LinePlot add(String name, double[] x, double[] y, boolean right) {
    if (x.length != y.length) throw new IllegalArgumentException("LinePlot: " + x.length + " x values for " + y.length + " y values");
    if (x.length > 0) curves.add(new Curve(name, x, y, right, x.length <= 50));
    return this;
  }

  private static double[] toArray(List<? extends Number> values) {
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) out[i] = values.get(i).doubleValue();
    return out;
  }

  /** The chart as XChart draws it (for callers that want to adjust its style). */
  public XYChart chart() {
    XYChart chart = new XYChartBuilder().width(900).height(540).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel).build();
    Styler s = chart.getStyler();
    s.setChartBackgroundColor(Color.WHITE);
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setPlotGridLinesVisible(true);
    if (rightLabel != null) {
      chart.setYAxisGroupTitle(1, rightLabel);
      s.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
    }
    for (Curve c : curves) {
      XYSeries series = chart.addSeries(c.name(), c.x(), c.y());
      if (!c.markers()) series.setMarker(SeriesMarkers.NONE);
      if (c.right()) series.setYAxisGroup(1);
    }
    return chart;
  }

  /** Writes the chart to path (PNG), replacing the file atomically. Returns path. */
  public Path save(Path path) {
    try {
      Path dir = path.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".plot-", ".png");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        BitmapEncoder.saveBitmap(chart(), out, BitmapEncoder.BitmapFormat.PNG);
      }
      Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return path;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the plot " + path + ": " + e.getMessage(), e);
    }
  }
}
