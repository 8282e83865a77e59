package dev.kindling.concurrency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.Dropout;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MaxPool2d;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's concurrency criterion, first part: 8 Java threads run inference on one model in eval
 * mode under no-grad at once and get the single-thread results bit for bit; grad mode is per
 * thread (one thread's noGrad does not switch off another's recording).
 */
class ConcurrentInferenceTest {
  static Sequential model() {
    return new Sequential(new Conv2d(1, 8, 3, 1, 1), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),
        new Dropout(0.5), new Flatten(), new Linear(8 * 7 * 7, 10));
  }

  @Test
  void eightThreadsInferOnOneModelAndGetTheSingleThreadResults() throws Exception {
    Kindling.manualSeed(3);
    try (Sequential m = model()) {
      // Train-mode steps first so that BatchNorm's running stats are not the defaults.
      try (Scope s = Kindling.scope()) {
        for (int i = 0; i < 3; i++) m.forward(Tensor.randn(16, 1, 14, 14)).sum().backward();
      }
      m.eval();
      int threads = 8, perThread = 25;
      List<Tensor> inputs = new ArrayList<>();
      List<float[]> expected = new ArrayList<>();
      for (int i = 0; i < threads * perThread; i++) {
        Tensor x = Scope.escape(Tensor.randn(4, 1, 14, 14));
        inputs.add(x);
        try (var g = Autograd.noGrad(); Scope s = Kindling.scope()) {
          expected.add(m.forward(x).toFloatArray());
        }
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<float[]>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        final int first = t * perThread;
        results.add(pool.submit(() -> {
          start.await();
          List<float[]> out = new ArrayList<>();
          for (int i = first; i < first + perThread; i++) {
            try (var g = Autograd.noGrad(); Scope s = Kindling.scope()) {
              Tensor y = m.forward(inputs.get(i));
              assertFalse(y.requiresGrad());
              out.add(y.toFloatArray());
            }
          }
          return out;
        }));
      }
      start.countDown();
      for (int t = 0; t < threads; t++) {
        List<float[]> got = results.get(t).get(120, TimeUnit.SECONDS);
        for (int i = 0; i < perThread; i++)
          assertArrayEquals(expected.get(t * perThread + i), got.get(i), "thread " + t + " input " + i);
      }
      pool.shutdown();
      for (Tensor x : inputs) x.close();
    }
  }

  @Test
  void gradModeIsPerThread() throws Exception {
    try (Tensor w = Tensor.ones(3).requiresGrad_()) {
      CountDownLatch inNoGrad = new CountDownLatch(1), checked = new CountDownLatch(1);
      Thread other = new Thread(() -> {
        try (var g = Autograd.noGrad()) {
          inNoGrad.countDown();
          checked.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      other.start();
      assertTrue(inNoGrad.await(30, TimeUnit.SECONDS));
      try (Tensor y = w.mul(2.0)) {
        assertTrue(Autograd.isGradEnabled());
        assertTrue(y.requiresGrad());
        assertEquals("MulBackward0", y.gradFn().name());
      }
      checked.countDown();
      other.join();
    }
  }
}
