package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Embedding, the activation modules ELU, SiLU and GELU, and the loss modules as specifications:
 * Embedding's weight after a seed equals PyTorch's (golden/embedding.json), lookups select rows
 * and send gradients back to them; each module computes what its functional form computes;
 * loss weights are buffers (state_dict keys as in PyTorch); reprs are PyTorch's; bad input fails
 * clearly.
 */
class LayerModulesTest {
  private Scope scope;

  @BeforeEach
  void open() {
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  @Test
  void embeddingWeightAfterSeedIsTorchs() throws Exception {
    JsonObject j;
    try (var in = getClass().getResourceAsStream("/golden/embedding.json")) {
      j = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    }
    Kindling.manualSeed(j.get("seed").getAsLong());
    try (Embedding e = new Embedding(5, 3)) {
      double[] want = LossGoldenTest.doubles(j.getAsJsonObject("weight").getAsJsonArray("data"));
      assertArrayEquals(want, e.weight().toDoubleArray(), 1e-6);
      assertEquals("Embedding(5, 3)", e.toString());
    }
  }

  @Test
  void embeddingSelectsRowsAndAccumulatesTheirGradients() {
    try (Embedding e = new Embedding(4, 2)) {
      Tensor idx = Tensor.of(new long[][] {{1, 3, 1}, {0, 0, 2}});
      Tensor y = e.forward(idx);
      assertArrayEquals(new long[] {2, 3, 2}, y.shape());
      double[] w = e.weight().toDoubleArray();
      double[] got = y.toDoubleArray();
      long[] flat = {1, 3, 1, 0, 0, 2};
      for (int i = 0; i < flat.length; i++) {
        assertEquals(w[(int) flat[i] * 2], got[i * 2]);
        assertEquals(w[(int) flat[i] * 2 + 1], got[i * 2 + 1]);
      }
      y.sum().backward();
      // each row's gradient counts how often it was looked up
      assertArrayEquals(new double[] {2, 2, 2, 2, 1, 1, 1, 1}, e.weight().grad().toDoubleArray());
      var ex = assertThrows(IndexOutOfBoundsException.class, () -> e.forward(Tensor.of(0L, 4L)));
      assertEquals("Embedding: index 4 is out of range for num_embeddings=4 (valid indices are 0 to 3)", ex.getMessage());
      assertThrows(IndexOutOfBoundsException.class, () -> e.forward(Tensor.of(-1L)));
      var bad = assertThrows(IllegalArgumentException.class, () -> e.forward(Tensor.of(1.0f)));
      assertTrue(bad.getMessage().contains("int64"), bad.getMessage());
    }
  }

  @Test
  void activationModulesComputeTheirFunctions() {
    Tensor x = Tensor.of(-2.0f, -0.5f, 0.0f, 1.5f);
    double[] xs = {-2.0, -0.5, 0.0, 1.5};
    double[] elu = new ELU(0.5).forward(x).toDoubleArray();
    double[] silu = new SiLU().forward(x).toDoubleArray();
    double[] gelu = new GELU("tanh").forward(x).toDoubleArray();
    for (int i = 0; i < xs.length; i++) {
      double v = xs[i];
      assertEquals(v > 0 ? v : 0.5 * Math.expm1(v), elu[i], 1e-6);
      assertEquals(v / (1 + Math.exp(-v)), silu[i], 1e-6);
      assertEquals(0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))), gelu[i], 1e-6);
    }
    assertEquals("ELU(alpha=1.0)", new ELU().toString());
    assertEquals("SiLU()", new SiLU().toString());
    assertEquals("GELU(approximate='tanh')", new GELU("tanh").toString());
    assertEquals("GELU(approximate='none')", new GELU().toString());
    assertEquals("none", new GELU().approximate());
    double[] exact = new GELU().forward(x).toDoubleArray();
    for (int i = 0; i < xs.length; i++)  // torch.nn.GELU()(x), float32
      assertEquals(new double[] {-0.04550026389635842, -0.15426876936299344, 0.0, 1.399789198096713}[i], exact[i], 1e-6);
    assertThrows(IllegalArgumentException.class, () -> new GELU("fast"));
  }

  @Test
  void lossModulesComputeWhatTheFunctionsCompute() {
    Kindling.manualSeed(3);
    Tensor x = Tensor.randn(4, 3);
    Tensor t = Tensor.randn(4, 3);
    Tensor p = x.sigmoid();
    Tensor u = Tensor.rand(4, 3);
    Tensor cls = Tensor.of(0L, 2L, 1L, 2L);
    Tensor w = Tensor.of(0.2f, 1.0f, 3.0f);
    Tensor logp = x.logSoftmax(1);
    same(F.mseLoss(x, t), new MSELoss().forward(x, t));
    same(F.mseLoss(x, t, Reduction.SUM), new MSELoss(Reduction.SUM).call(x, t));
    same(F.l1Loss(x, t, Reduction.NONE), new L1Loss(Reduction.NONE).forward(x, t));
    same(F.smoothL1Loss(x, t, Reduction.MEAN, 0.5), new SmoothL1Loss(Reduction.MEAN, 0.5).forward(x, t));
    same(F.binaryCrossEntropy(p, u, w, Reduction.MEAN), new BCELoss(w, Reduction.MEAN).forward(p, u));
    same(F.binaryCrossEntropyWithLogits(x, u, null, w, Reduction.SUM),
        new BCEWithLogitsLoss(null, Reduction.SUM, w).forward(x, u));
    same(F.crossEntropy(x, cls, w, 1, Reduction.MEAN, 0.1), new CrossEntropyLoss(w, 1, Reduction.MEAN, 0.1).forward(x, cls));
    same(F.crossEntropy(x, cls), new CrossEntropyLoss().forward(x, cls));
    same(F.nllLoss(logp, cls, w, -100, Reduction.MEAN), new NLLLoss(w, -100, Reduction.MEAN).forward(logp, cls));
    same(F.klDiv(logp, u, Reduction.BATCHMEAN, false), new KLDivLoss(Reduction.BATCHMEAN, false).forward(logp, u));
    assertThrows(UnsupportedOperationException.class, () -> new MSELoss().forward(x));
  }

  @Test
  void lossWeightsAreBuffersAndReprsAreTorchs() {
    Tensor w = Tensor.of(1.0f, 2.0f);
    try (CrossEntropyLoss ce = new CrossEntropyLoss(w, -100, Reduction.MEAN, 0.0)) {
      assertEquals(List.of("weight"), List.copyOf(ce.stateDict().keySet()));
      assertTrue(ce.parameters().isEmpty());
      assertSame(w, ce.weight());
    }
    try (BCEWithLogitsLoss b = new BCEWithLogitsLoss(Tensor.of(1.0f), Reduction.MEAN, Tensor.of(2.0f))) {
      assertEquals(List.of("weight", "pos_weight"), List.copyOf(b.stateDict().keySet()));
    }
    assertTrue(new CrossEntropyLoss().stateDict().isEmpty());
    assertEquals("CrossEntropyLoss()", new CrossEntropyLoss().toString());
    assertEquals("MSELoss()", new MSELoss().toString());
    assertEquals("NLLLoss()", new NLLLoss().toString());
    assertEquals(Reduction.SUM, new L1Loss(Reduction.SUM).reduction());
    assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(null, -100, Reduction.MEAN, 1.5));
  }

  private static void same(Tensor want, Tensor got) {
    assertArrayEquals(want.shape(), got.shape());
    assertEquals(DType.FLOAT32, got.dtype());
    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 0.0);
  }
}
