package dev.kindling.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongUnaryOperator;

/**
 * The Java side of tensor hooks. Native code holds only hook ids; this class maps them to Java
 * functions through one installed callback (JavaCPP thunks are limited in number, ids are not).
 * A hook that throws stops the backward pass: its exception is parked here and rethrown on the
 * calling thread when the native call returns.
 */
public final class Hooks {
  private static final ConcurrentHashMap<Long, LongUnaryOperator> HOOKS = new ConcurrentHashMap<>();
  private static final AtomicLong NEXT_ID = new AtomicLong(1);
  private static final ThreadLocal<Throwable> FAILURE = new ThreadLocal<>();
  private static final Dispatcher DISPATCHER;

  static {
    NativeLoader.load();
    DISPATCHER = new Dispatcher();
    KindlingNative.kd_set_hook_dispatcher(DISPATCHER);
  }

  private Hooks() {}

  /** Registers fn (gradient handle in, replacement handle or 0 out) and returns its id. */
  public static long add(LongUnaryOperator fn) {
    long id = NEXT_ID.getAndIncrement();
    HOOKS.put(id, fn);
    return id;
  }

  public static void remove(long id) {
    HOOKS.remove(id);
  }

  /** The exception a hook threw on this thread during the last native call, cleared. */
  public static Throwable takeFailure() {
    Throwable t = FAILURE.get();
    FAILURE.remove();
    return t;
  }

  private static final class Dispatcher extends KindlingNative.HookDispatcher {
    @Override
    public long call(long hookId, long grad) {
      try {
        LongUnaryOperator fn = HOOKS.get(hookId);
        if (fn == null) {
          KindlingNative.kd_release(grad);
          return 0;
        }
        return fn.applyAsLong(grad);
      } catch (Throwable t) {
        if (FAILURE.get() == null) FAILURE.set(t);
        return -1;
      }
    }
  }
}
