package dev.kindling.optim;

import static dev.kindling.optim.OptimFixtures.assertBitEqual;
import static dev.kindling.optim.OptimFixtures.assertClose;
import static dev.kindling.optim.OptimFixtures.doubles;
import static dev.kindling.optim.OptimFixtures.golden;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.F;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The seed programs' per-layer learning-rate patterns, each written as the PyTorch original and
 * checked against its numbers (golden/optim.json "idioms", gen_optim.py): the same small conv net
 * (conv1..conv5, fc1, fc2) with the same initial weights and data, five training steps, then every
 * parameter compared with PyTorch's.
 */
class PerLayerLrIdiomsTest {
  /** The net of gen_optim.py: five convolutions and two linear layers with tanh between. */
  static final class Net extends Module {
    final Conv2d conv1, conv2, conv3, conv4, conv5;
    final Linear fc1, fc2;

    Net() {
      conv1 = register("conv1", new Conv2d(1, 2, 3));
      conv2 = register("conv2", new Conv2d(2, 3, 3));
      conv3 = register("conv3", new Conv2d(3, 3, 1));
      conv4 = register("conv4", new Conv2d(3, 2, 3));
      conv5 = register("conv5", new Conv2d(2, 2, 1));
      fc1 = register("fc1", new Linear(8, 6));
      fc2 = register("fc2", new Linear(6, 3));
    }

    @Override
    public Tensor forward(Tensor x) {
      x = F.tanh(conv1.call(x));
      x = F.tanh(conv2.call(x));
      x = F.tanh(conv3.call(x));
      x = F.tanh(conv4.call(x));
      x = F.tanh(conv5.call(x));
      x = F.tanh(fc1.call(x.flatten(1, -1)));
      return fc2.call(x);
    }
  }

  private static JsonObject spec() {
    return golden().getAsJsonObject("idiom_net");
  }

