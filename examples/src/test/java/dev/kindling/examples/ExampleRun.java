package dev.kindling.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.data.MnistFixture;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Runs an example through the launcher as a user would ({@code Main.run(args)}), capturing what
 * it prints; and the checks every example's test makes on what it wrote.
 */
record ExampleRun(int exitCode, String out, String err) {
  /** A tiny Fashion-MNIST stand-in (64 training, 32 test images) in dir: no real data needed. */
  static Path fixture(Path dir) {
    try {
      MnistFixture.write(dir, 64, 32, 2024);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static synchronized ExampleRun run(String... args) {
    PrintStream oldOut = System.out, oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = Main.run(args);
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    ExampleRun r = new ExampleRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    oldOut.println("---- " + String.join(" ", args) + " -> exit " + code + "\n" + r.out + r.err);
    return r;
  }

  ExampleRun assertOk() {
    assertEquals(0, exitCode, "exit code; stderr:\n" + err);
    return this;
  }

  /** A PNG that ImageIO reads, at least w × h pixels, and not one flat colour. */
  static BufferedImage assertPicture(Path png, int minWidth, int minHeight) {
    assertTrue(Files.isRegularFile(png), png + " was not written");
    try {
      BufferedImage img = ImageIO.read(png.toFile());
      assertTrue(img != null, png + " is not an image ImageIO can read");
      assertTrue(img.getWidth() >= minWidth && img.getHeight() >= minHeight,
          png + " is " + img.getWidth() + "x" + img.getHeight() + ", expected at least " + minWidth + "x" + minHeight);
      int first = img.getRGB(0, 0);
      boolean varied = false;
      for (int y = 0; y < img.getHeight() && !varied; y += 3)
        for (int x = 0; x < img.getWidth() && !varied; x += 3) varied = img.getRGB(x, y) != first;
      assertTrue(varied, png + " is a single flat colour");
      return img;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rows of a metrics.csv (header dropped) as numbers, each checked finite. */
  static List<double[]> readCsv(Path csv) {
    try {
      List<String> lines = Files.readAllLines(csv);
      List<double[]> rows = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.split(",");
        double[] row = new double[f.length];
        for (int i = 0; i < f.length; i++) {
          row[i] = Double.parseDouble(f[i]);
          assertTrue(Double.isFinite(row[i]), csv + ": a value that is not finite in row '" + line + "'");
        }
        rows.add(row);
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The index of column in a CSV's header. */
  static int column(Path csv, String column) {
    try {
      List<String> header = List.of(Files.readAllLines(csv).get(0).split(","));
      int i = header.indexOf(column);
      assertTrue(i >= 0, csv + " has no column " + column + ": " + header);
      return i;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
