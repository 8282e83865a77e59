package dev.kindling.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Times Kindling against its peers in one JVM and prints markdown tables with ratios: per-op
 * overhead on 1-element tensors (ns per op, lower is better) and fp32 GEMM (GFLOP/s = 2n^3 /
 * time, higher is better). Run it through bench/run.sh, which builds with LibTorch and clears the
 * OpenBLAS tuning variables. Options: --only perop|gemm, --sizes 128,256,..., --rounds R,
 * --round-ms T, --warmup-ms W, --threads N (every library computes with N threads).
 */
public final class SideBySide {
  private int rounds = 7;
  private long roundMs = 200, warmupMs = 1000;
  private int[] sizes = {128, 256, 512, 1024, 2048};
  private String only = "";
  private int threads = 0;  // 0: each library's default
  private final List<Peer> peers = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public static void main(String[] args) {
    long t0 = System.nanoTime();
    SideBySide run = new SideBySide();
    run.parse(args);
    run.header();
    if (!run.only.equals("gemm")) run.perOp();
    if (!run.only.equals("perop")) run.gemm();
    run.footnotes();
    System.out.println();
    System.out.println("Contention at end: load average " + Machine.loadAverage() + ", cores free to this run "
        + String.format(Locale.ROOT, "%.1f", Machine.freeCores(1000)) + " of " + Runtime.getRuntime().availableProcessors() + ".");
    System.out.printf(Locale.ROOT, "%nSide-by-side run took %.0f s.%n", (System.nanoTime() - t0) / 1e9);
  }

