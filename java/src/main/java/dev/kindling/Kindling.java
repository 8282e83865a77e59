package dev.kindling;

import dev.kindling.internal.KindlingNative;
import dev.kindling.internal.Native;
import java.util.Collection;
import java.util.function.Supplier;

/** Library-wide entry points: seeding, memory scopes, threads and diagnostics. */
public final class Kindling {
  static {
    dev.kindling.internal.NativeLoader.load();
  }

  private Kindling() {}

  /**
   * Version of the native core.
   *
   * @return the version string
   */
  public static String version() {
    return KindlingNative.kd_version();
  }

  /**
   * Seeds the one global generator, like {@code torch.manual_seed}: the same seed gives the same
   * random numbers (for rand, randint and randperm the same numbers as PyTorch's CPU generator).
   *
   * @param seed the seed
   */
  public static void manualSeed(long seed) {
    KindlingNative.kd_manual_seed(seed);
  }

  /**
   * The seed given last to {@link #manualSeed(long)} ({@code torch.initial_seed()}).
   *
   * @return the seed
   */
  public static long initialSeed() {
    return KindlingNative.kd_initial_seed();
  }

  /**
   * The generator's full state, for checkpoints.
   *
   * @return a new byte array ({@code torch.get_rng_state()})
   */
  public static byte[] getRngState() {
    int n = (int) KindlingNative.kd_rng_state_size();
    byte[] out = new byte[n];
    Native.check(KindlingNative.kd_rng_get_state(out, n));
    return out;
  }

  /**
   * Restores a state from {@link #getRngState()} ({@code torch.set_rng_state}), so the same random
   * numbers follow.
   *
   * @param state the bytes from getRngState()
   */
  public static void setRngState(byte[] state) {
    if (state == null) throw new NullPointerException("setRngState: state is null");
    Native.check(KindlingNative.kd_rng_set_state(state, state.length));
  }

  /**
   * Opens a scope on this thread; see {@link Scope}.
   *
   * @return the new scope, to close (try-with-resources)
   */
  public static Scope scope() {
    return new Scope();
  }

  /**
   * Runs body in a new scope and keeps its result: a {@link Tensor}, or every tensor in a
   * returned collection; everything else made inside is closed.
   *
   * @param <T> the result's type
   * @param body the code to run
   * @return body's result, kept alive
   */
  public static <T> T scoped(Supplier<T> body) {
    try (Scope s = new Scope()) {
      T result = body.get();
      if (result instanceof Tensor) s.keep((Tensor) result);
      else if (result instanceof Collection) {
        for (Object o : (Collection<?>) result) if (o instanceof Tensor) s.keep((Tensor) o);
      }
      return result;
    }
  }

  /**
   * Native tensor objects alive now (all threads); for leak checks.
   *
   * @return the count
   */
  public static long liveTensors() {
    return KindlingNative.kd_live_tensors();
  }

  /**
   * Bytes of native tensor storage allocated now.
   *
   * @return the byte count
   */
  public static long liveBytes() {
    return KindlingNative.kd_live_bytes();
  }

  /**
   * Bytes of freed large blocks the native allocator keeps for reuse (so a training loop does not
   * pay for fresh pages each step). Not counted in {@link #liveBytes()}; bounded at 1 GiB.
   *
   * @return the byte count
   */
  public static long cachedBytes() {
    return KindlingNative.kd_cached_bytes();
  }

  /** Frees every cached block (like {@code torch.cuda.empty_cache()}, for host memory). */
  public static void emptyCache() {
    KindlingNative.kd_empty_cache();
  }

  /**
   * Threads of Kindling's CPU pool, which runs its kernels and its BLAS products (OpenBLAS is kept
   * single-threaded inside them). Between parallel regions the pool's threads poll for up to 2 ms
   * before they sleep, as OpenMP runtimes do; the environment variable
   * {@code KINDLING_POOL_SPIN_US} sets that time in microseconds (0: sleep at once, for a machine
   * shared with other busy processes).
   *
   * @param n the number of threads, at least 1 ({@code torch.set_num_threads})
   */
  public static void setNumThreads(int n) {
    Native.check(KindlingNative.kd_set_num_threads(n));
  }

  /**
   * Threads for Kindling's own CPU kernels ({@code torch.get_num_threads()}).
   *
   * @return the thread count
   */
  public static int getNumThreads() {
    return KindlingNative.kd_get_num_threads();
  }
}
