package dev.kindling.golden;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Elementwise ops against PyTorch: unary math, broadcasting binary ops and comparisons,
 * scalar forms, clamp, where, masked_fill and the in-place forms, on contiguous, transposed,
 * sliced, narrowed and expanded inputs of every dtype, with NaN/inf cases and PyTorch's errors.
 *
 * <p>Data: src/test/resources/golden/elementwise.json, written by gen_golden.py with PyTorch 1.13.
 */
class GoldenElementwiseTest {
  @TestFactory
  Stream<DynamicNode> elementwise() {
    return GoldenCases.family("elementwise");
  }
}
