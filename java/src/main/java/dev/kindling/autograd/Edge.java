package dev.kindling.autograd;

/**
 * One entry of {@link Node#nextFunctions()}: the node a gradient flows to (null where that
 * input needs no gradient) and which of its inputs it arrives at.
 */
public record Edge(Node node, int inputNr) {
  @Override
  public String toString() {
    return "(" + (node == null ? "None" : node.toString()) + ", " + inputNr + ")";
  }
}
