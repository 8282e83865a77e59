package dev.kindling.golden;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Seeded random numbers against PyTorch's CPU generator: after manualSeed(s), rand, randint,
 * randperm, uniform_ and bernoulli_ must give PyTorch's numbers bit for bit; randn and normal_ use
 * the same draws with Box-Muller, so they must agree to float tolerance (each case prints how many
 * values are bit-identical).
 *
 * <p>Data: src/test/resources/golden/random.json, written by gen_golden.py with PyTorch 1.13.
 */
class GoldenRandomTest {
  @TestFactory
  Stream<DynamicNode> random() {
    return GoldenCases.family("random");
  }
}
