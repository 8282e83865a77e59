package dev.kindling.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 60000 training and 10000 test 28×28 grey images of clothing in 10
 * classes, a drop-in replacement for MNIST; torchvision's {@code FashionMNIST}. Without a
 * directory it reads Debian's package {@code dataset-fashion-mnist}
 * ({@value #DEBIAN_DIR}); with one (e.g. from a {@code --data} option) it reads that directory
 * or torchvision's layout under it ({@code DIR/FashionMNIST/raw}). When the files are missing,
 * a {@link DatasetNotFoundException} says how to get them.
 */
public final class FashionMNIST extends MNIST {
  /** Where Debian's dataset-fashion-mnist installs the four files. */
  public static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

  /** The class names, in label order (torchvision's {@code FashionMNIST.classes}). */
  public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
      "Sneaker", "Bag", "Ankle boot");

  static final Layout LAYOUT = new Layout("Fashion-MNIST", "FashionMNIST", "dataset-fashion-mnist", Path.of(DEBIAN_DIR),
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", CLASSES);

  private FashionMNIST(Path dir, boolean train) {
    super(LAYOUT, dir, train);
  }

  private FashionMNIST(FashionMNIST source, Transform transform) {
    super(source, transform);
  }

  /**
   * The 60000 training samples from dir, or from {@value #DEBIAN_DIR} when dir is null.
   *
   * @param dir the directory, or null
   * @return the training set
   */
  public static FashionMNIST train(Path dir) {
    return new FashionMNIST(dir, true);
  }

  /**
   * The 10000 test samples from dir, or from {@value #DEBIAN_DIR} when dir is null.
   *
   * @param dir the directory, or null
   * @return the test set
   */
  public static FashionMNIST test(Path dir) {
    return new FashionMNIST(dir, false);
  }

  /**
   * The training samples from {@value #DEBIAN_DIR}.
   *
   * @return the training set
   */
  public static FashionMNIST train() {
    return train(null);
  }

  /**
   * The test samples from {@value #DEBIAN_DIR}.
   *
   * @return the test set
   */
  public static FashionMNIST test() {
    return test(null);
  }

  @Override
  public FashionMNIST withTransform(Transform transform) {
    return new FashionMNIST(this, transform);
  }

  @Override
  public List<String> classes() {
    return CLASSES;
  }
}
