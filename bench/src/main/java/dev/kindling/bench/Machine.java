package dev.kindling.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

/**
 * What the numbers were measured on: CPU model, cores, vector extensions, the OpenBLAS tuning
 * variables in effect, and which libopenblas files are mapped into this process (one path means
 * Kindling and LibTorch share a single OpenBLAS and so the same detected core).
 */
final class Machine {
  private Machine() {}

  static String cpu() {
    String model = "unknown CPU", flags = "";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name") && model.startsWith("unknown")) model = line.substring(line.indexOf(':') + 1).trim();
        if (line.startsWith("flags") && flags.isEmpty()) flags = " " + line.substring(line.indexOf(':') + 1).trim() + " ";
      }
    } catch (IOException e) {
      // not Linux: leave unknown
    }
    StringBuilder isa = new StringBuilder();
    for (String f : List.of("avx2", "fma", "avx512f", "avx512_bf16", "amx_tile"))
      if (flags.contains(" " + f + " ")) isa.append(isa.length() == 0 ? "" : ", ").append(f);
    return model + ", " + Runtime.getRuntime().availableProcessors() + " cores"
        + (isa.length() > 0 ? " (" + isa + ")" : "")
        + (flags.contains(" avx512f ") ? "" : "; no AVX-512");
  }

  /**
   * Cores this process can get right now: CPU time over wall time while one busy thread per core
   * spins for ms milliseconds. On a shared machine this is well below the core count, and
   * multi-threaded GEMM numbers are then a measure of the neighbours as much as of the code.
   */
  static double freeCores(long ms) {
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    int n = Runtime.getRuntime().availableProcessors();
    Thread[] ts = new Thread[n];
    long c0 = os.getProcessCpuTime(), w0 = System.nanoTime(), end = w0 + ms * 1_000_000;
    for (int i = 0; i < n; i++) {
      ts[i] = new Thread(() -> {
        double x = 0;
        while (System.nanoTime() < end) x += Math.sqrt(x + 1);
        if (x < 0) System.out.println(x);  // keeps the loop alive
      });
      ts[i].start();
    }
    for (Thread t : ts) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return (os.getProcessCpuTime() - c0) / (double) (System.nanoTime() - w0);
  }

  /** The 1-minute load average: above the core count, other processes were competing. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  static String openblasEnv() {
    StringBuilder sb = new StringBuilder();
    for (String v : List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")) {
      String val = System.getenv(v);
      sb.append(sb.length() == 0 ? "" : ", ").append(v).append('=').append(val == null ? "(unset)" : val);
    }
    return sb.toString();
  }

  /** Names of the distinct libopenblas* files mapped into this process, from /proc/self/maps. */
  static TreeSet<String> mappedOpenBlas() {
    TreeSet<String> paths = new TreeSet<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
        int slash = line.indexOf('/');
        String file = line.substring(line.lastIndexOf('/') + 1);
        if (slash >= 0 && file.startsWith("libopenblas")) paths.add(file);
      }
    } catch (IOException e) {
      // not Linux: nothing to report
    }
    return paths;
  }
}
