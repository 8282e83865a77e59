package dev.kindling.data;

import dev.kindling.Scope;
import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One epoch of a {@link DataLoader}: its batches in order, made on the caller's thread or, with
 * prefetching, by a background thread a few batches ahead. Close it to end the epoch early (the
 * thread stops and batches it made that nobody took are freed); an iterator that runs to its end
 * closes itself.
 *
 * <p>The thread and the queue live in {@link State}, which the iterator owns but which does not
 * point back to it, so an abandoned iterator can be collected and a cleaner stops its thread.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
  private static final Cleaner CLEANER = Cleaner.create();
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final State state;
  private final Cleaner.Cleanable cleanable;

  BatchIterator(int[][] plan, Function<int[], Batch> fetch, int prefetch) {
    this.state = new State(plan, fetch, prefetch);
    State s = state;
    this.cleanable = CLEANER.register(this, () -> s.close(false));
    state.start();
  }

  State state() {
    return state;
  }

  /**
   * The number of batches of this epoch.
   *
   * @return the batch count
   */
  public int size() {
    return state.plan.length;
  }

  @Override
  public boolean hasNext() {
    return state.hasNext();
  }

  /**
   * The next batch, owned from now on by the scope open on this thread (or by the caller). An
   * exception from the dataset or the collate function is rethrown here and ends the epoch.
   */
  @Override
  public Batch next() {
    Batch b = state.next();
    Scope.adopt(b.inputs());
    Scope.adopt(b.targets());
    return b;
  }

  /** Ends the epoch: stops the prefetch thread and frees the batches nobody took. Idempotent. */
  @Override
  public void close() {
    cleanable.clean();
  }

  /** An exception caught on the prefetch thread, on its way to the consumer. */
  private record Failure(Throwable error) {}

  /** The epoch's plan, cursor, queue and thread. */
  static final class State implements Runnable {
    final int[][] plan;
    private final Function<int[], Batch> fetch;
    private final BlockingQueue<Object> queue;
    private final Thread worker;
    private int cursor;  // batches handed to the consumer
    private volatile boolean closed;
    private volatile boolean superseded;

    State(int[][] plan, Function<int[], Batch> fetch, int prefetch) {
      this.plan = plan;
      this.fetch = fetch;
      if (prefetch > 0 && plan.length > 0) {
        this.queue = new ArrayBlockingQueue<>(prefetch);
        this.worker = new Thread(this, "kindling-dataloader-" + THREADS.incrementAndGet());
        this.worker.setDaemon(true);
      } else {
        this.queue = null;
        this.worker = null;
      }
    }

    void start() {
      if (worker != null) worker.start();
    }

    /** The prefetch thread: fetch each batch in order and queue it, or queue the first failure. */
    @Override
    public void run() {
      for (int[] indices : plan) {
        if (closed) return;
        Object item;
        try {
          item = fetch.apply(indices);
        } catch (Throwable e) {
          item = new Failure(e);
        }
        try {
          queue.put(item);
        } catch (InterruptedException e) {
          // closed while waiting for room: nobody will take this batch
          if (item instanceof Batch b) b.close();
          return;
        }
        if (item instanceof Failure) return;
      }
    }

    boolean hasNext() {
      if (superseded) throw supersededError();
      return !closed && cursor < plan.length;
    }

    Batch next() {
      if (!hasNext()) throw new NoSuchElementException("DataLoader: the epoch has no more batches");
      if (worker == null) {
        int[] indices = plan[cursor++];
        Batch b;
        try {
          b = fetch.apply(indices);
        } catch (RuntimeException | Error e) {
          close(false);
          throw e;
        }
        if (cursor == plan.length) close(false);
        return b;
      }
      Object item = take();
      cursor++;
      if (item instanceof Failure f) {
        close(false);
        throw rethrowable(f.error());
      }
      if (cursor == plan.length) close(false);  // the thread has queued its last batch and ends
      return (Batch) item;
    }

    private Object take() {
      try {
        for (;;) {
          Object item = queue.poll(50, TimeUnit.MILLISECONDS);
          if (item != null) return item;
          if (superseded) throw supersededError();
          if (closed) throw new IllegalStateException("DataLoader: the epoch was closed while waiting for a batch");
          if (!worker.isAlive() && queue.isEmpty())
            throw new IllegalStateException("DataLoader: the prefetch thread ended without delivering batch " + cursor);
        }
      } catch (InterruptedException e) {
        close(false);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("DataLoader: interrupted while waiting for a batch", e);
      }
    }

    private static RuntimeException rethrowable(Throwable e) {
      if (e instanceof RuntimeException re) return re;
      if (e instanceof Error err) throw err;
      return new RuntimeException("DataLoader: the dataset failed on the prefetch thread", e);
    }

    private static IllegalStateException supersededError() {
      return new IllegalStateException("DataLoader: this epoch was ended because a newer one started (iterator() was called again)");
    }

    /** Stops the thread, waits for it, and frees every batch made but not taken. Idempotent. */
    synchronized void close(boolean bySuccessor) {
      if (bySuccessor && !closed) superseded = true;
      if (closed) return;
      closed = true;
      if (worker == null) return;
      if (Thread.currentThread() != worker) {
        worker.interrupt();
        boolean interrupted = false;
        for (;;) {
          try {
            worker.join();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
        if (interrupted) Thread.currentThread().interrupt();
      }
      for (Object item; (item = queue.poll()) != null; ) if (item instanceof Batch b) b.close();
    }
  }
}
