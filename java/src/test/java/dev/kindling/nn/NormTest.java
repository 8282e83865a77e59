package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.autograd.GradCheck;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Normalisation layers as specifications: gradcheck in float64 of BatchNorm's training forward,
 * LayerNorm and GroupNorm; PyTorch's state_dict keys and repr; the buffers BatchNorm keeps;
 * evaluation with and without running statistics; and the errors a wrong input gives.
 */
class NormTest {
  private Scope scope;

  @BeforeEach
  void open() {
    Kindling.manualSeed(7);
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private static Tensor dbl(long... shape) {
    return Tensor.randn(shape, DType.FLOAT64).requiresGrad_();
  }

  private static void check(Function<List<Tensor>, Tensor> fn, Tensor... inputs) {
    assertTrue(GradCheck.gradcheck(fn, List.of(inputs)));
  }

  @Test
  void batchNormTrainingForwardPassesGradcheck() {
    try (BatchNorm2d bn = new BatchNorm2d(3, 1e-5, 0.1, false, true);
         BatchNorm1d bn1 = new BatchNorm1d(4, 1e-5, null, false, false)) {
      // the module is not affine here so that a float64 γ and β can be supplied as inputs
      check(in -> bn.forward(in.get(0)).mul(in.get(1).view(1, 3, 1, 1)).add(in.get(2).view(1, 3, 1, 1)),
          dbl(2, 3, 2, 3), dbl(3), dbl(3));
      check(in -> bn1.forward(in.get(0)), dbl(5, 4));
      check(in -> bn1.forward(in.get(0)), dbl(2, 4, 3));
    }
  }

  @Test
  void layerNormAndGroupNormPassGradcheck() {
    check(in -> FNorm.layerNorm(in.get(0), new long[] {4}, in.get(1), in.get(2), 1e-5), dbl(3, 4), dbl(4), dbl(4));
    check(in -> FNorm.layerNorm(in.get(0), new long[] {2, 3}, null, null, 1e-5), dbl(2, 2, 3));
    check(in -> FNorm.groupNorm(in.get(0), 2, in.get(1), in.get(2), 1e-5), dbl(2, 4, 3), dbl(4), dbl(4));
    check(in -> FNorm.groupNorm(in.get(0), 3, null, null, 1e-5), dbl(2, 3, 2, 2));
  }

  @Test
  void normalisationsPassGradgradcheck() {
    Function<List<Tensor>, Tensor> ln = in -> FNorm.layerNorm(in.get(0), new long[] {3}, in.get(1), in.get(2), 1e-5);
    assertTrue(GradCheck.gradgradcheck(ln, List.of(dbl(2, 3), dbl(3), dbl(3))));
    Function<List<Tensor>, Tensor> gn = in -> FNorm.groupNorm(in.get(0), 2, null, null, 1e-5);
    assertTrue(GradCheck.gradgradcheck(gn, List.of(dbl(2, 4, 2))));
    try (BatchNorm1d bn = new BatchNorm1d(3, 1e-5, 0.1, false, true)) {
      assertTrue(GradCheck.gradgradcheck(in -> bn.forward(in.get(0)), List.of(dbl(4, 3))));
    }
  }

  @Test
  void batchNormStateDictKeysAreTorchs() {
    try (BatchNorm2d bn = new BatchNorm2d(64)) {
      assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
          List.copyOf(bn.stateDict().keySet()));
      assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
      assertEquals(DType.INT64, bn.numBatchesTracked().dtype());
      assertEquals(0, bn.numBatchesTracked().dim());
      try (BatchNorm1d b = new BatchNorm1d(3)) {
        assertArrayEquals(new double[] {0, 0, 0}, b.runningMean().toDoubleArray());
        assertArrayEquals(new double[] {1, 1, 1}, b.runningVar().toDoubleArray());
      }
      assertEquals("BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", bn.toString());
    }
    try (BatchNorm1d bn = new BatchNorm1d(3, 1e-3, null, false, false)) {
      assertTrue(bn.stateDict().isEmpty());
      assertEquals("BatchNorm1d(3, eps=0.001, momentum=None, affine=False, track_running_stats=False)", bn.toString());
    }
  }

