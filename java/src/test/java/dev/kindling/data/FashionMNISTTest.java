package dev.kindling.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Kindling;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MNIST-format datasets: the tiny fixture in the test resources (made by MnistFixture, which this
 * test checks by making it again) reads as Fashion-MNIST; a missing dataset says how to get it;
 * mismatched or broken files are named; and, where Debian's dataset-fashion-mnist is installed,
 * the real files give 60000 and 10000 samples with the known first labels (skipped elsewhere).
 */
class FashionMNISTTest {
  @TempDir Path dir;

  static Path fixture() {
    try {
      return Path.of(FashionMNISTTest.class.getResource("/data/fashion-mnist-tiny").toURI());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theFixtureIsWhatMnistFixtureMakes() throws IOException {
    MnistFixture.write(dir, 64, 32, 2024);
    for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz"})
      assertEquals(Idx.read(fixture().resolve(f)), Idx.read(dir.resolve(f)), f);
  }

  @Test
  void readsTheFixtureAsFashionMnist() {
    var train = FashionMNIST.train(fixture());
    var test = FashionMNIST.test(fixture());
    assertEquals(64, train.size());
    assertEquals(32, test.size());
    assertTrue(train.isTrain());
    assertFalse(test.isTrain());
    int[] perClass = new int[10];
    for (int i = 0; i < train.size(); i++) perClass[train.label(i)]++;
    for (int c = 0; c < 10; c++) assertTrue(perClass[c] == 6 || perClass[c] == 7, "balanced classes: " + perClass[c]);
    LabeledImage s = train.get(5);
    assertEquals(train.label(5), s.label());
    assertEquals("[1, 28, 28]", s.image().shapeString());
    for (float v : s.image().data()) assertTrue(v >= 0 && v <= 1);
    // the class is visible: the bar's pixels are bright
    int label = s.label();
    float bar = label < 5 ? s.image().get(0, 4 + 5 * label, 14) : s.image().get(0, 14, 4 + 5 * (label - 5));
    assertTrue(bar >= 150 / 255f, "bar pixel " + bar);
    assertEquals(10, train.classes().size());
    assertEquals("Dataset FashionMNIST\n    Number of datapoints: 64\n    Root location: " + fixture().toAbsolutePath()
        + "\n    Split: Train", train.toString());
    assertEquals(fixture().toAbsolutePath(), train.root());
    // a transform applies to each image; the data is shared, the original unchanged
    var normalized = train.withTransform(new Normalize(0.5, 0.5));
    assertEquals(2 * s.image().data()[0] - 1, normalized.get(5).image().data()[0], 1e-6);
    assertNull(train.transform());
    assertInstanceOf(FashionMNIST.class, normalized);
    assertThrows(IndexOutOfBoundsException.class, () -> train.get(64));
  }

  @Test
  void classNamesAreTorchvisions() {
    assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        FashionMNIST.CLASSES);
    assertEquals("0 - zero", MNIST.CLASSES.get(0));
    assertEquals("9 - nine", MNIST.CLASSES.get(9));
  }

  @Test
  void torchvisionsLayoutAndPlainFilesAreFound() throws IOException {
    Path raw = dir.resolve("FashionMNIST").resolve("raw");
    MnistFixture.write(raw, 20, 10, 1);
    // ungzipped, as torchvision leaves them after download
    for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"}) {
      Path gz = raw.resolve(f + ".gz");
      Idx.write(raw.resolve(f), Idx.read(gz));
      Files.delete(gz);
    }
    assertEquals(20, FashionMNIST.train(dir).size());
    assertEquals(10, FashionMNIST.test(dir).size());
    assertEquals(20, MNIST.train(dir.resolve("FashionMNIST").resolve("raw")).size());
  }

  @Test
  void aMissingDatasetSaysHowToGetIt() {
    var e = assertThrows(DatasetNotFoundException.class, () -> FashionMNIST.train(dir));
    String m = e.getMessage();
    assertTrue(m.startsWith("Fashion-MNIST not found: looked for train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] in "
        + dir + " and " + dir.resolve("FashionMNIST").resolve("raw")), m);
    assertTrue(m.contains("sudo apt-get install dataset-fashion-mnist"), m);
    assertTrue(m.contains("/usr/share/datasets/fashion-mnist"), m);
    assertTrue(m.contains("download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
        + "t10k-labels-idx1-ubyte.gz from http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/ into a directory and pass "
        + "that directory (--data DIR)"), m);
    var e2 = assertThrows(DatasetNotFoundException.class, () -> MNIST.test(dir));
    assertTrue(e2.getMessage().startsWith("MNIST not found: looked for t10k-images-idx3-ubyte[.gz]"), e2.getMessage());
    assertFalse(e2.getMessage().contains("apt-get"), "no Debian package for MNIST");
    assertThrows(NullPointerException.class, () -> MNIST.train(null));
  }

