package dev.kindling.bench;

/**
 * A library measured in the side-by-side run. Each method makes the inputs of one workload and
 * returns it, or returns null when the peer has no such operation (OpenBLAS has no tensors). A
 * workload that the peer cannot run yet throws from its constructor or first run; the table then
 * says "pending" with the peer's message.
 */
public interface Peer {
  String name();

  /** False for a BLAS without tensors: it gets GEMM rows only. */
  default boolean hasTensors() {
    return true;
  }

  /** Sets the threads this library computes with (its own pool, and its BLAS's for OpenBLAS). */
  void setNumThreads(int n);

  /** Threads and BLAS facts worth printing above the table. */
  String describe();

  /** {@code a.add(b)} on two 1-element float32 tensors, result freed each time by a scope. */
  Workload add();

  /** As {@link #add()}, but a and b are also created (ones(1)) and freed inside the scope. */
  Workload addCreate();

  /** {@code ones(1)} alone, made and freed in a scope: the creation share of {@link #addCreate()}. */
  Workload ones();

  /** {@code a.mul(b)} on two 1-element float32 tensors. */
  Workload mul();

  /** {@code a.sum()} on a 1-element float32 tensor. */
  Workload sum();

  /** {@code a.mm(b)} on n x n float32 matrices, result freed each time; checked once first. */
  Workload mm(Matrices m);
}
