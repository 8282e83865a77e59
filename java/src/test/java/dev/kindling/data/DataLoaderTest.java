package dev.kindling.data;

import static dev.kindling.data.DataGolden.*;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * DataLoader as a specification: batch counts with and without dropLast; shuffling that visits
 * every index once per epoch, in PyTorch's order for the same seed ({@code DataLoader(range(n),
 * batch_size, shuffle=True, drop_last, generator=torch.Generator().manual_seed(seed))}, three
 * epochs, golden/data.json), reproducible and new each epoch; the same batches with and without
 * the prefetch thread; no thread and no tensor left after an early break; the dataset's exception
 * rethrown to the consumer; batches owned by the consumer's scope.
 */
class DataLoaderTest {
  /** Sample i is the integer i. */
  static Dataset<Integer> indices(int n) {
    return new Dataset<>() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Integer get(int index) {
        Dataset.checkIndex(index, n, "indices");
        return index;
      }
    };
  }

  /** Batch of the indices: inputs int64 [B], targets float32 = index / 2. */
  static Batch collateIndices(List<Integer> samples) {
    long[] a = new long[samples.size()];
    float[] h = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = samples.get(i);
      h[i] = a[i] / 2f;
    }
    return new Batch(Tensor.fromArray(a, a.length), Tensor.fromArray(h, a.length));
  }

  static List<long[]> epoch(Iterable<Batch> loader) {
    List<long[]> out = new ArrayList<>();
    for (Batch b : loader) {
      try (b) {
        out.add(b.inputs().toLongArray());
      }
    }
    return out;
  }

  static long loaderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("kindling-dataloader-") && t.isAlive()).count();
  }

  static void awaitNoLoaderThreads() {
    long deadline = System.currentTimeMillis() + 5_000;
    while (loaderThreads() > 0 && System.currentTimeMillis() < deadline) {
      System.gc();
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    assertEquals(0, loaderThreads(), "DataLoader threads still alive");
  }

  @AfterEach
  void noThreadLeftBehind() {
    awaitNoLoaderThreads();
  }

  @Test
  void shuffledOrdersMatchPyTorchEpochAfterEpoch() {
    for (JsonElement e : load().getAsJsonArray("loaders")) {
      JsonObject c = e.getAsJsonObject();
      for (int prefetch : new int[] {0, 2}) {
        String what = "n=" + c.get("n") + " batch_size=" + c.get("batch_size") + " drop_last=" + c.get("drop_last") + " seed="
            + c.get("seed") + " prefetch=" + prefetch;
        try (var loader = DataLoader.builder(indices(c.get("n").getAsInt()), DataLoaderTest::collateIndices)
            .batchSize(c.get("batch_size").getAsInt()).shuffle(true).dropLast(c.get("drop_last").getAsBoolean())
            .seed(c.get("seed").getAsLong()).prefetch(prefetch).build()) {
          int ep = 0;
          for (JsonElement we : c.getAsJsonArray("epochs")) {
            JsonArray want = we.getAsJsonArray();
            List<long[]> got = epoch(loader);
            assertEquals(want.size(), got.size(), what + ": batches in epoch " + ep);
            assertEquals(want.size(), loader.size(), what + ": len(loader)");
            for (int b = 0; b < got.size(); b++)
              assertArrayEquals(longs(want.get(b).getAsJsonArray()), got.get(b), what + ": epoch " + ep + " batch " + b);
            ep++;
          }
        }
      }
    }
  }

  @Test
  void batchCountsWithAndWithoutDropLast() {
    int[][] cases = {{10, 3, 4, 3, 1}, {9, 3, 3, 3, 3}, {5, 8, 1, 0, 5}, {0, 4, 0, 0, 0}, {1, 1, 1, 1, 1}};
    for (int[] c : cases) {
      int n = c[0], bs = c[1];
      for (boolean drop : new boolean[] {false, true}) {
        try (var loader = DataLoader.builder(indices(n), DataLoaderTest::collateIndices).batchSize(bs).dropLast(drop).build()) {
          List<long[]> got = epoch(loader);
          int want = drop ? c[3] : c[2];
          assertEquals(want, loader.size(), "len for n=" + n + " bs=" + bs + " dropLast=" + drop);
          assertEquals(want, got.size(), "batches for n=" + n + " bs=" + bs + " dropLast=" + drop);
          for (int b = 0; b < got.size(); b++) {
            int size = b == got.size() - 1 && !drop ? c[4] : bs;
            assertEquals(size, got.get(b).length, "batch " + b + " for n=" + n + " bs=" + bs + " dropLast=" + drop);
          }
          // without shuffling, the indices come in order
          long next = 0;
          for (long[] b : got) for (long i : b) assertEquals(next++, i);
        }
      }
    }
  }

  @Test
  void shufflingVisitsEveryIndexOnceAndIsReproducibleBySeed() {
    int n = 1000;
    List<List<long[]>> runA = new ArrayList<>(), runB = new ArrayList<>(), runC = new ArrayList<>();
    try (var a = DataLoader.builder(indices(n), DataLoaderTest::collateIndices).batchSize(64).shuffle(true).seed(7).build();
        var b = DataLoader.builder(indices(n), DataLoaderTest::collateIndices).batchSize(64).shuffle(true).seed(7).prefetch(0).build();
        var c = DataLoader.builder(indices(n), DataLoaderTest::collateIndices).batchSize(64).shuffle(true).seed(8).build()) {
      for (int e = 0; e < 3; e++) {
        runA.add(epoch(a));
        runB.add(epoch(b));
        runC.add(epoch(c));
      }
    }
    Set<String> orders = new HashSet<>();
    for (int e = 0; e < 3; e++) {
      long[] flat = flatten(runA.get(e));
      long[] sorted = flat.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < n; i++) assertEquals(i, sorted[i], "epoch " + e + ": every index exactly once");
      assertArrayEquals(flat, flatten(runB.get(e)), "epoch " + e + ": the same seed gives the same order");
      assertFalse(Arrays.equals(flat, flatten(runC.get(e))), "epoch " + e + ": another seed gives another order");
      orders.add(Arrays.toString(flat));
    }
    assertEquals(3, orders.size(), "each epoch draws a new order");
  }

  @Test
  void withoutASeedKindlingManualSeedFixesTheOrder() {
    Kindling.manualSeed(123);
    List<long[]> first;
    try (var l = DataLoader.builder(indices(50), DataLoaderTest::collateIndices).batchSize(50).shuffle(true).build()) {
      first = epoch(l);
    }
    Kindling.manualSeed(123);
    try (var l = DataLoader.builder(indices(50), DataLoaderTest::collateIndices).batchSize(50).shuffle(true).build()) {
      assertArrayEquals(first.get(0), epoch(l).get(0));
    }
  }

  @Test
  void generatorStateResumesTheSequenceOfEpochs() {
    List<long[]> third;
    byte[] afterTwo;
    try (var l = DataLoader.builder(indices(40), DataLoaderTest::collateIndices).batchSize(8).shuffle(true).seed(3).build()) {
      epoch(l);
      epoch(l);
      afterTwo = l.generator().getState();
      third = epoch(l);
    }
    try (var l = DataLoader.builder(indices(40), DataLoaderTest::collateIndices).batchSize(8).shuffle(true).seed(99).build()) {
      l.generator().setState(afterTwo);
      List<long[]> resumed = epoch(l);
      for (int b = 0; b < third.size(); b++) assertArrayEquals(third.get(b), resumed.get(b));
    }
  }

  @Test
  void prefetchOnAndOffGiveIdenticalBatches() throws Exception {
    var dir = java.nio.file.Files.createTempDirectory("kd-fixture");
    MnistFixture.write(dir, 100, 10, 5);
    List<float[]> xs0 = new ArrayList<>(), xs3 = new ArrayList<>();
    List<long[]> ys0 = new ArrayList<>(), ys3 = new ArrayList<>();
    for (int prefetch : new int[] {0, 3}) {
      // augmentation drawn from seeded generators, on whichever thread makes the batches
      Transform t = Transform.compose(new RandomCrop(28, 3, new Generator(1)), new RandomHorizontalFlip(2),
          new Normalize(0.2860, 0.3530));
      var ds = FashionMNIST.train(dir).withTransform(t);
      try (var loader = DataLoader.builder(ds, LabeledImage::collate).batchSize(16).shuffle(true).seed(11).prefetch(prefetch).build()) {
        for (int e = 0; e < 2; e++) {
          for (Batch b : loader) {
            try (b) {
              assertArrayEquals(new long[] {b.size(), 1, 28, 28}, b.inputs().shape());
              (prefetch == 0 ? xs0 : xs3).add(b.inputs().toFloatArray());
              (prefetch == 0 ? ys0 : ys3).add(b.targets().toLongArray());
            }
          }
        }
      }
    }
    assertEquals(14, xs0.size());
    assertEquals(xs0.size(), xs3.size());
    for (int i = 0; i < xs0.size(); i++) {
      assertArrayEquals(xs0.get(i), xs3.get(i), "inputs of batch " + i);
      assertArrayEquals(ys0.get(i), ys3.get(i), "targets of batch " + i);
    }
  }

  @Test
  void earlyBreakThenCloseLeavesNoThreadAndNoTensor() {
    long before = Kindling.liveTensors();
    try (var loader = DataLoader.builder(indices(1000), DataLoaderTest::collateIndices).batchSize(10).prefetch(4).build()) {
      try (BatchIterator it = loader.iterator()) {
        for (int i = 0; i < 3; i++) it.next().close();
        sleepUntil(() -> loaderThreads() == 1);  // the thread is alive and has filled the queue
      }
      assertEquals(0, loaderThreads(), "closing the iterator stops its thread at once");
      assertNoNewTensors(before, "batches queued but never taken");

      // a for-each loop left with break: the next epoch (or close()) ends the abandoned one
      for (Batch b : loader) {
        b.close();
        break;
      }
      List<long[]> second = epoch(loader);
      assertEquals(100, second.size(), "the new epoch runs whole");
      for (Batch b : loader) {
        b.close();
        break;
      }
    }  // loader.close() ends the running epoch
    assertEquals(0, loaderThreads());
    assertNoNewTensors(before, "after break and close");
  }

  @Test
  void anEpochEndedByANewerOneSaysSo() {
    try (var loader = DataLoader.builder(indices(100), DataLoaderTest::collateIndices).batchSize(10).build()) {
      Iterator<Batch> old = loader.iterator();
      old.next().close();
      try (var it = loader.iterator()) {
        var e = assertThrows(IllegalStateException.class, old::hasNext);
        assertTrue(e.getMessage().contains("a newer one started"), e.getMessage());
        assertEquals(10, it.size());
        it.next().close();
      }
    }
    var closed = DataLoader.builder(indices(10), DataLoaderTest::collateIndices).build();
    closed.close();
    assertThrows(IllegalStateException.class, closed::iterator);
  }

  @Test
  void anAbandonedIteratorIsStoppedWhenCollected() {
    long before = Kindling.liveTensors();
    try (var loader = DataLoader.builder(indices(1000), DataLoaderTest::collateIndices).batchSize(10).prefetch(3).build()) {
      takeOneAndDrop(loader);
      awaitNoLoaderThreads();  // System.gc() lets the cleaner stop the thread
      LeakCheck.assertNotAbove(before, "batches of a collected iterator");  // freed by the cleaner: GC allowed
    }
  }

  private static void takeOneAndDrop(DataLoader<Integer> loader) {
    BatchIterator it = loader.iterator();
    it.next().close();
    sleepUntil(() -> loaderThreads() == 1);
  }

  @Test
  void anExceptionInTheDatasetReachesTheConsumer() {
    long before = Kindling.liveTensors();
    for (int prefetch : new int[] {0, 1, 3}) {
      RuntimeException thrown = new IllegalStateException("cannot decode sample 37");
      AtomicInteger reads = new AtomicInteger();
      Dataset<Integer> broken = new Dataset<>() {
        @Override
        public int size() {
          return 100;
        }

        @Override
        public Integer get(int index) {
          reads.incrementAndGet();
          if (index == 37) throw thrown;
          return index;
        }
      };
      try (var loader = DataLoader.builder(broken, DataLoaderTest::collateIndices).batchSize(10).prefetch(prefetch).build()) {
        int taken = 0;
        BatchIterator it = loader.iterator();
        RuntimeException got = null;
        try {
          while (it.hasNext()) {
            it.next().close();
            taken++;
          }
        } catch (RuntimeException e) {
          got = e;
        }
        assertSame(thrown, got, "prefetch " + prefetch + ": the dataset's own exception");
        assertEquals(3, taken, "prefetch " + prefetch + ": batches before the failing one");
        assertFalse(it.hasNext(), "the epoch is over after the failure");
        assertEquals(0, loaderThreads());
        assertTrue(reads.get() <= 38, "nothing is read past the failure");
        // the loader can run another epoch, which fails the same way
        assertThrows(IllegalStateException.class, () -> epoch(loader));
      }
    }
    // an Error from collate is rethrown as is, and tensors it made before failing are freed
    Collate<Integer> failing = samples -> {
      Tensor.ones(3, 3);
      throw new AssertionError("collate failed");
    };
    try (var loader = DataLoader.builder(indices(20), failing).batchSize(5).prefetch(2).build()) {
      var e = assertThrows(AssertionError.class, () -> epoch(loader));
      assertEquals("collate failed", e.getMessage());
    }
    assertNoNewTensors(before, "tensors of the failed batches");
  }

  @Test
  void batchesBelongToTheConsumersScope() {
    long before = Kindling.liveTensors();
    for (int prefetch : new int[] {0, 2}) {
      try (var loader = DataLoader.builder(indices(30), DataLoaderTest::collateIndices).batchSize(10).prefetch(prefetch).build()) {
        List<Batch> kept = new ArrayList<>();
        try (Scope s = Kindling.scope()) {
          for (Batch b : loader) {
            kept.add(b);
            assertFalse(b.inputs().isClosed());
          }
        }
        for (Batch b : kept) {
          assertTrue(b.inputs().isClosed(), "the scope closed the inputs");
          assertTrue(b.targets().isClosed(), "the scope closed the targets");
        }
        // with no scope open, the batch is the caller's until Batch.close()
        BatchIterator it = loader.iterator();
        Batch b = it.next();
        it.close();
        assertFalse(b.inputs().isClosed(), "a batch taken is not freed by closing the epoch");
        assertEquals(10, b.size());
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f}, b.targets().toFloatArray());
        b.close();
        b.close();  // closing twice is harmless
        assertTrue(b.inputs().isClosed());
      }
    }
    assertNoNewTensors(before, "batches closed by scope or by hand");
  }

  @Test
  void temporariesOfCollateAreFreed() {
    long before = Kindling.liveTensors();
    Collate<Integer> viaTemporaries = samples -> {
      Tensor idx = Tensor.fromArray(samples.stream().mapToLong(Integer::longValue).toArray(), samples.size());
      Tensor x = idx.to(dev.kindling.DType.FLOAT32).mul(2).add(1);  // two temporaries on the way
      return new Batch(x, idx);
    };
    try (var loader = DataLoader.builder(indices(64), viaTemporaries).batchSize(8).shuffle(true).seed(1).build()) {
      for (int e = 0; e < 3; e++) {
        for (Batch b : loader) {
          try (b) {
            long[] i = b.targets().toLongArray();
            float[] x = b.inputs().toFloatArray();
            for (int k = 0; k < i.length; k++) assertEquals(2 * i[k] + 1, x[k]);
          }
        }
      }
    }
    assertNoNewTensors(before, "temporaries of collate");
  }

  @Test
  void tensorDatasetBatchesByIndexSelect() {
    long before = Kindling.liveTensors();
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.arange(0, 20).to(dev.kindling.DType.FLOAT32).reshape(10, 2);
      Tensor y = Tensor.arange(100, 110);
      var ds = new TensorDataset(x, y);
      assertEquals(10, ds.size());
      TensorDataset.Row r = ds.get(3);
      assertArrayEquals(new float[] {6, 7}, r.input().toFloatArray());
      assertEquals(103, r.target().itemLong());
      try (var loader = DataLoader.builder(ds, TensorDataset::collate).batchSize(4).shuffle(true).seed(0).build()) {
        int seen = 0;
        for (Batch b : loader) {
          try (b) {
            long[] t = b.targets().toLongArray();
            float[] in = b.inputs().toFloatArray();
            assertArrayEquals(new long[] {t.length, 2}, b.inputs().shape());
            for (int k = 0; k < t.length; k++) {
              long i = t[k] - 100;
              assertEquals(2 * i, in[2 * k]);
              assertEquals(2 * i + 1, in[2 * k + 1]);
            }
            seen += t.length;
          }
        }
        assertEquals(10, seen);
      }
      // rows of two datasets are stacked
      var other = new TensorDataset(x.mul(-1), y.neg());
      Batch mixed = TensorDataset.collate(List.of(ds.get(1), other.get(2)));
      assertArrayEquals(new float[] {2, 3, -4, -5}, mixed.inputs().toFloatArray());
      assertArrayEquals(new long[] {101, -102}, mixed.targets().toLongArray());
      // unlabelled
      Batch u = TensorDataset.collate(List.of(new TensorDataset(x).get(9)));
      assertNull(u.targets());
      var e = assertThrows(IllegalArgumentException.class, () -> new TensorDataset(x, Tensor.arange(9)));
      assertEquals("TensorDataset: size mismatch between tensors: inputs [10, 2] and targets [9] differ in their first dim", e.getMessage());
    }
    assertNoNewTensors(before, "TensorDataset batches");
  }

  @Test
  void randomSplitMatchesTorchAndSubsetMapsIndices() {
    for (JsonElement e : load().getAsJsonArray("splits")) {
      JsonObject c = e.getAsJsonObject();
      var parts = Subset.randomSplit(indices(c.get("n").getAsInt()), ints(c.getAsJsonArray("lengths")),
          new Generator(c.get("seed").getAsLong()));
      JsonArray want = c.getAsJsonArray("parts");
      assertEquals(want.size(), parts.size());
      for (int p = 0; p < parts.size(); p++) {
        int[] w = ints(want.get(p).getAsJsonArray());
        assertArrayEquals(w, parts.get(p).indices());
        for (int i = 0; i < w.length; i++) assertEquals(w[i], parts.get(p).get(i));
      }
    }
    var e = assertThrows(IllegalArgumentException.class, () -> Subset.randomSplit(indices(10), new int[] {5, 4}, new Generator()));
    assertTrue(e.getMessage().contains("does not equal the length of the input dataset (10)"), e.getMessage());
    assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(indices(5), new int[] {5}));
    assertThrows(IndexOutOfBoundsException.class, () -> new Subset<>(indices(5), new int[] {1}).get(1));
    // map
    Dataset<String> names = indices(3).map(i -> "#" + i);
    assertEquals("#2", names.get(2));
    assertEquals(3, names.size());
  }

  @Test
  void badOptionsAreRejected() {
    var b = DataLoader.builder(indices(3), DataLoaderTest::collateIndices);
    var e = assertThrows(IllegalArgumentException.class, () -> b.batchSize(0));
    assertEquals("DataLoader: batch_size should be a positive integer value, but got batch_size=0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.prefetch(-1));
    assertThrows(NullPointerException.class, () -> DataLoader.builder(null, DataLoaderTest::collateIndices));
    try (var loader = DataLoader.builder(indices(3), s -> null).prefetch(0).build()) {
      var npe = assertThrows(NullPointerException.class, () -> epoch(loader));
      assertEquals("DataLoader: the collate function returned null", npe.getMessage());
    }
    try (var loader = b.build(); var it = loader.iterator()) {
      for (int i = 0; i < 3; i++) it.next().close();
      assertFalse(it.hasNext());
      assertThrows(java.util.NoSuchElementException.class, it::next);
    }
  }

  /**
   * No tensor more than at the start, checked at once, without a garbage collection: a batch freed
   * only by the cleaner's backstop would count as a leak here.
   */
  static void assertNoNewTensors(long before, String what) {
    long now = Kindling.liveTensors();
    assertTrue(now <= before, what + ": " + (now - before) + " native tensor(s) left alive");
  }

  private static long[] flatten(List<long[]> batches) {
    return batches.stream().flatMapToLong(Arrays::stream).toArray();
  }

  private static void sleepUntil(java.util.function.BooleanSupplier cond) {
    long deadline = System.currentTimeMillis() + 2_000;
    while (!cond.getAsBoolean() && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