  @Test
  void mismatchedOrBrokenFilesAreNamed() throws IOException {
    MnistFixture.write(dir, 10, 5, 3);
    Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), new IdxArray(new int[] {9}, new byte[9]));
    var e = assertThrows(IllegalArgumentException.class, () -> FashionMNIST.train(dir));
    assertEquals("Fashion-MNIST: count mismatch: " + dir.resolve("train-images-idx3-ubyte.gz") + " has 10 images but "
        + dir.resolve("train-labels-idx1-ubyte.gz") + " has 9 labels", e.getMessage());

    Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), new IdxArray(new int[] {10}, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 10}));
    e = assertThrows(IllegalArgumentException.class, () -> FashionMNIST.train(dir));
    assertTrue(e.getMessage().endsWith("label 10 of sample 9 is out of range for 10 classes"), e.getMessage());

    Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), new IdxArray(new int[] {10, 1}, new byte[10]));
    e = assertThrows(IllegalArgumentException.class, () -> FashionMNIST.train(dir));
    assertTrue(e.getMessage().endsWith("should hold labels [count], but has dims [10, 1]"), e.getMessage());

    Idx.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new IdxArray(new int[] {5, 0, 28}, new byte[0]));
    e = assertThrows(IllegalArgumentException.class, () -> FashionMNIST.test(dir));
    assertTrue(e.getMessage().endsWith("holds empty images of 0x28 pixels"), e.getMessage());

    Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), new byte[] {1, 2, 3, 4, 5});
    var io = assertThrows(java.io.UncheckedIOException.class, () -> FashionMNIST.test(dir));
    assertInstanceOf(IdxFormatException.class, io.getCause());
    assertTrue(io.getMessage().contains("bad magic number 0x01020304"), io.getMessage());
  }

  @Test
  void loadsTheFixtureThroughADataLoaderWithoutLeaks() {
    long before = Kindling.liveTensors();
    var train = FashionMNIST.train(fixture()).withTransform(new Normalize(0.2860, 0.3530));
    try (var loader = DataLoader.builder(train, LabeledImage::collate).batchSize(10).shuffle(true).seed(0).build()) {
      int n = 0;
      for (Batch b : loader) {
        try (b) {
          assertArrayEquals(new long[] {b.size(), 1, 28, 28}, b.inputs().shape());
          n += b.size();
        }
      }
      assertEquals(64, n);
      assertEquals(7, loader.size());
    }
    DataLoaderTest.assertNoNewTensors(before, "fixture batches");
  }

  /**
   * The loop a user writes: one scope per step, the batch closed with it; a linear classifier
   * learns the fixture's bars, and the number of live tensors is the same after every epoch.
   */
  @Test
  void aTrainingLoopOverTheLoaderRunsAtFlatMemoryAndLearns() {
    Kindling.manualSeed(0);
    var train = FashionMNIST.train(fixture()).withTransform(new Normalize(0.2860, 0.3530));
    try (var model = new dev.kindling.nn.Linear(784, 10);
        var loader = DataLoader.builder(train, LabeledImage::collate).batchSize(16).shuffle(true).seed(1).build()) {
      long[] live = new long[6];
      double lastLoss = 0, firstLoss = 0;
      for (int epoch = 0; epoch < live.length; epoch++) {
        double sum = 0;
        for (Batch b : loader) {
          try (b; var s = Kindling.scope()) {
            model.zeroGrad();
            dev.kindling.Tensor loss = dev.kindling.nn.F.crossEntropy(model.forward(b.inputs().flatten(1, -1)), b.targets());
            loss.backward();
            try (var g = dev.kindling.Autograd.noGrad()) {
              for (var p : model.parameters()) p.sub_(p.grad(), 0.1);
            }
            sum += loss.item();
          }
        }
        if (epoch == 0) firstLoss = sum;
        lastLoss = sum;
        live[epoch] = Kindling.liveTensors();
      }
      for (int e = 2; e < live.length; e++) assertEquals(live[1], live[e], "live tensors after epoch " + e);
      assertTrue(lastLoss < firstLoss / 2, "the loss falls: " + firstLoss + " -> " + lastLoss);
    }
  }

  /** Debian's dataset-fashion-mnist, when installed: the real files, counts and first labels. */
  @Test
  void readsTheRealDebianFilesWhenInstalled() {
    Assumptions.assumeTrue(Files.isDirectory(Path.of(FashionMNIST.DEBIAN_DIR)),
        "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)");
    var train = FashionMNIST.train();
    var test = FashionMNIST.test();
    assertEquals(60000, train.size());
    assertEquals(10000, test.size());
    assertEquals(28, train.rows());
    assertEquals(28, train.cols());
    int[] first = new int[10], firstTest = new int[10];
    for (int i = 0; i < 10; i++) {
      first[i] = train.label(i);
      firstTest[i] = test.label(i);
    }
    assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, first);
    assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, firstTest);
    // pixel sums of the first image of each split, computed with numpy from the same files
    float sum = 0;
    for (float v : train.get(0).image().data()) sum += v * 255f;
    assertEquals(76247, Math.round(sum));
    sum = 0;
    for (float v : test.get(0).image().data()) sum += v * 255f;
    assertEquals(33456, Math.round(sum));
    int[] perClass = new int[10];
    for (int i = 0; i < train.size(); i++) perClass[train.label(i)]++;
    for (int c : perClass) assertEquals(6000, c, "Fashion-MNIST's training set has 6000 images per class");
  }
}
