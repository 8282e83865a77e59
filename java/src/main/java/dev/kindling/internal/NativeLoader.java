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
        // A libkindling built with its builtin BLAS (cmake -DKINDLING_BLAS_DIR=builtin, as
        // ci/gpu-check.sh builds it on machines without OpenBLAS) needs none: -Dkindling.blas=builtin.
        if (!"builtin".equals(System.getProperty("kindling.blas")))
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
