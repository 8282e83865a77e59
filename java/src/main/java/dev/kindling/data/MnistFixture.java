package dev.kindling.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a tiny synthetic dataset in MNIST's file layout (the four gzip IDX files), so that tests
 * and examples run without the real 30 MB download: {@code FashionMNIST.train(dir)} reads it as it
 * reads the real one. Each 28×28 image shows a bar whose place and direction tell its class
 * (classes 0–4: a horizontal bar lower for each class, 5–9: a vertical bar further right),
 * jittered by a pixel, on faint noise; labels are balanced and shuffled. The same seed gives the
 * same files. The fixture in the tests' resources ({@code data/fashion-mnist-tiny}) is
 * {@code write(dir, 64, 32, 2024)}.
 */
public final class MnistFixture {
  /** The fixture's image size (28 × 28) and number of classes (10), as in MNIST. */
  public static final int ROWS = 28, COLS = 28, CLASSES = 10;

  private MnistFixture() {}

  /**
   * Writes train and test files with trainCount and testCount samples into dir (created if needed).
   *
   * @param dir the directory to write into
   * @param trainCount training samples to write
   * @param testCount test samples to write
   * @param seed seeds the random pixels and labels
   * @throws IOException if writing fails
   */
  public static void write(Path dir, int trainCount, int testCount, long seed) throws IOException {
    if (trainCount < 0 || testCount < 0) throw new IllegalArgumentException("MnistFixture: negative sample count");
    Files.createDirectories(dir);
    Generator g = new Generator(seed);
    writeSplit(dir, "train", trainCount, g);
    writeSplit(dir, "t10k", testCount, g);
  }

  /**
   * {@code MnistFixture DIR [TRAIN TEST SEED]}: writes the files (default 64 32 2024, the tests'
   * fixture).
   *
   * @param args DIR, optionally followed by TRAIN TEST SEED
   * @throws IOException if writing fails
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1 && args.length != 4) {
      System.err.println("usage: MnistFixture DIR [TRAIN_COUNT TEST_COUNT SEED]");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    if (args.length == 1) write(dir, 64, 32, 2024);
    else write(dir, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]));
    System.out.println("wrote " + dir.toAbsolutePath());
  }

  private static void writeSplit(Path dir, String prefix, int n, Generator g) throws IOException {
    int[] perm = g.randperm(n);
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) labels[perm[i]] = (byte) (i % CLASSES);
    byte[] pixels = new byte[n * ROWS * COLS];
    for (int i = 0; i < n; i++) drawSample(pixels, i * ROWS * COLS, labels[i], g);
    Idx.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), new IdxArray(new int[] {n, ROWS, COLS}, pixels));
    Idx.write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), new IdxArray(new int[] {n}, labels));
  }

  private static void drawSample(byte[] px, int off, int label, Generator g) {
    for (int p = 0; p < ROWS * COLS; p++) px[off + p] = (byte) g.randint(0, 40);
    int dy = (int) g.randint(-1, 2), dx = (int) g.randint(-1, 2);
    int ink = (int) g.randint(160, 256);
    boolean horizontal = label < 5;
    int at = 3 + 5 * (label % 5);
    for (int a = 0; a < 3; a++) {
      for (int b = 4; b < 24; b++) {
        int y = (horizontal ? at + a : b) + dy, x = (horizontal ? b : at + a) + dx;
        if (y >= 0 && y < ROWS && x >= 0 && x < COLS) px[off + y * COLS + x] = (byte) ink;
      }
    }
  }
}
