package dev.kindling.bench.libtorch;

import dev.kindling.bench.Matrices;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** The LibTorch twin of GemmBenchmark: {@code a.mm(b)} in a PointerScope that frees the result. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LibTorchGemmBenchmark {
  @Param({"128", "256", "512", "1024", "2048"})
  public int n;

  private Tensor a, b;

  @Setup
  public void setUp() {
    LibTorchPeer.load();
    Matrices m = new Matrices(n, 42 + n);
    a = LibTorchPeer.matrix(m.a, n);
    b = LibTorchPeer.matrix(m.b, n);
  }

  @TearDown
  public void tearDown() {
    a.close();
    b.close();
  }

  @Benchmark
  public void mm() {
    try (PointerScope s = new PointerScope()) {
      a.mm(b);
    }
  }
}
