package dev.kindling;

/**
 * The per-thread pin frame that makes closing a tensor while another thread uses it safe.
 *
 * <p>Why: a Java {@link Tensor} hands its raw native handle to native code. If another thread
 * closed the tensor between reading the handle and the native call returning, native code would
 * read freed memory. So every read of a handle pins the tensor (a CAS on a counter in the Tensor
 * object; it fails with "tensor has been closed" once close() has run), and the pin is dropped
 * when the frame that took it exits. A close() that finds pins held only marks the tensor closed;
 * the last unpin releases the native reference.
 *
 * <p>Frames nest and live on one thread; each method that touches handles runs inside one:
 *
 * <pre>{@code
 * Pins pins = Pins.enter();
 * try {
 *   return make(kd_add(h("add"), other.h("add")));  // both pinned until exit()
 * } finally {
 *   pins.exit();
 * }
 * }</pre>
 *
 * Because exit() sits in a finally block, an exception between a pin and the native call (a
 * closed second operand, a bad argument) never leaves a pin behind. Public for Kindling's own
 * packages that pass handles to native code; not a user API.
 */
public final class Pins implements AutoCloseable {
  private static final ThreadLocal<Pins> CURRENT = ThreadLocal.withInitial(Pins::new);

  private Tensor[] pinned = new Tensor[16];
  private int top;
  private int[] marks = new int[16];
  private int depth;

  private Pins() {}

  /**
   * Opens a frame on this thread; every tensor pinned until the matching {@link #exit()} is
   * unpinned by it.
   *
   * @return this thread's pin frame, to call exit() on
   */
  public static Pins enter() {
    Pins p = CURRENT.get();
    if (p.depth == p.marks.length) p.marks = java.util.Arrays.copyOf(p.marks, p.depth * 2);
    p.marks[p.depth++] = p.top;
    return p;
  }

  /** Unpins every tensor pinned since the matching {@link #enter()}, newest first. */
  public void exit() {
    int mark = marks[--depth];
    while (top > mark) {
      Tensor t = pinned[--top];
      pinned[top] = null;
      t.unpin();
    }
  }

  /** Same as {@link #exit()}, for try-with-resources. */
  @Override
  public void close() {
    exit();
  }

  /** This thread's frame, which must be open: a handle read outside one could not be unpinned. */
  static Pins open(String op) {
    Pins p = CURRENT.get();
    if (p.depth == 0) throw new IllegalStateException(op + ": native handle read outside a pin frame (Kindling bug)");
    return p;
  }

  void add(Tensor t) {
    if (top == pinned.length) pinned = java.util.Arrays.copyOf(pinned, top * 2);
    pinned[top++] = t;
  }
}
