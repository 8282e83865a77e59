package dev.kindling.examples;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.data.Batch;
import dev.kindling.data.BatchIterator;
import dev.kindling.data.DataLoader;
import dev.kindling.data.Dataset;
import dev.kindling.data.FashionMNIST;
import dev.kindling.data.LabeledImage;
import dev.kindling.data.Normalize;
import dev.kindling.examples.common.CommonOptions;
import dev.kindling.examples.common.History;
import dev.kindling.examples.common.LinePlot;
import dev.kindling.examples.common.Progress;
import dev.kindling.io.Checkpoint;
import dev.kindling.nn.F;
import dev.kindling.nn.Linear;
import dev.kindling.nn.Module;
import dev.kindling.optim.Adam;
import dev.kindling.optim.Optimizer;
import dev.kindling.optim.ParamGroup;
import dev.kindling.optim.SGD;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Fine-tuning, as the seed's transfer-learning code does it: a pretrained {@link FashionNet} (the
 * fashion-classifier's checkpoint when there is one, else a few hundred batches of pretraining
 * here) gets a new output layer for a new task — four coarse classes: tops, bottoms and dresses,
 * footwear, bags — then its first k children are frozen ({@code requiresGrad_(false)}, and kept
 * in eval mode so their BatchNorm statistics stay as pretrained), and the rest trains with SGD
 * through param groups, one per trainable child, the new head at 10× the body's learning rate.
 * It prints which parameters train and which are frozen (names and shapes), and the groups.
 *
 * <p>Output in {@code --out} (default {@code runs/finetune}): {@code finetune.png} (training
 * loss per iteration, test accuracy per epoch), {@code metrics.csv}.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true,
    description = "Fine-tune a pretrained Fashion-MNIST CNN on a new task: freeze the first k children, per-layer learning rates through param groups.")
public final class Finetune implements Callable<Integer> {
  public static final String NAME = "finetune";
  /** The new task's classes and, for each Fashion-MNIST label 0–9, the new label. */
  static final List<String> COARSE = List.of("top", "bottom or dress", "footwear", "bag");
  static final int[] COARSE_OF = {0, 1, 0, 1, 0, 2, 0, 2, 3, 2};

  @Mixin CommonOptions common = new CommonOptions();

  @Option(names = "--pretrained", paramLabel = "CHECKPOINT",
      description = "The fashion-classifier checkpoint to start from (default: ${DEFAULT-VALUE}; pretrains here when absent)",
      defaultValue = "runs/fashion-classifier/checkpoint.safetensors")
  Path pretrained;

  @Option(names = "--pretrain-batches", description = "Batches of 10-class pretraining when there is no checkpoint (default: ${DEFAULT-VALUE})",
      defaultValue = "300")
  int pretrainBatches;

  @Option(names = "--freeze", paramLabel = "K", description = "Freeze the first K children of the model (default: ${DEFAULT-VALUE})",
      defaultValue = "1")
  int freeze;

  @Option(names = "--epochs", description = "Fine-tuning epochs (default: ${DEFAULT-VALUE})", defaultValue = "1")
  int epochs;

  @Option(names = "--batch-size", description = "Batch size (default: ${DEFAULT-VALUE})", defaultValue = "64")
  int batchSize;

  @Option(names = "--lr", description = "SGD learning rate of the body (default: ${DEFAULT-VALUE})", defaultValue = "0.005")
  double lr;

  @Option(names = "--head-lr-factor", description = "The new head's learning rate as a multiple of --lr (default: ${DEFAULT-VALUE})",
      defaultValue = "10")
  double headLrFactor;

  @Option(names = "--momentum", description = "SGD momentum (default: ${DEFAULT-VALUE})", defaultValue = "0.9")
  double momentum;

