package dev.kindling.property;

import java.util.Arrays;

/**
 * A plain-Java n-d array: shape, strides and offset over a double[], with PyTorch's view rules
 * written out independently of Kindling. The property tests run the same shape ops here and on
 * Kindling tensors and compare shape, strides, offset and every element.
 */
final class StridedModel {
  final long[] shape;
  final long[] stride;
  final long offset;
  final double[] data;

  StridedModel(long[] shape, long[] stride, long offset, double[] data) {
    this.shape = shape;
    this.stride = stride;
    this.offset = offset;
    this.data = data;
  }

  /** A fresh contiguous array holding {@code values} in row-major order. */
  static StridedModel of(double[] values, long[] shape) {
    return new StridedModel(shape.clone(), contiguousStrides(shape), 0, values);
  }

  static long numel(long[] shape) {
    long n = 1;
    for (long s : shape) n *= s;
    return n;
  }

  static long[] contiguousStrides(long[] shape) {
    long[] st = new long[shape.length];
    long acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      st[d] = acc;
      acc *= Math.max(shape[d], 1);
    }
    return st;
  }

  int dim() {
    return shape.length;
  }

  long numel() {
    return numel(shape);
  }

  /** PyTorch's is_contiguous: empty arrays are; dims of size 1 may have any stride. */
  boolean isContiguous() {
    if (numel() == 0) return true;
    long expected = 1;
    for (int d = dim() - 1; d >= 0; d--) {
      if (shape[d] == 1) continue;
      if (stride[d] != expected) return false;
      expected *= shape[d];
    }
    return true;
  }

  /** The elements in row-major order of the logical shape. */
  double[] values() {
    int n = (int) numel();
    double[] out = new double[n];
    long[] idx = new long[dim()];
    for (int i = 0; i < n; i++) {
      long p = offset;
      for (int d = 0; d < dim(); d++) p += idx[d] * stride[d];
      out[i] = data[(int) p];
      for (int d = dim() - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }

  static int wrap(long dim, int rank) {
    int r = Math.max(rank, 1);  // a 0-dim array takes dims -1 and 0, as in PyTorch
    if (dim < -r || dim >= r) throw new IllegalArgumentException("dim " + dim + " out of range for rank " + rank);
    return (int) (dim < 0 ? dim + r : dim);
  }

  StridedModel withGeometry(long[] sz, long[] st, long off) {
    return new StridedModel(sz, st, off, data);
  }

  /** A contiguous copy (as clone(memory_format=contiguous)). */
  StridedModel copy() {
    return of(values(), shape);
  }

  static long[] inferShape(long[] shape, long numel) {
    long[] out = shape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] == -1) infer = i;
      else known *= shape[i];
    }
    if (infer >= 0) out[infer] = numel / known;
    return out;
  }

  /**
   * The strides a view of shape {@code sz} would have, or null when no view can express it
   * (PyTorch's computeStride: dims are merged into chunks that are contiguous among themselves).
   */
  long[] viewStrides(long[] sz) {
    long n = numel();
    if (n == 0) {
      if (Arrays.equals(shape, sz)) return stride.clone();
      return contiguousStrides(sz);
    }
    long[] st = new long[sz.length];
    if (dim() == 0) {
      Arrays.fill(st, 1);  // every size is 1
      return st;
    }
    int viewD = sz.length - 1;
    long chunkBase = stride[dim() - 1];
    long tensorNumel = 1, viewNumel = 1;
    for (int d = dim() - 1; d >= 0; d--) {
      tensorNumel *= shape[d];
      if (d == 0 || (shape[d - 1] != 1 && stride[d - 1] != tensorNumel * chunkBase)) {
        while (viewD >= 0 && (viewNumel < tensorNumel || sz[viewD] == 1)) {
          st[viewD] = viewNumel * chunkBase;
          viewNumel *= sz[viewD];
          viewD--;
        }
        if (viewNumel != tensorNumel) return null;
        if (d > 0) {
          chunkBase = stride[d - 1];
          tensorNumel = 1;
          viewNumel = 1;
        }
      }
    }
    return viewD == -1 ? st : null;
  }

  /** view(shape): null when not viewable. */
  StridedModel view(long[] shapeArg) {
    long[] sz = inferShape(shapeArg, numel());
    long[] st = viewStrides(sz);
    return st == null ? null : withGeometry(sz, st, offset);
  }

  StridedModel reshape(long[] shapeArg) {
    StridedModel v = view(shapeArg);
    if (v != null) return v;
    long[] sz = inferShape(shapeArg, numel());
    return of(values(), sz);
  }

  StridedModel transpose(long d0, long d1) {
    if (dim() == 0) return this;
    int a = wrap(d0, dim()), b = wrap(d1, dim());
    long[] sz = shape.clone(), st = stride.clone();
    sz[a] = shape[b];
    sz[b] = shape[a];
    st[a] = stride[b];
    st[b] = stride[a];
    return withGeometry(sz, st, offset);
  }

  StridedModel permute(int[] dims) {
    long[] sz = new long[dim()], st = new long[dim()];
    for (int i = 0; i < dims.length; i++) {
      sz[i] = shape[dims[i]];
      st[i] = stride[dims[i]];
    }
    return withGeometry(sz, st, offset);
  }

  StridedModel unsqueeze(long dimArg) {
    int d = wrap(dimArg, dim() + 1);
    long[] sz = new long[dim() + 1], st = new long[dim() + 1];
    for (int i = 0, j = 0; i <= dim(); i++) {
      if (i == d) {
        sz[i] = 1;
        st[i] = d >= dim() ? 1 : shape[d] * stride[d];
      } else {
        sz[i] = shape[j];
        st[i] = stride[j];
        j++;
      }
    }
    return withGeometry(sz, st, offset);
  }

  StridedModel squeeze() {
    int keep = 0;
    for (long s : shape) if (s != 1) keep++;
    long[] sz = new long[keep], st = new long[keep];
    for (int i = 0, j = 0; i < dim(); i++) {
      if (shape[i] != 1) {
        sz[j] = shape[i];
        st[j++] = stride[i];
      }
    }
    return withGeometry(sz, st, offset);
  }

  StridedModel squeeze(long dimArg) {
    int d = wrap(dimArg, dim());
    if (dim() == 0 || shape[d] != 1) return this;
    return select(d, 0);
  }

  StridedModel select(long dimArg, long index) {
    int d = wrap(dimArg, dim());
    long i = index < 0 ? index + shape[d] : index;
    long[] sz = new long[dim() - 1], st = new long[dim() - 1];
    for (int k = 0, j = 0; k < dim(); k++) {
      if (k == d) continue;
      sz[j] = shape[k];
      st[j++] = stride[k];
    }
    return withGeometry(sz, st, offset + i * stride[d]);
  }

  StridedModel narrow(long dimArg, long start, long length) {
    int d = wrap(dimArg, dim());
    long s = start < 0 ? start + shape[d] : start;
    long[] sz = shape.clone();
    sz[d] = length;
    return withGeometry(sz, stride.clone(), offset + s * stride[d]);
  }

  /** Python's {@code t[start:end:step]} along one dim: negative bounds count from the end, then clamp. */
  StridedModel slice(long dimArg, long start, long end, long step) {
    int d = wrap(dimArg, dim());
    long n = shape[d];
    if (start < 0) start += n;
    if (end < 0) end += n;
    start = Math.min(Math.max(start, 0), n);
    end = Math.min(Math.max(end, start), n);
    long[] sz = shape.clone(), st = stride.clone();
    sz[d] = (end - start + step - 1) / step;
    st[d] = stride[d] * step;
    return withGeometry(sz, st, offset + start * stride[d]);
  }

  /** expand: new leading dims and dims of size 1 get stride 0; -1 keeps a dim. */
  StridedModel expand(long[] sizes) {
    int lead = sizes.length - dim();
    long[] sz = new long[sizes.length], st = new long[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      if (i < lead) {
        sz[i] = sizes[i];
        st[i] = 0;
      } else {
        long old = shape[i - lead];
        long want = sizes[i] == -1 ? old : sizes[i];
        sz[i] = want;
        st[i] = want == old ? stride[i - lead] : 0;
      }
    }
    return withGeometry(sz, st, offset);
  }

  /** flatten(start, end): the same array when start == end (a 0-dim array becomes [1]). */
  StridedModel flatten(long startArg, long endArg) {
    if (dim() == 0) return reshape(new long[] {1});
    int s = wrap(startArg, dim()), e = wrap(endArg, dim());
    if (s == e) return this;
    long[] sz = new long[dim() - (e - s)];
    long merged = 1;
    for (int i = s; i <= e; i++) merged *= shape[i];
    for (int i = 0, j = 0; i < dim(); i++) {
      if (i < s || i > e) sz[j++] = shape[i];
      else if (i == s) sz[j++] = merged;
    }
    return reshape(sz);
  }

  StridedModel contiguous() {
    return isContiguous() ? this : copy();
  }

  @Override
  public String toString() {
    return "shape " + Arrays.toString(shape) + " strides " + Arrays.toString(stride) + " offset " + offset;
  }
}
