package dev.kindling.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 9's concurrency criterion, last part: closing a tensor in one thread while another uses
 * it is never a crash. The user either finishes the op with the right result or gets an
 * IllegalStateException saying the tensor was closed; a close that lands during a native call
 * releases the tensor when the call returns, so nothing leaks.
 */
class CloseWhileInUseTest {
  private static final long N = 64;

  @Test
  void closingASharedTensorMidUseGivesRightResultsOrAClosedErrorAndLeaksNothing() throws Exception {
    long baseline = Kindling.liveTensors();
    ExecutorService closer = Executors.newSingleThreadExecutor();
    SplittableRandom rnd = new SplittableRandom(9);
    long ops = 0, closedErrors = 0;
    try {
      for (int round = 0; round < 1000; round++) {
        Tensor x = Tensor.full(new long[] {N, N}, 0.5);  // outside any scope: the closer owns it
        AtomicBoolean ready = new AtomicBoolean(), go = new AtomicBoolean();
        int spins = rnd.nextInt(4_000);  // a random moment in the first few ops
        Future<?> close = closer.submit(() -> {
          ready.set(true);
          while (!go.get()) Thread.onSpinWait();
          for (int i = 0; i < spins; i++) Thread.onSpinWait();
          x.close();
        });
        while (!ready.get()) Thread.onSpinWait();
        go.set(true);
        IllegalStateException closed = null;
        try (Scope s = Kindling.scope()) {
          for (int k = 0; k < 1000; k++) {  // the closer always wins well before 1000 ops
            switch (k % 3) {
              case 0 -> assertEquals(N * N * 1.0, x.add(x).sum().item(), "add");
              case 1 -> assertEquals(N * N * (N * 0.25), x.matmul(x).sum().item(), "matmul");
              default -> assertEquals(N * N * 0.5, x.sum().item(), "sum");
            }
            ops++;
          }
        } catch (IllegalStateException e) {
          closed = e;
        }
        close.get();
        if (closed != null) {
          closedErrors++;
          assertTrue(closed.getMessage().contains("tensor has been closed"), closed.getMessage());
        }
        assertTrue(x.isClosed());
        assertThrows(IllegalStateException.class, () -> x.add(x));
      }
    } finally {
      closer.shutdownNow();
    }
    assertTrue(closedErrors > 0, "the closer never interrupted a running op sequence");
    assertTrue(ops > 0);
    System.out.println("CloseWhileInUse: " + ops + " ops completed, " + closedErrors + " rounds ended by the close");
    LeakCheck.assertNotAbove(baseline, "tensors closed while pinned by another thread");
  }

  @Test
  void manyThreadsRacingToUseAndCloseOneTensorReleaseItExactlyOnce() throws Exception {
    long baseline = Kindling.liveTensors();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 300; round++) {
        Tensor x = Tensor.ones(8, 8);
        AtomicBoolean go = new AtomicBoolean();
        Future<?>[] fs = new Future<?>[4];
        for (int t = 0; t < 4; t++) {
          boolean closes = t % 2 == 0;
          fs[t] = pool.submit(() -> {
            while (!go.get()) Thread.onSpinWait();
            if (closes) {
              x.close();
              return;
            }
            try (Scope s = Kindling.scope()) {
              for (int k = 0; k < 50; k++) assertEquals(64.0, x.mul(x).sum().item());
            } catch (IllegalStateException e) {
              assertTrue(e.getMessage().contains("tensor has been closed"), e.getMessage());
            }
          });
        }
        go.set(true);
        for (Future<?> f : fs) f.get();
        assertTrue(x.isClosed());
      }
    } finally {
      pool.shutdownNow();
    }
    LeakCheck.assertNotAbove(baseline, "tensors closed by several threads at once");
  }

  @Test
  void anExceptionAfterATensorIsPinnedLeavesItUsableAndReleasable() {
    long baseline = Kindling.liveTensors();
    Tensor x = Tensor.ones(2, 3);
    Tensor gone = Tensor.ones(2, 3);
    gone.close();
    // each call pins x, then fails on a later argument before reaching native code
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.add(gone));
    assertTrue(e.getMessage().contains("add: tensor has been closed"), e.getMessage());
    assertThrows(NullPointerException.class, () -> x.view((long[]) null));
    assertThrows(NullPointerException.class, () -> x.add(null));
    assertThrows(IllegalStateException.class, () -> Tensor.where(x.gt(0), x, gone));
    assertFalse(x.isClosed());
    try (Tensor y = x.add(x)) {  // still usable
      assertEquals(12.0, y.sum().item());
    }
    x.close();  // no pin was left behind, so this releases it now
    LeakCheck.assertNotAbove(baseline, "a tensor pinned when an exception was thrown");
  }

  @Test
  void anExceptionThrownByAHookDuringBackwardUnpinsEverything() {
    long baseline = Kindling.liveTensors();
    try (Scope s = Kindling.scope()) {
      Tensor w = Tensor.ones(3).requiresGrad_(true);
      Tensor loss = w.mul(w).sum();
      w.registerHook(g -> {
        throw new IllegalArgumentException("hook refuses");
      });
      RuntimeException e = assertThrows(RuntimeException.class, loss::backward);
      assertTrue(String.valueOf(e.getMessage()).contains("hook refuses")
          || (e.getCause() != null && String.valueOf(e.getCause().getMessage()).contains("hook refuses")), String.valueOf(e));
      assertEquals(3.0, w.sum().item());  // still usable
    }
    LeakCheck.assertNotAbove(baseline, "tensors pinned during a failing backward");
  }
}
