package dev.kindling.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.*;

import org.bytedeco.javacpp.FloatPointer;

/**
 * OpenBLAS called directly (cblas_sgemm into a preallocated result): the GEMM bar Kindling must
 * reach. It is the libopenblas.so.0 of org.bytedeco:openblas that Kindling links and LibTorch
 * loads too. It has no tensors, so it has no per-op rows.
 */
public final class OpenBlasPeer implements Peer {
  @Override
  public String name() {
    return "OpenBLAS";
  }

  @Override
  public boolean hasTensors() {
    return false;
  }

  /** openblas_set_num_threads, found by symbol in the loaded OpenBLAS (the one all peers call). */
  @Override
  public void setNumThreads(int n) {
    blas_set_num_threads(n);
  }

  @Override
  public String describe() {
    // The binding has no openblas_get_corename(); the run-time core is what OPENBLAS_VERBOSE=2
    // prints at load ("Core: ..."), which bench/run.sh collects.
    return OPENBLAS_VERSION.trim() + " (org.bytedeco:openblas), cblas_sgemm called directly; built with"
        + " DYNAMIC_ARCH (base target " + OPENBLAS_CHAR_CORENAME + "), "
        + (blas_get_num_threads() > 0 ? blas_get_num_threads() + " threads" : "threads per OPENBLAS_NUM_THREADS or all cores");
  }

  @Override
  public Workload add() {
    return null;
  }

  @Override
  public Workload addCreate() {
    return null;
  }

  @Override
  public Workload ones() {
    return null;
  }

  @Override
  public Workload mul() {
    return null;
  }

  @Override
  public Workload sum() {
    return null;
  }

  @Override
  public Workload mm(Matrices m) {
    int n = m.n;
    FloatPointer a = new FloatPointer(m.a), b = new FloatPointer(m.b), c = new FloatPointer((long) n * n);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f, a, n, b, n, 0f, c, n);
    float[] out = new float[n * n];
    c.get(out);
    m.check(out, name());
    return new Workload() {
      @Override
      public void run(long iterations) {
        for (long i = 0; i < iterations; i++)
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f, a, n, b, n, 0f, c, n);
      }

      @Override
      public void close() {
        a.close();
        b.close();
        c.close();
      }
    };
  }
}
