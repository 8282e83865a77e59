package dev.kindling.golden;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Matrix products against PyTorch: matmul's 1-D/2-D/batched rules with batch broadcasting,
 * mm and bmm, on transposed and sliced operands, and the shape/dtype errors.
 *
 * <p>Data: src/test/resources/golden/linalg.json, written by gen_golden.py with PyTorch 1.13.
 */
class GoldenLinalgTest {
  @TestFactory
  Stream<DynamicNode> linalg() {
    return GoldenCases.family("linalg");
  }
}
