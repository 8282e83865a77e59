package dev.kindling.bench;

/**
 * One timed body of the side-by-side run: {@link #run(long)} repeats the operation that many times,
 * so the loop lives inside the peer's own code and the harness adds one call per batch, not per op.
 * Inputs are made when the workload is made and freed by {@link #close()}.
 */
public interface Workload extends AutoCloseable {
  void run(long iterations);

  @Override
  void close();
}
