package dev.kindling;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.kindling.data.DataLoader;
import dev.kindling.data.Idx;
import dev.kindling.data.IdxFormatException;
import dev.kindling.data.Image;
import dev.kindling.data.Normalize;
import dev.kindling.data.RandomCrop;
import dev.kindling.data.Generator;
import dev.kindling.data.Subset;
import dev.kindling.data.TensorDataset;
import dev.kindling.io.Checkpoint;
import dev.kindling.io.SafeTensors;
import dev.kindling.io.TorchFiles;
import dev.kindling.nn.*;
import dev.kindling.optim.Adam;
import dev.kindling.optim.ExponentialLR;
import dev.kindling.optim.LinearLR;
import dev.kindling.optim.OneCycleLR;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.OptimizerStateDict;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.ReduceLROnPlateau;
import dev.kindling.optim.SGD;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * The second half of the bad-input table (issue 9, item 5): BadInputTableTest covers the tensor
 * core; this one covers the rest of the API — nn layers and losses, module state dicts and
 * registration, optimizers and schedulers, checkpoint files, data loading and transforms,
 * autograd and device strings. Each row is one wrong call as a PyTorch user could write it, the
 * exception it must throw (PyTorch's RuntimeError/ValueError about shapes, dtypes and values:
 * IllegalArgumentException; IndexError: IndexOutOfBoundsException; a closed object:
 * IllegalStateException; an unreadable file: UncheckedIOException or the parser's checked
 * IOException) and words its message must contain, naming what was wrong. A failed call leaves
 * no native tensor behind, and the JVM works normally after all of them.
 */
class ApiBadInputTableTest {
  private static final Class<IllegalArgumentException> ARG = IllegalArgumentException.class;
  private static final Class<IndexOutOfBoundsException> INDEX = IndexOutOfBoundsException.class;
  private static final Class<IllegalStateException> STATE = IllegalStateException.class;
  private static final Class<NullPointerException> NULL = NullPointerException.class;
  private static final Class<UncheckedIOException> IO = UncheckedIOException.class;

  private static Path dir;

  @BeforeAll
  static void makeDir() throws IOException {
    dir = Files.createTempDirectory("kindling-badinput");
  }

