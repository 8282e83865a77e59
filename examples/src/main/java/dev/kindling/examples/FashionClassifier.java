package dev.kindling.examples;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.data.Batch;
import dev.kindling.data.BatchIterator;
import dev.kindling.data.DataLoader;
import dev.kindling.data.FashionMNIST;
import dev.kindling.data.Generator;
import dev.kindling.data.LabeledImage;
import dev.kindling.data.Normalize;
import dev.kindling.data.RandomHorizontalFlip;
import dev.kindling.data.Transform;
import dev.kindling.examples.common.CommonOptions;
import dev.kindling.examples.common.History;
import dev.kindling.examples.common.LinePlot;
import dev.kindling.examples.common.Progress;
import dev.kindling.io.Checkpoint;
import dev.kindling.nn.F;
import dev.kindling.nn.Module;
import dev.kindling.optim.Adam;
import dev.kindling.optim.CosineAnnealingLR;
import dev.kindling.optim.LRScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains {@link FashionNet} on Fashion-MNIST with Adam, its learning rate annealed along a cosine
 * to 0 over the epochs: normalised images (optionally flipped at random), shuffled batches, test
 * accuracy after every epoch, a loss/accuracy plot and a checkpoint written after every epoch.
 * {@code --resume} continues from the checkpoint exactly as if the run had not stopped: model,
 * optimizer state, learning-rate schedule, epoch, the random generator (dropout) and the data
 * loader's shuffling (and flipping) generators all come back.
 *
 * <p>Output in {@code --out} (default {@code runs/fashion-classifier}): {@code
 * fashion-classifier.png} (loss and accuracy per epoch), {@code metrics.csv}, {@code
 * checkpoint.safetensors}.
 */
@Command(name = "fashion-classifier", mixinStandardHelpOptions = true,
    description = "Train a CNN (2 conv + pooling + BatchNorm + dropout) on Fashion-MNIST, with test accuracy, a plot and a checkpoint each epoch.")
