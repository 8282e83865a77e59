package dev.kindling.optim;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the schedulers do beyond the golden trajectories: arguments PyTorch only trips over later
 * (a division by zero) are refused up front with a message naming them; a failed construction,
 * a refused step or a bad state dict changes nothing; the state dict is plain data; lrs set from
 * outside carry on through a chainable schedule; a second scheduler keeps the first one's
 * initial_lr; an optimizer that gained a group needs a new scheduler.
 */
class LRSchedulerBehaviourTest {
  private Scope scope;

  @BeforeEach
  void open() {
    scope = Kindling.scope();
  }

  @AfterEach
  void close() {
    scope.close();
  }

  private static double[] lrs(Optimizer opt) {
    return LRSchedulerGoldenTest.lrs(opt);
  }

  private static <T extends Throwable> T assertMessage(Class<T> type, String want, org.junit.jupiter.api.function.Executable call) {
    T e = assertThrows(type, call);
    assertTrue(e.getMessage().contains(want), "want \"" + want + "\" in \"" + e.getMessage() + "\"");
    return e;
  }

  @Test
  void argumentsThatWouldDivideByZeroAreRefused() {
    RecordingOptimizer opt = RecordingOptimizer.sgd(0.1, 0.05);
    assertMessage(IllegalArgumentException.class, "CosineAnnealingLR: Expected positive integer T_max, but got 0",
        () -> new CosineAnnealingLR(opt, 0));
    assertMessage(IllegalArgumentException.class, "StepLR: Expected positive integer step_size, but got 0", () -> new StepLR(opt, 0));
    assertMessage(IllegalArgumentException.class, "StepLR: Expected positive integer step_size, but got -3", () -> new StepLR(opt, -3, 0.5));
    assertMessage(IllegalArgumentException.class, "LinearLR: Starting multiplicative factor expected to be greater than 0",
        () -> new LinearLR(opt, 0.0, 1.0, 5));
    assertMessage(IllegalArgumentException.class, "LinearLR: Starting multiplicative factor", () -> new LinearLR(opt, Double.NaN, 1.0, 5));
    assertMessage(IllegalArgumentException.class, "OneCycleLR: Expected float between 0 and 1 pct_start, but got NaN",
        () -> OneCycleLR.builder(opt, 0.1).totalSteps(10).pctStart(Double.NaN).build());
    assertMessage(IllegalArgumentException.class, "ReduceLROnPlateau: Factor should be < 1.0.",
        () -> ReduceLROnPlateau.builder(opt).factor(Double.NaN).build());
    assertMessage(IllegalArgumentException.class, "ReduceLROnPlateau: expected 2 min_lrs, got 3",
        () -> ReduceLROnPlateau.builder(opt).minLr(0.1, 0.2, 0.3));
    assertMessage(IllegalArgumentException.class, "OneCycleLR: expected 2 values for max_momentum, got 3",
        () -> OneCycleLR.builder(opt, 0.1).maxMomentum(0.9, 0.9, 0.9));
    assertThrows(NullPointerException.class, () -> new StepLR(null, 3));
    assertThrows(NullPointerException.class, () -> new MultiStepLR(opt, null));
    assertThrows(NullPointerException.class, () -> new LambdaLR(opt, (java.util.function.IntToDoubleFunction) null));
    // None of these touched the groups.
    for (ParamGroup g : opt.paramGroups()) assertFalse(g.has("initial_lr"), g.toString());
    assertArrayEquals(new double[] {0.1, 0.05}, lrs(opt));
  }

  @Test
  void resumingNeedsTheScheduleOptionsInTheGroups() {
    RecordingOptimizer opt = RecordingOptimizer.sgd(0.1, 0.05);
    assertMessage(IllegalArgumentException.class,
        "CosineAnnealingLR: param 'initial_lr' is not specified in param_groups[0] when resuming an optimizer",
        () -> new CosineAnnealingLR(opt, 10, 0.0, 7));
    opt.paramGroups().get(0).set("initial_lr", 0.2);
    assertMessage(IllegalArgumentException.class, "param 'initial_lr' is not specified in param_groups[1]",
        () -> new ExponentialLR(opt, 0.9, 3));
    opt.paramGroups().get(1).set("initial_lr", 0.1);
    assertMessage(IllegalArgumentException.class, "OneCycleLR: param 'max_lr' is not specified in param_groups[0]",
        () -> OneCycleLR.builder(opt, 1.0).totalSteps(20).lastEpoch(4).build());
    assertArrayEquals(new double[] {0.1, 0.05}, lrs(opt));
    // With initial_lr present, a resumed CosineAnnealingLR takes the closed form for its first step.
    CosineAnnealingLR s = new CosineAnnealingLR(opt, 10, 0.0, 4);
    assertEquals(5, s.lastEpoch());
    assertEquals(0.2 * (1 + Math.cos(5 * Math.PI / 10)) / 2, lrs(opt)[0], 1e-15);
  }

