package dev.kindling.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The MNIST handwritten digits, torchvision's {@code MNIST(root, train, transform)}: 60000
 * training or 10000 test images of 28×28 pixels with labels 0–9, read from the four IDX files
 * ({@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-…}, each plain
 * or {@code .gz}) into memory. A sample is a {@link LabeledImage} whose image is a [1, 28, 28]
 * float image in [0, 1] (as {@code ToTensor} gives it), passed through the transform if one is
 * set. {@link FashionMNIST} is the same with other files and class names.
 */
public class MNIST implements Dataset<LabeledImage> {
  /** The class names, in label order (torchvision's {@code MNIST.classes}). */
  public static final List<String> CLASSES = List.of("0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
      "6 - six", "7 - seven", "8 - eight", "9 - nine");

  private final byte[] pixels;
  private final byte[] labels;
  private final int count, rows, cols;
  private final boolean train;
  private final Path root;
  private final Transform transform;

  /** The dataset of the image and label files in dir (train or test); see {@link #train(Path)}. */
  MNIST(Layout layout, Path dir, boolean train) {
    Path[] files = layout.find(dir, train);
    IdxArray images, labelArray;
    try {
      images = Idx.read(files[0]);
      labelArray = Idx.read(files[1]);
    } catch (IOException e) {
      throw new UncheckedIOException(layout.name + ": cannot read " + (train ? "training" : "test") + " files: " + e.getMessage(), e);
    }
    int[] d = images.dims();
    if (d.length != 3)
      throw new IllegalArgumentException(layout.name + ": " + files[0] + " should hold images [count, rows, cols], but has dims "
          + java.util.Arrays.toString(d));
    if (d[1] == 0 || d[2] == 0)
      throw new IllegalArgumentException(layout.name + ": " + files[0] + " holds empty images of " + d[1] + "x" + d[2] + " pixels");
    if (labelArray.dims().length != 1)
      throw new IllegalArgumentException(layout.name + ": " + files[1] + " should hold labels [count], but has dims "
          + java.util.Arrays.toString(labelArray.dims()));
    if (labelArray.count() != d[0])
      throw new IllegalArgumentException(layout.name + ": count mismatch: " + files[0] + " has " + d[0] + " images but " + files[1]
          + " has " + labelArray.count() + " labels");
    byte[] l = labelArray.data();
    for (int i = 0; i < l.length; i++)
      if ((l[i] & 0xff) >= layout.classes.size())
        throw new IllegalArgumentException(layout.name + ": " + files[1] + ": label " + (l[i] & 0xff) + " of sample " + i
            + " is out of range for " + layout.classes.size() + " classes");
    this.pixels = images.data();
    this.labels = l;
    this.count = d[0];
    this.rows = d[1];
    this.cols = d[2];
    this.train = train;
    this.root = files[0].toAbsolutePath().getParent();
    this.transform = null;
  }

  /** A copy of source with another transform (the pixel data is shared). */
  MNIST(MNIST source, Transform transform) {
    this.pixels = source.pixels;
    this.labels = source.labels;
    this.count = source.count;
    this.rows = source.rows;
    this.cols = source.cols;
    this.train = source.train;
    this.root = source.root;
    this.transform = transform;
  }

  /**
   * The 60000 training samples from dir (a directory holding the files, or torchvision's root).
   *
   * @param dir the directory
   * @return the training set
   */
  public static MNIST train(Path dir) {
    return new MNIST(Layout.MNIST, requireDir(dir), true);
  }

  /**
   * The 10000 test samples from dir.
   *
   * @param dir the directory
   * @return the test set
   */
  public static MNIST test(Path dir) {
    return new MNIST(Layout.MNIST, requireDir(dir), false);
  }

  /**
   * This dataset with transform applied to each image (null: none).
   *
   * @param transform the per-image transform, or null
   * @return a new dataset over the same data
   */
  public MNIST withTransform(Transform transform) {
    return new MNIST(this, transform);
  }

  /**
   * The class names, "0 - zero" to "9 - nine" as in torchvision.
   *
   * @return the ten class names
   */
  public List<String> classes() {
    return CLASSES;
  }

  /**
   * Whether this is the training split ({@code train=True}).
   *
   * @return true for the training split
   */
  public boolean isTrain() {
    return train;
  }

