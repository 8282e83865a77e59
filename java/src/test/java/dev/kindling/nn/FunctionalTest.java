package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.autograd.GradCheck;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The functional activations and losses as specifications: values PyTorch gives, gradients
 * checked against central differences in float64 (first and second order, since every function is
 * composed of differentiable ops), dropout's training/eval behaviour, and bad input refused with
 * an IllegalArgumentException that names the loss and the shapes or dtypes.
 */
class FunctionalTest {
  private Scope scope;
  private long liveBefore;

  @BeforeEach
  void open() {
    liveBefore = Kindling.liveTensors();
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
    LeakCheck.assertNotAbove(liveBefore, "native tensors left alive by the test");
  }

  private static Tensor d(double[] v, long... shape) {
    return Tensor.fromArray(v, shape);
  }

  private static Tensor x5() {
    return d(new double[] {-3.0, -0.5, 0.0, 0.7, 2.5}, 5);
  }

  private static void assertValues(double[] want, Tensor got) {
    double[] g = got.toDoubleArray();
    assertEquals(want.length, g.length);
    for (int i = 0; i < want.length; i++) assertEquals(want[i], g[i], 1e-12, "element " + i);
  }

  @Test
  void activationValuesMatchTorch() {
    assertValues(new double[] {-1.4253193974482041, -0.5902040104310499, 0.0, 0.7, 2.5}, F.elu(x5(), 1.5));
    assertValues(new double[] {-0.0036373920817729943, -0.15428599017485606, 0.0, 0.5305701347051167,
        2.484915733910001}, F.geluTanh(x5()));
    assertValues(new double[] {-0.14227761953270035, -0.1887703343990727, 0.0, 0.46773144051771626,
        2.3103545499468914}, F.silu(x5()));
    assertValues(new double[] {-0.6, -0.1, 0.0, 0.7, 2.5}, F.leakyRelu(x5(), 0.2));
    assertValues(new double[] {0, 0, 0, 0.7, 2.5}, F.relu(x5()));
    Tensor w = d(new double[] {1, 2, 3, -1, 0.5, 0.5}, 3, 2);
    Tensor b = d(new double[] {0.1, 0.2, 0.3}, 3);
    assertValues(new double[] {-2.9, 5.2, -0.2, 8.6, -2.3, 2.55}, F.linear(d(new double[] {1, -2, 0.5, 4}, 2, 2), w, b));
  }

  @Test
  void eluOfALargeInputHasAFiniteGradient() {
    Tensor x = d(new double[] {800.0, -800.0}, 2).requiresGrad_();
    F.elu(x).sum().backward();
    assertValues(new double[] {1.0, 0.0}, x.grad());
  }

  // ------------------------------------------------------------------------------------------
  // gradcheck

  private static void check(Function<List<Tensor>, Tensor> fn, Tensor... inputs) {
    assertTrue(GradCheck.gradcheck(fn, List.of(inputs)));
    assertTrue(GradCheck.gradgradcheck(fn, List.of(inputs)));
  }

  private static Tensor xs() {
    return d(new double[] {-1.3, -0.4, 0.25, 0.9, 1.7, -2.2}, 2, 3).requiresGrad_();
  }

  @Test
  void activationsPassGradcheck() {
    check(in -> F.relu(in.get(0)), xs());
    check(in -> F.leakyRelu(in.get(0), 0.1), xs());
    check(in -> F.sigmoid(in.get(0)), xs());
    check(in -> F.tanh(in.get(0)), xs());
    check(in -> F.softmax(in.get(0), 1), xs());
    check(in -> F.logSoftmax(in.get(0), 0), xs());
    check(in -> F.elu(in.get(0), 1.3), xs());
    check(in -> F.geluTanh(in.get(0)), xs());
    check(in -> F.silu(in.get(0)), xs());
    check(in -> F.linear(in.get(0), in.get(1), in.get(2)), xs(),
        d(new double[] {0.3, -0.7, 1.1, 0.2, 0.5, -0.9, 1.4, 0.6, -0.3, 0.8, -1.2, 0.1}, 4, 3).requiresGrad_(),
        d(new double[] {0.1, -0.2, 0.3, 0.4}, 4).requiresGrad_());
  }

