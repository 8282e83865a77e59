package dev.kindling.nn;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Module semantics as a PyTorch user relies on them, one behaviour per test. */
class ModuleTest {
  static Sequential mlp() {
    return new Sequential(new Linear(4, 8), new ReLU(), new Sequential(new Linear(8, 2), new Dropout(0.5)));
  }

  @Test
  void parametersAreTheSameObjectsOnEveryCallAndInSubmodules() {
    try (Sequential net = mlp()) {
      List<Tensor> a = net.parameters();
      List<Tensor> b = net.parameters();
      assertEquals(4, a.size());
      for (int i = 0; i < a.size(); i++) assertSame(a.get(i), b.get(i));
      Linear first = (Linear) net.get(0);
      assertSame(first.weight(), a.get(0));
      assertSame(first.bias(), a.get(1));
      Set<Tensor> ids = Collections.newSetFromMap(new IdentityHashMap<>());
      ids.addAll(net.get(2).parameters());
      List<Tensor> rest = a.stream().filter(p -> !ids.contains(p)).collect(Collectors.toList());
      assertEquals(List.of(first.weight(), first.bias()), rest);
      for (Tensor p : a) {
        assertTrue(p.requiresGrad());
        assertTrue(p.isLeaf());
      }
    }
  }

  @Test
  void parametersSurviveTheScopeTheyWereMadeIn() {
    Sequential net;
    try (var s = Kindling.scope()) {
      net = mlp();
    }
    try (net; var s = Kindling.scope()) {
      for (Tensor p : net.parameters()) assertFalse(p.isClosed());
      assertArrayEquals(new long[] {3, 2}, net.forward(Tensor.randn(3, 4)).shape());
    }
    for (Tensor p : net.parameters()) assertTrue(p.isClosed(), "close() frees the parameters");
  }

  @Test
  void trainAndEvalRecurseIntoEveryDescendant() {
    try (Sequential net = mlp()) {
      for (Module m : net.modules()) assertTrue(m.isTraining());
      assertSame(net, net.eval());
      for (Module m : net.modules()) assertFalse(m.isTraining(), m.toString());
      net.get(2).train();
      assertFalse(net.isTraining());
      assertTrue(net.get(2).isTraining());
      assertTrue(((Sequential) net.get(2)).get(1).isTraining());
      net.train(false);
      for (Module m : net.modules()) assertFalse(m.isTraining());
    }
  }

  @Test
  void dropoutMasksAndScalesInTrainingAndIsIdentityInEval() {
    try (var s = Kindling.scope(); Dropout d = new Dropout(0.25)) {
      Kindling.manualSeed(7);
      Tensor x = Tensor.ones(100, 100);
      double[] y = d.forward(x).toDoubleArray();
      int zeros = 0;
      for (double v : y) {
        if (v == 0) zeros++;
        else assertEquals(1 / 0.75, v, 1e-6);
      }
      assertTrue(zeros > 2000 && zeros < 3000, "about a quarter dropped, got " + zeros);
      d.eval();
      assertArrayEquals(x.toDoubleArray(), d.forward(x).toDoubleArray());
      try (Dropout all = new Dropout(1.0)) {
        assertEquals(0.0, all.forward(x).abs().sum().item());
      }
    }
  }

  @Test
  void dropout2dDropsWholeChannels() {
    try (var s = Kindling.scope(); Dropout2d d = new Dropout2d(0.5)) {
      Kindling.manualSeed(3);
      Tensor y = d.forward(Tensor.ones(4, 16, 3, 3));
      Tensor perChannel = y.amax(new int[] {2, 3}, false);
      Tensor minPerChannel = y.amin(new int[] {2, 3}, false);
      assertArrayEquals(perChannel.toDoubleArray(), minPerChannel.toDoubleArray(), "a channel is all kept or all dropped");
      for (double v : perChannel.toDoubleArray()) assertTrue(v == 0 || v == 2.0);
      var e = assertThrows(IllegalArgumentException.class, () -> d.forward(Tensor.ones(2, 3)));
      assertTrue(e.getMessage().contains("Dropout2d") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }
  }

  @Test
  void dropoutProbabilityOutsideZeroOneIsRejectedNamingTheModule() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
    assertEquals("Dropout: dropout probability has to be between 0 and 1, but got 1.5", e.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> new Dropout2d(-0.1));
    assertTrue(e2.getMessage().startsWith("Dropout2d:"), e2.getMessage());
  }