  /**
   * The directory the files were read from.
   *
   * @return the root directory
   */
  public Path root() {
    return root;
  }

  /**
   * The transform applied to each image, or null.
   *
   * @return the transform
   */
  public Transform transform() {
    return transform;
  }

  /**
   * Image height in pixels, from the idx header (28 for MNIST).
   *
   * @return the rows per image
   */
  public int rows() {
    return rows;
  }

  /**
   * Image width in pixels, from the idx header (28 for MNIST).
   *
   * @return the columns per image
   */
  public int cols() {
    return cols;
  }

  @Override
  public int size() {
    return count;
  }

  /**
   * The label of sample index, without reading its image.
   *
   * @param index the sample index
   * @return the label, 0 to 9
   */
  public int label(int index) {
    Dataset.checkIndex(index, count, getClass().getSimpleName() + ".label");
    return labels[index] & 0xff;
  }

  @Override
  public LabeledImage get(int index) {
    Dataset.checkIndex(index, count, getClass().getSimpleName() + ".get");
    Image img = ToTensor.apply(pixels, index * rows * cols, 1, rows, cols);
    if (transform != null) img = transform.apply(img);
    return new LabeledImage(img, labels[index] & 0xff);
  }

  @Override
  public String toString() {
    return "Dataset " + getClass().getSimpleName() + "\n    Number of datapoints: " + count + "\n    Root location: " + root
        + "\n    Split: " + (train ? "Train" : "Test")
        + (transform == null ? "" : "\n    Transform: " + transform);
  }

  /** Where a dataset's files are looked for and how to get them when they are missing. */
  static final class Layout {
    static final Layout MNIST = new Layout("MNIST", "MNIST", null, null, "https://ossci-datasets.s3.amazonaws.com/mnist/",
        CLASSES);

    final String name, folder, debianPackage;
    final Path debianDir;
    final String url;
    final List<String> classes;

    Layout(String name, String folder, String debianPackage, Path debianDir, String url, List<String> classes) {
      this.name = name;
      this.folder = folder;
      this.debianPackage = debianPackage;
      this.debianDir = debianDir;
      this.url = url;
      this.classes = classes;
    }

    private static final String[] NAMES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte"};

    /** The image and label files for the split: in dir, or in dir/&lt;folder&gt;/raw (torchvision's root). */
    Path[] find(Path dir, boolean train) {
      List<Path> dirs = new ArrayList<>();
      if (dir != null) {
        dirs.add(dir);
        dirs.add(dir.resolve(folder).resolve("raw"));
      } else if (debianDir != null) {
        dirs.add(debianDir);
      }
      String images = NAMES[train ? 0 : 2], labels = NAMES[train ? 1 : 3];
      for (Path d : dirs) {
        Path i = file(d, images), l = file(d, labels);
        if (i != null && l != null) return new Path[] {i, l};
      }
      throw new DatasetNotFoundException(notFound(dirs, images, labels));
    }

    private static Path file(Path dir, String name) {
      for (String n : new String[] {name, name + ".gz"}) {
        Path p = dir.resolve(n);
        if (Files.isRegularFile(p)) return p;
      }
      return null;
    }

    private String notFound(List<Path> dirs, String images, String labels) {
      StringBuilder sb = new StringBuilder();
      sb.append(name).append(" not found: looked for ").append(images).append("[.gz] and ").append(labels).append("[.gz] in ");
      for (int i = 0; i < dirs.size(); i++) sb.append(i == 0 ? "" : " and ").append(dirs.get(i));
      sb.append(".\nTo get it:\n");
      if (debianPackage != null)
        sb.append("  - on Debian or Ubuntu: sudo apt-get install ").append(debianPackage).append(" (it installs the files in ")
            .append(debianDir).append(", which is searched when no directory is given), or\n");
      sb.append("  - download ");
      for (int i = 0; i < NAMES.length; i++) sb.append(i == 0 ? "" : i == NAMES.length - 1 ? " and " : ", ").append(NAMES[i]).append(".gz");
      sb.append(" from ").append(url).append(" into a directory and pass that directory (--data DIR).");
      return sb.toString();
    }
  }

  static Path requireDir(Path dir) {
    return Objects.requireNonNull(dir, "MNIST: the directory of the files is null (there is no default location for MNIST)");
  }
}