  @Override
  public Integer call() {
    Path out = common.outDir(NAME);
    Kindling.manualSeed(common.seed);
    Normalize normalize = new Normalize(FashionClassifier.MEAN, FashionClassifier.STD);
    FashionMNIST train = FashionMNIST.train(common.data).withTransform(normalize);
    FashionMNIST test = FashionMNIST.test(common.data).withTransform(normalize);

    try (FashionNet model = new FashionNet()) {
      pretrain(model, train, test);

      // A new task: a new output layer, with as many outputs as it has classes.
      model.replaceFc(new Linear(model.fc().inFeatures(), COARSE.size()));
      System.out.println("new task: " + COARSE.size() + " classes " + COARSE + "; new head fc = " + model.fc());

      // Freeze the first k children.
      List<Module> frozen = new ArrayList<>();
      int count = 0;
      for (Module child : model.children()) {
        if (count < freeze) {
          for (Tensor p : child.parameters()) p.requiresGrad_(false);
          frozen.add(child);
        }
        count++;
      }
      printParameters(model);

      // One param group per trainable child; the new head learns 10x faster than the body.
      List<ParamGroup> groups = new ArrayList<>();
      for (Map.Entry<String, Module> e : model.namedChildren().entrySet()) {
        List<Tensor> params = e.getValue().parameters().stream().filter(Tensor::requiresGrad).toList();
        if (params.isEmpty()) continue;
        double groupLr = e.getValue() == model.fc() ? lr * headLrFactor : lr;
        groups.add(ParamGroup.of(params).lr(groupLr));
        System.out.printf(Locale.ROOT, "param group %d: %-10s %d tensors, lr %s%n", groups.size() - 1, e.getKey(), params.size(), groupLr);
      }
      if (groups.isEmpty()) throw new IllegalArgumentException("--freeze " + freeze + " leaves nothing to train");

      Dataset<LabeledImage> coarseTrain = train.map(Finetune::coarse), coarseTest = test.map(Finetune::coarse);
      History steps = new History("iteration", "loss");
      History epochsDone = new History("iteration", "test_accuracy");
      try (SGD optimizer = new SGD(groups, SGD.options().lr(lr).momentum(momentum));
          DataLoader<LabeledImage> loader = DataLoader.builder(coarseTrain, LabeledImage::collate).batchSize(batchSize).shuffle(true)
              .seed(common.seed).build();
          DataLoader<LabeledImage> testLoader = DataLoader.builder(coarseTest, LabeledImage::collate).batchSize(1000).build()) {
        double before = FashionClassifier.evaluate(model, testLoader)[1];
        System.out.printf(Locale.ROOT, "test accuracy on the new task before fine-tuning: %.4f (chance: %.2f)%n", before, 1.0 / COARSE.size());
        epochsDone.add(0, before);
        for (int epoch = 1; epoch <= epochs; epoch++) {
          train(model, frozen, optimizer, loader, steps, "epoch " + epoch + "/" + epochs);
          double acc = FashionClassifier.evaluate(model, testLoader)[1];
          epochsDone.add(steps.size(), acc);
          System.out.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  test accuracy on the new task %.4f%n", epoch, epochs,
              steps.last("loss"), acc);
          new LinePlot("Fine-tuning FashionNet on 4 coarse classes (Kindling)", "iteration", "training loss")
              .add("training loss", steps.get("iteration"), steps.get("loss"))
              .addRight("test accuracy", "accuracy", epochsDone.get("iteration"), epochsDone.get("test_accuracy"))
              .save(out.resolve(NAME + ".png"));
          steps.writeCsv(out.resolve("metrics.csv"));
        }
      }
      System.out.println("plot: " + out.resolve(NAME + ".png"));
    }
    return 0;
  }

  /** Loads the pretrained weights, or pretrains the model briefly on the 10 classes. */
  private void pretrain(FashionNet model, FashionMNIST train, FashionMNIST test) {
    if (pretrained != null && Files.isRegularFile(pretrained)) {
      try (Checkpoint c = Checkpoint.load(pretrained)) {
        model.loadStateDict(c.stateDict("state_dict"));
        System.out.println("=> loaded pretrained weights from '" + pretrained + "' (epoch " + c.getInt("epoch") + ")");
      }
      return;
    }
    System.out.println("no checkpoint at '" + pretrained + "' (run fashion-classifier first to use one): pretraining for "
        + pretrainBatches + " batches on the 10 classes");
    try (Adam adam = new Adam(model.parameters(), Adam.options().lr(1e-3));
        DataLoader<LabeledImage> loader = DataLoader.builder(train, LabeledImage::collate).batchSize(batchSize).shuffle(true)
            .seed(common.seed + 1).build()) {
      History h = new History("iteration", "loss");
      int batches = Math.min(pretrainBatches, loader.size());
      try (Progress progress = Progress.start("pretraining", (long) batches * batchSize, "img", common.progress);
          BatchIterator it = loader.iterator()) {
        for (int b = 0; b < batches && it.hasNext(); b++) {
          try (Batch batch = it.next(); Scope s = Kindling.scope()) {
            adam.zeroGrad();
            Tensor loss = F.crossEntropy(model.call(batch.inputs()), batch.targets());
            loss.backward();
            adam.step();
            progress.step(batch.size(), String.format(Locale.ROOT, "loss %.4f", loss.item()));
            h.add(b + 1, loss.item());
          }
        }
      }
    }
    try (DataLoader<LabeledImage> testLoader = DataLoader.builder(test, LabeledImage::collate).batchSize(1000).build()) {
      System.out.printf(Locale.ROOT, "pretrained: test accuracy on the 10 classes %.4f%n", FashionClassifier.evaluate(model, testLoader)[1]);
    }
  }

  private void train(FashionNet model, List<Module> frozen, Optimizer optimizer, DataLoader<LabeledImage> loader, History steps,
      String task) {
    model.train();
    for (Module m : frozen) m.eval();  // frozen BatchNorm layers keep their pretrained statistics
    int batches = common.batchesPerEpoch(loader.size());
    try (Progress progress = Progress.start(task, (long) batches * batchSize, "img", common.progress);
        BatchIterator it = loader.iterator()) {
      for (int b = 0; b < batches && it.hasNext(); b++) {
        try (Batch batch = it.next(); Scope s = Kindling.scope()) {
          optimizer.zeroGrad();
          Tensor loss = F.crossEntropy(model.call(batch.inputs()), batch.targets());
          loss.backward();
          optimizer.step();
          double l = loss.item();
          steps.add(steps.size() + 1, l);
          progress.step(batch.size(), String.format(Locale.ROOT, "loss %.4f", l));
        }
      }
    }
  }

  /** Like the seed: the names and shapes of the parameters that train, and of those that are frozen. */
  static void printParameters(Module model) {
    List<String> trainable = new ArrayList<>(), frozen = new ArrayList<>();
    long trainableCount = 0, frozenCount = 0;
    for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
      Tensor p = e.getValue();
      String line = String.format(Locale.ROOT, "  %-24s %s", e.getKey(), Arrays.toString(p.shape()));
      if (p.requiresGrad()) {
        trainable.add(line);
        trainableCount += p.numel();
      } else {
        frozen.add(line);
        frozenCount += p.numel();
      }
    }
    System.out.println("parameters that train (" + trainable.size() + " tensors, " + trainableCount + " values):");
    trainable.forEach(System.out::println);
    System.out.println("frozen parameters (" + frozen.size() + " tensors, " + frozenCount + " values):");
    frozen.forEach(System.out::println);
  }

  static LabeledImage coarse(LabeledImage s) {
    return new LabeledImage(s.image(), COARSE_OF[s.label()]);
  }
}