  @Test
  void otherReprsAreTorchs() {
    try (LayerNorm a = new LayerNorm(6); LayerNorm b = new LayerNorm(new long[] {4, 5}, 1e-5, false);
         GroupNorm c = new GroupNorm(2, 4)) {
      assertEquals("LayerNorm((6,), eps=1e-05, elementwise_affine=True)", a.toString());
      assertEquals("LayerNorm((4, 5), eps=1e-05, elementwise_affine=False)", b.toString());
      assertEquals("GroupNorm(2, 4, eps=1e-05, affine=True)", c.toString());
    }
  }

  @Test
  void batchNormWithoutTrackingUsesBatchStatisticsInEval() {
    try (BatchNorm1d bn = new BatchNorm1d(2, 1e-5, 0.1, false, false)) {
      bn.eval();
      Tensor x = Tensor.of(new double[][] {{1, 10}, {3, 30}});
      assertArrayEquals(new double[] {-1, -1, 1, 1}, bn.forward(x).toDoubleArray(), 1e-4);
      assertNull(bn.runningMean());
    }
  }

  @Test
  void evalDoesNotUpdateRunningStatistics() {
    try (BatchNorm1d bn = new BatchNorm1d(2)) {
      bn.eval();
      Tensor x = Tensor.of(new float[][] {{1, 10}, {3, 30}});
      // running mean 0, var 1: eval output is x / sqrt(1 + eps)
      assertArrayEquals(new double[] {1, 10, 3, 30}, bn.forward(x).toDoubleArray(), 1e-3);
      assertArrayEquals(new double[] {0, 0}, bn.runningMean().toDoubleArray());
      assertEquals(0, bn.numBatchesTracked().itemLong());
    }
  }

  @Test
  void badInputsNameTheModuleAndTheShapes() {
    try (BatchNorm2d bn = new BatchNorm2d(3); BatchNorm1d bn1 = new BatchNorm1d(3)) {
      var e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 3, 4)));
      assertEquals("BatchNorm2d: expected 4D input (got 3D input)", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 4, 2, 2)));
      assertTrue(e.getMessage().startsWith("BatchNorm2d: running_mean should contain 4 elements not 3"), e.getMessage());
      assertTrue(e.getMessage().contains("[2, 4, 2, 2]"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(5)));
      assertEquals("BatchNorm1d: expected 2D or 3D input (got 1D input)", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> bn1.forward(Tensor.zeros(1, 3)));
      assertTrue(e.getMessage().contains("expected more than 1 value per channel when training"), e.getMessage());
      assertEquals(0, bn1.numBatchesTracked().itemLong(), "a refused batch is not counted");
    }
    IllegalArgumentException e;
    try (LayerNorm ln = new LayerNorm(6)) {
      e = assertThrows(IllegalArgumentException.class, () -> ln.forward(Tensor.zeros(4, 5)));
    }
    assertTrue(e.getMessage().contains("normalized_shape=[6], expected input with shape [*, 6], but got input of size [4, 5]"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
    assertTrue(e.getMessage().contains("num_channels must be divisible by num_groups"), e.getMessage());
    try (GroupNorm gn = new GroupNorm(2, 4)) {
      e = assertThrows(IllegalArgumentException.class, () -> gn.forward(Tensor.zeros(2, 6, 3)));
    }
    assertTrue(e.getMessage().contains("expected input with 4 channels") && e.getMessage().contains("[2, 6, 3]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FNorm.groupNorm(Tensor.zeros(2, 6, 3), 4, null, null, 1e-5));
    assertTrue(e.getMessage().contains("divisible by num_groups"), e.getMessage());
  }
}