  @Test
  void oneCyclePhaseWithoutStepsFailsLikePyTorchButLeavesTheGroups() {
    // pct_start * total_steps - 1 == 0: PyTorch's first phase spans no steps and its initial step divides by zero.
    RecordingOptimizer opt = RecordingOptimizer.sgd(0.1, 0.05);
    assertMessage(ArithmeticException.class, "OneCycleLR: float division by zero",
        () -> OneCycleLR.builder(opt, 1.0).totalSteps(10).pctStart(0.1).build());
    for (ParamGroup g : opt.paramGroups()) {
      assertFalse(g.has("initial_lr") || g.has("max_lr") || g.has("max_momentum"), g.toString());
      assertEquals(0.9, g.momentum());
    }
    // pct_start = 1: the second phase spans no steps; PyTorch fails at the last allowed step.
    OneCycleLR s = OneCycleLR.builder(opt, 1.0).totalSteps(10).pctStart(1.0).build();
    for (int i = 0; i < 9; i++) s.step();
    double[] before = lrs(opt);
    assertMessage(ArithmeticException.class, "float division by zero", s::step);
    assertArrayEquals(before, lrs(opt));
    assertEquals(9, s.lastEpoch());
  }

  @Test
  void oneCycleStepsPastTheEndAreRefusedEveryTime() {
    RecordingOptimizer opt = RecordingOptimizer.adam(0.1, 0.05);
    OneCycleLR s = OneCycleLR.builder(opt, 0.5, 0.25).epochs(2).stepsPerEpoch(5).build();
    assertEquals(10, s.totalSteps());
    for (int i = 0; i < 10; i++) s.step();
    for (int k = 0; k < 2; k++)
      assertMessage(IllegalStateException.class, "Tried to step 12 times. The specified number of total steps is 10", s::step);
    assertEquals(10, s.lastEpoch());
  }

