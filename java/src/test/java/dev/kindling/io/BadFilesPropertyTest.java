package dev.kindling.io;

import static dev.kindling.io.IoFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.kindling.Kindling;
import dev.kindling.LeakCheck;
import dev.kindling.Scope;
import dev.kindling.Tensor;
import dev.kindling.nn.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: a golden file with random damage (bit flips, overwritten bytes, truncation, inserted
 * bytes, a rewritten header length) either loads or is refused with one of the documented
 * exceptions — IllegalArgumentException for bad content, UnsupportedOperationException for a
 * known but unsupported feature — and the JVM survives. When the damaged file still loads, loading
 * it into the model either works or fails leaving the model untouched. Seeded and bounded, so the
 * run is the same every time; the libFuzzer targets (ci/fuzz.sh) explore much further.
 */
class BadFilesPropertyTest {
  private static final int ROUNDS = 250;
  @TempDir Path dir;

  private static byte[] mutate(byte[] good, Random r) {
    byte[] b = good.clone();
    switch (r.nextInt(5)) {
      case 0 -> {
        for (int k = 1 + r.nextInt(4); k > 0; k--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
      }
      case 1 -> {
        for (int k = 1 + r.nextInt(8); k > 0; k--) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      case 2 -> b = Arrays.copyOf(b, r.nextInt(b.length));
      case 3 -> {
        int at = r.nextInt(b.length), n = 1 + r.nextInt(16);
        byte[] out = new byte[b.length + n];
        System.arraycopy(b, 0, out, 0, at);
        for (int i = 0; i < n; i++) out[at + i] = (byte) r.nextInt(256);
        System.arraycopy(b, at, out, at + n, b.length - at);
        b = out;
      }
      default -> {
        // The first 8 bytes: safetensors' header length, a zip's local header.
        for (int i = 0; i < 8 && i < b.length; i++) if (r.nextBoolean()) b[i] = (byte) r.nextInt(256);
      }
    }
    return b;
  }

  private int[] run(String golden, long seed, Function<byte[], Map<String, Tensor>> load) {
    byte[] good = bytes(golden);
    Random r = new Random(seed);
    int loaded = 0, refused = 0;
    try (Sequential m = small()) {
      for (int i = 0; i < ROUNDS; i++) {
        byte[] bad = mutate(good, r);
        try (Scope s = Kindling.scope()) {
          var before = snapshot(m);
          Map<String, Tensor> sd;
          try {
            sd = load.apply(bad);
          } catch (IllegalArgumentException | UnsupportedOperationException expected) {
            refused++;
            assertNotNull(expected.getMessage());
            continue;
          } catch (RuntimeException other) {
            throw new AssertionError(golden + " round " + i + ": undocumented exception", other);
          }
          loaded++;
          try {
            m.loadStateDict(sd);
          } catch (IllegalArgumentException wrong) {
            assertSameSnapshot(before, snapshot(m));
          }
        }
      }
    }
    assertEquals(ROUNDS, loaded + refused);
    assertTrue(refused > 0, golden + ": no mutation was refused?");
    return new int[] {loaded, refused};
  }

  private Path temp(byte[] b) {
    try {
      Path p = dir.resolve("m.bin");
      Files.write(p, b);
      return p;
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void damagedSafetensorsNeverCrash() {
    long before = Kindling.liveTensors();
    run("small_state.safetensors", 1, b -> SafeTensors.parse(b).tensors());
    LeakCheck.assertNotAbove(before, "damaged safetensors");
  }

  @Test
  void damagedTorchFilesNeverCrash() {
    long before = Kindling.liveTensors();
    run("small_state.pt", 2, b -> TorchFiles.loadStateDict(temp(b)));
    run("views_p4.pt", 3, b -> {
      TorchFiles.load(temp(b));
      return Map.of();
    });
    LeakCheck.assertNotAbove(before, "damaged torch files");
  }

  @Test
  void damagedCheckpointsNeverCrash() {
    long before = Kindling.liveTensors();
    run("checkpoint.pth.tar", 4, b -> {
      try (Checkpoint c = Checkpoint.load(temp(b))) {
        Map<String, Tensor> sd = c.stateDict("state_dict");
        Map<String, Tensor> copy = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : sd.entrySet()) copy.put(e.getKey(), e.getValue().clone());
        return copy;
      }
    });
    LeakCheck.assertNotAbove(before, "damaged checkpoints");
  }
}
