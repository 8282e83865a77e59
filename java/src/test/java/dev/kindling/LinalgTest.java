package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** matmul, mm and bmm from Java: values, torch.matmul's shapes and errors as exceptions. */
class LinalgTest {
  @Test
  void mmOfTransposedViews() {
    try (Scope s = Kindling.scope()) {
      // torch.tensor([[1.,2,3],[4,5,6]]) @ torch.tensor([[7.,8],[9,10],[11,12]])
      Tensor a = Tensor.of(new float[][] {{1, 4}, {2, 5}, {3, 6}}).t();
      Tensor b = Tensor.of(new float[][] {{7, 9, 11}, {8, 10, 12}}).t();
      Tensor c = a.mm(b);
      assertArrayEquals(new long[] {2, 2}, c.shape());
      assertArrayEquals(new float[] {58, 64, 139, 154}, c.toFloatArray());
      assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b).toFloatArray());
    }
  }

  @Test
  void matmulFollowsTorchShapes() {
    try (Scope s = Kindling.scope()) {
      // torch.matmul(torch.arange(3.), torch.arange(3.)) -> tensor(5.)
      Tensor v = Tensor.arange(0.0, 3.0, 1.0);
      Tensor dot = v.matmul(v);
      assertEquals(0, dot.shape().length);
      assertEquals(5.0, dot.item());
      // torch.ones(2, 1, 3, 4) @ torch.ones(5, 4, 6) -> shape [2, 5, 3, 6], every entry 4
      Tensor batched = Tensor.ones(2, 1, 3, 4).matmul(Tensor.ones(5, 4, 6));
      assertArrayEquals(new long[] {2, 5, 3, 6}, batched.shape());
      for (float x : batched.toFloatArray()) assertEquals(4f, x);
      // int64: torch.arange(6).view(2, 3) @ torch.arange(3) -> tensor([5, 14])
      assertArrayEquals(new long[] {5, 14}, Tensor.arange(6).view(2, 3).matmul(Tensor.arange(3)).toLongArray());
      assertArrayEquals(new long[] {4, 2, 5}, Tensor.ones(4, 2, 3).bmm(Tensor.ones(4, 3, 5)).shape());
    }
  }

  @Test
  void errorsBecomeIllegalArgument() {
    try (Scope s = Kindling.scope()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 3).mm(Tensor.ones(4, 5)));
      assertTrue(e.getMessage().contains("mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
          e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> Tensor.ones(2, 3).matmul(Tensor.ones(new long[] {3}, DType.FLOAT64)));
      assertThrows(IllegalArgumentException.class, () -> Tensor.ones(2, 3).bmm(Tensor.ones(2, 3)));
    }
  }
}
