package dev.kindling.golden;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * View ops against PyTorch: shapes, strides, storage offsets and whether the result shares
 * the input's storage (view, reshape, transpose, permute, narrow, slicing with a step, select,
 * expand, squeeze, unsqueeze, flatten, contiguous, dtype conversion).
 *
 * <p>Data: src/test/resources/golden/views.json, written by gen_golden.py with PyTorch 1.13.
 */
class GoldenViewsTest {
  @TestFactory
  Stream<DynamicNode> views() {
    return GoldenCases.family("views");
  }
}
