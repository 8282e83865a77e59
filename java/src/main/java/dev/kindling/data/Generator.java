package dev.kindling.data;

import java.nio.ByteBuffer;

/**
 * A random generator for the data pipeline, PyTorch's CPU {@code torch.Generator} in Java: the
 * same MT19937 engine, seeded the same way, and the same draws for {@code randperm},
 * {@code randint} and {@code rand}. So {@code new Generator(s).randperm(n)} equals
 * {@code torch.randperm(n, generator=torch.Generator().manual_seed(s))}, and a DataLoader seeded
 * with s shuffles as PyTorch's does with that generator.
 *
 * <p>It lives in Java, apart from Kindling's global generator, so that shuffling and augmentation
 * neither disturb nor depend on the random numbers a model draws ({@code Kindling.manualSeed}).
 * Methods are synchronized; one generator gives a reproducible sequence only when its draws come
 * in a fixed order (one thread, such as a DataLoader's prefetch thread).
 */
public final class Generator {
  /** PyTorch's default seed for its CPU generator. */
  public static final long DEFAULT_SEED = 67280421310721L;

  private static final int N = 624, M = 397;
  private static final int MATRIX_A = 0x9908b0df, UPPER = 0x80000000, LOWER = 0x7fffffff;
  private static final int STATE_BYTES = 8 + 4 + 4 + N * 4;

  private final int[] mt = new int[N];
  private int left, next;
  private long seed;

  /** A generator with PyTorch's default seed, like {@code torch.Generator()}. */
  public Generator() {
    this(DEFAULT_SEED);
  }

  /**
   * Like {@code torch.Generator().manual_seed(seed)}.
   *
   * @param seed the seed
   */
  public Generator(long seed) {
    manualSeed(seed);
  }

  /**
   * Restarts the sequence from seed (only its low 32 bits seed the engine, as in PyTorch).
   *
   * @param seed the seed
   * @return this generator
   */
  public synchronized Generator manualSeed(long seed) {
    this.seed = seed;
    mt[0] = (int) seed;
    for (int j = 1; j < N; j++) mt[j] = 1812433253 * (mt[j - 1] ^ (mt[j - 1] >>> 30)) + j;
    left = 1;
    next = 0;
    return this;
  }

  /**
   * The seed given last, like {@code initial_seed()}.
   *
   * @return the seed
   */
  public synchronized long initialSeed() {
    return seed;
  }

  /**
   * The next 32 random bits (PyTorch's {@code random()}); read unsigned with
   * Integer.toUnsignedLong.
   *
   * @return 32 random bits
   */
  public synchronized int random() {
    if (--left == 0) twist();
    int y = mt[next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /**
   * 64 random bits from two draws, the first in the high half (PyTorch's {@code random64()}).
   *
   * @return 64 random bits
   */
  public synchronized long random64() {
    long hi = Integer.toUnsignedLong(random());
    long lo = Integer.toUnsignedLong(random());
    return (hi << 32) | lo;
  }

  /**
   * A float in [0, 1) from 24 random bits, as {@code torch.rand(1, generator=g)}.
   *
   * @return the sample
   */
  public synchronized float rand() {
    return (random() & 0xffffff) * 0x1.0p-24f;
  }

  /**
   * An integer in [low, high), as {@code torch.randint(low, high, (1,), generator=g)}.
   *
   * @param low the inclusive lower bound
   * @param high the exclusive upper bound
   * @return the sample
   */
  public synchronized long randint(long low, long high) {
    if (low >= high)
      throw new IllegalArgumentException("randint: expects 'from' to be less than 'to', but got from=" + low + " >= to=" + high);
    long range = high - low;  // as unsigned
    long r = Long.compareUnsigned(range, 1L << 32) >= 0
        ? Long.remainderUnsigned(random64(), range)
        : Integer.toUnsignedLong(random()) % range;
    return r + low;
  }

  /**
   * A random permutation of 0 … n-1, as {@code torch.randperm(n, generator=g)}.
   *
   * @param n the length, at least 0
   * @return a new array holding the permutation
   */
  public synchronized int[] randperm(int n) {
    if (n < 0) throw new IllegalArgumentException("randperm: n must be non-negative, got " + n);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = 0; i + 1 < n; i++) {
      int z = (int) (Integer.toUnsignedLong(random()) % (n - i));
      int t = p[i];
      p[i] = p[z + i];
      p[z + i] = t;
    }
    return p;
  }

  /**
   * The full state, for checkpoints; {@link #setState} restores it.
   *
   * @return a new byte array
   */
  public synchronized byte[] getState() {
    ByteBuffer b = ByteBuffer.allocate(STATE_BYTES);
    b.putLong(seed).putInt(left).putInt(next);
    for (int v : mt) b.putInt(v);
    return b.array();
  }

  /**
   * Restores a state made by {@link #getState()}, so the same numbers follow.
   *
   * @param state the bytes from getState()
   * @throws IllegalArgumentException if the length is wrong
   */
  public synchronized void setState(byte[] state) {
    if (state == null) throw new NullPointerException("Generator.setState: state is null");
    if (state.length != STATE_BYTES)
      throw new IllegalArgumentException("Generator.setState: expected a state of " + STATE_BYTES + " bytes, got " + state.length);
    ByteBuffer b = ByteBuffer.wrap(state);
    long s = b.getLong();
    int l = b.getInt(), n = b.getInt();
    boolean fresh = l == 1 && n == 0, running = n >= 1 && n <= N && l + n == N + 1;
    if (!fresh && !running)
      throw new IllegalArgumentException("Generator.setState: not a generator state (position " + n + ", left " + l + ")");
    seed = s;
    left = l;
    next = n;
    for (int i = 0; i < N; i++) mt[i] = b.getInt();
  }

  private void twist() {
    int k = 0;
    for (; k < N - M; k++) mt[k] = mt[k + M] ^ mix(mt[k], mt[k + 1]);
    for (; k < N - 1; k++) mt[k] = mt[k + M - N] ^ mix(mt[k], mt[k + 1]);
    mt[N - 1] = mt[M - 1] ^ mix(mt[N - 1], mt[0]);
    left = N;
    next = 0;
  }

  private static int mix(int u, int v) {
    int y = (u & UPPER) | (v & LOWER);
    return (y >>> 1) ^ ((v & 1) != 0 ? MATRIX_A : 0);
  }

  @Override
  public String toString() {
    return "Generator(seed=" + seed + ")";
  }
}
