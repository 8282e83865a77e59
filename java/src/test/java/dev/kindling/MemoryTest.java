package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Native memory ownership: scopes keep a loop at flat memory, close() is idempotent, views keep
 * shared storage alive, and the cleaner frees what the program forgot (as a backstop only).
 */
class MemoryTest {
  /**
   * Live native tensors once garbage left by earlier tests has been cleaned: the counters are
   * global, and the cleaner thread frees forgotten tensors at its own pace.
   */
  static long settledLiveTensors() {
    long prev;
    int rounds = 0;
    do {
      prev = Kindling.liveTensors();
      System.gc();
      try {
        Thread.sleep(30);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } while ((Kindling.liveTensors() < prev || rounds++ < 2) && rounds < 50);
    return Kindling.liveTensors();
  }

  @Test
  void scopedLoopRunsAtFlatMemoryForThousandsOfSteps() {
    long tensors0 = settledLiveTensors();
    long bytes0 = Kindling.liveBytes();
    Tensor w = Tensor.randn(64, 64);
    Tensor x = Tensor.randn(64, 64);
    long peakBytes = 0;
    for (int step = 0; step < 5000; step++) {
      try (Scope s = Kindling.scope()) {
        Tensor y = x.mul(w).add(1.0).tanh().sub(x.relu()).pow(2.0);
        Tensor v = y.transpose(0, 1).reshape(-1).narrow(0, 10, 100);
        w.sub_(v.mean().mul(0.0));
        x.copy_(y.clamp(-1, 1));
      }
      if (step == 100) peakBytes = Kindling.liveBytes();
      if (step > 100) assertTrue(Kindling.liveBytes() <= peakBytes, "native bytes grew at step " + step);
    }
    assertEquals(tensors0 + 2, Kindling.liveTensors());
    w.close();
    x.close();
    assertEquals(tensors0, Kindling.liveTensors());
    assertEquals(bytes0, Kindling.liveBytes());
  }

  @Test
  void closeIsIdempotentAndViewsKeepStorageAlive() {
    long before = settledLiveTensors();
    Tensor base = Tensor.arange(0, 12);
    Tensor a = base.view(3, 4);
    base.close();
    Tensor row = a.select(0, 1);
    a.close();
    a.close();
    assertTrue(a.isClosed());
    assertArrayEquals(new long[] {4, 5, 6, 7}, row.toLongArray());
    assertThrows(IllegalStateException.class, a::shape);
    row.close();
    assertEquals(before, Kindling.liveTensors());
  }

  @Test
  void nestedScopesAndKeepMoveOwnershipOutward() {
    long before = settledLiveTensors();
    try (Scope outer = Kindling.scope()) {
      Tensor kept;
      try (Scope inner = Kindling.scope()) {
        Tensor tmp = Tensor.ones(3);
        kept = inner.keep(tmp.mul(2.0));
      }
      assertFalse(kept.isClosed());
      assertEquals(before + 1, Kindling.liveTensors());
    }
    assertEquals(before, Kindling.liveTensors());
  }

  @Test
  void scopedReturnsItsResultAndClosesTheRest() {
    long before = settledLiveTensors();
    Tensor r = Kindling.scoped(() -> Tensor.ones(2).add(Tensor.ones(2)).mul(3.0));
    assertEquals(before + 1, Kindling.liveTensors());
    assertArrayEquals(new float[] {6, 6}, r.toFloatArray());
    List<Tensor> parts = Kindling.scoped(() -> {
      List<Tensor> l = new ArrayList<>();
      l.add(Tensor.zeros(1));
      l.add(Tensor.ones(1).neg());
      return l;
    });
    assertEquals(before + 3, Kindling.liveTensors());
    parts.forEach(Tensor::close);
    r.close();
    assertEquals(before, Kindling.liveTensors());
  }

  @Test
  void scopesMustCloseInnermostFirst() {
    Scope outer = Kindling.scope();
    Scope inner = Kindling.scope();
    assertThrows(IllegalStateException.class, outer::close);
    inner.close();
    outer.close();
  }

  @Test
  void cleanerIsABackstopForForgottenTensors() throws InterruptedException {
    long before = settledLiveTensors();
    for (int i = 0; i < 1000; i++) Tensor.zeros(16);  // never closed, never scoped
    assertTrue(Kindling.liveTensors() > before);
    long deadline = System.currentTimeMillis() + 20_000;
    while (Kindling.liveTensors() > before && System.currentTimeMillis() < deadline) {
      System.gc();
      Thread.sleep(20);
    }
    assertTrue(Kindling.liveTensors() <= before);
  }

  @Test
  void tensorsMadeOnAnotherThreadBelongToThatThreadsScope() throws Exception {
    long before = settledLiveTensors();
    try (Scope s = Kindling.scope()) {
      Thread t = new Thread(() -> {
        try (Scope s2 = Kindling.scope()) {
          Tensor.ones(8).mul(2.0);
        }
      });
      t.start();
      t.join();
      assertEquals(0, s.size());
    }
    assertEquals(before, Kindling.liveTensors());
  }
}
