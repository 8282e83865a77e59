package dev.kindling.golden;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Creation and read-out against PyTorch: zeros, ones, full, eye, arange, linspace, 0-dim
 * scalars, the *_like forms, item and the toFloatArray/toDoubleArray/toLongArray/toBooleanArray
 * conversions (row-major, truncating toward zero like PyTorch's casts).
 *
 * <p>Data: src/test/resources/golden/creation.json, written by gen_golden.py with PyTorch 1.13.
 */
class GoldenCreationTest {
  @TestFactory
  Stream<DynamicNode> creation() {
    return GoldenCases.family("creation");
  }
}
