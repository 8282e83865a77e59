package dev.kindling.examples.common;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every training example shares (a picocli mixin): where the data is, where the
 * output goes, the seed, a cap on batches per epoch for quick runs and tests, and whether to
 * draw a progress bar.
 */
public final class CommonOptions {
  @Option(names = "--data", paramLabel = "DIR",
      description = "Directory with the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE}, Debian's dataset-fashion-mnist)",
      defaultValue = "/usr/share/datasets/fashion-mnist")
  public Path data;

  @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: runs/<example>)")
  public Path out;

  @Option(names = "--seed", description = "Random seed for the model, dropout and shuffling (default: ${DEFAULT-VALUE})",
      defaultValue = "42")
  public long seed;

  @Option(names = "--limit-batches", paramLabel = "N",
      description = "Train on at most N batches per epoch (0: all; for quick runs and tests)", defaultValue = "0")
  public int limitBatches;

  @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Show a progress bar (default: on; --no-progress prints one line per epoch)")
  public boolean progress;

  /** The output directory (created): --out, or runs/&lt;example&gt;. */
  public Path outDir(String example) {
    Path dir = out != null ? out : Path.of("runs", example);
    try {
      return Files.createDirectories(dir);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create the output directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Batches to run in an epoch of n batches. */
  public int batchesPerEpoch(int n) {
    return limitBatches > 0 ? Math.min(n, limitBatches) : n;
  }
}