  @Test
  void dropoutGradientIsItsMaskScaled() {
    Kindling.manualSeed(3);
    Tensor x = Tensor.ones(new long[] {1000}, DType.FLOAT64).requiresGrad_();
    Tensor y = F.dropout(x, 0.25, true);
    y.sum().backward();
    double[] v = y.toDoubleArray(), g = x.grad().toDoubleArray();
    int zeros = 0;
    for (int i = 0; i < v.length; i++) {
      assertTrue(v[i] == 0.0 || Math.abs(v[i] - 1 / 0.75) < 1e-12);
      assertEquals(v[i], g[i], 1e-12);
      if (v[i] == 0) zeros++;
    }
    assertTrue(zeros > 200 && zeros < 300, "about a quarter dropped: " + zeros);
    Tensor z = Tensor.ones(3);
    assertSame(z, F.dropout(z, 0.5, false), "eval: the input itself");
    assertValues(new double[] {0, 0, 0}, F.dropout(z, 1.0, true));
    assertThrows(IllegalArgumentException.class, () -> F.dropout(z, 1.5, true));
  }

  private static Tensor target() {
    return d(new double[] {0.2, -0.6, 1.1, 0.0, 2.0, -1.0}, 2, 3);
  }

  private static Tensor probs() {
    return d(new double[] {0.15, 0.55, 0.8, 0.35, 0.62, 0.07}, 2, 3);
  }

