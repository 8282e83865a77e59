package dev.kindling.golden;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Joining and indexing against PyTorch: cat (with dtype promotion), stack, split, chunk (views),
 * index_select, gather and scatter_add (out of place and in place), and their index errors.
 *
 * <p>Data: src/test/resources/golden/joinindex.json, written by gen_golden.py with PyTorch 1.13.
 */
class GoldenJoinIndexTest {
  @TestFactory
  Stream<DynamicNode> joinindex() {
    return GoldenCases.family("joinindex");
  }
}