  private void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + a);
      String v = args[++i];
      switch (a) {
        case "--only": only = v; break;
        case "--rounds": rounds = Integer.parseInt(v); break;
        case "--round-ms": roundMs = Long.parseLong(v); break;
        case "--warmup-ms": warmupMs = Long.parseLong(v); break;
        case "--threads": threads = Integer.parseInt(v); break;
        case "--sizes": sizes = java.util.Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray(); break;
        default: throw new IllegalArgumentException("unknown option " + a);
      }
    }
  }

  /**
   * Loads every peer (each describe() pulls in its native libraries), then prints the machine and
   * the libopenblas files mapped after each load: one path means one OpenBLAS, hence one detected
   * core, serves them all. With OPENBLAS_VERBOSE=2 OpenBLAS itself prints that core ("Core: ...")
   * on stderr when it loads.
   */
  private void header() {
    List<String> facts = new ArrayList<>();
    // loaded one by one, so each line shows what that library added to the process
    add(facts, KindlingPeer::new, "Kindling");
    add(facts, () -> {
      try {
        return (Peer) Class.forName("dev.kindling.bench.libtorch.LibTorchPeer").getDeclaredConstructor().newInstance();
      } catch (ClassNotFoundException | NoClassDefFoundError e) {
        facts.add("LibTorch: not in this build (build bench with -Plibtorch, as bench/run.sh does, to add it)");
        return null;
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e.getCause() != null ? e.getCause() : e);
      }
    }, "LibTorch");
    add(facts, OpenBlasPeer::new, "OpenBLAS");
    System.err.flush();
    System.out.println("## Side-by-side run");
    System.out.println();
    System.out.println("- machine: " + Machine.cpu());
    System.out.println("- contention at start: load average " + Machine.loadAverage() + ", cores free to this run "
        + String.format(Locale.ROOT, "%.1f", Machine.freeCores(1000)) + " of " + Runtime.getRuntime().availableProcessors());
    System.out.println("- JVM: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    System.out.println("- environment: " + Machine.openblasEnv());
    for (String f : facts) System.out.println("- " + f);
    System.out.println("- timing: median of " + rounds + " rounds of ~" + roundMs + " ms per peer, peers interleaved (each batch after a short unmeasured one), after "
        + warmupMs + " ms warm-up; (±x%) is half the spread (max - min) / median");
  }

  private void add(List<String> facts, java.util.function.Supplier<Peer> make, String name) {
    try {
      Peer p = make.get();
      if (p == null) return;
      if (threads > 0) p.setNumThreads(threads);
      facts.add(p.describe() + "; libopenblas files mapped after loading it: " + Machine.mappedOpenBlas());
      peers.add(p);
    } catch (LinkageError | RuntimeException e) {
      facts.add(name + ": could not load (" + e + ")");
    }
  }

  private void perOp() {
    System.out.println();
    System.out.println("### Per-op overhead, 1-element float32 tensors (ns per op, lower is better)");
    System.out.println();
    List<Peer> ps = new ArrayList<>();
    for (Peer p : peers) if (p.hasTensors()) ps.add(p);
    StringBuilder head = new StringBuilder("| op |");
    StringBuilder rule = new StringBuilder("|---|");
    for (Peer p : ps) {
      head.append(' ').append(p.name()).append(" |");
      rule.append("---:|");
    }
    for (Peer p : ps.subList(1, ps.size())) {
      head.append(' ').append(p.name()).append(" ÷ Kindling |");
      rule.append("---:|");
    }
    System.out.println(head);
    System.out.println(rule);
    row("`a.add(b)` in a scope", ps, Peer::add, false, 0);
    row("`ones(1).add(ones(1))` in a scope (create + free)", ps, Peer::addCreate, false, 0);
    row("`ones(1)` in a scope (its creation share)", ps, Peer::ones, false, 0);
    row("`a.mul(b)` in a scope", ps, Peer::mul, false, 0);
    row("`a.sum()` in a scope", ps, Peer::sum, false, 0);
  }

  private void gemm() {
    System.out.println();
    System.out.println("### fp32 GEMM n x n x n (GFLOP/s = 2n³ / time, higher is better)");
    System.out.println();
    List<Peer> ps = new ArrayList<>(peers);
    StringBuilder head = new StringBuilder("| n |");
    StringBuilder rule = new StringBuilder("|---:|");
    for (Peer p : ps) {
      head.append(' ').append(p.name()).append(" |");
      rule.append("---:|");
    }
    for (Peer p : ps.subList(1, ps.size())) {
      head.append(" Kindling ÷ ").append(p.name()).append(" |");
      rule.append("---:|");
    }
    System.out.println(head);
    System.out.println(rule);
    for (int n : sizes) {
      Matrices m = new Matrices(n, 42 + n);
      row(Integer.toString(n), ps, p -> p.mm(m), true, m.flops());
    }
  }

  /**
   * Measures one row: every peer's workload, interleaved round by round. Cells show ns/op, or
   * GFLOP/s when flops > 0; ratios say how many times faster Kindling is than each other peer.
   */
  private void row(String label, List<Peer> ps, Function<Peer, Workload> make, boolean gflops, double flops) {
    int k = ps.size();
    Workload[] w = new Workload[k];
    long[] iters = new long[k];
    String[] cell = new String[k];
    double[] median = new double[k];
    double[][] ns = new double[k][rounds];
    try {
      for (int i = 0; i < k; i++) {
        try {
          w[i] = make.apply(ps.get(i));
          if (w[i] == null) cell[i] = "—";
          else iters[i] = Timing.calibrate(w[i], warmupMs * 1_000_000, roundMs * 1_000_000);
        } catch (RuntimeException e) {
          if (w[i] != null) w[i].close();
          w[i] = null;
          cell[i] = "pending" + footnote(ps.get(i).name() + ": " + e.getMessage());
        }
      }
      for (int r = 0; r < rounds; r++)
        for (int i = 0; i < k; i++)
          if (w[i] != null) {
            // a short unmeasured batch first: the previous peer's threads (OpenMP, OpenBLAS)
            // may still be spinning down, and this peer's may have gone to sleep
            w[i].run(Math.max(1, iters[i] / 10));
            ns[i][r] = Timing.batch(w[i], iters[i]);
          }
      for (int i = 0; i < k; i++) {
        if (w[i] == null) continue;
        median[i] = Timing.median(ns[i]);
        String pm = String.format(Locale.ROOT, " (±%.0f%%)", 50 * Timing.spread(ns[i]));
        cell[i] = gflops ? String.format(Locale.ROOT, "%.1f", flops / median[i]) + pm
                         : String.format(Locale.ROOT, "%.0f", median[i]) + pm;
      }
    } finally {
      for (Workload x : w) if (x != null) x.close();
    }
    StringBuilder sb = new StringBuilder("| ").append(label).append(" |");
    for (String c : cell) sb.append(' ').append(c).append(" |");
    for (int i = 1; i < k; i++) {
      boolean both = w[0] != null && w[i] != null;
      sb.append(' ').append(both ? String.format(Locale.ROOT, "%.2f×", median[i] / median[0]) : "—").append(" |");
    }
    System.out.println(sb);
  }

  /** A numbered note for a cell (the same text gets the same number). */
  private String footnote(String text) {
    int i = notes.indexOf(text);
    if (i < 0) {
      notes.add(text);
      i = notes.size() - 1;
    }
    return " [" + (i + 1) + "]";
  }

  private void footnotes() {
    if (notes.isEmpty()) return;
    System.out.println();
    for (int i = 0; i < notes.size(); i++) System.out.println("- [" + (i + 1) + "] " + notes.get(i));
  }
}