  @AfterAll
  static void removeDir() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
  }

  /** One wrong call and what it must throw. */
  record Row(String name, Class<? extends Throwable> expected, Executable call, String... words) {
    /** Runs the call in its own scope; returns what it threw (null if nothing). */
    Throwable run() {
      try (Scope s = Kindling.scope()) {
        call.execute();
        return null;
      } catch (Throwable t) {
        return t;
      }
    }

    void check() {
      long live = Kindling.liveTensors();
      Throwable thrown = run();
      LeakCheck.assertNotAbove(live, name + ": a failed call leaked");
      ExpectedFailure.check(name, expected, thrown, words);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static Row bad(String name, Class<? extends Throwable> expected, Executable call, String... words) {
    return new Row(name, expected, call, words);
  }

  // fixtures ---------------------------------------------------------------------------------

  private static Tensor f(long... shape) {
    return Tensor.ones(shape);
  }

  private static Tensor leaf(long... shape) {
    return Tensor.ones(shape).requiresGrad_();
  }

  private static Path file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  /** A safetensors image: an 8-byte little-endian header length, the JSON header, then data. */
  private static byte[] safetensors(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  /** A header length field that claims n bytes, followed by the given (shorter) header. */
  private static byte[] headerLength(long n, String header) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN).putLong(n).put(h).array();
  }

  /** A valid safetensors file of one float tensor [4, 4], cut to its first n bytes. */
  private static Path truncatedSafetensors(String name, int keep) throws IOException {
    Path p = dir.resolve(name);
    try (Tensor t = Tensor.ones(4, 4)) {
      SafeTensors.write(p, Map.of("w", t));
    }
    byte[] all = Files.readAllBytes(p);
    Files.write(p, Arrays.copyOf(all, Math.min(keep, all.length)));
    return p;
  }

  /** An IDX file of unsigned bytes with the given header and payload. */
  private static byte[] idx(int magic, int[] dims, int payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload);
    b.putInt(magic);
    for (int d : dims) b.putInt(d);
    return b.array();
  }

  private static SGD sgd(Tensor... params) {
    return new SGD(List.of(params), 0.1);
  }

  private static TensorDataset dataset(int n) {
    return new TensorDataset(Tensor.zeros(n, 2), Tensor.zeros(new long[] {n}, DType.INT64));
  }

  // the table --------------------------------------------------------------------------------

  static List<Row> table() {
    List<Row> rows = new ArrayList<>();

    // nn: layers fed the wrong input
    rows.add(bad("Conv2d: a 2-d input", ARG, () -> new Conv2d(3, 4, 3).call(f(3, 8)), "Conv2d", "[N, 3, H, W]", "[3, 8]"));
    rows.add(bad("Conv2d: 2 channels for a layer of 3", ARG, () -> new Conv2d(3, 4, 3).call(f(1, 2, 8, 8)), "in_channels=3", "[1, 2, 8, 8]"));
    rows.add(bad("Conv2d: kernel larger than the padded input", ARG, () -> new Conv2d(1, 1, 5).call(f(1, 1, 3, 3)), "Kernel size", "(5 x 5)"));
    rows.add(bad("Conv2d: stride 0", ARG, () -> new Conv2d(1, 1, 3, 0, 0).call(f(1, 1, 5, 5)), "stride"));
    rows.add(bad("Conv2d: in_channels not divisible by groups", ARG, () -> new Conv2d(3, 4, 3, 1, 0, 1, 2, true), "in_channels must be divisible by groups"));
    rows.add(bad("Linear: 3 features for a layer of 4", ARG, () -> new Linear(4, 5).call(f(2, 3)), "Linear", "in_features=4", "[2, 3]"));
    rows.add(bad("Linear: negative out_features", ARG, () -> new Linear(4, -1), "out_features must be non-negative", "-1"));
    rows.add(bad("BatchNorm2d: a 3-d input", ARG, () -> new BatchNorm2d(3).call(f(2, 3, 4)), "expected 4D input", "3D"));
    rows.add(bad("BatchNorm2d: 4 channels for a layer of 3", ARG, () -> new BatchNorm2d(3).call(f(2, 4, 5, 5)), "3", "4"));
    rows.add(bad("BatchNorm1d: one value per channel when training", ARG, () -> new BatchNorm1d(3).call(f(1, 3)), "expected more than 1 value per channel when training", "[1, 3]"));
    rows.add(bad("MaxPool2d: output too small", ARG, () -> new MaxPool2d(3).call(f(1, 1, 2, 2)), "max_pool2d", "too small"));
    rows.add(bad("MaxPool2d: a 2-d input", ARG, () -> new MaxPool2d(2).call(f(4, 4)), "max_pool2d", "3D or 4D"));
    rows.add(bad("MaxPool2d: padding over half the kernel", ARG, () -> new MaxPool2d(2, 2, 2, 1, false).call(f(1, 1, 4, 4)), "pad should be at most half of kernel size", "pad=2"));
    rows.add(bad("AvgPool2d: a 2-d input", ARG, () -> new AvgPool2d(2).call(f(4, 4)), "avg_pool2d", "3D or 4D"));
    rows.add(bad("AdaptiveAvgPool2d: a 1-d input", ARG, () -> new AdaptiveAvgPool2d(2).call(f(4)), "adaptive_avg_pool2d"));
    rows.add(bad("Embedding: index past the table", INDEX, () -> new Embedding(10, 3).call(Tensor.of(new long[] {3, 10})), "index 10", "10"));
    rows.add(bad("Embedding: float indices", ARG, () -> new Embedding(10, 3).call(f(2)), "Embedding", "int64", "float32"));
    rows.add(bad("Dropout: p above 1", ARG, () -> new Dropout(1.5), "dropout probability has to be between 0 and 1", "1.5"));
    rows.add(bad("GroupNorm: channels not divisible by groups", ARG, () -> new GroupNorm(3, 4), "num_channels must be divisible by num_groups"));
    rows.add(bad("LayerNorm: last dimension differs from normalized_shape", ARG, () -> new LayerNorm(5).call(f(2, 4)), "normalized_shape", "[2, 4]"));

    // nn: losses
    rows.add(bad("CrossEntropyLoss: float class targets", ARG, () -> new CrossEntropyLoss().call(f(2, 3), Tensor.of(0f, 1f)), "cross_entropy", "int64", "float32"));
    rows.add(bad("CrossEntropyLoss: class index out of range", INDEX, () -> new CrossEntropyLoss().call(f(2, 3), Tensor.of(new long[] {0, 5})), "target 5 is out of bounds", "3 classes"));
    rows.add(bad("CrossEntropyLoss: batch sizes differ", ARG, () -> new CrossEntropyLoss().call(f(2, 3), Tensor.of(new long[] {0, 1, 2, 0})), "cross_entropy", "target of shape [2]", "[2, 3]", "[4]"));
    rows.add(bad("NLLLoss: negative class index", INDEX, () -> new NLLLoss().call(f(2, 3), Tensor.of(new long[] {0, -1})), "nll_loss", "target -1 is out of bounds"));
    rows.add(bad("MSELoss: shapes that do not broadcast", ARG, () -> new MSELoss().call(f(2, 3), f(4)), "[2, 3]", "[4]"));
    rows.add(bad("BCELoss: target size differs from input size", ARG, () -> new BCELoss().call(Tensor.full(new long[] {2, 3}, 0.5), f(3, 2)), "binary_cross_entropy", "target shape [3, 2]", "input shape [2, 3]"));
    rows.add(bad("BCELoss: input outside [0, 1]", ARG, () -> new BCELoss().call(Tensor.full(new long[] {3}, 2.0), f(3)), "between 0 and 1"));
    rows.add(bad("CrossEntropyLoss: a null target", NULL, () -> new CrossEntropyLoss().call(f(2, 3), null), "target"));

    // nn: state dicts, registration, closed modules
    rows.add(bad("loadStateDict: a missing key", ARG, () -> {
      Linear l = new Linear(2, 3);
      l.loadStateDict(Map.of("weight", f(3, 2)));
    }, "Missing key(s) in state_dict", "\"bias\""));
    rows.add(bad("loadStateDict: an unexpected key", ARG, () -> {
      Linear l = new Linear(2, 3);
      Map<String, Tensor> sd = new LinkedHashMap<>();
      sd.put("weight", f(3, 2));
      sd.put("bias", f(3));
      sd.put("scale", f(3));
      l.loadStateDict(sd);
    }, "Unexpected key(s) in state_dict", "\"scale\""));
    rows.add(bad("loadStateDict: a tensor of the wrong shape", ARG, () -> {
      Linear l = new Linear(2, 3);
      l.loadStateDict(Map.of("weight", f(2, 3), "bias", f(3)));
    }, "size mismatch for weight", "[2, 3]", "[3, 2]"));
    rows.add(bad("loadStateDict: a null map", NULL, () -> new Linear(2, 3).loadStateDict(null), "state"));
    rows.add(bad("register: a name with a dot", ARG, () -> new Sequential().register("a.b", new ReLU()), "can't contain \".\""));
    rows.add(bad("register: an empty name", ARG, () -> new Sequential().register("", new ReLU()), "empty"));
    rows.add(bad("registerParameter: a name already taken by a child", ARG, () -> {
      Sequential s = new Sequential();
      s.register("x", new ReLU());
      s.registerParameter("x", leaf(2));
    }, "'x'", "already exists"));
    rows.add(bad("registerParameter: a non-leaf tensor", ARG, () -> new Sequential().registerParameter("w", leaf(2).mul(2.0)), "'w'", "non-leaf"));
    rows.add(bad("registerParameter: an integer tensor", ARG, () -> new Sequential().registerParameter("w", Tensor.zeros(new long[] {2}, DType.INT64)), "'w'", "floating point"));
    rows.add(bad("register: a null module", NULL, () -> new Sequential().register("m", null), "'m'", "null"));
    rows.add(bad("a closed Linear's forward", STATE, () -> {
      Linear l = new Linear(2, 3);
      l.close();
      l.call(f(1, 2));
    }, "closed"));

    // optim
    rows.add(bad("SGD: negative lr", ARG, () -> new SGD(List.of(leaf(2)), -0.1), "Invalid learning rate", "-0.1"));
    rows.add(bad("SGD: negative momentum", ARG, () -> new SGD(List.of(leaf(2)), SGD.options().lr(0.1).momentum(-1)), "Invalid momentum value", "-1"));
    rows.add(bad("SGD: negative weight decay", ARG, () -> new SGD(List.of(leaf(2)), SGD.options().lr(0.1).weightDecay(-0.5)), "Invalid weight_decay value", "-0.5"));
    rows.add(bad("SGD: nesterov without momentum", ARG, () -> new SGD(List.of(leaf(2)), SGD.options().lr(0.1).nesterov(true)), "Nesterov momentum requires a momentum and zero dampening"));
    rows.add(bad("Adam: beta1 equal to 1", ARG, () -> new Adam(List.of(leaf(2)), Adam.options().betas(1.0, 0.999)), "Invalid beta parameter at index 0", "1.0"));
    rows.add(bad("Adam: negative beta2", ARG, () -> new Adam(List.of(leaf(2)), Adam.options().betas(0.9, -0.1)), "Invalid beta parameter at index 1", "-0.1"));
    rows.add(bad("Adam: negative eps", ARG, () -> new Adam(List.of(leaf(2)), Adam.options().eps(-1e-8)), "Invalid epsilon value", "-1e-08"));
    rows.add(bad("SGD: no parameters", ARG, () -> new SGD(List.of(), 0.1), "empty parameter list"));
    rows.add(bad("SGD: a parameter in two groups", ARG, () -> {
      Tensor p = leaf(2);
      new SGD(List.of(ParamGroup.of(p), ParamGroup.of(p, leaf(3))), SGD.options().lr(0.1));
    }, "more than one parameter group"));
    rows.add(bad("SGD: a non-leaf parameter", ARG, () -> new SGD(List.of(leaf(2).mul(2.0)), 0.1), "can't optimize a non-leaf Tensor"));
    rows.add(bad("addParamGroup: a parameter already optimized", ARG, () -> {
      Tensor p = leaf(2);
      sgd(p).addParamGroup(ParamGroup.of(p));
    }, "more than one parameter group"));
    rows.add(bad("loadStateDict: a different number of groups", ARG, () -> {
      Tensor a = leaf(2), b = leaf(3);
      OptimizerStateDict two = new SGD(List.of(ParamGroup.of(a), ParamGroup.of(b)), SGD.options().lr(0.1)).stateDict();
      sgd(a, b).loadStateDict(two);
    }, "2 parameter group(s)", "has 1"));
    rows.add(bad("loadStateDict: a group of another size", ARG, () -> {
      Tensor a = leaf(2), b = leaf(3);
      OptimizerStateDict one = sgd(a).stateDict();
      sgd(a, b).loadStateDict(one);
    }, "doesn't match the size of optimizer's group"));
    rows.add(bad("loadStateDict: a momentum buffer of another parameter's shape", ARG, () -> {
      Tensor big = leaf(3);
      SGD first = new SGD(List.of(big), SGD.options().lr(0.1).momentum(0.9));
      big.setGrad(f(3));
      first.step();
      new SGD(List.of(leaf(2)), SGD.options().lr(0.1).momentum(0.9)).loadStateDict(first.stateDict());
    }, "momentum_buffer", "[3]", "[2]"));
    rows.add(bad("loadStateDict: a closed optimizer", STATE, () -> {
      SGD o = sgd(leaf(2));
      OptimizerStateDict sd = o.stateDict();
      o.close();
      o.loadStateDict(sd);
    }, "closed"));
    rows.add(bad("ExponentialLR: resuming without initial_lr", ARG, () -> new ExponentialLR(sgd(leaf(2)), 0.9, 5), "initial_lr", "param_groups[0]"));
    rows.add(bad("LinearLR: start factor above 1", ARG, () -> new LinearLR(sgd(leaf(2)), 1.5, 1.0, 5), "LinearLR", "Starting multiplicative factor expected to be between 0 and 1"));
    rows.add(bad("OneCycleLR: non-positive total steps", ARG, () -> OneCycleLR.builder(sgd(leaf(2)), 0.1).totalSteps(0).build(), "total_steps", "0"));
    rows.add(bad("ReduceLROnPlateau: factor 1", ARG, () -> ReduceLROnPlateau.builder(sgd(leaf(2))).factor(1.0).build(), "Factor should be < 1.0"));

    // io
    rows.add(bad("SafeTensors.read: a missing file", IO, () -> SafeTensors.read(dir.resolve("nope.safetensors")), "nope.safetensors"));
    rows.add(bad("SafeTensors.read: an empty file", ARG, () -> SafeTensors.read(file("empty.safetensors", new byte[0])), "empty.safetensors"));
    rows.add(bad("SafeTensors.read: cut inside the header", ARG, () -> SafeTensors.read(truncatedSafetensors("cut-header.safetensors", 20)), "cut-header.safetensors"));
    rows.add(bad("SafeTensors.read: cut inside the data", ARG, () -> SafeTensors.read(truncatedSafetensors("cut-data.safetensors", 90)), "cut-data.safetensors"));
    rows.add(bad("SafeTensors.read: header length past the end", ARG, () -> SafeTensors.read(file("huge.safetensors", headerLength(1000, "{}"))), "huge.safetensors", "1000"));
    rows.add(bad("SafeTensors.parse: a header that is not JSON", ARG, () -> SafeTensors.parse(safetensors("{\"w\": [1, 2", 0)), "JSON"));
    rows.add(bad("SafeTensors.parse: an unknown dtype", ARG, () -> SafeTensors.parse(safetensors("{\"w\":{\"dtype\":\"Q8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2)), "Q8"));
    rows.add(bad("SafeTensors.parse: offsets that do not match the shape", ARG, () -> SafeTensors.parse(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", 8)), "'w'"));
    rows.add(bad("SafeTensors.parse: offsets past the data", ARG, () -> SafeTensors.parse(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4)), "tensor data ends at byte 8", "truncated"));
    rows.add(bad("TorchFiles.load: a missing file", IO, () -> TorchFiles.load(dir.resolve("nope.pt")), "nope.pt"));
    rows.add(bad("TorchFiles.load: a file that is not a zip", ARG, () -> TorchFiles.load(file("garbage.pt", "not a zip archive at all".getBytes(StandardCharsets.US_ASCII))), "garbage.pt"));
    rows.add(bad("Checkpoint.save: an entry name with a dot", ARG, () -> Checkpoint.save(dir.resolve("c.ckpt"), Checkpoint.entries().with("a.b", 1)), "'a.b'"));
    rows.add(bad("Checkpoint.save: a closed tensor", STATE, () -> {
      Tensor t = f(2);
      t.close();
      Checkpoint.save(dir.resolve("c.ckpt"), Checkpoint.entries().with("w", t));
    }, "'w'", "closed"));
    rows.add(bad("Checkpoint.save: an unsupported value", ARG, () -> Checkpoint.save(dir.resolve("c.ckpt"), Checkpoint.entries().with("x", new Object())), "'x'", "unsupported type"));
    rows.add(bad("Checkpoint.get: a missing entry", NoSuchElementException.class, () -> {
      Path p = dir.resolve("ok.ckpt");
      Checkpoint.save(p, Checkpoint.entries().with("epoch", 3));
      try (Checkpoint c = Checkpoint.load(p)) {
        c.get("optimizer");
      }
    }, "'optimizer'"));
    rows.add(bad("Checkpoint.getInt: a string entry", ARG, () -> {
      Path p = dir.resolve("ok2.ckpt");
      Checkpoint.save(p, Checkpoint.entries().with("arch", "resnet"));
      try (Checkpoint c = Checkpoint.load(p)) {
        c.getInt("arch");
      }
    }, "'arch'"));
    rows.add(bad("Checkpoint.load: a missing file", IO, () -> Checkpoint.load(dir.resolve("gone.ckpt")), "gone.ckpt"));

    // data
    rows.add(bad("DataLoader: batch size 0", ARG, () -> DataLoader.builder(dataset(4), TensorDataset::collate).batchSize(0), "batch_size", "0"));
    rows.add(bad("DataLoader: negative batch size", ARG, () -> DataLoader.builder(dataset(4), TensorDataset::collate).batchSize(-3), "batch_size", "-3"));
    rows.add(bad("DataLoader: negative prefetch", ARG, () -> DataLoader.builder(dataset(4), TensorDataset::collate).prefetch(-1), "prefetch", "-1"));
    rows.add(bad("Idx.read: a bad magic number", IdxFormatException.class, () -> Idx.read(new ByteArrayInputStream(idx(0x12345678, new int[] {2}, 2)), "bad-magic"), "bad-magic", "magic"));
    rows.add(bad("Idx.read: data shorter than the header says", IdxFormatException.class, () -> Idx.read(new ByteArrayInputStream(idx(0x00000801, new int[] {10}, 4)), "short"), "short"));
    rows.add(bad("Subset: an index past the dataset", INDEX, () -> new Subset<>(dataset(4), new int[] {0, 4}), "Subset", "index 4"));
    rows.add(bad("Subset: a negative index", INDEX, () -> new Subset<>(dataset(4), new int[] {-1}), "Subset", "index -1"));
    rows.add(bad("randomSplit: lengths that do not sum to the size", ARG, () -> Subset.randomSplit(dataset(4), new int[] {1, 2}, new Generator(0)), "randomSplit", "4"));
    rows.add(bad("TensorDataset: inputs and targets of different lengths", ARG, () -> new TensorDataset(f(4, 2), f(3)), "4", "3"));
    rows.add(bad("TensorDataset.get: past the end", INDEX, () -> dataset(4).get(4), "index 4"));
    rows.add(bad("Normalize: 3 means for a 1-channel image", ARG, () -> new Normalize(new double[] {0, 0, 0}, new double[] {1, 1, 1}).apply(new Image(new float[4], 1, 2, 2)), "Normalize", "3 means"));
    rows.add(bad("Normalize: std 0", ARG, () -> new Normalize(0.5, 0.0), "std", "zero"));
    rows.add(bad("RandomCrop: a crop larger than the image", ARG, () -> new RandomCrop(5, 0, new Generator(0)).apply(new Image(new float[4], 1, 2, 2)), "RandomCrop", "(5, 5)"));
    rows.add(bad("Image: data of the wrong length", ARG, () -> new Image(new float[3], 1, 2, 2), "Image", "[1, 2, 2]"));

    // autograd
    rows.add(bad("backward: a non-scalar without a gradient", STATE, () -> leaf(3).mul(2.0).backward(), "grad can be implicitly created only for scalar outputs"));
    rows.add(bad("backward: a tensor that does not require grad", STATE, () -> f(1).sum().backward(), "does not require grad"));
    rows.add(bad("backward: a gradient of the wrong shape", ARG, () -> leaf(3).mul(2.0).backward(f(4)), "mismatch in shape", "[4]", "[3]"));
    rows.add(bad("backward: twice without retain_graph", STATE, () -> {
      Tensor y = leaf(3).exp().sum();
      y.backward();
      y.backward();
    }, "backward through the graph a second time"));
    rows.add(bad("Autograd.grad: an input that does not require grad", ARG, () -> Autograd.grad(leaf(3).sum(), f(3)), "input 0", "does not require grad"));
    rows.add(bad("Autograd.grad: an input not used in the graph", ARG, () -> Autograd.grad(leaf(3).sum(), leaf(3)), "not have been used in the graph"));
    rows.add(bad("registerHook: a hook returning the wrong shape", ARG, () -> {
      Tensor x = leaf(3);
      x.registerHook(g -> Tensor.ones(4));
      x.mul(2.0).sum().backward();
    }, "hook", "changed the size of value", "[3]", "[4]"));
    rows.add(bad("registerHook: a hook returning another dtype", ARG, () -> {
      Tensor x = leaf(3);
      x.registerHook(g -> g.to(DType.FLOAT64));
      x.mul(2.0).sum().backward();
    }, "hook", "changed the type of value", "float32", "float64"));
    rows.add(bad("registerHook: on a tensor that does not require grad", STATE, () -> f(3).registerHook(g -> g), "register_hook", "doesn't require gradient"));
    rows.add(bad("requiresGrad_: an integer tensor", ARG, () -> Tensor.zeros(new long[] {3}, DType.INT64).requiresGrad_(), "floating point"));
    rows.add(bad("in-place on a leaf that requires grad", ARG, () -> leaf(3).add_(f(3)), "add_", "leaf Variable that requires grad", "in-place"));

    // Device
    rows.add(bad("Device.parse: an unknown type", ARG, () -> Device.parse("gpu"), "gpu"));
    rows.add(bad("Device.parse: a negative index", ARG, () -> Device.parse("cuda:-1"), "cuda:-1"));
    rows.add(bad("Device.parse: a non-numeric index", ARG, () -> Device.parse("cuda:x"), "cuda:x"));
    rows.add(bad("Device.parse: cpu with index 1", ARG, () -> Device.parse("cpu:1"), "CPU device index", "1"));
    rows.add(bad("Device.parse: an empty string", ARG, () -> Device.parse(""), "device string"));
    rows.add(bad("Device.parse: null", NULL, () -> Device.parse(null), "Device.parse"));
    rows.add(bad("Device.cuda: a negative index", ARG, () -> Device.cuda(-2), "-2"));
    return rows;
  }

  @TestFactory
  Stream<DynamicTest> everyBadCallThrowsAClearException() {
    return table().stream().map(r -> dynamicTest(r.name(), r::check));
  }

  @Test
  void theTableCoversTheWholeApiWithAtLeast60Rows() {
    List<Row> rows = table();
    assertTrue(rows.size() >= 60, "rows: " + rows.size());
    // Together with the core table this makes well over 100 cases.
    for (Class<?> c : List.of(ARG, INDEX, STATE, NULL, IO))
      assertTrue(rows.stream().anyMatch(r -> r.expected() == c), "no row expects " + c.getSimpleName());
  }

  @Test
  void theJvmIsHealthyAfterEveryBadCall() {
    long live = Kindling.liveTensors();
    for (Row r : table()) assertNotNull(r.run(), r.name() + " did not throw");
    LeakCheck.assertNotAbove(live, "the bad calls");
    // Normal training goes on: a layer, a loss, backward, a step, and a checkpoint round trip.
    try (Scope s = Kindling.scope()) {
      Kindling.manualSeed(0);
      Linear l = new Linear(3, 2);
      SGD opt = new SGD(l.parameters(), 0.5);
      Tensor x = Tensor.of(new float[][] {{1, 2, 3}});
      Tensor before = l.weight().clone();
      new CrossEntropyLoss().call(l.call(x), Tensor.of(new long[] {1})).backward();
      opt.step();
      assertFalse(Arrays.equals(before.toFloatArray(), l.weight().toFloatArray()), "the step changed nothing");
      Path p = dir.resolve("healthy.ckpt");
      Checkpoint.save(p, Checkpoint.entries().with("model", l.stateDict()));
      try (Checkpoint c = Checkpoint.load(p)) {
        assertArrayEquals(l.weight().toFloatArray(), c.stateDict("model").get("weight").toFloatArray());
      }
      opt.close();
      l.close();
    }
    LeakCheck.assertNotAbove(live, "normal work after the bad calls");
  }
}
