package dev.kindling.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.*;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * fp32 GEMM, n x n by n x n: Kindling's {@code a.mm(b)} (result freed each time) against OpenBLAS's
 * cblas_sgemm into a preallocated result, the bar Kindling must reach. GFLOP/s = 2n³ / time.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class GemmBenchmark {
  @Param({"128", "256", "512", "1024", "2048"})
  public int n;

  private Tensor a, b;
  private FloatPointer pa, pb, pc;

  @Setup
  public void setUp() {
    Matrices m = new Matrices(n, 42 + n);
    a = Tensor.fromArray(m.a, n, n);
    b = Tensor.fromArray(m.b, n, n);
    pa = new FloatPointer(m.a);
    pb = new FloatPointer(m.b);
    pc = new FloatPointer((long) n * n);
  }

  @TearDown
  public void tearDown() {
    a.close();
    b.close();
    pa.close();
    pb.close();
    pc.close();
  }

  @Benchmark
  public void kindlingMm() {
    try (Scope s = Kindling.scope()) {
      a.mm(b);
    }
  }

  @Benchmark
  public void openblasSgemm() {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
  }
}
