package dev.kindling.concurrency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.F;
import org.junit.jupiter.api.Test;

/**
 * The CPU pool: by default one thread per CPU the process may use (its affinity mask and any
 * cgroup quota, as the JVM counts them), and the same numbers whatever the thread count — the
 * elementwise, pooling and batch-norm kernels split work without changing any sum's order.
 */
class PoolThreadsTest {
  @Test
  void defaultThreadCountIsTheCpusTheJvmSees() {
    assertEquals(Runtime.getRuntime().availableProcessors(), Kindling.getNumThreads());
  }

  @Test
  void resultsDoNotDependOnTheThreadCount() {
    int before = Kindling.getNumThreads();
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(3);
      // Large enough that every op below is split across the pool.
      Tensor x = Tensor.randn(16, 32, 28, 28);
      float[] many = run(x);
      Kindling.setNumThreads(1);
      assertEquals(1, Kindling.getNumThreads());
      float[] one = run(x);
      Kindling.setNumThreads(3);
      float[] three = run(x);
      assertArrayEquals(one, many);
      assertArrayEquals(one, three);
    } finally {
      Kindling.setNumThreads(before);
    }
    assertEquals(before, Kindling.getNumThreads());
  }

  @Test
  void aThreadCountBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Kindling.setNumThreads(0));
  }

  private static float[] run(Tensor x) {
    try (Scope s = Kindling.scope()) {
      Tensor y = F.maxPool2d(x.relu().mul(1.5).add(0.25), 2);
      Tensor bn = F.batchNorm(y, null, null, null, null, true, 0.1, 1e-5);
      return bn.flatten().toFloatArray();
    }
  }
}
