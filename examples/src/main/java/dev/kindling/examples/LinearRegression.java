package dev.kindling.examples;

import dev.kindling.Autograd;
import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fits y = X·w + b to noisy synthetic data by full-batch gradient descent with autograd, the way
 * a PyTorch user writes it: parameters that require grad, loss.backward(), an update under
 * no_grad, gradients cleared. Each step is a scope, so the graph and every temporary are freed
 * with it and the loop runs at flat native memory.
 */
@Command(name = "linear-regression", mixinStandardHelpOptions = true,
    description = "The quickstart: fit a linear model to synthetic data with autograd (what runs when no example is named).")
public final class LinearRegression implements Callable<Integer> {
  @Option(names = "--steps", description = "Gradient descent steps (default: ${DEFAULT-VALUE})", defaultValue = "300")
  int steps = 300;

  public static void main(String[] args) {
    int code = new CommandLine(new LinearRegression()).execute(args);
    if (code != 0) System.exit(code);
  }

  @Override
  public Integer call() {
    Kindling.manualSeed(42);

    long n = 1024, features = 8;
    Tensor trueW = Tensor.linspace(-2, 2, features).view(features, 1);
    Tensor x = Tensor.randn(n, features);
    Tensor y = x.matmul(trueW).add(0.5).add(Tensor.randn(n, 1).mul(0.1));

    Tensor w = Tensor.zeros(features, 1).requiresGrad_();
    Tensor b = Tensor.zeros(1).requiresGrad_();
    double lr = 0.1;
    long live = Kindling.liveTensors();
    long start = System.nanoTime();
    for (int step = 1; step <= steps; step++) {
      try (Scope s = Kindling.scope()) {
        Tensor loss = x.matmul(w).add(b).sub(y).pow(2.0).mean();
        if (step == 1) System.out.println("loss = " + loss + "   (its graph: " + describe(loss) + ")");
        loss.backward();
        try (var noGrad = Autograd.noGrad()) {
          w.sub_(w.grad(), lr);
          b.sub_(b.grad(), lr);
        }
        w.setGrad(null);
        b.setGrad(null);
        if (step == 1 || step % 50 == 0)
          System.out.printf("step %4d  loss %.6f%n", step, loss.item());
      }
    }
    double ms = (System.nanoTime() - start) / 1e6;
    System.out.printf("%d steps in %.1f ms (%.3f ms/step); native tensors alive before/after the loop: %d/%d%n",
        steps, ms, ms / steps, live, Kindling.liveTensors());
    System.out.println("learned w = " + w.detach().view(-1));
    System.out.println("true    w = " + trueW.view(-1));
    System.out.printf("learned b = %.4f (true 0.5)%n", b.item());
    for (Tensor t : new Tensor[] {trueW, x, y, w, b}) t.close();
    return 0;
  }

  /** The chain of backward functions from t to the leaves, e.g. MeanBackward0 <- PowBackward0 <- … */
  private static String describe(Tensor t) {
    StringBuilder sb = new StringBuilder();
    dev.kindling.autograd.Node n = t.gradFn();
    while (n != null) {
      if (sb.length() > 0) sb.append(" <- ");
      sb.append(n.name());
      dev.kindling.autograd.Node next = null;
      for (var e : n.nextFunctions())
        if (e.node() != null && !(e.node() instanceof dev.kindling.autograd.AccumulateGrad)) next = e.node();
      n = next;
    }
    return sb.toString();
  }
}
