package dev.kindling.data;

import dev.kindling.Kindling;
import java.nio.file.Path;

/**
 * Measures (does not test) how fast a DataLoader delivers Fashion-MNIST: the time to read the
 * files, then the time of whole 60000×784 epochs, batch 64, with and without the prefetch thread,
 * with and without Normalize, for a consumer that only closes each batch. Run by hand:
 * {@code java -cp <test classpath> dev.kindling.data.LoaderThroughput [DIR]}.
 */
public final class LoaderThroughput {
  public static void main(String[] args) {
    Path dir = args.length > 0 ? Path.of(args[0]) : null;
    long t0 = System.nanoTime();
    FashionMNIST train = FashionMNIST.train(dir);
    System.out.printf("read %d training images in %.0f ms%n", train.size(), (System.nanoTime() - t0) / 1e6);
    for (boolean normalize : new boolean[] {false, true}) {
      Dataset<LabeledImage> ds = normalize ? train.withTransform(new Normalize(0.2860, 0.3530)) : train;
      for (int prefetch : new int[] {0, 2}) {
        try (var loader = DataLoader.builder(ds, LabeledImage::collate).batchSize(64).shuffle(true).seed(0).prefetch(prefetch).build()) {
          double best = Double.MAX_VALUE;
          for (int epoch = 0; epoch < 5; epoch++) {
            long s = System.nanoTime();
            long samples = 0;
            for (Batch b : loader) {
              try (b) {
                samples += b.size();
              }
            }
            best = Math.min(best, (System.nanoTime() - s) / 1e6);
            if (samples != train.size()) throw new AssertionError(samples);
          }
          System.out.printf("epoch (batch 64, normalize=%s, prefetch=%d): best of 5 %.0f ms, %.1f µs per batch; live tensors after: %d%n",
              normalize, prefetch, best, best * 1000 / ((train.size() + 63) / 64), Kindling.liveTensors());
        }
      }
    }
  }
}
