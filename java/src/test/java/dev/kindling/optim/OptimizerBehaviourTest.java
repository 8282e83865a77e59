package dev.kindling.optim;

import static dev.kindling.optim.OptimFixtures.assertBitEqual;
import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * How every optimizer behaves around its update, as torch.optim does: option checks with
 * PyTorch's messages and defaults; the state dict round trip (a resumed run is bit-for-bit the
 * uninterrupted one); refused loads that change nothing; a parameter in two groups; parameters
 * without a gradient (and frozen ones) skipped; zeroGrad with and without set-to-none; a closed
 * optimizer; a refused step that changes nothing; non-contiguous parameters; autograd noticing a
 * parameter changed by a step; and flat native memory over thousands of steps.
 */
class OptimizerBehaviourTest {
  /** The five algorithms with options that use every state buffer each one has. */
  private static final List<Function<List<Tensor>, Optimizer>> ALL = List.of(
      ps -> new SGD(ps, SGD.options().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01)),
      ps -> new Adam(ps, Adam.options().lr(0.01).amsgrad(true).weightDecay(0.01)),
      ps -> new AdamW(ps, AdamW.options().lr(0.01).amsgrad(true)),
      ps -> new RMSprop(ps, RMSprop.options().lr(0.01).momentum(0.5).centered(true)),
      ps -> new Adagrad(ps, Adagrad.options().lr(0.1).lrDecay(0.01).initialAccumulatorValue(0.1)));

  private static void train(Optimizer opt, OptimFixtures.Problem pb, int from, int to) {
    for (int step = from; step <= to; step++) {
      try (Scope s = Kindling.scope()) {
        opt.zeroGrad();
        pb.loss(step, false).backward();
        opt.step();
      }
    }
  }

  private static void assertThrowsMessage(Class<? extends Throwable> type, String message, Executable e) {
    Throwable t = assertThrows(type, e);
    assertEquals(message, t.getMessage());
  }

  // ---- options ----------------------------------------------------------------------------------

  @Test
  void optionsAreCheckedWithPyTorchsMessages() {
    try (Tensor p = Tensor.zeros(2).requiresGrad_()) {
      List<Tensor> ps = List.of(p);
      assertThrowsMessage(IllegalArgumentException.class, "Invalid learning rate: -0.1", () -> new SGD(ps, -0.1));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid momentum value: -1.0",
          () -> new SGD(ps, SGD.options().lr(0.1).momentum(-1)));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid weight_decay value: -1e-05",
          () -> new SGD(ps, SGD.options().lr(0.1).weightDecay(-1e-5)));
      assertThrowsMessage(IllegalArgumentException.class, "Nesterov momentum requires a momentum and zero dampening",
          () -> new SGD(ps, SGD.options().lr(0.1).nesterov(true)));
      assertThrowsMessage(IllegalArgumentException.class, "Nesterov momentum requires a momentum and zero dampening",
          () -> new SGD(ps, SGD.options().lr(0.1).momentum(0.9).dampening(0.1).nesterov(true)));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid epsilon value: -1e-08",
          () -> new Adam(ps, Adam.options().eps(-1e-8)));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid beta parameter at index 0: 1.0",
          () -> new Adam(ps, Adam.options().betas(1.0, 0.999)));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid beta parameter at index 1: -0.5",
          () -> new AdamW(ps, AdamW.options().betas(0.9, -0.5)));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid learning rate: nan",
          () -> new AdamW(ps, AdamW.options().lr(Double.NaN)));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid alpha value: -0.5",
          () -> new RMSprop(ps, RMSprop.options().alpha(-0.5)));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid lr_decay value: -1.0",
          () -> new Adagrad(ps, Adagrad.options().lrDecay(-1)));
      assertThrowsMessage(IllegalArgumentException.class, "Invalid initial_accumulator_value value: -0.5",
          () -> new Adagrad(ps, Adagrad.options().initialAccumulatorValue(-0.5)));
      // A group's own options are checked the same way.
      assertThrowsMessage(IllegalArgumentException.class, "Invalid learning rate: -1.0",
          () -> new Adam(List.of(ParamGroup.of(p).lr(-1)), Adam.options()));
      assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(ParamGroup.of(p).lr(-1)), SGD.options().lr(0.1)));
    }
  }

  @Test
  void sgdRequiresALearningRateAsInPyTorch113() {
    try (Tensor p = Tensor.zeros(2).requiresGrad_(); Tensor q = Tensor.zeros(3).requiresGrad_()) {
      assertThrowsMessage(IllegalArgumentException.class,
          "parameter group didn't specify a value of required optimization parameter lr",
          () -> new SGD(List.of(p), SGD.options().momentum(0.9)));
      // Every group giving its own lr is enough.
      try (SGD opt = new SGD(List.of(ParamGroup.of(p).lr(0.1), ParamGroup.of(q).lr(0.2)), SGD.options())) {
        assertFalse(opt.defaults().containsKey("lr"));
        assertEquals(0.2, opt.paramGroups().get(1).lr());
      }
    }
  }

  @Test
  void defaultsAreTorchs() {
    try (Tensor p = Tensor.zeros(2).requiresGrad_()) {
      List<Tensor> ps = List.of(p);
      try (var sgd = new SGD(ps, 0.1); var adam = new Adam(ps); var adamw = new AdamW(ps); var rms = new RMSprop(ps);
          var ada = new Adagrad(ps)) {
        assertEquals(Map.of("lr", 0.1, "momentum", 0.0, "dampening", 0.0, "weight_decay", 0.0, "nesterov", false,
            "maximize", false), sgd.defaults());
        assertEquals(Map.of("lr", 1e-3, "betas", List.of(0.9, 0.999), "eps", 1e-8, "weight_decay", 0.0, "amsgrad", false,
            "maximize", false), adam.defaults());
        assertEquals(Map.of("lr", 1e-3, "betas", List.of(0.9, 0.999), "eps", 1e-8, "weight_decay", 1e-2, "amsgrad", false,
            "maximize", false), adamw.defaults());
        assertEquals(Map.of("lr", 1e-2, "momentum", 0.0, "alpha", 0.99, "eps", 1e-8, "centered", false, "weight_decay", 0.0,
            "maximize", false), rms.defaults());
        assertEquals(Map.of("lr", 1e-2, "lr_decay", 0.0, "eps", 1e-10, "weight_decay", 0.0, "initial_accumulator_value", 0.0,
            "maximize", false), ada.defaults());
        assertEquals("Adam", adam.name());
        assertEquals("AdamW", adamw.name());
        assertFalse((Object) adamw instanceof Adam, "AdamW is not an Adam, as in PyTorch");
      }
    }
  }

  // ---- state dicts -------------------------------------------------------------------------------

  /**
   * Train 10 steps, take the state dict, build a fresh optimizer over copies of the parameters,
   * load it and train 15 more: the same bits as 25 uninterrupted steps, for every algorithm; the
   * group options changed before saving come back too.
   */
  @Test
  void stateDictRoundTripResumesBitForBit() {
    for (var make : ALL) {
      for (DType dtype : List.of(DType.FLOAT32, DType.FLOAT64)) {
        try (var straight = new OptimFixtures.Problem(dtype); var first = new OptimFixtures.Problem(dtype);
            var resumed = new OptimFixtures.Problem(dtype)) {
          String name;
          try (Optimizer a = make.apply(straight.params())) {
            name = a.name();
            train(a, straight, 1, 5);
            a.paramGroups().get(0).lr(a.paramGroups().get(0).lr() / 2);
            train(a, straight, 6, 25);
          }
          try (Optimizer c = make.apply(resumed.params())) {
            double lr0 = c.paramGroups().get(0).lr();
            try (Scope keep = Kindling.scope()) {
              OptimizerStateDict saved;
              try (Optimizer b = make.apply(first.params())) {
                train(b, first, 1, 5);
                b.paramGroups().get(0).lr(b.paramGroups().get(0).lr() / 2);
                train(b, first, 6, 10);
                saved = b.stateDict();
                assertFalse(saved.state().isEmpty(), name);
              }  // closing b leaves the saved tensors valid: they are handles of their own
              try (var ng = Autograd.noGrad()) {
                for (int i = 0; i < 3; i++) resumed.params().get(i).copy_(first.params().get(i));
              }
              c.loadStateDict(saved);
            }  // the saved handles are closed here; c holds its own copies
            assertEquals(lr0 / 2, c.paramGroups().get(0).lr(), name + ": the changed lr is restored");
            train(c, resumed, 11, 25);
            for (int i = 0; i < 3; i++)
              assertBitEqual(straight.params().get(i), resumed.params().get(i), name + " " + dtype + " param " + i);
          }
        }
      }
    }
  }

  @Test
  void stateDictHasTorchsLayoutAndNames() {
    try (var pb = new OptimFixtures.Problem(DType.FLOAT32); Scope s = Kindling.scope()) {
      try (Adam adam = new Adam(List.of(ParamGroup.of(pb.w), ParamGroup.of(pb.b, pb.c).lr(0.1)), Adam.options().amsgrad(true))) {
        train(adam, pb, 1, 2);  // c has no gradient on steps 1 and 2: no state yet
        OptimizerStateDict sd = adam.stateDict();
        assertEquals(List.of(0, 1), new ArrayList<>(sd.state().keySet()));
        assertEquals(List.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"), new ArrayList<>(sd.state().get(0).keySet()));
        assertEquals(2L, sd.state().get(0).get("step"));
        assertEquals(List.of(0), sd.paramGroups().get(0).get("params"));
        assertEquals(List.of(1, 2), sd.paramGroups().get(1).get("params"));
        assertEquals(0.1, sd.paramGroups().get(1).get("lr"));
        assertEquals(1e-3, sd.paramGroups().get(0).get("lr"));
      }
      try (SGD sgd = new SGD(pb.params(), 0.1)) {
        train(sgd, pb, 1, 1);
        OptimizerStateDict sd = sgd.stateDict();
        // PyTorch stores momentum_buffer = None for parameters stepped without momentum.
        assertTrue(sd.state().get(0).containsKey("momentum_buffer"));
        assertNull(sd.state().get(0).get("momentum_buffer"));
      }
      try (Adagrad ada = new Adagrad(pb.params(), Adagrad.options().initialAccumulatorValue(0.25))) {
        // Adagrad's state exists from construction on, for every parameter.
        OptimizerStateDict sd = ada.stateDict();
        assertEquals(3, sd.state().size());
        assertEquals(0L, sd.state().get(2).get("step"));
        assertArrayEquals(new double[] {0.25, 0.25}, ((Tensor) sd.state().get(2).get("sum")).toDoubleArray());
      }
      try (RMSprop rms = new RMSprop(pb.params(), RMSprop.options().centered(true))) {
        train(rms, pb, 1, 3);
        assertEquals(List.of("step", "square_avg", "grad_avg"), new ArrayList<>(rms.stateDict().state().get(0).keySet()));
        assertEquals(3L, rms.stateDict().state().get(0).get("step"));
        assertEquals(1L, rms.stateDict().state().get(2).get("step"));
      }
    }
  }

  /** PyTorch 1.13 saves Adam's step as a float tensor: such a state dict loads, as a number. */
  @Test
  void aTensorStepFromPyTorchLoadsAsANumber() {
    try (var pb = new OptimFixtures.Problem(DType.FLOAT32); Scope s = Kindling.scope();
        Adam a = new Adam(List.of(pb.w), Adam.options().lr(0.01))) {
      Map<String, Object> st = new LinkedHashMap<>();
      st.put("step", Tensor.scalar(7.0));
      st.put("exp_avg", Tensor.zerosLike(pb.w));
      st.put("exp_avg_sq", Tensor.zerosLike(pb.w));
      Map<String, Object> group = new LinkedHashMap<>(a.paramGroups().get(0).options());
      group.put("params", List.of(0));
      a.loadStateDict(new OptimizerStateDict(Map.of(0, st), List.of(group)));
      assertEquals(7L, a.stateDict().state().get(0).get("step"));
      train(a, pb, 1, 1);
      assertEquals(8L, a.stateDict().state().get(0).get("step"));
    }
  }

  /** Refused loads name the mismatch and leave the optimizer exactly as it was. */
  @Test
  void loadStateDictRejectsAMismatchedLayoutAndChangesNothing() {
    try (var pb = new OptimFixtures.Problem(DType.FLOAT32); var twin = new OptimFixtures.Problem(DType.FLOAT32);
        Scope s = Kindling.scope()) {
      Adam opt = new Adam(List.of(ParamGroup.of(pb.w), ParamGroup.of(pb.b, pb.c)), Adam.options().lr(0.01));
      Adam ref = new Adam(List.of(ParamGroup.of(twin.w), ParamGroup.of(twin.b, twin.c)), Adam.options().lr(0.01));
      train(opt, pb, 1, 4);
      train(ref, twin, 1, 4);
      try (Adam oneGroup = new Adam(twin.params(), Adam.options().lr(0.5));
          Adam otherSizes = new Adam(List.of(ParamGroup.of(twin.w, twin.b), ParamGroup.of(twin.c)), Adam.options().lr(0.5))) {
        Throwable e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(oneGroup.stateDict()));
        assertTrue(e.getMessage().contains("has 1 parameter group(s), the optimizer has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(otherSizes.stateDict()));
        assertTrue(e.getMessage().contains("doesn't match the size of optimizer's group"), e.getMessage());
      }
      // Same layout, but a buffer of the wrong shape or dtype, or a step that is not a number.
      OptimizerStateDict good = opt.stateDict();
      for (var bad : List.<Map.Entry<String, Object>>of(Map.entry("exp_avg", Tensor.zeros(4, 3)),
          Map.entry("exp_avg_sq", Tensor.zeros(new long[] {3, 4}, DType.INT64)), Map.entry("step", "four"))) {
        Map<Integer, Map<String, Object>> state = new LinkedHashMap<>(good.state());
        Map<String, Object> st0 = new LinkedHashMap<>(state.get(0));
        st0.put(bad.getKey(), bad.getValue());
        state.put(0, st0);
        Map<String, Object> g0 = new LinkedHashMap<>(good.paramGroups().get(0));
        g0.put("lr", 123.0);
        Throwable e = assertThrows(IllegalArgumentException.class,
            () -> opt.loadStateDict(new OptimizerStateDict(state, List.of(g0, good.paramGroups().get(1)))));
        assertTrue(e.getMessage().contains("'" + bad.getKey() + "'"), e.getMessage());
      }
      // Nothing changed: the options, and the next steps are those of the untouched twin.
      assertEquals(0.01, opt.paramGroups().get(0).lr());
      train(opt, pb, 5, 8);
      train(ref, twin, 5, 8);
      for (int i = 0; i < 3; i++) assertBitEqual(twin.params().get(i), pb.params().get(i), "param " + i);
      opt.close();
      ref.close();
    }
  }

  // ---- groups ------------------------------------------------------------------------------------

  @Test
  void aParameterInTwoGroupsIsAnError() {
    try (Tensor p = Tensor.zeros(2).requiresGrad_(); Tensor q = Tensor.zeros(2).requiresGrad_()) {
      Throwable e = assertThrows(IllegalArgumentException.class,
          () -> new SGD(List.of(ParamGroup.of(p, q), ParamGroup.of(q)), SGD.options().lr(0.1)));
      assertTrue(e.getMessage().contains("some parameters appear in more than one parameter group"), e.getMessage());
      try (SGD opt = new SGD(List.of(p), 0.1)) {
        assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(ParamGroup.of(p)));
        opt.addParamGroup(ParamGroup.of(q).lr(0.5));  // fine-tuning: a new group for new parameters
        assertEquals(2, opt.paramGroups().size());
        assertEquals(0.5, opt.paramGroups().get(1).lr());
        assertEquals(0.0, opt.paramGroups().get(1).momentum(), "options not given come from the defaults");
      }
    }
  }

  // ---- skipping ----------------------------------------------------------------------------------

  /** Parameters without a gradient (unused by the loss, or frozen) are not touched and get no state. */
  @Test
  void stepSkipsParametersWithoutAGradient() {
    for (var make : ALL) {
      try (Scope s = Kindling.scope()) {
        Tensor used = Tensor.of(1.0f, -2.0f).requiresGrad_();
        Tensor unused = Tensor.of(3.0f, 4.0f).requiresGrad_();
        Tensor frozen = Tensor.of(5.0f, 6.0f).requiresGrad_(false);
        Tensor unusedBefore = unused.clone(), frozenBefore = frozen.clone();
        try (Optimizer opt = make.apply(List.of(used, unused, frozen))) {
          int before = opt.stateDict().state().size();
          for (int i = 0; i < 3; i++) {
            opt.zeroGrad();
            used.mul(used).add(frozen).sum().backward();
            opt.step();
          }
          assertNull(unused.grad());
          assertNull(frozen.grad());
          assertBitEqual(unusedBefore, unused, opt.name() + " unused");
          assertBitEqual(frozenBefore, frozen, opt.name() + " frozen");
          assertNotEquals(1.0, used.toDoubleArray()[0], opt.name() + " used");
          Map<Integer, Map<String, Object>> st = opt.stateDict().state();
          if (opt instanceof Adagrad) {
            assertEquals(3, before);  // Adagrad's state exists from the start, and stays at step 0
            assertEquals(3L, st.get(0).get("step"));
            assertEquals(0L, st.get(1).get("step"));
          } else {
            assertEquals(List.of(0), new ArrayList<>(st.keySet()), opt.name());
          }
        }
      }
    }
  }

  @Test
  void zeroGradSetsToNoneOrZeroes() {
    try (Scope s = Kindling.scope()) {
      Tensor p = Tensor.of(1.0f, 2.0f).requiresGrad_();
      try (SGD opt = new SGD(List.of(p), 0.1)) {
        p.mul(p).sum().backward();
        Tensor g = p.grad();
        opt.zeroGrad(false);
        Tensor z = p.grad();
        assertNotNull(z);
        assertTrue(z.sharesStorageWith(g), "zeroed in place");
        assertArrayEquals(new double[] {0, 0}, z.toDoubleArray());
        assertFalse(z.requiresGrad());
        opt.zeroGrad(true);
        assertNull(p.grad());
        p.mul(p).sum().backward();
        opt.zeroGrad();
        assertNull(p.grad(), "zeroGrad() sets to none by default");
      }
    }
  }

  @Test
  void aClosedOptimizerRefusesEverythingAndFreesItsState() {
    try (var pb = new OptimFixtures.Problem(DType.FLOAT32)) {
      Adam opt = new Adam(pb.params(), Adam.options().amsgrad(true));
      train(opt, pb, 1, 3);  // 2 parameters with 3 buffers each, c with 3 more
      long live = Kindling.liveTensors();
      opt.close();
      assertTrue(Kindling.liveTensors() <= live - 9, "close() frees the 9 state tensors");
      opt.close();  // idempotent
      assertThrowsMessage(IllegalStateException.class, "Adam.step: the optimizer is closed", opt::step);
      assertThrows(IllegalStateException.class, opt::zeroGrad);
      assertThrows(IllegalStateException.class, opt::stateDict);
      assertThrows(IllegalStateException.class, () -> opt.addParamGroup(ParamGroup.of(Tensor.zeros(1).requiresGrad_())));
      assertFalse(pb.w.isClosed(), "the parameters belong to their owner, not the optimizer");
    }
  }

  // ---- the native update -------------------------------------------------------------------------

  /**
   * A step refused by the native checks (here a parameter whose dtype was changed behind the
   * optimizer's back) names the parameter and changes nothing: no parameter moves, no count grows.
   */
  @Test
  void aRefusedStepChangesNothing() {
    try (Scope s = Kindling.scope()) {
      Tensor p = Tensor.of(1.0f, 2.0f).requiresGrad_(), q = Tensor.of(3.0f).requiresGrad_();
      try (Adam opt = new Adam(List.of(ParamGroup.of(q), ParamGroup.of(p)), Adam.options().lr(0.1))) {
        q.mul(q).add(p.sum()).sum().backward();
        opt.step();  // state in float32
        Tensor pBefore = p.clone(), qBefore = q.clone();
        p.setData(p.detach().toDouble());
        q.mul(q).add(p.sum()).sum().backward();
        Throwable e = assertThrows(IllegalArgumentException.class, opt::step);
        assertTrue(e.getMessage().startsWith("Adam.step: adam: exp_avgs[1] has dtype float32 but params[1] has dtype float64"),
            e.getMessage());
        assertTrue(e.getMessage().endsWith("(entry 1 of the step is parameter 0 of param group 1)"), e.getMessage());
        assertBitEqual(qBefore, q, "q");
        assertBitEqual(pBefore.toDouble(), p, "p");
        assertEquals(1L, opt.stateDict().state().get(0).get("step"));
      }
    }
  }

  /** A non-contiguous parameter (a transposed view) is updated in its own memory like a contiguous one. */
  @Test
  void nonContiguousParametersAreUpdatedInPlace() {
    try (Scope s = Kindling.scope()) {
      Tensor storage = Tensor.arange(0.0, 6.0, 1.0).reshape(2, 3);
      Tensor p = storage.t().requiresGrad_();  // [3, 2], not contiguous, a leaf
      Tensor twin = p.detach().contiguous().requiresGrad_();
      assertFalse(p.isContiguous());
      try (RMSprop a = new RMSprop(List.of(p), RMSprop.options().momentum(0.9)); RMSprop b = new RMSprop(List.of(twin),
          RMSprop.options().momentum(0.9))) {
        for (int i = 0; i < 3; i++) {
          for (var pair : List.of(Map.entry(p, a), Map.entry(twin, b))) {
            pair.getValue().zeroGrad();
            pair.getKey().mul(pair.getKey()).mul(Tensor.arange(1.0, 7.0, 1.0).reshape(3, 2)).sum().backward();
            pair.getValue().step();
          }
        }
        assertBitEqual(twin, p, "transposed parameter");
        assertBitEqual(twin.t(), storage, "the update landed in the viewed memory");
      }
    }
  }

  /** Like any in-place op, a step bumps the version: backward through a graph that saved p fails. */
  @Test
  void autogradNoticesAParameterChangedByAStep() {
    try (Scope s = Kindling.scope()) {
      Tensor p = Tensor.of(1.0f, 2.0f).requiresGrad_();
      try (SGD opt = new SGD(List.of(p), 0.1)) {
        Tensor y = p.mul(p).sum();  // saves p
        p.sum().backward();
        long version = p.version();
        opt.step();
        assertTrue(p.version() > version);
        Throwable e = assertThrows(RuntimeException.class, y::backward);
        assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
      }
    }
  }

  @Test
  void stepWithAClosureReturnsItsLoss() {
    try (Scope s = Kindling.scope()) {
      Tensor p = Tensor.of(3.0f).requiresGrad_();
      try (SGD opt = new SGD(List.of(p), 0.5)) {
        Tensor loss = opt.step(() -> {
          opt.zeroGrad();
          Tensor l = p.mul(p).sum();
          l.backward();
          return l;
        });
        assertEquals(9.0, loss.item());
        assertEquals(0.0, p.item());  // 3 - 0.5 * 6
      }
    }
  }

  /** Thousands of steps of every algorithm in a scope per step run at flat native memory. */
  @Test
  void memoryStaysFlatOverManySteps() {
    for (var make : ALL) {
      try (var pb = new OptimFixtures.Problem(DType.FLOAT32); Optimizer opt = make.apply(pb.params())) {
        train(opt, pb, 1, 30);  // every state buffer exists now
        long tensors = Kindling.liveTensors(), bytes = Kindling.liveBytes();
        train(opt, pb, 31, 2000);
        LeakCheck.assertNotAbove(tensors, opt.name() + " over 2000 steps");
        assertTrue(Kindling.liveBytes() <= bytes, opt.name() + ": native bytes grew from " + bytes + " to " + Kindling.liveBytes());
      }
    }
  }
}
