package dev.kindling.examples;

import dev.kindling.Tensor;
import dev.kindling.nn.BatchNorm2d;
import dev.kindling.nn.Conv2d;
import dev.kindling.nn.Dropout;
import dev.kindling.nn.Flatten;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MaxPool2d;
import dev.kindling.nn.Module;
import dev.kindling.nn.ReLU;
import dev.kindling.nn.Sequential;

/**
 * The Fashion-MNIST CNN ("2 Conv + pooling + BatchNorm" in the dataset's benchmark table): two
 * blocks conv 3×3 (padding 1) → BatchNorm → ReLU → max-pool 2, then dropout (0.25), a 3136 → 128
 * hidden layer, dropout (0.25) and a 128 → classes output layer. Its children are the four stages —
 * {@code conv1}, {@code conv2}, {@code classifier} and the output layer {@code fc} — so
 * {@code children()} is what a fine-tuning script freezes stage by stage, and its state-dict keys
 * are those of the same model in PyTorch ({@code conv1.0.weight}, …, {@code fc.bias}; see
 * bench/fashion_pytorch.py).
 */
public final class FashionNet extends Module {
  public final Sequential conv1, conv2, classifier;
  private Linear fc;

  public FashionNet(int numClasses) {
    conv1 = register("conv1", new Sequential(new Conv2d(1, 32, 3, 1, 1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2)));
    conv2 = register("conv2", new Sequential(new Conv2d(32, 64, 3, 1, 1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2)));
    classifier = register("classifier",
        new Sequential(new Flatten(), new Dropout(0.25), new Linear(64 * 7 * 7, 128), new ReLU(), new Dropout(0.25)));
    fc = register("fc", new Linear(128, numClasses));
  }

  public FashionNet() {
    this(10);
  }

  /** The output layer. */
  public Linear fc() {
    return fc;
  }

  /**
   * Puts a new output layer in place of the old one (which is closed), as {@code model.fc =
   * nn.Linear(128, n)} does when a pretrained model is fitted to another task.
   */
  public Linear replaceFc(Linear head) {
    Linear old = fc;
    fc = register("fc", head);
    old.close();
    return head;
  }

  @Override
  public Tensor forward(Tensor x) {
    return fc.call(classifier.call(conv2.call(conv1.call(x))));
  }
}
