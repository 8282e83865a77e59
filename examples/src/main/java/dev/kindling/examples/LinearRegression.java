package dev.kindling.examples;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;

/**
 * Fits y = X·w + b to noisy synthetic data by full-batch gradient descent, with the gradients of
 * the mean squared error written out by hand (autograd is the next step of the library). Shows
 * the everyday API: seeded random tensors, broadcasting, matmul, reductions, in-place updates and
 * a scope per step so the loop runs at flat native memory.
 */
public final class LinearRegression {
  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    Kindling.manualSeed(42);

    long n = 1024, features = 8;
    Tensor trueW = Tensor.linspace(-2, 2, features).view(features, 1);
    Tensor x = Tensor.randn(n, features);
    Tensor y = x.matmul(trueW).add(0.5).add(Tensor.randn(n, 1).mul(0.1));

    Tensor w = Tensor.zeros(features, 1);
    Tensor b = Tensor.zeros(1);
    double lr = 0.1;
    long live = Kindling.liveTensors();
    long start = System.nanoTime();
    for (int step = 1; step <= steps; step++) {
      try (Scope s = Kindling.scope()) {
        Tensor err = x.matmul(w).add(b).sub(y);              // [n, 1]
        Tensor loss = err.pow(2L).mean();
        Tensor gradW = x.t().matmul(err).mul(2.0 / n);       // d loss / d w
        Tensor gradB = err.mean().mul(2.0);                  // d loss / d b
        w.sub_(gradW, lr);
        b.sub_(gradB, lr);
        if (step == 1 || step % 50 == 0)
          System.out.printf("step %4d  loss %.6f%n", step, loss.item());
      }
    }
    double ms = (System.nanoTime() - start) / 1e6;
    System.out.printf("%d steps in %.1f ms (%.3f ms/step); native tensors alive before/after the loop: %d/%d%n",
        steps, ms, ms / steps, live, Kindling.liveTensors());
    System.out.println("learned w = " + w.view(-1));
    System.out.println("true    w = " + trueW.view(-1));
    System.out.printf("learned b = %.4f (true 0.5)%n", b.item());
    for (Tensor t : new Tensor[] {trueW, x, y, w, b}) t.close();
  }
}
