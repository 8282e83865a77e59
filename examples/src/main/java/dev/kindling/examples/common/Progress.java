package dev.kindling.examples.common;

import java.io.PrintStream;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A training progress bar (me.tongfei's progressbar): counts images, shows their speed, the ETA
 * and a message such as the running loss. On a terminal it redraws in place; when the output is a
 * file or a pipe (CI, tests) it prints a plain line every few seconds instead, so logs stay
 * readable. Disabled, it prints nothing and costs nothing.
 */
public final class Progress implements AutoCloseable {
  private final ProgressBar bar;
  private final long started = System.nanoTime();
  private long done;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  /**
   * A bar for one epoch of total images, labelled task (e.g. "epoch 3/10"); enabled false gives a
   * silent one.
   */
  public static Progress start(String task, long total, String unit, boolean enabled) {
    if (!enabled) return new Progress(null);
    ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
        .showSpeed(new java.text.DecimalFormat("#,##0")).setStyle(ProgressBarStyle.ASCII).setMaxRenderedLength(170);
    if (System.console() == null) {
      PrintStream err = System.err;
      String[] last = {null};
      b.setConsumer(new DelegatingProgressBarConsumer(line -> {
        if (!line.equals(last[0])) err.println(line);  // the bar repeats its last state when it closes
        last[0] = line;
      }, 170)).setUpdateIntervalMillis(5_000);
    } else {
      b.setUpdateIntervalMillis(250);
    }
    return new Progress(b.build());
  }

  /** Advances by n units (images) and shows message (e.g. "loss 0.3125"). */
  public void step(long n, String message) {
    done += n;
    if (bar == null) return;
    bar.stepBy(n);
    bar.setExtraMessage(" " + message);
  }

  /** Units done so far. */
  public long done() {
    return done;
  }

  /** Units per second since the start. */
  public double speed() {
    double s = (System.nanoTime() - started) / 1e9;
    return s > 0 ? done / s : 0;
  }

  /** Seconds since the start. */
  public double seconds() {
    return (System.nanoTime() - started) / 1e9;
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
