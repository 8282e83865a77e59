package dev.kindling.golden;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Reductions against PyTorch: over all or given dims with keepdim (sum, mean, prod, amax/amin,
 * logsumexp, any/all, var/std with correction, max/min with indices, argmax/argmin) and
 * softmax/log_softmax, with the result dtypes PyTorch picks (e.g. sum of int64 or bool is int64).
 *
 * <p>Data: src/test/resources/golden/reductions.json, written by gen_golden.py with PyTorch 1.13.
 */
class GoldenReductionsTest {
  @TestFactory
  Stream<DynamicNode> reductions() {
    return GoldenCases.family("reductions");
  }
}
