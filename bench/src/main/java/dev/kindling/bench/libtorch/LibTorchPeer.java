package dev.kindling.bench.libtorch;

import dev.kindling.bench.Matrices;
import dev.kindling.bench.Peer;
import dev.kindling.bench.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * LibTorch 2.10 through JavaCPP (org.bytedeco:pytorch), the way a Java user calls it: each op in a
 * PointerScope that frees the returned tensors. Compiled only with -Plibtorch; SideBySide finds it
 * by name.
 */
public final class LibTorchPeer implements Peer {
  public LibTorchPeer() {
    load();
  }

  /**
   * Loads LibTorch, unpacking all of its libraries into JavaCPP's cache first. JavaCPP otherwise
   * unpacks them one by one as it loads them, and on a first run libtorch.so can be loaded before
   * libtorch_cpu.so is there; the dynamic linker then finds a system libtorch_cpu.so (Debian's
   * PyTorch 1.13 on this machine) and the JVM crashes.
   */
  public static synchronized void load() {
    try {
      Loader.cacheResources("/org/bytedeco/pytorch/" + Loader.getPlatform() + "/");
    } catch (IOException e) {
      throw new UncheckedIOException("LibTorch: could not unpack its native libraries", e);
    }
    Loader.load(torch.class);
  }

  @Override
  public String name() {
    return "LibTorch";
  }

  /** Intra-op (OpenMP) threads; its BLAS calls go to the shared OpenBLAS, set by OpenBlasPeer. */
  @Override
  public void setNumThreads(int n) {
    torch.set_num_threads(n);
  }

  @Override
  public String describe() {
    return "LibTorch (org.bytedeco:pytorch): " + torch.get_num_threads() + " intra-op threads";
  }

  /** Two 1-element operands made outside any scope, closed with the workload. */
  private abstract static class Binary implements Workload {
    final Tensor a = torch.ones(1), b = torch.ones(1);

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
          try (PointerScope s = new PointerScope()) {
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
          try (PointerScope s = new PointerScope()) {
            torch.ones(1).add(torch.ones(1));
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
          try (PointerScope s = new PointerScope()) {
            torch.ones(1);
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
          try (PointerScope s = new PointerScope()) {
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
          try (PointerScope s = new PointerScope()) {
            a.sum();
          }
        }
      }
    };
  }

  /** A float32 n x n tensor that owns a copy of data. */
  static Tensor matrix(float[] data, int n) {
    try (FloatPointer p = new FloatPointer(data);
        TensorOptions f = new TensorOptions(torch.ScalarType.Float);
        Tensor view = torch.from_blob(p, new long[] {n, n}, f)) {
      return view.clone();
    }
  }

  @Override
  public Workload mm(Matrices m) {
    Tensor a = matrix(m.a, m.n), b = matrix(m.b, m.n);
    try (Tensor c = a.mm(b)) {
      float[] out = new float[m.n * m.n];
      c.data_ptr_float().get(out); // mm returns a fresh contiguous tensor
      m.check(out, name());
    }
    return new Workload() {
      @Override
      public void run(long iterations) {
        for (long i = 0; i < iterations; i++) {
          try (PointerScope s = new PointerScope()) {
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
