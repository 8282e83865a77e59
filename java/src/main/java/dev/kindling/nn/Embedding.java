package dev.kindling.nn;

import dev.kindling.Autograd;
import dev.kindling.DType;
import dev.kindling.Tensor;
import java.util.Arrays;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code embeddingDim}, like
 * {@code torch.nn.Embedding}: the weight is drawn from N(0, 1), and forward selects rows by an
 * int64 index tensor of any shape, giving {@code input.shape + [embeddingDim]}. Built on
 * index_select so that the weight gets gradients through autograd.
 */
public class Embedding extends Module {
  private final long numEmbeddings;
  private final long embeddingDim;
  private final Tensor weight;

  /**
   * {@code nn.Embedding(num_embeddings, embedding_dim)}: a lookup table of numEmbeddings vectors.
   *
   * @param numEmbeddings the table's size (valid indices are 0 … numEmbeddings-1)
   * @param embeddingDim the length of each vector
   * @throws IllegalArgumentException if either is not positive
   */
  public Embedding(long numEmbeddings, long embeddingDim) {
    if (numEmbeddings <= 0 || embeddingDim <= 0)
      throw new IllegalArgumentException("Embedding: num_embeddings and embedding_dim must be positive, got "
          + numEmbeddings + " and " + embeddingDim);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.weight = registerParameter("weight", Tensor.empty(numEmbeddings, embeddingDim));
    resetParameters();
  }

  /** Draws fresh N(0, 1) rows, as {@code reset_parameters()} does. */
  public void resetParameters() {
    try (var g = Autograd.noGrad()) {
      weight.normal_(0.0, 1.0);
    }
  }

  /**
   * The number of rows of the table.
   *
   * @return num_embeddings
   */
  public long numEmbeddings() {
    return numEmbeddings;
  }

  /**
   * The length of each vector.
   *
   * @return embedding_dim
   */
  public long embeddingDim() {
    return embeddingDim;
  }

  /**
   * The table, a [num_embeddings, embedding_dim] parameter.
   *
   * @return the weight
   */
  public Tensor weight() {
    return weight;
  }

  @Override
  public Tensor forward(Tensor input) {
    if (input.dtype() != DType.INT64)
      throw new IllegalArgumentException("Embedding: expected an int64 index tensor, got " + input.dtype());
    long[] shape = input.shape();
    try (Tensor flat = input.reshape(-1)) {
      for (long i : flat.toLongArray())
        if (i < 0 || i >= numEmbeddings)
          throw new IndexOutOfBoundsException("Embedding: index " + i + " is out of range for num_embeddings="
              + numEmbeddings + " (valid indices are 0 to " + (numEmbeddings - 1) + ")");
      long[] outShape = Arrays.copyOf(shape, shape.length + 1);
      outShape[shape.length] = embeddingDim;
      try (Tensor rows = weight.indexSelect(0, flat)) {
        return rows.view(outShape);
      }
    }
  }

  @Override
  public String extraRepr() {
    return numEmbeddings + ", " + embeddingDim;
  }
}
