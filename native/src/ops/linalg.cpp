// Matrix products: mm (2-D), bmm (3-D, same batch) and matmul with torch.matmul's rules
// (1-D operands become a row or a column and lose that dim again; batch dims broadcast).
// Everything is lowered to one batched kernel over views; an operand is copied only when its
// matrix strides cannot be described to BLAS (stride 0, step slices), and then only in its own
// shape, before any broadcasting. Checks follow PyTorch's order: ranks, sizes, then dtypes.
#include <climits>

#include "ops/dispatch.h"
#include "ops/ops.h"

namespace kd {
namespace ops {

namespace {

std::string mat_str(const Dims& s) {  // "2x3", as PyTorch prints matrices in mm errors
  std::string out;
  for (int32_t i = 0; i < s.size(); ++i) out += (i ? "x" : "") + std::to_string(s[i]);
  return out;
}

void check_dtypes(const Tensor& a, const Tensor& b, const char* op, const char* names) {
  if (a.dtype() != b.dtype())
    fail(KD_ERR_DTYPE, op, ": expected ", names, " to have the same dtype, but got: ",
         dtype_name(a.dtype()), " != ", dtype_name(b.dtype()));
  if (a.dtype() == DType::Bool)
    fail(KD_ERR_DTYPE, op, ": not implemented for ", dtype_name(a.dtype()));
}

// t, or a contiguous copy when BLAS cannot read its last two dims in place.
Tensor blas_ready(const Tensor& t) {
  if (!is_floating(t.dtype())) return t;
  int32_t r = t.dim() - 2;
  if (cpu::gemm_layout_ok(t.size(r), t.size(r + 1), t.stride(r), t.stride(r + 1))) return t;
  return clone(t);
}

void check_blas_sizes(int64_t m, int64_t n, int64_t k, const char* op) {
  if (m > INT_MAX || n > INT_MAX || k > INT_MAX)
    fail(KD_ERR_ARGUMENT, op, ": matrix sizes ", m, "x", k, " and ", k, "x", n,
         " exceed the 2^31-1 limit of BLAS");
}

// out = a @ b where a is [..., m, k], b is [..., k, n] with equal batch sizes: the shared path of
// mm, bmm and matmul once shapes are settled.
Tensor batched_product(const Tensor& a, const Tensor& b, const char* op) {
  int32_t r = a.dim() - 2;
  int64_t m = a.size(r), k = a.size(r + 1), n = b.size(r + 1);
  if (is_floating(a.dtype())) check_blas_sizes(m, n, k, op);
  Dims shape = a.sizes();
  shape[r + 1] = n;
  Tensor out = Tensor::empty_like_device(shape, a.dtype(), a);
  KD_KERNEL(out, matmul_kernel, out, a, b);
  return out;
}

// torch.matmul's fold of a batched matrix times one matrix: when a's batch dims and rows are
// one run in memory, a [..., m, k] is viewed as [B*m, k] and the product is a single GEMM.
bool fold_rows(const Tensor& a, Tensor* folded) {
  int32_t r = a.dim() - 2;
  int64_t rows = 1, row_stride = a.stride(r);
  int32_t inner = -1;  // the next inner dim of size != 1 already visited
  for (int32_t d = r; d >= 0; --d) {
    rows *= a.size(d);
    if (a.size(d) == 1) continue;
    if (inner >= 0 && a.stride(d) != a.stride(inner) * a.size(inner)) return false;
    if (inner < 0) row_stride = a.stride(d);
    inner = d;
  }
  int64_t k = a.size(r + 1);
  if (is_floating(a.dtype()) &&
      (rows > INT_MAX || !cpu::gemm_layout_ok(rows, k, row_stride, a.stride(r + 1))))
    return false;
  *folded = Tensor::view_of(a, Dims{rows, k}, Dims{row_stride, a.stride(r + 1)}, a.offset());
  return true;
}

}  // namespace

Tensor mm(const Tensor& a, const Tensor& b) {
  check_devices("mm", {&a, &b});
  if (a.dim() != 2 || b.dim() != 2)
    fail(KD_ERR_ARGUMENT, "mm: expected 2-D tensors, got ", a.dim(), "-D and ", b.dim(), "-D (shapes ",
         a.shape_str(), " and ", b.shape_str(), ")");
  if (a.size(1) != b.size(0))
    fail(KD_ERR_ARGUMENT, "mm: mat1 and mat2 shapes cannot be multiplied (", mat_str(a.sizes()),
         " and ", mat_str(b.sizes()), "); shapes ", a.shape_str(), " and ", b.shape_str());
  check_dtypes(a, b, "mm", "m1 and m2");
  return batched_product(blas_ready(a), blas_ready(b), "mm");
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  check_devices("bmm", {&a, &b});
  if (a.dim() != 3 || b.dim() != 3)
    fail(KD_ERR_ARGUMENT, "bmm: expected 3-D tensors, got ", a.dim(), "-D and ", b.dim(), "-D (shapes ",
         a.shape_str(), " and ", b.shape_str(), ")");
  if (b.size(0) != a.size(0) || b.size(1) != a.size(2))
    fail(KD_ERR_ARGUMENT, "bmm: batch1 ", a.shape_str(), " and batch2 ", b.shape_str(),
         " cannot be multiplied: expected batch2's first two dimensions to be [", a.size(0), ", ",
         a.size(2), "] but got [", b.size(0), ", ", b.size(1), "]");
  check_dtypes(a, b, "bmm", "batch1 and batch2");
  return batched_product(blas_ready(a), blas_ready(b), "bmm");
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_devices("matmul", {&a, &b});
  if (a.dim() == 0 || b.dim() == 0)
    fail(KD_ERR_ARGUMENT, "matmul: both arguments need to be at least 1-D, but they are ",
         a.dim(), "-D and ", b.dim(), "-D (shapes ", a.shape_str(), " and ", b.shape_str(), ")");
  // A 1-D left operand is a row [1, k]; a 1-D right operand is a column [k, 1].
  Tensor a2 = a.dim() == 1 ? unsqueeze(a, 0) : a;
  Tensor b2 = b.dim() == 1 ? unsqueeze(b, 1) : b;
  int32_t ra = a2.dim() - 2, rb = b2.dim() - 2;
  int64_t m = a2.size(ra), k = a2.size(ra + 1), n = b2.size(rb + 1);
  if (b2.size(rb) != k)
    fail(KD_ERR_ARGUMENT, "matmul: shapes ", a.shape_str(), " and ", b.shape_str(),
         " cannot be multiplied");
  Dims batch_a(a2.sizes().data(), ra), batch_b(b2.sizes().data(), rb);
  Dims batch = Dims::filled(std::max(ra, rb), 1);
  for (int32_t i = 0; i < batch.size(); ++i) {
    int32_t ia = ra - batch.size() + i, ib = rb - batch.size() + i;
    int64_t x = ia >= 0 ? batch_a[ia] : 1, y = ib >= 0 ? batch_b[ib] : 1;
    if (x != y && x != 1 && y != 1)
      fail(KD_ERR_ARGUMENT, "matmul: batch dimensions ", batch_a.str(), " and ", batch_b.str(),
           " of shapes ", a.shape_str(), " and ", b.shape_str(), " cannot be broadcast");
    batch[i] = x == 1 ? y : x;
  }
  check_dtypes(a, b, "matmul", "both operands");
  // torch.matmul's result shape: the broadcast batch, then m unless a was 1-D, n unless b was.
  Dims result = batch;
  if (a.dim() > 1) result.push_back(m);
  if (b.dim() > 1) result.push_back(n);

  a2 = blas_ready(a2);
  b2 = blas_ready(b2);
  Tensor folded;
  if (rb == 0 && ra > 0 && fold_rows(a2, &folded)) {
    Tensor out = batched_product(folded, b2, "matmul");
    return unsafe_view(out, result);
  }
  Dims shape_a = batch, shape_b = batch;
  shape_a.push_back(m);
  shape_a.push_back(k);
  shape_b.push_back(k);
  shape_b.push_back(n);
  Tensor out = batched_product(expand(a2, shape_a), expand(b2, shape_b), "matmul");
  return unsafe_view(out, result);
}

}  // namespace ops
}  // namespace kd