  @Test
  void zeroGradSetsGradientsToNoneOrZero() {
    try (var s = Kindling.scope(); Sequential net = mlp()) {
      net.forward(Tensor.randn(5, 4)).sum().backward();
      for (Tensor p : net.parameters()) assertNotNull(p.grad());
      net.zeroGrad(false);
      for (Tensor p : net.parameters()) assertEquals(0.0, p.grad().abs().sum().item());
      net.zeroGrad();
      for (Tensor p : net.parameters()) assertNull(p.grad());
    }
  }

  @Test
  void requiresGradFalseFreezesAModuleForAnOptimizerFilter() {
    try (var s = Kindling.scope(); Sequential net = mlp()) {
      net.get(0).requiresGrad_(false);
      List<Tensor> trainable = net.parameters().stream().filter(Tensor::requiresGrad).collect(Collectors.toList());
      assertEquals(net.get(2).parameters(), trainable);
      net.forward(Tensor.randn(5, 4)).sum().backward();
      assertNull(((Linear) net.get(0)).weight().grad());
      assertNotNull(((Linear) ((Sequential) net.get(2)).get(0)).weight().grad());
    }
  }

  @Test
  void applyVisitsChildrenBeforeTheirParent() {
    try (Sequential net = mlp()) {
      List<String> order = new ArrayList<>();
      net.apply(m -> order.add(m.getClass().getSimpleName()));
      // PyTorch: ['Linear', 'ReLU', 'Linear', 'Dropout', 'Sequential', 'Sequential']
      assertEquals(List.of("Linear", "ReLU", "Linear", "Dropout", "Sequential", "Sequential"), order);
      net.apply(m -> {
        if (m instanceof Linear l) {
          l.weight().data().fill_(0.5);
          l.bias().data().zero_();
        }
      });
      for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
        double expect = e.getKey().endsWith("weight") ? 0.5 : 0.0;
        for (double v : e.getValue().detach().toDoubleArray()) assertEquals(expect, v, e.getKey());
      }
    }
  }

  @Test
  void stateDictRoundTripCopiesValuesAndSharesStorage() {
    try (var s = Kindling.scope(); Sequential a = mlp(); Sequential b = mlp()) {
      LinkedHashMap<String, Tensor> sd = a.stateDict();
      assertEquals(List.of("0.weight", "0.bias", "2.0.weight", "2.0.bias"), new ArrayList<>(sd.keySet()));
      Tensor w = sd.get("0.weight");
      assertFalse(w.requiresGrad());
      assertTrue(w.sharesStorageWith(((Linear) a.get(0)).weight()));
      IncompatibleKeys r = b.loadStateDict(sd);
      assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty());
      Map<String, Tensor> pa = a.namedParameters(), pb = b.namedParameters();
      for (String k : pa.keySet()) {
        assertArrayEquals(pa.get(k).detach().toDoubleArray(), pb.get(k).detach().toDoubleArray(), k);
        assertNotSame(pa.get(k), pb.get(k));
        assertTrue(pb.get(k).requiresGrad() && pb.get(k).isLeaf(), "loading keeps parameters trainable leaves");
      }
      Tensor x = Tensor.randn(3, 4);
      a.eval();
      b.eval();
      assertArrayEquals(a.forward(x).toDoubleArray(), b.forward(x).toDoubleArray());
    }
  }

  @Test
  void nonPersistentBuffersAreNotSavedButAreBuffers() {
    try (var s = Kindling.scope(); NnModuleGoldenTest.Net net = new NnModuleGoldenTest.Net()) {
      assertEquals(List.of("steps", "scratch"), new ArrayList<>(net.namedBuffers().keySet()));
      assertTrue(net.stateDict().containsKey("steps"));
      assertFalse(net.stateDict().containsKey("scratch"));
      assertFalse(net.buffers().get(0).requiresGrad());
      assertEquals(2, net.buffers().size());
    }
  }

  @Test
  void linearRejectsAWrongFeatureCountNamingModuleAndShapes() {
    try (var s = Kindling.scope(); Linear lin = new Linear(784, 10)) {
      var e = assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.zeros(2, 3)));
      assertTrue(e.getMessage().startsWith("Linear:"), e.getMessage());
      assertTrue(e.getMessage().contains("784") && e.getMessage().contains("[2, 3]"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> lin.forward(Tensor.scalar(1.0)));
      assertArrayEquals(new long[] {10}, lin.forward(Tensor.zeros(784)).shape(), "1-D input works like PyTorch");
      assertArrayEquals(new long[] {2, 5, 10}, lin.forward(Tensor.zeros(2, 5, 784)).shape());
    }
  }

  @Test
  void linearInitIsBoundedByOneOverSqrtInFeaturesAndSeeded() {
    try (var s = Kindling.scope()) {
      Kindling.manualSeed(1);
      Linear a = new Linear(100, 50);
      Kindling.manualSeed(1);
      Linear b = new Linear(100, 50);
      double[] w = a.weight().detach().toDoubleArray();
      double bound = 1 / Math.sqrt(100);
      double max = 0;
      for (double v : w) max = Math.max(max, Math.abs(v));
      assertTrue(max <= bound && max > 0.9 * bound, "max |w| = " + max);
      assertArrayEquals(w, b.weight().detach().toDoubleArray());
      assertArrayEquals(a.bias().detach().toDoubleArray(), b.bias().detach().toDoubleArray());
      assertNull(new Linear(3, 2, false).bias());
      assertEquals(100, a.inFeatures());
      assertEquals(50, a.outFeatures());
      a.close();
      b.close();
    }
  }

  @Test
  void registrationRejectsBadNames() {
    try (Sequential net = new Sequential()) {
      assertThrows(IllegalArgumentException.class, () -> net.register("a.b", new ReLU()));
      assertThrows(IllegalArgumentException.class, () -> net.register("", new ReLU()));
      net.registerParameter("w", Tensor.zeros(2));
      var e = assertThrows(IllegalArgumentException.class, () -> net.register("w", new ReLU()));
      assertTrue(e.getMessage().contains("'w' already exists"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> net.registerParameter("i", Tensor.zeros(new long[] {2}, dev.kindling.DType.INT64)));
    }
  }

  @Test
  void containersIndexAndForward() {
    try (var s = Kindling.scope()) {
      Sequential seq = new Sequential(new Flatten(), new Unflatten(1, 2, -1), new Identity());
      seq.add(new Softmax(2));
      assertEquals(4, seq.size());
      assertTrue(seq.get(-1) instanceof Softmax);
      Tensor y = seq.forward(Tensor.randn(3, 2, 3));
      assertArrayEquals(new long[] {3, 2, 3}, y.shape());
      assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, y.sum(2).toDoubleArray(), 1e-6);
      ModuleList list = new ModuleList(new ReLU(), new Tanh());
      assertEquals(2, list.size());
      assertThrows(UnsupportedOperationException.class, () -> list.forward(Tensor.zeros(1)));
      ModuleDict dict = new ModuleDict().put("act", new Sigmoid());
      assertTrue(dict.get("act") instanceof Sigmoid);
      assertEquals(0.5, dict.get("act").call(Tensor.zeros(1)).item(), 1e-7);
      assertEquals(Set.of("act"), dict.keySet());
      Tensor z = new LogSoftmax(1).forward(Tensor.of(new double[][] {{0, 0}}));
      assertEquals(Math.log(0.5), z.get(0, 0).item(), 1e-12);
      assertEquals(-0.02, new LeakyReLU(0.01).forward(Tensor.of(-2.0)).item(), 1e-12);
    }
  }

  @Test
  void smallMlpTrainsInsideScopesAtFlatMemory() {
    Kindling.manualSeed(0);
    try (var data = Kindling.scope();
        Sequential model = new Sequential(new Linear(2, 16), new Tanh(), new Linear(16, 1))) {
      Tensor x = Tensor.randn(64, 2);
      Tensor y = x.select(1, 0).mul(x.select(1, 1)).unsqueeze(1).add(x.select(1, 0).mul(0.5).unsqueeze(1));
      double first = 0, last = 0;
      long live = -1;
      for (int step = 0; step < 300; step++) {
        try (var s = Kindling.scope()) {
          model.zeroGrad();
          Tensor loss = model.forward(x).sub(y).pow(2).mean();
          loss.backward();
          try (var g = dev.kindling.Autograd.noGrad()) {
            for (Tensor p : model.parameters()) p.sub_(p.grad(), 0.1);
          }
          if (step == 0) first = loss.item();
          last = loss.item();
        }
        if (step == 10) live = Kindling.liveTensors();
        if (step > 10) LeakCheck.assertNotAbove(live, "training step " + step);
      }
      assertTrue(last < first * 0.5, "loss fell from " + first + " to " + last);
    }
  }
}