public final class FashionClassifier implements Callable<Integer> {
  public static final String NAME = "fashion-classifier";
  /** Mean and standard deviation of Fashion-MNIST's training pixels (in [0, 1]). */
  public static final double MEAN = 0.2860, STD = 0.3530;
  static final String[] COLUMNS = {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"};

  @Mixin CommonOptions common = new CommonOptions();

  @Option(names = "--epochs", description = "Epochs to train in all (default: ${DEFAULT-VALUE})", defaultValue = "10")
  int epochs;

  @Option(names = "--batch-size", description = "Training batch size (default: ${DEFAULT-VALUE})", defaultValue = "64")
  int batchSize;

  @Option(names = "--lr", description = "Adam's learning rate (default: ${DEFAULT-VALUE})", defaultValue = "1e-3")
  double lr;

  /** Learning-rate schedules. */
  enum Schedule { cosine, none }

  @Option(names = "--schedule", description = "Learning-rate schedule: ${COMPLETION-CANDIDATES}; cosine anneals it to 0 over --epochs, stepped each epoch (default: ${DEFAULT-VALUE})",
      defaultValue = "cosine")
  Schedule schedule;

  @Option(names = "--augment", description = "Flip training images left-right at random (p = 0.5)")
  boolean augment;

  @Option(names = "--resume", arity = "0..1", paramLabel = "CHECKPOINT", fallbackValue = "",
      description = "Continue from a checkpoint (default: OUT/checkpoint.safetensors) up to --epochs")
  String resume;

  @Option(names = "--stop-after", paramLabel = "EPOCH",
      description = "Stop after this epoch, as if the run were interrupted there (--resume continues it)")
  Integer stopAfter;

  @Option(names = "--test-batch-size", description = "Batch size for testing (default: ${DEFAULT-VALUE})", defaultValue = "1000")
  int testBatchSize;

  @Override
  public Integer call() throws Exception {
    Path out = common.outDir(NAME);
    Path checkpointPath = out.resolve("checkpoint.safetensors");
    Kindling.manualSeed(common.seed);

    FashionMNIST trainSet = FashionMNIST.train(common.data), testSet = FashionMNIST.test(common.data);
    RandomHorizontalFlip flip = augment ? new RandomHorizontalFlip(0.5, new Generator(common.seed + 1)) : null;
    Transform normalize = new Normalize(MEAN, STD);
    Transform trainTransform = flip == null ? normalize : Transform.compose(flip, normalize);
    // Random augmentation runs on the prefetch thread, which may read ahead of a run cut short by
    // --limit-batches: then load on this thread, so the flip generator's state stays exact.
    int prefetch = flip != null && common.limitBatches > 0 ? 0 : 2;

    History history = new History(COLUMNS);
    try (FashionNet model = new FashionNet();
        Adam optimizer = new Adam(model.parameters(), Adam.options().lr(lr));
        DataLoader<LabeledImage> trainLoader = DataLoader.builder(trainSet.withTransform(trainTransform), LabeledImage::collate)
            .batchSize(batchSize).shuffle(true).seed(common.seed).prefetch(prefetch).build();
        DataLoader<LabeledImage> testLoader = DataLoader.builder(testSet.withTransform(normalize), LabeledImage::collate)
            .batchSize(testBatchSize).build()) {
      LRScheduler scheduler = schedule == Schedule.cosine ? new CosineAnnealingLR(optimizer, epochs) : null;
      int start = 1;
      if (resume != null) {
        Path from = resume.isEmpty() ? checkpointPath : Path.of(resume);
        start = restore(from, model, optimizer, scheduler, trainLoader.generator(), flip, history) + 1;
      } else {
        System.out.println(model);
      }
      System.out.printf(Locale.ROOT, "%s: %d training and %d test images from %s; batch %d, Adam lr %s, schedule %s%s; output in %s%n",
          NAME, trainSet.size(), testSet.size(), trainSet.root(), batchSize, lr, schedule, augment ? ", random flips" : "", out);

      int last = stopAfter != null ? Math.min(epochs, stopAfter) : epochs;
      for (int epoch = start; epoch <= last; epoch++) {
        double lrNow = optimizer.paramGroups().get(0).lr();
        long t0 = System.nanoTime();
        double[] train = trainEpoch(model, optimizer, trainLoader, epoch);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] test = evaluate(model, testLoader);
        if (scheduler != null) scheduler.step();
        history.add(epoch, train[0], train[1], test[0], test[1], seconds);
        System.out.printf(Locale.ROOT, "epoch %2d/%d  lr %.2e  train loss %.4f  accuracy %.4f  |  test loss %.4f  accuracy %.4f  |  %.1f s, %.0f img/s%n",
            epoch, epochs, lrNow, train[0], train[1], test[0], test[1], seconds, train[2] / seconds);
        plot(history).save(out.resolve(NAME + ".png"));
        history.writeCsv(out.resolve("metrics.csv"));
        save(checkpointPath, epoch, model, optimizer, scheduler, trainLoader.generator(), flip, history);
      }
      if (history.size() > 0)
        System.out.printf(Locale.ROOT, "final test accuracy %.4f; plot %s, checkpoint %s%n", history.last("test_accuracy"),
            out.resolve(NAME + ".png"), checkpointPath);
    }
    return 0;
  }

  /** One epoch of training; returns {mean loss, accuracy, images seen}. */
  private double[] trainEpoch(Module model, Adam optimizer, DataLoader<LabeledImage> loader, int epoch) {
    model.train();
    int batches = common.batchesPerEpoch(loader.size());
    long total = Math.min((long) batches * loader.batchSize(), loader.dataset().size());
    double lossSum = 0;
    long correct = 0, seen = 0;
    try (Progress progress = Progress.start("epoch " + epoch + "/" + epochs, total, "img", common.progress);
        BatchIterator it = loader.iterator()) {
      for (int b = 0; b < batches && it.hasNext(); b++) {
        try (Batch batch = it.next(); Scope s = Kindling.scope()) {
          optimizer.zeroGrad();
          Tensor logits = model.call(batch.inputs());
          Tensor loss = F.crossEntropy(logits, batch.targets());
          loss.backward();
          optimizer.step();
          long n = batch.size();
          double l = loss.item();
          lossSum += l * n;
          correct += logits.argmax(1).eq(batch.targets()).sum().itemLong();
          seen += n;
          progress.step(n, String.format(Locale.ROOT, "loss %.4f", l));
        }
      }
    }
    return new double[] {lossSum / seen, (double) correct / seen, seen};
  }

