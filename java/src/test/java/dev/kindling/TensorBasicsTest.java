package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Creation, views, broadcasting, scopes and closing: the Java API's basic contract. */
class TensorBasicsTest {
  @Test
  void addBroadcastsLikePyTorch() {
    try (Scope s = Kindling.scope()) {
      // torch.tensor([1., 2., 3.]) + torch.tensor([[10.], [20.]])
      Tensor a = Tensor.of(1f, 2f, 3f);
      Tensor b = Tensor.of(new float[][] {{10f}, {20f}});
      Tensor c = a.add(b);
      assertArrayEquals(new long[] {2, 3}, c.shape());
      assertArrayEquals(new float[] {11, 12, 13, 21, 22, 23}, c.toFloatArray());
      assertEquals(DType.FLOAT32, c.dtype());
    }
  }

  @Test
  void scalarsPromoteAsWrappedNumbers() {
    try (Scope s = Kindling.scope()) {
      Tensor i = Tensor.arange(3);
      assertEquals(DType.INT64, i.dtype());
      assertEquals(DType.INT64, i.add(2).dtype());
      assertEquals(DType.FLOAT32, i.add(2.5).dtype());
      assertEquals(DType.FLOAT32, i.div(i).dtype());
      assertEquals(DType.BOOL, i.gt(0.5).dtype());
    }
  }

  @Test
  void viewsShareStorage() {
    try (Scope s = Kindling.scope()) {
      Tensor a = Tensor.arange(0, 6).view(2, 3);
      Tensor t = a.t();
      assertTrue(t.sharesStorageWith(a));
      assertFalse(t.isContiguous());
      t.select(0, 1).fill_(100);  // a[:, 1] = 100
      assertArrayEquals(new long[] {0, 100, 2, 3, 100, 5}, a.toLongArray());
    }
  }

  @Test
  void scopeClosesWhatWasMadeInside() {
    long before = MemoryTest.settledLiveTensors();
    Tensor kept;
    try (Scope s = Kindling.scope()) {
      Tensor a = Tensor.ones(4);
      Tensor b = a.mul(3.0);
      kept = s.keep(b.add(1.0));
      assertTrue(Kindling.liveTensors() >= before + 3);
    }
    LeakCheck.assertNotAbove(before + 1, "after the scope closed");
    assertArrayEquals(new float[] {4, 4, 4, 4}, kept.toFloatArray());
    kept.close();
    LeakCheck.assertNotAbove(before, "after closing the kept tensor");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> kept.add(1.0));
    assertTrue(e.getMessage().contains("add"), e.getMessage());
  }

  @Test
  void nativeErrorsBecomeJavaExceptions() {
    try (Scope s = Kindling.scope()) {
      Tensor a = Tensor.ones(2, 3);
      Tensor b = Tensor.ones(4, 5);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
      assertTrue(e.getMessage().contains("add"), e.getMessage());
      assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
      assertThrows(IndexOutOfBoundsException.class, () -> a.transpose(0, 5));
    }
  }

  @Test
  void seededRandomMatchesPyTorch() {
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(0);
      float[] r = Tensor.rand(3).toFloatArray();
      assertArrayEquals(new float[] {0.4962566f, 0.7682218f, 0.08847743f}, r, 1e-6f);
    }
  }
}