  /** A net with gen_optim.py's initial weights. */
  private static Net freshNet() {
    Net net = new Net();
    try (Scope s = Kindling.scope()) {
      Map<String, Tensor> sd = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : spec().getAsJsonObject("initial").entrySet())
        sd.put(e.getKey(), OptimFixtures.tensor(e.getValue().getAsJsonObject(), DType.FLOAT32));
      net.loadStateDict(sd);
    }
    return net;
  }

  /** for _ in range(5): opt.zero_grad(); F.mse_loss(net(x), y).backward(); opt.step() */
  private static void train(Net net, Optimizer opt) {
    try (Scope s = Kindling.scope()) {
      Tensor x = OptimFixtures.tensor(spec().getAsJsonObject("x"), DType.FLOAT32);
      Tensor y = OptimFixtures.tensor(spec().getAsJsonObject("y"), DType.FLOAT32);
      for (int i = 0; i < spec().get("steps").getAsInt(); i++) {
        try (Scope step = Kindling.scope()) {
          opt.zeroGrad();
          F.mseLoss(net.call(x), y).backward();
          opt.step();
        }
      }
    }
  }

  private static void assertParamsMatch(Net net, String idiom) {
    JsonObject expected = golden().getAsJsonObject("idioms").getAsJsonObject(idiom).getAsJsonObject("params");
    Map<String, Tensor> actual = net.namedParameters();
    assertEquals(expected.keySet(), actual.keySet());
    for (Map.Entry<String, JsonElement> e : expected.entrySet())
      assertClose(doubles(e.getValue().getAsJsonArray()), actual.get(e.getKey()).toDoubleArray(), DType.FLOAT32,
          idiom + ": " + e.getKey());
  }

  /**
   * <pre>
   * for key, value in dict(model.named_parameters()).items():
   *     if key.startswith('fc2'): params += [{'params': [value], 'lr': lr * 10, 'weight_decay': 0}]
   *     elif 'bias' in key:       params += [{'params': [value], 'lr': lr * 2, 'weight_decay': 0}]
   *     else:                     params += [{'params': [value], 'lr': lr, 'weight_decay': 5e-4}]
   * optimizer = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=5e-4)
   * </pre>
   */
  @Test
  void groupsBuiltFromNamedParametersByName() {
    double lr = 1e-3;
    try (Net net = freshNet()) {
      List<ParamGroup> params = new ArrayList<>();
      for (Map.Entry<String, Tensor> e : net.namedParameters().entrySet()) {
        String key = e.getKey();
        Tensor value = e.getValue();
        if (key.startsWith("fc2")) params.add(ParamGroup.of(value).lr(lr * 10).weightDecay(0));
        else if (key.contains("bias")) params.add(ParamGroup.of(value).lr(lr * 2).weightDecay(0));
        else params.add(ParamGroup.of(value).lr(lr).weightDecay(5e-4));
      }
      try (SGD opt = new SGD(params, SGD.options().lr(lr).momentum(0.9).weightDecay(5e-4))) {
        JsonObject g = golden().getAsJsonObject("idioms").getAsJsonObject("by_name");
        List<Double> lrs = new ArrayList<>(), wds = new ArrayList<>();
        for (ParamGroup pg : opt.paramGroups()) {
          lrs.add(pg.lr());
          wds.add(pg.weightDecay());
          assertEquals(0.9, pg.momentum(), "momentum comes from the optimizer's options");
        }
        assertArrayEquals(doubles(g.getAsJsonArray("group_lrs")), lrs.stream().mapToDouble(d -> d).toArray());
        assertArrayEquals(doubles(g.getAsJsonArray("group_weight_decays")), wds.stream().mapToDouble(d -> d).toArray());
        train(net, opt);
        assertParamsMatch(net, "by_name");
      }
    }
  }

  /**
   * <pre>
   * ignored_params = list(map(id, net.conv5.parameters())) + list(map(id, net.conv4.parameters()))
   * base_params = filter(lambda p: id(p) not in ignored_params, net.parameters())
   * optimizer = torch.optim.SGD([{'params': base_params},
   *                              {'params': net.conv5.parameters(), 'lr': lr * 100},
   *                              {'params': net.conv4.parameters(), 'lr': lr * 100}], lr=lr, momentum=0.9)
   * </pre>
   */
  @Test
  void baseGroupExcludesConv5AndConv4ByIdentity() {
    double lr = 1e-3;
    try (Net net = freshNet()) {
      // Tensor equality is identity, so a Set of parameters works as Python's list of id(p).
      Set<Tensor> ignored = new java.util.HashSet<>(Set.copyOf(net.conv5.parameters()));
      ignored.addAll(net.conv4.parameters());
      List<Tensor> base = net.parameters().stream().filter(p -> !ignored.contains(p)).toList();
      try (SGD opt = new SGD(List.of(ParamGroup.of(base),
              ParamGroup.of(net.conv5.parameters()).lr(lr * 100),
              ParamGroup.of(net.conv4.parameters()).lr(lr * 100)),
          SGD.options().lr(lr).momentum(0.9))) {
        JsonObject g = golden().getAsJsonObject("idioms").getAsJsonObject("by_identity");
        long[] sizes = opt.paramGroups().stream().mapToLong(pg -> pg.params().size()).toArray();
        assertArrayEquals(OptimFixtures.longs(g.getAsJsonArray("group_sizes")), sizes);
        assertEquals(lr, opt.paramGroups().get(0).lr());
        assertEquals(lr * 100, opt.paramGroups().get(1).lr());
        train(net, opt);
        assertParamsMatch(net, "by_identity");
      }
    }
  }

  /**
   * <pre>
   * ct = 0
   * for child in net.children():
   *     ct += 1
   *     if ct < 4:
   *         for param in child.parameters(): param.requires_grad = False
   * optimizer = torch.optim.RMSprop(filter(lambda p: p.requires_grad, net.parameters()), lr=1e-3)
   * </pre>
   */
  @Test
  void rmspropOverTheParametersOfUnfrozenChildren() {
    try (Net net = freshNet()) {
      int ct = 0;
      for (Module child : net.children()) {
        ct++;
        if (ct < 4) for (Tensor param : child.parameters()) param.requiresGrad_(false);
      }
      List<Tensor> frozen = new ArrayList<>();
      for (Module m : List.of(net.conv1, net.conv2, net.conv3)) frozen.addAll(m.parameters());
      Map<Tensor, Tensor> before = new java.util.IdentityHashMap<>();
      for (Tensor p : frozen) before.put(p, Scope.escape(p.clone()));
      try (RMSprop opt = new RMSprop(net.parameters().stream().filter(Tensor::requiresGrad).toList(),
          RMSprop.options().lr(1e-3))) {
        JsonObject g = golden().getAsJsonObject("idioms").getAsJsonObject("unfrozen_rmsprop");
        assertArrayEquals(OptimFixtures.longs(g.getAsJsonArray("group_sizes")), new long[] {opt.paramGroups().get(0).params().size()});
        train(net, opt);
        assertParamsMatch(net, "unfrozen_rmsprop");
        for (Tensor p : frozen) {
          assertNull(p.grad(), "a frozen parameter gets no gradient");
          assertBitEqual(before.get(p), p, "frozen parameter");
        }
      } finally {
        before.values().forEach(Tensor::close);
      }
    }
  }
}
