package dev.kindling;

import java.util.Arrays;

/**
 * A region of code whose tensors are closed together. Every tensor created on this thread while
 * the scope is the innermost open one belongs to it; {@link #close()} closes all of them except
 * those handed on with {@link #keep(Tensor)}. Scopes nest and are per thread:
 *
 * <pre>{@code
 * for (int step = 0; step < steps; step++) {
 *   try (var s = Kindling.scope()) {
 *     Tensor loss = model.forward(x).sub(y).pow(2).mean();
 *     ...
 *   } // every temporary of the step is freed here
 * }
 * }</pre>
 */
public final class Scope implements AutoCloseable {
  private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

  private final Scope parent;
  private final Thread thread;
  private Tensor[] items = new Tensor[32];
  private int size;
  private boolean closed;

  Scope() {
    this.parent = CURRENT.get();
    this.thread = Thread.currentThread();
    CURRENT.set(this);
  }

  static Scope current() {
    return CURRENT.get();
  }

  void attach(Tensor t) {
    if (size == items.length) items = Arrays.copyOf(items, size * 2);
    items[size++] = t;
    t.owner = this;
  }

  /**
   * Keeps t alive past this scope: it moves to the enclosing scope, or, when there is none,
   * becomes the caller's to close (a cleaner frees it if it is garbage collected first).
   *
   * @param <T> the tensor's type
   * @param t a tensor owned by this scope (or null)
   * @return t
   */
  public <T extends Tensor> T keep(T t) {
    if (t == null) return null;
    if (t.owner == this) {
      t.owner = null;
      if (parent != null && !parent.closed) parent.attach(t);
      else t.registerCleaner();
    }
    return t;
  }

  /**
   * Takes t out of the scope that owns it, if any: from now on t belongs to the caller for good
   * (closed by hand, or by the cleaner when garbage collected). Modules and optimizers use this
   * so that a training step's scope never closes the parameters and state they own.
   *
   * @param <T> the tensor's type
   * @param t the tensor (or null)
   * @return t
   */
  public static <T extends Tensor> T escape(T t) {
    if (t == null) return null;
    if (t.owner != null) {
      t.owner = null;
      t.registerCleaner();
    }
    return t;
  }

  /**
   * Keeps every tensor of the iterable (see {@link #keep(Tensor)}).
   *
   * @param <I> the iterable's type
   * @param ts the tensors
   * @return ts
   */
  public <I extends Iterable<? extends Tensor>> I keepAll(I ts) {
    for (Tensor t : ts) keep(t);
    return ts;
  }

  /**
   * The number of tensors this scope owns now (closed ones included until it closes).
   *
   * @return the count
   */
  public int size() {
    return size;
  }

  /**
   * Whether this scope has been closed.
   *
   * @return true once closed
   */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) return;
    if (Thread.currentThread() != thread)
      throw new IllegalStateException("Scope.close: a scope must be closed on the thread that opened it");
    if (CURRENT.get() != this)
      throw new IllegalStateException("Scope.close: scopes must be closed innermost first");
    closed = true;
    CURRENT.set(parent);
    RuntimeException first = null;
    for (int i = 0; i < size; i++) {
      Tensor t = items[i];
      items[i] = null;
      if (t.owner == this) {
        t.owner = null;
        try {
          t.close();
        } catch (RuntimeException e) {
          if (first == null) first = e;
        }
      }
    }
    size = 0;
    if (first != null) throw first;
  }

  // ---- handing a tensor to another thread's scope (added for dev.kindling.data's prefetch thread)

  /**
   * Makes the innermost open scope of the calling thread own t, when no scope owns it (it was made
   * outside any scope, or taken out with {@link #escape(Tensor)}): the way a tensor made on
   * another thread, such as a batch from a DataLoader's prefetch thread, becomes the consumer's.
   * With no scope open, or when a scope owns t already, t is left as it is. Returns t.
   *
   * @param <T> the tensor's type
   * @param t the tensor (or null)
   * @return t
   */
  public static <T extends Tensor> T adopt(T t) {
    if (t == null) return null;
    Scope s = CURRENT.get();
    if (s != null && t.owner == null && !t.isClosed()) s.attach(t);
    return t;
  }
}
