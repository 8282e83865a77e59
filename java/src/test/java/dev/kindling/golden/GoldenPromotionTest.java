package dev.kindling.golden;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * PyTorch's type promotion: every dtype pair for add/sub/mul/div/eq/lt/maximum/logical_and
 * between dimensioned tensors, 0-dim tensors and Python scalars (int, float, bool), and the
 * in-place rule that the result type must cast to self's dtype.
 *
 * <p>Data: src/test/resources/golden/promotion.json, written by gen_golden.py with PyTorch 1.13.
 */
class GoldenPromotionTest {
  @TestFactory
  Stream<DynamicNode> promotion() {
    return GoldenCases.family("promotion");
  }
}
