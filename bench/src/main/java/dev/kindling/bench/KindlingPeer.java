package dev.kindling.bench;

import dev.kindling.Kindling;
import dev.kindling.Scope;
import dev.kindling.Tensor;

/** Kindling's side: every op runs in a scope that frees its result, as a training step would. */
public final class KindlingPeer implements Peer {
  @Override
  public String name() {
    return "Kindling";
  }

  @Override
  public void setNumThreads(int n) {
    Kindling.setNumThreads(n);
  }

  @Override
  public String describe() {
    return "Kindling " + Kindling.version() + ": " + Kindling.getNumThreads() + " kernel threads";
  }

  /** Two 1-element operands made outside any scope, closed with the workload. */
  private abstract static class Binary implements Workload {
    final Tensor a = Tensor.ones(1), b = Tensor.ones(1);

    @Override
    public void close() {
      a.close();
      b.close();
    }
  }

  @Override
  public Workload add() {
    return new Binary() {
      @Override
      public void run(long iterations) {
        for (long i = 0; i < iterations; i++) {
          try (Scope s = Kindling.scope()) {
            a.add(b);
          }
        }
      }
    };
  }

  @Override
  public Workload addCreate() {
    return new Workload() {
      @Override
      public void run(long iterations) {
        for (long i = 0; i < iterations; i++) {
          try (Scope s = Kindling.scope()) {
            Tensor.ones(1).add(Tensor.ones(1));
          }
        }
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public Workload ones() {
    return new Workload() {
      @Override
      public void run(long iterations) {
        for (long i = 0; i < iterations; i++) {
          try (Scope s = Kindling.scope()) {
            Tensor.ones(1);
          }
        }
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public Workload mul() {
    return new Binary() {
      @Override
      public void run(long iterations) {
        for (long i = 0; i < iterations; i++) {
          try (Scope s = Kindling.scope()) {
            a.mul(b);
          }
        }
      }
    };
  }

  @Override
  public Workload sum() {
    return new Binary() {
      @Override
      public void run(long iterations) {
        for (long i = 0; i < iterations; i++) {
          try (Scope s = Kindling.scope()) {
            a.sum();
          }
        }
      }
    };
  }

  @Override
  public Workload mm(Matrices m) {
    Tensor a = Tensor.fromArray(m.a, m.n, m.n), b = Tensor.fromArray(m.b, m.n, m.n);
    try {
      try (Tensor c = a.mm(b)) {
        m.check(c.toFloatArray(), name());
      }
    } catch (RuntimeException e) {
      a.close();
      b.close();
      throw e;
    }
    return new Workload() {
      @Override
      public void run(long iterations) {
        for (long i = 0; i < iterations; i++) {
          try (Scope s = Kindling.scope()) {
            a.mm(b);
          }
        }
      }

      @Override
      public void close() {
        a.close();
        b.close();
      }
    };
  }
}
