package dev.kindling.bench.libtorch;

import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** The LibTorch twin of PerOpBenchmark: each op in a PointerScope that frees its result. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LibTorchPerOpBenchmark {
  private Tensor a, b;

  @Setup
  public void setUp() {
    LibTorchPeer.load();
    a = torch.ones(1);
    b = torch.ones(1);
  }

  @TearDown
  public void tearDown() {
    a.close();
    b.close();
  }

  @Benchmark
  public void add() {
    try (PointerScope s = new PointerScope()) {
      a.add(b);
    }
  }

  @Benchmark
  public void addCreate() {
    try (PointerScope s = new PointerScope()) {
      torch.ones(1).add(torch.ones(1));
    }
  }

  /** Creation and free alone, the share of addCreate that is not the add. */
  @Benchmark
  public void ones() {
    try (PointerScope s = new PointerScope()) {
      torch.ones(1);
    }
  }

  @Benchmark
  public void mul() {
    try (PointerScope s = new PointerScope()) {
      a.mul(b);
    }
  }

  @Benchmark
  public void sum() {
    try (PointerScope s = new PointerScope()) {
      a.sum();
    }
  }
}
