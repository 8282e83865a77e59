package dev.kindling.data;

import static dev.kindling.data.DataGolden.*;
import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The data pipeline's Generator draws PyTorch's numbers: raw MT19937 outputs as numpy's legacy
 * seeding (which is PyTorch's) gives them, and for {@code torch.Generator().manual_seed(s)}:
 * randperm, rand, randint over 32- and 64-bit ranges, and random_() on int64 (golden/data.json).
 */
class GeneratorTest {
  @Test
  void rawOutputsAreMt19937AsSeededByPyTorch() {
    for (JsonElement e : load().getAsJsonArray("raw")) {
      JsonObject c = e.getAsJsonObject();
      Generator g = new Generator(c.get("seed").getAsLong());
      long[] want = longs(c.getAsJsonArray("values"));
      for (int i = 0; i < want.length; i++)
        assertEquals(want[i], Integer.toUnsignedLong(g.random()), "seed " + c.get("seed") + ", draw " + i);
    }
    // the reference value of std::mt19937's default seed
    assertEquals(3499211612L, Integer.toUnsignedLong(new Generator(5489).random()));
  }

  @Test
  void randpermMatchesTorch() {
    for (JsonElement e : load().getAsJsonArray("draws")) {
      JsonObject c = e.getAsJsonObject();
      if (!c.get("kind").getAsString().equals("randperm")) continue;
      int n = c.get("n").getAsInt();
      int[] p = new Generator(c.get("seed").getAsLong()).randperm(n);
      int[] want = ints(c.getAsJsonArray("values"));
      int[] got = n <= 100 ? p : concat(Arrays.copyOf(p, 50), Arrays.copyOfRange(p, n - 50, n));
      assertArrayEquals(want, got, "randperm(" + n + ") seed " + c.get("seed"));
      long s = 0;
      for (int i = 0; i < n; i++) s += (long) i * p[i];
      assertEquals(c.get("sum_sq_pos").getAsLong(), s, "randperm(" + n + "): sum of i * p[i]");
    }
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void randRandintAndRandom64MatchTorch() {
    var draws = load().getAsJsonArray("draws");
    JsonObject rand = find(draws, "kind", "rand");
    Generator g = new Generator(rand.get("seed").getAsLong());
    for (float want : floats(rand.getAsJsonArray("values"))) assertEquals(want, g.rand());

    JsonObject randint = find(draws, "kind", "randint");
    g = new Generator(randint.get("seed").getAsLong());
    for (JsonElement e : randint.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      long lo = c.get("low").getAsLong(), hi = c.get("high").getAsLong();
      for (long want : longs(c.getAsJsonArray("values"))) assertEquals(want, g.randint(lo, hi), "randint(" + lo + ", " + hi + ")");
    }

    JsonObject r64 = find(draws, "kind", "random_int64");
    g = new Generator(r64.get("seed").getAsLong());
    for (long want : longs(r64.getAsJsonArray("values"))) assertEquals(want, g.random64() & Long.MAX_VALUE);
  }

  @Test
  void stateRoundTripsAndResumesTheSequence() {
    Generator g = new Generator(77);
    for (int i = 0; i < 1000; i++) g.random();  // across a twist
    byte[] state = g.getState();
    int[] next = g.randperm(50);
    Generator h = new Generator(1);
    h.setState(state);
    assertArrayEquals(next, h.randperm(50));
    assertEquals(77, h.initialSeed());
    // a fresh generator's state also round-trips
    Generator fresh = new Generator(5), copy = new Generator(9);
    copy.setState(fresh.getState());
    assertEquals(fresh.random(), copy.random());
  }

  @Test
  void badArgumentsAreRejected() {
    Generator g = new Generator(0);
    var e = assertThrows(IllegalArgumentException.class, () -> g.randint(3, 3));
    assertEquals("randint: expects 'from' to be less than 'to', but got from=3 >= to=3", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> g.randperm(-1));
    assertThrows(IllegalArgumentException.class, () -> g.setState(new byte[10]));
    byte[] bad = g.getState();
    bad[11] = 7;  // left = 7 with next = 0 is not a reachable state
    assertThrows(IllegalArgumentException.class, () -> g.setState(bad));
    assertThrows(NullPointerException.class, () -> g.setState(null));
  }
}
