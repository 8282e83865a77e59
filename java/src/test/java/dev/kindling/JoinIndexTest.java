package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Joining (cat, stack, split, chunk) and indexing (indexSelect, gather, scatterAdd) from Java,
 * each case next to the torch call it reproduces and the numbers torch prints.
 */
class JoinIndexTest {

  private static long[] sizesAlong(List<Tensor> parts, int dim) {
    long[] out = new long[parts.size()];
    for (int i = 0; i < out.length; i++) out[i] = parts.get(i).size(dim);
    return out;
  }

  @Test
  void catJoinsAlongADimAndPromotes() {
    try (Scope s = Kindling.scope()) {
      // torch.cat([torch.arange(6).view(2, 3), torch.tensor([[0.5], [1.5]])], -1)
      Tensor a = Tensor.arange(6).view(2, 3);
      Tensor b = Tensor.of(new float[][] {{0.5f}, {1.5f}});
      Tensor c = Tensor.cat(List.of(a, b), -1);
      assertArrayEquals(new long[] {2, 4}, c.shape());
      assertEquals(DType.FLOAT32, c.dtype());  // int64 with float32 -> float32
      assertArrayEquals(new float[] {0, 1, 2, 0.5f, 3, 4, 5, 1.5f}, c.toFloatArray());
      // torch.cat([a, a]) along dim 0 (the default)
      assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}, Tensor.cat(List.of(a, a)).toLongArray());
      // Non-contiguous input: torch.cat([a.t(), a.t()], 1)
      Tensor t = Tensor.cat(List.of(a.t(), a.t()), 1);
      assertArrayEquals(new long[] {3, 4}, t.shape());
      assertArrayEquals(new long[] {0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5}, t.toLongArray());
      // Legacy [0] tensors are skipped: torch.cat([torch.zeros(0), a], 1).shape == (2, 3)
      assertArrayEquals(new long[] {2, 3}, Tensor.cat(List.of(Tensor.zeros(0), a), 1).shape());
    }
  }

  @Test
  void catRejectsMismatchedInputs() {
    try (Scope s = Kindling.scope()) {
      Tensor a = Tensor.zeros(2, 2);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Tensor.cat(List.of(a, Tensor.zeros(3, 3)), 1));
      assertEquals("cat: sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 "
          + "for tensor number 1 in the list (shapes [2, 2] and [3, 3]).", e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Tensor.cat(List.of()));
      assertThrows(IllegalArgumentException.class, () -> Tensor.cat(List.of(a, Tensor.zeros(2, 2, 1))));
      assertThrows(IllegalArgumentException.class, () -> Tensor.cat(List.of(Tensor.scalar(1.0))));
      assertThrows(IndexOutOfBoundsException.class, () -> Tensor.cat(List.of(a, a), 2));
    }
  }

  @Test
  void stackAddsADim() {
    try (Scope s = Kindling.scope()) {
      Tensor a = Tensor.arange(3);
      Tensor b = Tensor.arange(3, 6);
      // torch.stack([a, b], 1) -> [[0, 3], [1, 4], [2, 5]]
      Tensor st = Tensor.stack(List.of(a, b), 1);
      assertArrayEquals(new long[] {3, 2}, st.shape());
      assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, st.toLongArray());
      assertArrayEquals(new long[] {2, 3}, Tensor.stack(List.of(a, b)).shape());
      assertArrayEquals(new long[] {3, 2}, Tensor.stack(List.of(a, b), -1).shape());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Tensor.stack(List.of(Tensor.zeros(2, 3), Tensor.zeros(2, 4))));
      assertEquals("stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1",
          e.getMessage());
      assertThrows(IndexOutOfBoundsException.class, () -> Tensor.stack(List.of(a, b), 2));
      assertThrows(IndexOutOfBoundsException.class, () -> Tensor.stack(List.of(a, b), -3));
    }
  }

  @Test
  void chunkAndSplitGivePyTorchsPieces() {
    try (Scope s = Kindling.scope()) {
      // torch.chunk(torch.arange(10), 3) -> sizes 4, 4, 2
      List<Tensor> c10 = Tensor.arange(10).chunk(3, 0);
      assertArrayEquals(new long[] {4, 4, 2}, sizesAlong(c10, 0));
      assertArrayEquals(new long[] {8, 9}, c10.get(2).toLongArray());
      // torch.chunk(torch.arange(5), 4) -> sizes 2, 2, 1 (fewer pieces than asked)
      assertArrayEquals(new long[] {2, 2, 1}, sizesAlong(Tensor.arange(5).chunk(4, 0), 0));
      // torch.chunk(torch.arange(6), 3) -> 2, 2, 2; torch.chunk(torch.arange(2), 5) -> 1, 1
      assertArrayEquals(new long[] {2, 2, 2}, sizesAlong(Tensor.arange(6).chunk(3, 0), 0));
      assertArrayEquals(new long[] {1, 1}, sizesAlong(Tensor.arange(2).chunk(5, 0), 0));
      // torch.chunk(torch.zeros(0, 2), 3) -> three [0, 2] pieces
      assertArrayEquals(new long[] {0, 0, 0}, sizesAlong(Tensor.zeros(0, 2).chunk(3, 0), 0));
      // torch.arange(12).view(3, 4).chunk(2, -1) -> two [3, 2] views
      Tensor m = Tensor.arange(12).view(3, 4);
      List<Tensor> halves = m.chunk(2, -1);
      assertArrayEquals(new long[] {2, 2}, sizesAlong(halves, 1));
      assertArrayEquals(new long[] {2, 3, 6, 7, 10, 11}, halves.get(1).toLongArray());
      assertTrue(halves.get(1).sharesStorageWith(m));

      // torch.split(torch.arange(10), 4) -> 4, 4, 2; torch.split(torch.arange(10), 5) -> 5, 5
      assertArrayEquals(new long[] {4, 4, 2}, sizesAlong(Tensor.arange(10).split(4, 0), 0));
      assertArrayEquals(new long[] {5, 5}, sizesAlong(Tensor.arange(10).split(5, 0), 0));
      assertArrayEquals(new long[] {10}, sizesAlong(Tensor.arange(10).split(20, 0), 0));
      // torch.split(torch.zeros(0), 3) -> one empty piece; split size 0 only for an empty dim
      assertArrayEquals(new long[] {0}, sizesAlong(Tensor.zeros(0).split(3, 0), 0));
      assertArrayEquals(new long[] {0}, sizesAlong(Tensor.zeros(0).split(0, 0), 0));
      // torch.split(x, [1, 3], dim=1) are views
      List<Tensor> parts = m.split(new long[] {1, 3}, 1);
      assertArrayEquals(new long[] {0, 4, 8}, parts.get(0).toLongArray());
      parts.get(1).fill_(-1);
      assertArrayEquals(new long[] {0, -1, -1, -1, 4, -1, -1, -1, 8, -1, -1, -1}, m.toLongArray());
    }
  }

  @Test
  void splitAndChunkRejectBadArguments() {
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.arange(5);
      IllegalArgumentException sum = assertThrows(IllegalArgumentException.class, () -> x.split(new long[] {2, 2}, 0));
      assertEquals("split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 0), "
          + "but got split_sizes=[2, 2]", sum.getMessage());
      assertThrows(IllegalArgumentException.class, () -> x.split(new long[] {6, -1}, 0));
      assertThrows(IllegalArgumentException.class, () -> x.split(-1, 0));
      assertThrows(IllegalArgumentException.class, () -> x.split(0, 0));
      assertThrows(IllegalArgumentException.class, () -> x.chunk(0, 0));
      assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1.0).chunk(1, 0));
      assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1.0).split(1, 0));
      assertThrows(IndexOutOfBoundsException.class, () -> x.split(2, 1));
    }
  }

  @Test
  void indexSelectPicksSlices() {
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.arange(12).view(3, 4).to(DType.FLOAT32);
      Tensor idx = Tensor.of(2L, 0L);
      // torch.index_select(x, 0, [2, 0])
      assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3}, x.indexSelect(0, idx).toFloatArray());
      // torch.index_select(x, -1, [2, 0])
      Tensor cols = x.indexSelect(-1, idx);
      assertArrayEquals(new long[] {3, 2}, cols.shape());
      assertArrayEquals(new float[] {2, 0, 6, 4, 10, 8}, cols.toFloatArray());
      // Non-contiguous input: torch.index_select(x.t(), 0, [3, 1]) -> [[3, 7, 11], [1, 5, 9]]
      assertArrayEquals(new float[] {3, 7, 11, 1, 5, 9}, x.t().indexSelect(0, Tensor.of(3L, 1L)).toFloatArray());
      // bool input
      assertArrayEquals(new boolean[] {false, false, true},
          Tensor.of(true, false).indexSelect(0, Tensor.of(1L, 1L, 0L)).toBooleanArray());

      IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class,
          () -> x.indexSelect(1, Tensor.of(4L)));
      assertEquals("index_select: index 4 is out of bounds for dimension 1 with size 4", oob.getMessage());
      assertThrows(IndexOutOfBoundsException.class, () -> x.indexSelect(0, Tensor.of(-1L)));
      assertThrows(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.of(1f)));
      assertThrows(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.of(new long[][] {{1}})));
    }
  }

  @Test
  void gatherPicksAlongADim() {
    try (Scope s = Kindling.scope()) {
      Tensor x = Tensor.arange(12).view(3, 4);
      // torch.gather(x, 1, [[0, 3], [1, 1]]) -> [[0, 3], [5, 5]]
      Tensor g = x.gather(1, Tensor.of(new long[][] {{0, 3}, {1, 1}}));
      assertArrayEquals(new long[] {2, 2}, g.shape());
      assertArrayEquals(new long[] {0, 3, 5, 5}, g.toLongArray());
      // torch.gather(x, -2, [[2, 0, 1, 2]]) -> [[8, 1, 6, 11]]
      assertArrayEquals(new long[] {8, 1, 6, 11}, x.gather(-2, Tensor.of(new long[][] {{2, 0, 1, 2}})).toLongArray());

      IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class,
          () -> x.gather(1, Tensor.of(new long[][] {{0, 4}})));
      assertEquals("gather: index 4 is out of bounds for dimension 1 with size 4", oob.getMessage());
      assertThrows(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(0L, 1L)));
      assertThrows(IllegalArgumentException.class, () -> x.gather(1, Tensor.zeros(new long[] {4, 1}, DType.INT64)));
      assertThrows(IllegalArgumentException.class, () -> x.gather(1, Tensor.zeros(1, 1)));
    }
  }

  @Test
  void scatterAddAccumulatesLikePyTorch() {
    try (Scope s = Kindling.scope()) {
      Tensor z = Tensor.zeros(3, 4);
      Tensor idx = Tensor.of(new long[][] {{0, 0}, {3, 1}});
      // torch.zeros(3, 4).scatter_add(1, [[0, 0], [3, 1]], torch.ones(2, 2))
      Tensor r = z.scatterAdd(1, idx, Tensor.ones(2, 2));
      assertArrayEquals(new float[] {2, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0}, r.toFloatArray());
      assertArrayEquals(new float[12], z.toFloatArray());

      // In place: returns this, bumps _version.
      long v = z.version();
      assertSame(z, z.scatterAdd_(1, idx, Tensor.ones(2, 2)));
      assertTrue(z.version() > v);
      assertArrayEquals(r.toFloatArray(), z.toFloatArray());

      // bool adds as logical or: torch.zeros(3, dtype=bool).scatter_add(0, [0, 0, 2], [T, T, F])
      Tensor bools = Tensor.zeros(new long[] {3}, DType.BOOL).scatterAdd(0, Tensor.of(0L, 0L, 2L), Tensor.of(true, true, false));
      assertArrayEquals(new boolean[] {true, false, false}, bools.toBooleanArray());

      // Errors: src dtype must equal self's, index in range (nothing written on failure).
      assertThrows(IllegalArgumentException.class, () -> z.scatterAdd(1, idx, Tensor.ones(new long[] {2, 2}, DType.FLOAT64)));
      assertThrows(IllegalArgumentException.class, () -> z.scatterAdd(1, idx, Tensor.ones(2, 1)));
      Tensor before = z.clone();
      IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class,
          () -> z.scatterAdd_(1, Tensor.of(new long[][] {{1, 4}}), Tensor.ones(1, 2)));
      assertEquals("scatter_add: index 4 is out of bounds for dimension 1 with size 4", oob.getMessage());
      assertArrayEquals(before.toFloatArray(), z.toFloatArray());
    }
  }
}
