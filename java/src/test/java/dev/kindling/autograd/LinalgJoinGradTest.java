package dev.kindling.autograd;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gradients of matrix products, joining and indexing through the Java API, against numbers from
 * torch 1.13 (the Python snippets are quoted next to each case). The C++ tests check every
 * formula against finite differences; these check the wiring and PyTorch's conventions.
 */
class LinalgJoinGradTest {
  private static final double TOL = 1e-12;
  private Scope scope;

  @BeforeEach
  void open() {
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private static Tensor arange(int n, long... shape) {
    return Tensor.arange(0.0, n, 1.0, DType.FLOAT64).view(shape);
  }

  @Test
  void twoLayerProductChain() {
    // x = [[1,2,3],[4,5,6]]; w1 = (arange(12).view(3,4)/10 - 0.5).requires_grad_()
    // w2 = tensor([1,-2,3,-1]).requires_grad_(); y = x.matmul(w1).matmul(w2); y.sum().backward()
    Tensor x = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
    Tensor w1 = arange(12, 3, 4).div(10.0).sub(0.5).requiresGrad_();
    Tensor w2 = Tensor.of(1.0, -2.0, 3.0, -1.0).requiresGrad_();
    Tensor y = x.matmul(w1).matmul(w2);
    assertEquals("MvBackward0", y.gradFn().name());
    assertArrayEquals(new double[] {0.8, 0.8}, y.toDoubleArray(), 1e-12);
    y.sum().backward();
    assertArrayEquals(new double[] {5, -10, 15, -5, 7, -14, 21, -7, 9, -18, 27, -9}, w1.grad().toDoubleArray(), TOL);
    assertArrayEquals(new double[] {-0.5, 1.6, 3.7, 5.8}, w2.grad().toDoubleArray(), TOL);
  }

  @Test
  void broadcastBatchesSumTheirGradientsBack() {
    // a = (arange(24).view(2,1,3,4)/10).requires_grad_(); b = ((arange(120).view(5,4,6) % 7 - 3)/4)
    // z = a @ b  -> [2,5,3,6], UnsafeViewBackward0; z.sum().backward()
    Tensor a = arange(24, 2, 1, 3, 4).div(10.0).requiresGrad_();
    Tensor b = arange(120, 5, 4, 6).remainder(7.0).sub(3.0).div(4.0).requiresGrad_();
    Tensor z = a.matmul(b);
    assertArrayEquals(new long[] {2, 5, 3, 6}, z.shape());
    assertEquals("UnsafeViewBackward0", z.gradFn().name());
    z.sum().backward();
    assertArrayEquals(new long[] {2, 1, 3, 4}, a.grad().shape());
    double[] row = {-0.75, 0.5, 0.0, -0.5};
    double[] ga = a.grad().toDoubleArray();
    for (int i = 0; i < ga.length; i++) assertEquals(row[i % 4], ga[i], TOL);
    // every batch of b sees the same sum of a's rows
    double[] b0 = {6, 6, 6, 6, 6, 6, 6.6, 6.6, 6.6, 6.6, 6.6, 6.6, 7.2, 7.2, 7.2, 7.2, 7.2, 7.2, 7.8, 7.8, 7.8, 7.8, 7.8, 7.8};
    for (int j = 0; j < 5; j++) assertArrayEquals(b0, b.grad().select(0, j).toDoubleArray(), 1e-12);
  }

  @Test
  void lookupSplitStackCatGather() {
    // emb = (arange(15).view(5,3)/10).requires_grad_(); e = emb.index_select(0, tensor([1,3,1,0]))
    // p = e.split([1,2,1], 0); s = torch.stack([p[0], p[2]], 0); c = torch.cat([s.view(2,3), p[1]], 1)
    // g = c.gather(1, tensor([[0,5],[2,2]])); g.backward(tensor([[1.,2],[3,4]]))
    Tensor emb = arange(15, 5, 3).div(10.0).requiresGrad_();
    Tensor e = emb.indexSelect(0, Tensor.of(1L, 3L, 1L, 0L));
    List<Tensor> p = e.split(new long[] {1, 2, 1}, 0);
    assertEquals("SplitWithSizesBackward0", p.get(2).gradFn().name());
    Tensor s = Tensor.stack(List.of(p.get(0), p.get(2)), 0);
    assertEquals("StackBackward0", s.gradFn().name());
    Tensor c = Tensor.cat(List.of(s.view(2, 3), p.get(1)), 1);
    assertEquals("CatBackward0", c.gradFn().name());
    Tensor g = c.gather(1, Tensor.of(new long[][] {{0, 5}, {2, 2}}));
    assertEquals("GatherBackward0", g.gradFn().name());
    assertArrayEquals(new double[] {0.3, 1.1, 0.2, 0.2}, g.toDoubleArray(), 1e-12);
    g.backward(Tensor.of(new double[][] {{1, 2}, {3, 4}}));
    assertArrayEquals(new double[] {0, 0, 7, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0}, emb.grad().toDoubleArray(), TOL);
  }

  @Test
  void unusedSplitPiecesGetZeros() {
    // p = arange(6.).requires_grad_(); (p.split([1,2,3])[1] * tensor([5.,7.])).sum().backward()
    // -> p.grad = [0, 5, 7, 0, 0, 0]
    Tensor x = arange(6, 6).requiresGrad_();
    List<Tensor> parts = x.split(new long[] {1, 2, 3}, 0);
    parts.get(1).backward(Tensor.of(5.0, 7.0));
    assertArrayEquals(new double[] {0, 5, 7, 0, 0, 0}, x.grad().toDoubleArray(), TOL);
  }

  @Test
  void gradientPenaltyThroughMatmul() {
    // x = [[1,2,3],[4,5,6]] (grad); w = [[0.5],[-1],[2]] (grad)
    // gg = autograd.grad(x.matmul(w).sum(), x, create_graph=True)[0]
    // pen = gg.reshape(-1).matmul(gg.reshape(-1)) -> 10.5; pen.backward() -> w.grad = [2,-4,8], x.grad None
    Tensor x = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}}).requiresGrad_();
    Tensor w = Tensor.of(new double[][] {{0.5}, {-1}, {2}}).requiresGrad_();
    Tensor gg = Autograd.grad(List.of(x.matmul(w).sum()), List.of(x), null, false, true, false).get(0);
    assertTrue(gg.requiresGrad());
    Tensor pen = gg.reshape(-1).matmul(gg.reshape(-1));
    assertEquals("DotBackward0", pen.gradFn().name());
    assertEquals(10.5, pen.item(), TOL);
    pen.backward();
    assertArrayEquals(new double[] {2, -4, 8}, w.grad().toDoubleArray(), TOL);
    assertNull(x.grad());
  }

  @Test
  void scatterAddInPlaceRecords() {
    // src = [[1,2],[3,4]] (grad); h = zeros(3,2).scatter_add_(0, tensor([[2,0],[2,1]]), src)
    // h.grad_fn ScatterAddBackward0; h.backward([[1,2],[3,4],[5,6]]) -> src.grad = [[5,2],[5,4]]
    Tensor src = Tensor.of(new double[][] {{1, 2}, {3, 4}}).requiresGrad_();
    Tensor h = Tensor.zeros(new long[] {3, 2}, DType.FLOAT64);
    h.scatterAdd_(0, Tensor.of(new long[][] {{2, 0}, {2, 1}}), src);
    assertEquals("ScatterAddBackward0", h.gradFn().name());
    assertArrayEquals(new double[] {0, 2, 0, 4, 4, 0}, h.toDoubleArray(), TOL);
    h.backward(Tensor.of(new double[][] {{1, 2}, {3, 4}, {5, 6}}));
    assertArrayEquals(new double[] {5, 2, 5, 4}, src.grad().toDoubleArray(), TOL);
    // in place on a leaf that requires grad is refused
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> src.scatterAdd_(0, Tensor.of(new long[][] {{0, 0}}), Tensor.ones(new long[] {1, 2}, DType.FLOAT64)));
    assertTrue(e.getMessage().contains("leaf Variable"), e.getMessage());
  }
}