  /** {mean loss, accuracy} on the loader's data, in eval mode and without autograd. */
  static double[] evaluate(Module model, DataLoader<LabeledImage> loader) {
    model.eval();
    double lossSum = 0;
    long correct = 0, seen = 0;
    try (var noGrad = Autograd.noGrad()) {
      for (Batch batch : loader) {
        try (batch; Scope s = Kindling.scope()) {
          Tensor logits = model.call(batch.inputs());
          lossSum += F.crossEntropy(logits, batch.targets()).item() * batch.size();
          correct += logits.argmax(1).eq(batch.targets()).sum().itemLong();
          seen += batch.size();
        }
      }
    } finally {
      model.train();
    }
    return new double[] {lossSum / seen, (double) correct / seen};
  }

  static LinePlot plot(History h) {
    return new LinePlot("Fashion-MNIST classifier (Kindling)", "epoch", "cross-entropy loss")
        .add("train loss", h.get("epoch"), h.get("train_loss"))
        .add("test loss", h.get("epoch"), h.get("test_loss"))
        .addRight("train accuracy", "accuracy", h.get("epoch"), h.get("train_accuracy"))
        .addRight("test accuracy", "accuracy", h.get("epoch"), h.get("test_accuracy"));
  }

  /** Everything a resumed run needs to continue exactly where this one is after epoch. */
  private void save(Path path, int epoch, Module model, Adam optimizer, LRScheduler scheduler, Generator shuffle,
      RandomHorizontalFlip flip, History history) {
    try (Scope s = Kindling.scope()) {
      Checkpoint.Entries e = Checkpoint.entries()
          .with("epoch", epoch).with("arch", "FashionNet")
          .with("state_dict", model.stateDict())
          .with("optimizer", optimizer.stateDict())
          .withRngState()
          .with("shuffle_rng_state", shuffle.getState())
          .with("batch_size", batchSize).with("lr", lr).with("augment", augment).with("schedule", schedule.name())
          .with("history", Tensor.fromArray(history.toArray(), history.size(), COLUMNS.length));
      if (flip != null) e.with("flip_rng_state", flip.generator().getState());
      if (scheduler != null) e.with("lr_scheduler", scheduler.stateDict());
      Checkpoint.save(path, e);
    }
  }

  /** Loads a checkpoint made by {@link #save}; returns the epoch it was written after. */
  private int restore(Path path, Module model, Adam optimizer, LRScheduler scheduler, Generator shuffle, RandomHorizontalFlip flip,
      History history) {
    if (!Files.isRegularFile(path))
      throw new IllegalArgumentException("--resume: no checkpoint at " + path + " (train without --resume first)");
    System.out.println("=> loading checkpoint '" + path + "'");
    try (Checkpoint c = Checkpoint.load(path)) {
      if (c.getInt("batch_size") != batchSize || c.getBoolean("augment") != augment || !c.getString("schedule").equals(schedule.name()))
        throw new IllegalArgumentException("--resume: the checkpoint was trained with --batch-size " + c.getInt("batch_size")
            + " --schedule " + c.getString("schedule") + (c.getBoolean("augment") ? " --augment" : "")
            + "; resume with the same options to continue exactly");
      model.loadStateDict(c.stateDict("state_dict"));
      optimizer.loadStateDict(c.optimizerState("optimizer"));
      if (scheduler != null) {
        scheduler.loadStateDict(c.getMap("lr_scheduler"));  // the schedule's length (T_max) is the first run's --epochs
        long tMax = ((CosineAnnealingLR) scheduler).tMax();
        if (tMax != epochs)
          System.out.println("note: the cosine schedule spans the first run's " + tMax + " epochs (--epochs " + epochs
              + " now); past them the learning rate rises again");
      }
      Kindling.setRngState(c.rngState());
      shuffle.setState(c.bytes("shuffle_rng_state"));
      if (flip != null) flip.generator().setState(c.bytes("flip_rng_state"));
      history.setFromArray(c.tensor("history").toDoubleArray());
      int epoch = c.getInt("epoch");
      System.out.printf(Locale.ROOT, "=> loaded checkpoint '%s' (epoch %d, test accuracy %.4f)%n", path, epoch,
          history.last("test_accuracy"));
      return epoch;
    }
  }
}
