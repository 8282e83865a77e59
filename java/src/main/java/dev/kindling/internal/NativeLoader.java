package dev.kindling.internal;

import org.bytedeco.javacpp.Loader;

/**
 * Loads the native libraries once, in dependency order: OpenBLAS from the
 * {@code org.bytedeco:openblas} jar first (libkindling needs its soname already loaded), then
 * libkindling and the JNI glue from Kindling's platform jar.
 */
public final class NativeLoader {
  private static volatile boolean loaded;

  private NativeLoader() {}

  public static void load() {
    if (loaded) return;
    synchronized (NativeLoader.class) {
      if (loaded) return;
      try {
        Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        KindlingNative.loadPeer();
      } catch (UnsatisfiedLinkError e) {
        UnsatisfiedLinkError err = new UnsatisfiedLinkError(
            "Kindling: could not load its native libraries for platform " + Loader.getPlatform()
                + ". Is the dev.kindling:kindling:" + Loader.getPlatform()
                + " jar on the class path? Cause: " + e.getMessage());
        err.initCause(e);
        throw err;
      }
      loaded = true;
    }
  }
}
