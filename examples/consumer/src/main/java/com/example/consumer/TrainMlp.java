package com.example.consumer;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.Linear;
import dev.kindling.nn.MSELoss;
import dev.kindling.nn.Sequential;
import dev.kindling.nn.Tanh;
import dev.kindling.optim.Adam;

/**
 * What a user's first program looks like: a two-layer MLP learns a smooth function of four
 * inputs from synthetic data with Adam, 200 full-batch steps. It prints the loss as it falls and
 * ends with "loss <first> -> <last>", which ci/consumer.sh checks; it fails by itself when the
 * loss did not fall to a tenth.
 */
public final class TrainMlp {
  public static void main(String[] args) {
    Kindling.manualSeed(0);
    System.out.println("Kindling " + Kindling.version());
    try (Scope data = Kindling.scope()) {
      Tensor x = Tensor.randn(512, 4);
      // target: sin of a fixed projection of x, plus a quadratic term
      Tensor proj = Tensor.linspace(-1, 1, 4).view(4, 1);
      Tensor y = x.matmul(proj).sin().add(x.pow(2.0).mean(1, true).mul(0.5));

      try (Sequential model = new Sequential(new Linear(4, 32), new Tanh(), new Linear(32, 1));
           Adam adam = new Adam(model.parameters(), Adam.options().lr(0.01))) {
        MSELoss mse = new MSELoss();
        double first = Double.NaN, last = Double.NaN;
        for (int step = 1; step <= 200; step++) {
          try (Scope s = Kindling.scope()) {
            adam.zeroGrad();
            Tensor loss = mse.forward(model.forward(x), y);
            loss.backward();
            adam.step();
            last = loss.item();
            if (step == 1) first = last;
            if (step == 1 || step % 20 == 0) System.out.printf("step %3d  loss %.6f%n", step, last);
          }
        }
        System.out.printf("loss %.6f -> %.6f%n", first, last);
        if (!(last < first / 10)) {
          System.err.println("the loss did not fall to a tenth of its first value");
          System.exit(1);
        }
      }
    }
  }
}