  @Test
  void regressionLossesPassGradcheckForEveryReduction() {
    for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
      check(in -> F.mseLoss(in.get(0), in.get(1), r), xs(), target().requiresGrad_());
      check(in -> F.l1Loss(in.get(0), in.get(1), r), xs(), target().requiresGrad_());
      check(in -> F.smoothL1Loss(in.get(0), in.get(1), r, 0.8), xs(), target().requiresGrad_());
    }
  }

  @Test
  void binaryLossesPassGradcheckForEveryReduction() {
    Tensor w = d(new double[] {0.5, 1.5, 2.0}, 3);
    Tensor pw = d(new double[] {3.0, 0.5, 1.2}, 3);
    Tensor bin = d(new double[] {1, 0, 1, 0, 0, 1}, 2, 3);
    for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
      check(in -> F.binaryCrossEntropy(in.get(0), bin, w, r), probs().requiresGrad_());
      check(in -> F.binaryCrossEntropy(in.get(0), in.get(1), null, r), probs().requiresGrad_(),
          d(new double[] {0.6, 0.3, 0.1, 0.9, 0.45, 0.2}, 2, 3).requiresGrad_());
      check(in -> F.binaryCrossEntropyWithLogits(in.get(0), in.get(1), w, pw, r), xs(), probs().requiresGrad_());
      check(in -> F.binaryCrossEntropyWithLogits(in.get(0), bin, null, null, r), xs());
    }
  }

  @Test
  void classificationLossesPassGradcheckForEveryReduction() {
    Tensor logits = d(new double[] {0.3, -1.2, 0.8, 0.1, 2.0, -0.5, 1.1, 0.4, -0.7, 0.9, 0.2, -1.5}, 3, 4).requiresGrad_();
    Tensor cls = Tensor.of(2L, -100L, 0L);
    Tensor w = d(new double[] {0.5, 1.0, 2.0, 0.7}, 4);
    Tensor p = d(new double[] {0.1, 0.2, 0.3, 0.4, 0.25, 0.25, 0.25, 0.25, 0.7, 0.1, 0.1, 0.1}, 3, 4);
    for (Reduction r : new Reduction[] {Reduction.NONE, Reduction.MEAN, Reduction.SUM}) {
      check(in -> F.crossEntropy(in.get(0), cls, w, -100, r, 0.1), logits);
      check(in -> F.crossEntropy(in.get(0), cls, null, -100, r, 0.0), logits);
      check(in -> F.crossEntropy(in.get(0), p, w, -100, r, 0.2), logits);
      check(in -> F.nllLoss(in.get(0).logSoftmax(1), cls, w, -100, r), logits);
      check(in -> F.klDiv(in.get(0).logSoftmax(1), in.get(1), r, false), logits, p.detach().requiresGrad_());
      check(in -> F.klDiv(in.get(0).logSoftmax(1), in.get(1).logSoftmax(1), r, true), logits,
          p.detach().mul(3.0).requiresGrad_());
    }
    check(in -> F.klDiv(in.get(0).logSoftmax(1), p, Reduction.BATCHMEAN, false), logits);
  }

  @Test
  void weightedMeanDividesByTheWeightsOfCountedTargets() {
    Tensor logp = d(new double[] {-1, -2, -3, -4, -5, -6}, 2, 3);
    Tensor w = d(new double[] {1, 2, 3}, 3);
    // losses: w[2]*3 = 9 (row 0), row 1 ignored -> 9 / 3
    assertEquals(3.0, F.nllLoss(logp, Tensor.of(2L, 7L), w, 7, Reduction.MEAN).item(), 1e-12);
    assertEquals(9.0, F.nllLoss(logp, Tensor.of(2L, 7L), w, 7, Reduction.SUM).item(), 1e-12);
    assertTrue(Double.isNaN(F.nllLoss(logp, Tensor.of(7L, 7L), w, 7, Reduction.MEAN).item()),
        "all ignored: 0/0 as in PyTorch");
  }

  // ------------------------------------------------------------------------------------------
  // bad input

  @Test
  void badTargetsAreRefusedNamingTheLossAndShapes() {
    Tensor logits = Tensor.zeros(3, 4);
    assertMessage(() -> F.crossEntropy(logits, Tensor.of(1L, 2L)),
        "cross_entropy", "[3]", "[3, 4]", "[2]");
    // An out-of-range class index is PyTorch's IndexError.
    IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class, () -> F.crossEntropy(logits, Tensor.of(1L, 2L, 4L)));
    assertTrue(past.getMessage().contains("cross_entropy: target 4 is out of bounds"), past.getMessage());
    IndexOutOfBoundsException negative = assertThrows(IndexOutOfBoundsException.class, () -> F.crossEntropy(logits, Tensor.of(1L, -1L, 0L)));
    assertTrue(negative.getMessage().contains("cross_entropy: target -1"), negative.getMessage());
    assertMessage(() -> F.crossEntropy(logits, Tensor.of(1.0f, 2.0f, 0.0f)), "cross_entropy", "int64", "float32");
    assertMessage(() -> F.crossEntropy(logits, Tensor.zeros(new long[] {3, 4}, DType.INT64)),
        "cross_entropy", "floating point target", "int64");
    assertMessage(() -> F.crossEntropy(logits, Tensor.of(1L, 2L, 0L), Tensor.ones(3), -100, Reduction.MEAN, 0),
        "cross_entropy", "weight", "[3]");
    assertMessage(() -> F.crossEntropy(logits, Tensor.of(1L, 2L, 0L), null, -100, Reduction.MEAN, 1.5),
        "cross_entropy", "label_smoothing");
    IndexOutOfBoundsException nll = assertThrows(IndexOutOfBoundsException.class, () -> F.nllLoss(logits, Tensor.of(1L, 5L, 0L)));
    assertTrue(nll.getMessage().contains("nll_loss: target 5"), nll.getMessage());
    assertMessage(() -> F.nllLoss(Tensor.zeros(new long[] {3, 4}, DType.INT64), Tensor.of(1L, 2L, 0L)),
        "nll_loss", "floating point input", "int64");
    assertMessage(() -> F.mseLoss(Tensor.zeros(2, 3), Tensor.zeros(4)), "mse_loss", "[4]", "[2, 3]");
    assertMessage(() -> F.l1Loss(Tensor.zeros(2, 3), Tensor.zeros(2)), "l1_loss", "[2]", "[2, 3]");
    assertMessage(() -> F.smoothL1Loss(Tensor.zeros(2), Tensor.zeros(2), Reduction.MEAN, -1), "smooth_l1_loss", "beta");
    assertMessage(() -> F.binaryCrossEntropy(Tensor.full(new long[] {2}, 0.5), Tensor.zeros(2, 1)),
        "binary_cross_entropy", "[2, 1]", "[2]");
    assertMessage(() -> F.binaryCrossEntropy(Tensor.of(0.5f, 1.5f), Tensor.zeros(2)),
        "binary_cross_entropy", "between 0 and 1");
    assertMessage(() -> F.binaryCrossEntropyWithLogits(Tensor.zeros(2), Tensor.zeros(3)),
        "binary_cross_entropy_with_logits", "[3]", "[2]");
    assertMessage(() -> F.mseLoss(Tensor.zeros(2), Tensor.zeros(2), Reduction.BATCHMEAN), "mse_loss", "batchmean");
    assertMessage(() -> F.klDiv(Tensor.zeros(2, 3), Tensor.zeros(5)), "kl_div", "[5]", "[2, 3]");
    assertThrows(IllegalArgumentException.class, () -> Reduction.of("avg"));
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should contain '" + p + "'");
    }
  }
}
