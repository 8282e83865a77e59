package dev.kindling.bench;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Kindling's per-op overhead: one op on 1-element float32 tensors, its result freed by a scope.
 * The cost is the Java wrapper, the JNI call, the native dispatch and one allocation and free;
 * the arithmetic itself is a single float. Target for {@link #addCreate}: at most 0.5 µs.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PerOpBenchmark {
  private Tensor a, b;

  @Setup
  public void setUp() {
    a = Tensor.ones(1);
    b = Tensor.ones(1);
  }

  @TearDown
  public void tearDown() {
    a.close();
    b.close();
  }

  @Benchmark
  public void add() {
    try (Scope s = Kindling.scope()) {
      a.add(b);
    }
  }

  @Benchmark
  public void addCreate() {
    try (Scope s = Kindling.scope()) {
      Tensor.ones(1).add(Tensor.ones(1));
    }
  }

  /** Creation and free alone, the share of addCreate that is not the add. */
  @Benchmark
  public void ones() {
    try (Scope s = Kindling.scope()) {
      Tensor.ones(1);
    }
  }

  @Benchmark
  public void mul() {
    try (Scope s = Kindling.scope()) {
      a.mul(b);
    }
  }

  @Benchmark
  public void sum() {
    try (Scope s = Kindling.scope()) {
      a.sum();
    }
  }
}