  @Test
  @SuppressWarnings("unchecked")
  void stateDictIsPlainDataForEveryScheduler() {
    RecordingOptimizer sgd = RecordingOptimizer.sgd(0.1, 0.05);
    List<Map<String, Object>> dicts = new ArrayList<>();
    dicts.add(new StepLR(sgd, 3).stateDict());
    dicts.add(new MultiStepLR(sgd, List.of(4, 2, 4)).stateDict());
    dicts.add(new ExponentialLR(sgd, 0.9).stateDict());
    dicts.add(new CosineAnnealingLR(sgd, 5).stateDict());
    dicts.add(new LinearLR(sgd).stateDict());
    dicts.add(new LambdaLR(sgd, e -> 1.0 / (e + 1)).stateDict());
    dicts.add(OneCycleLR.builder(sgd, 1.0).totalSteps(10).build().stateDict());
    dicts.add(new ReduceLROnPlateau(sgd).stateDict());
    for (Map<String, Object> d : dicts) {
      for (Map.Entry<String, Object> e : d.entrySet()) {
        Object v = e.getValue();
        boolean plain = v instanceof Number || v instanceof Boolean || v instanceof String
            || (v instanceof List<?> l && l.stream().allMatch(x -> x instanceof Number));
        assertTrue(plain, e.getKey() + " = " + v + " is not plain data");
      }
      assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) d.get("_last_lr")).set(0, 1.0), "its lists are read-only");
    }
    // The map is the caller's copy: changing it changes no scheduler.
    StepLR s = new StepLR(sgd, 3);
    Map<String, Object> d = s.stateDict();
    d.put("last_epoch", 99L);
    assertEquals(0, s.lastEpoch());
    assertEquals(List.of(2L, 4L, 4L), dicts.get(1).get("milestones"), "a milestone listed twice is kept twice");
    assertEquals(Double.POSITIVE_INFINITY, dicts.get(7).get("best"));
  }

  @Test
  void badStateDictChangesNothing() {
    RecordingOptimizer opt = RecordingOptimizer.sgd(0.1, 0.05);
    StepLR s = new StepLR(opt, 2, 0.5);
    s.step();
    s.step();
    s.step();
    Map<String, Object> before = s.stateDict();

    Map<String, Object> missing = new LinkedHashMap<>(before);
    missing.remove("gamma");
    assertMessage(IllegalArgumentException.class, "StepLR.loadStateDict: state dict has no 'gamma'", () -> s.loadStateDict(missing));

    Map<String, Object> shortList = new LinkedHashMap<>(before);
    shortList.put("last_epoch", 0L);
    shortList.put("base_lrs", List.of(1.0));
    assertMessage(IllegalArgumentException.class, "'base_lrs' has 1 value(s), expected 2", () -> s.loadStateDict(shortList));

    Map<String, Object> wrongType = new LinkedHashMap<>(before);
    wrongType.put("last_epoch", 2.5);
    assertMessage(IllegalArgumentException.class, "'last_epoch' must be an integer, got 2.5", () -> s.loadStateDict(wrongType));

    Map<String, Object> badOption = new LinkedHashMap<>(before);
    badOption.put("last_epoch", 0L);
    badOption.put("step_size", 0L);
    assertMessage(IllegalArgumentException.class, "Expected positive integer step_size, but got 0", () -> s.loadStateDict(badOption));

    assertThrows(NullPointerException.class, () -> s.loadStateDict(null));
    assertEquals(before, s.stateDict());

    ReduceLROnPlateau p = new ReduceLROnPlateau(opt);
    p.step(1.0);
    Map<String, Object> pBefore = p.stateDict();
    Map<String, Object> badMode = new LinkedHashMap<>(pBefore);
    badMode.put("num_bad_epochs", 5L);
    badMode.put("mode", "mean");
    assertMessage(IllegalArgumentException.class, "'mode' must be one of min, max", () -> p.loadStateDict(badMode));
    assertEquals(pBefore, p.stateDict());
  }

  @Test
  void aChainableScheduleCarriesOnFromAnLrSetOutside() {
    // torch: StepLR(step_size=3, gamma=0.5); after 2 steps the user sets lr = 1.0; step 3 halves it.
    RecordingOptimizer opt = RecordingOptimizer.sgd(0.1, 0.05);
    StepLR s = new StepLR(opt, 3, 0.5);
    s.step();
    s.step();
    opt.paramGroups().get(0).lr(1.0);
    s.step();
    assertArrayEquals(new double[] {0.5, 0.025}, lrs(opt));
    assertEquals(List.of(0.5, 0.025), s.getLastLr());
    assertThrows(UnsupportedOperationException.class, () -> s.getLastLr().set(0, 3.0));
  }

  @Test
  void aSecondSchedulerKeepsTheFirstOnesInitialLr() {
    RecordingOptimizer opt = RecordingOptimizer.sgd(0.1, 0.05);
    new LinearLR(opt, 0.5, 1.0, 4);
    assertArrayEquals(new double[] {0.05, 0.025}, lrs(opt));
    LambdaLR second = new LambdaLR(opt, e -> 2.0);
    assertEquals(List.of(0.1, 0.05), second.baseLrs());
    assertArrayEquals(new double[] {0.2, 0.1}, lrs(opt));
  }

  @Test
  void aGroupAddedLaterNeedsANewScheduler() {
    RecordingOptimizer opt = RecordingOptimizer.sgd(0.1, 0.05);
    ExponentialLR s = new ExponentialLR(opt, 0.5);
    ReduceLROnPlateau p = new ReduceLROnPlateau(opt);
    opt.addParamGroup(ParamGroup.of(Tensor.zeros(3)).lr(0.3));
    assertMessage(IllegalStateException.class, "ExponentialLR.step: the optimizer has 3 parameter group(s) but the scheduler was made for 2", s::step);
    assertMessage(IllegalStateException.class, "ReduceLROnPlateau.step: the optimizer has 3 parameter group(s)", () -> p.step(1.0));
    assertEquals(0, s.lastEpoch());
    assertEquals(0, p.lastEpoch());
  }

  @Test
  void plateauTakesALossTensorAndCountsBadEpochs() {
    RecordingOptimizer opt = RecordingOptimizer.adam(0.1, 0.05);
    ReduceLROnPlateau p = ReduceLROnPlateau.builder(opt).patience(1).factor(0.5).minLr(0.08, 0.0).build();
    assertEquals(List.of(0.1, 0.05), p.getLastLr());
    p.step(Tensor.scalar(2.0));
    assertEquals(2.0, p.best());
    p.step(Tensor.scalar(2.0));
    assertEquals(1, p.numBadEpochs());
    p.step(Tensor.scalar(Double.NaN)); // NaN is never better
    // group 0 stops at its min_lr 0.08; group 1 halves
    assertArrayEquals(new double[] {0.08, 0.025}, lrs(opt));
    assertEquals(0, p.numBadEpochs());
    assertEquals(3, p.lastEpoch());
  }

  /** A user's own schedule: halve every epoch; {@code broken} returns one lr too few. */
  static final class Halving extends LRScheduler {
    private final boolean broken;

    Halving(Optimizer optimizer, boolean broken) {
      super(optimizer);
      this.broken = broken;
      initialize(-1);
    }

    @Override
    protected double[] getLr() {
      List<ParamGroup> groups = optimizer().paramGroups();
      int n = broken && lastEpoch() > 0 ? groups.size() - 1 : groups.size();
      double[] lrs = new double[n];
      for (int i = 0; i < n; i++) lrs[i] = lastEpoch() == 0 ? groups.get(i).lr() : groups.get(i).lr() / 2;
      return lrs;
    }

    @Override
    protected void saveOptions(Map<String, Object> out) {}

    @Override
    protected Runnable loadOptions(StateDictReader in) {
      return () -> {};
    }
  }

  @Test
  void aUsersOwnScheduleExtendsTheBase() {
    RecordingOptimizer opt = RecordingOptimizer.sgd(0.1, 0.05);
    Halving h = new Halving(opt, false);
    h.step();
    assertArrayEquals(new double[] {0.05, 0.025}, lrs(opt));
    assertEquals("Halving(last_epoch=1, last_lr=[0.05, 0.025])", h.toString());
    Halving broken = new Halving(RecordingOptimizer.sgd(0.1, 0.05), true);
    assertMessage(IllegalStateException.class, "Halving.getLr returned 1 lr(s) for 2 parameter group(s)", broken::step);
    assertEquals(0, broken.lastEpoch());
  }
}
