// Matrix products: mm, bmm and torch.matmul's rank rules, on contiguous, transposed, sliced,
// broadcast and empty operands, in every dtype, with PyTorch's errors. Expected numbers come
// from torch 1.13 (snippets quoted) or from a naive triple loop written here.
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "core/tensor.h"
#include "cpu/kernels.h"
#include "ops/ops.h"

using namespace kd;

namespace {

std::vector<double> vals(const Tensor& t) {
  std::vector<double> out(static_cast<size_t>(t.numel()));
  ops::copy_to_host(t, out.data(), DType::Float64, t.numel());
  return out;
}

Tensor make(const std::vector<double>& v, Dims shape, DType dt = DType::Float32) {
  return ops::to_dtype(ops::from_host(v.data(), DType::Float64, shape), dt);
}

// torch: ((torch.arange(n) * 7) % 11 - 5).reshape(shape)  and  ((arange * 5) % 13 - 6)
Tensor pattern_a(Dims shape, DType dt = DType::Float32) {
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((i * 7) % 11) - 5;
  return make(v, shape, dt);
}
Tensor pattern_b(Dims shape, DType dt = DType::Float32) {
  std::vector<double> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>((i * 5) % 13) - 6;
  return make(v, shape, dt);
}

// Naive torch.matmul: 1-D operands become [1, k] / [k, 1], batch dims broadcast, and the added
// dims are dropped from the result. Reads values through each tensor's own strides.
std::vector<double> reference_matmul(const Tensor& a, const Tensor& b, Dims* shape) {
  std::vector<double> av = vals(a), bv = vals(b);  // row-major
  Dims as = a.sizes(), bs = b.sizes();
  if (a.dim() == 1) as.insert(0, 1);
  if (b.dim() == 1) bs.push_back(1);
  int32_t ra = as.size() - 2, rb = bs.size() - 2, nbd = std::max(ra, rb);
  int64_t m = as[ra], k = as[ra + 1], n = bs[rb + 1];
  Dims batch = Dims::filled(nbd, 1);
  for (int32_t i = 0; i < nbd; ++i) {
    int32_t ia = i - (nbd - ra), ib = i - (nbd - rb);
    int64_t x = ia >= 0 ? as[ia] : 1, y = ib >= 0 ? bs[ib] : 1;
    batch[i] = x == 1 ? y : x;
  }
  std::vector<double> out;
  Dims idx = Dims::filled(nbd, 0);
  for (int64_t bi = 0; bi < batch.numel(); ++bi) {
    int64_t rem = bi;
    for (int32_t d = nbd - 1; d >= 0; --d) { idx[d] = rem % batch[d]; rem /= batch[d]; }
    int64_t aoff = 0, boff = 0;
    for (int32_t d = 0; d < ra; ++d) aoff = aoff * as[d] + (as[d] == 1 ? 0 : idx[d + nbd - ra]);
    for (int32_t d = 0; d < rb; ++d) boff = boff * bs[d] + (bs[d] == 1 ? 0 : idx[d + nbd - rb]);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double s = 0;
        for (int64_t p = 0; p < k; ++p)
          s += av[static_cast<size_t>(aoff * m * k + i * k + p)] *
               bv[static_cast<size_t>(boff * k * n + p * n + j)];
        out.push_back(s);
      }
  }
  *shape = batch;
  if (a.dim() > 1) shape->push_back(m);
  if (b.dim() > 1) shape->push_back(n);
  return out;
}

void check_against_reference(const Tensor& a, const Tensor& b, double tol = 1e-4) {
  Dims shape;
  std::vector<double> expect = reference_matmul(a, b, &shape);
  Tensor c = ops::matmul(a, b);
  CHECK_EQ(c.sizes().str(), shape.str());
  CHECK(c.dtype() == a.dtype());
  std::vector<double> got = vals(c);
  CHECK_EQ(got.size(), expect.size());
  for (size_t i = 0; i < got.size() && i < expect.size(); ++i) {
    if (std::fabs(got[i] - expect[i]) > tol * (1 + std::fabs(expect[i]))) {
      CHECK_NEAR(got[i], expect[i], tol * (1 + std::fabs(expect[i])));
      break;
    }
  }
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

// expr must throw kd::Error with this code and exactly this message.
// The message must start with text (shapes may follow).
#define CHECK_ERROR(kcode, text, expr)                                           \
  do {                                                                           \
    CHECK_THROWS(kcode, expr);                                                   \
    try { (void)(expr); } catch (const ::kd::Error& _e) {                        \
      CHECK_EQ(std::string(_e.what()).substr(0, std::string(text).size()),      \
               std::string(text));                                               \
    }                                                                            \
  } while (0)

}  // namespace

TEST(mm_hand_computed_in_every_numeric_dtype) {
  // torch.tensor([[1,2,3],[4,5,6]]) @ torch.tensor([[7,8],[9,10],[11,12]]) -> [[58,64],[139,154]]
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    Tensor a = make({1, 2, 3, 4, 5, 6}, Dims{2, 3}, dt);
    Tensor b = make({7, 8, 9, 10, 11, 12}, Dims{3, 2}, dt);
    Tensor c = ops::mm(a, b);
    CHECK(c.sizes() == (Dims{2, 2}));
    CHECK(c.dtype() == dt);
    CHECK(vals(c) == (std::vector<double>{58, 64, 139, 154}));
    CHECK(vals(ops::matmul(a, b)) == (std::vector<double>{58, 64, 139, 154}));
  }
}

TEST(mm_reads_transposed_and_offset_operands_in_place) {
  // x.t() is column-major: BLAS takes it with the transpose flag; a narrow keeps an offset.
  Tensor x = make({1, 4, 2, 5, 3, 6}, Dims{3, 2});           // x.t() = [[1,2,3],[4,5,6]]
  Tensor y = make({7, 9, 11, 8, 10, 12}, Dims{2, 3});        // y.t() = [[7,8],[9,10],[11,12]]
  CHECK(vals(ops::mm(ops::transpose(x, 0, 1), ops::transpose(y, 0, 1))) ==
        (std::vector<double>{58, 64, 139, 154}));
  Tensor big = make({0, 0, 0, 1, 2, 3, 4, 5, 6}, Dims{3, 3});
  Tensor rows = ops::narrow(big, 0, 1, 2);                   // [[1,2,3],[4,5,6]], offset 3
  CHECK(vals(ops::mm(rows, ops::transpose(y, 0, 1))) == (std::vector<double>{58, 64, 139, 154}));
  // Which layouts go to BLAS as they are, and which are copied first.
  CHECK(cpu::gemm_layout_ok(2, 3, 3, 1));    // contiguous
  CHECK(cpu::gemm_layout_ok(2, 3, 1, 2));    // transposed contiguous
  CHECK(cpu::gemm_layout_ok(2, 3, 5, 1));    // rows of a wider matrix (narrow on columns)
  CHECK(cpu::gemm_layout_ok(1, 3, 0, 1));    // one row: its row stride never matters
  CHECK(cpu::gemm_layout_ok(3, 1, 2, 0));    // one column read with a step: ld = 2
  CHECK(!cpu::gemm_layout_ok(2, 3, 6, 2));   // step slice x[:, ::2]
  CHECK(!cpu::gemm_layout_ok(2, 3, 0, 1));   // rows broadcast (stride 0)
  CHECK(!cpu::gemm_layout_ok(2, 3, 3, 0));   // columns broadcast
  CHECK(!cpu::gemm_layout_ok(3, 3, 2, 1));   // overlapping rows
}

TEST(mm_copies_operands_blas_cannot_read) {
  Tensor wide = pattern_a(Dims{4, 10});
  Tensor stepped = ops::slice(wide, 1, 0, 10, 2);           // [4, 5], strides [10, 2]
  check_against_reference(stepped, pattern_b(Dims{5, 3}));
  Tensor row = pattern_b(Dims{1, 6});
  Tensor broadcast = ops::expand(row, Dims{4, 6});           // strides [0, 1]
  check_against_reference(pattern_a(Dims{3, 4}), broadcast);
  check_against_reference(ops::expand(pattern_a(Dims{3, 1}), Dims{3, 5}), pattern_b(Dims{5, 2}));
}

TEST(matmul_every_rank_combination_matches_torch) {
  struct Case { Dims a, b, out; double sum, first, last; };
  // r = torch.matmul(A(*sa), B(*sb)); (list(r.shape), r.sum(), r.flatten()[0], r.flatten()[-1])
  std::vector<Case> cases = {
      {Dims{3}, Dims{3}, Dims{}, 20, 20, 20},
      {Dims{2, 3}, Dims{3}, Dims{2}, -23, 20, -43},
      {Dims{3}, Dims{3, 4}, Dims{4}, 57, 42, 32},
      {Dims{2, 3}, Dims{3, 4}, Dims{2, 4}, 39, 42, -8},
      {Dims{2, 2, 3}, Dims{3}, Dims{2, 2}, -100, 20, -37},
      {Dims{3}, Dims{2, 3, 4}, Dims{2, 4}, 58, 42, -34},
      {Dims{2, 2, 3}, Dims{3, 4}, Dims{2, 2, 4}, 9, 42, 0},
      {Dims{2, 3}, Dims{2, 3, 4}, Dims{2, 2, 4}, 27, 42, 3},
      {Dims{2, 2, 3}, Dims{2, 3, 4}, Dims{2, 2, 4}, 4, 42, -11},
      {Dims{2, 1, 3, 4}, Dims{5, 4, 6}, Dims{2, 5, 3, 6}, -1, 52, 27},
      {Dims{2, 1, 3, 4}, Dims{4}, Dims{2, 1, 3}, 41, 0, -45},
      {Dims{4}, Dims{2, 1, 4, 3}, Dims{2, 1, 3}, 52, 26, 26},
      {Dims{1, 2, 3}, Dims{4, 1, 3, 2}, Dims{4, 1, 2, 2}, -67, 36, -30},
  };
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    for (const Case& c : cases) {
      Tensor a = pattern_a(c.a, dt), b = pattern_b(c.b, dt);
      Tensor r = ops::matmul(a, b);
      CHECK_EQ(r.sizes().str(), c.out.str());
      CHECK(r.dtype() == dt);
      std::vector<double> v = vals(r);
      CHECK_EQ(sum(v), c.sum);
      CHECK_EQ(v.front(), c.first);
      CHECK_EQ(v.back(), c.last);
      check_against_reference(a, b);
    }
  }
}

TEST(matmul_batched_operands_with_any_strides) {
  // Permuted batches (column-major matrices), stride-0 batches, narrowed batches.
  Tensor a = ops::permute(pattern_a(Dims{4, 5, 3}), Dims{0, 2, 1});    // [4, 3, 5], rs = 1
  Tensor b = pattern_b(Dims{4, 5, 2});
  check_against_reference(a, b);
  CHECK(vals(ops::bmm(a, b)) == vals(ops::matmul(a, b)));
  check_against_reference(a, pattern_b(Dims{5, 2}));                    // no fold: a is permuted
  check_against_reference(a, pattern_b(Dims{5}));
  Tensor shared = ops::expand(pattern_b(Dims{1, 5, 2}), Dims{4, 5, 2}); // batch stride 0
  check_against_reference(pattern_a(Dims{4, 3, 5}), shared);
  CHECK(vals(ops::bmm(pattern_a(Dims{4, 3, 5}), shared)) ==
        vals(ops::matmul(pattern_a(Dims{4, 3, 5}), pattern_b(Dims{5, 2}))));
  Tensor every_other = ops::slice(pattern_a(Dims{6, 3, 5}), 0, 0, 6, 2); // batch stride 30
  check_against_reference(every_other, pattern_b(Dims{5, 2}));
  check_against_reference(pattern_a(Dims{2, 1, 3, 5}),                // batch [2, 3]
                          ops::transpose(pattern_b(Dims{3, 2, 5}), 1, 2));
  // Vector-shaped products through dot and gemv, with transposed and stepped operands.
  Tensor m = ops::transpose(pattern_a(Dims{5, 3}), 0, 1);               // [3, 5] column-major
  check_against_reference(m, ops::slice(pattern_b(Dims{10}), 0, 0, 10, 2));
  check_against_reference(ops::slice(pattern_b(Dims{6}), 0, 0, 6, 2), m);
  check_against_reference(pattern_a(Dims{1, 5}), ops::transpose(pattern_b(Dims{4, 5}), 0, 1));
}

TEST(large_products_match_a_naive_loop) {
  // Sizes past the small-batch threshold and BLAS's blocking, in both float dtypes.
  ops::manual_seed(1);
  for (DType dt : {DType::Float32, DType::Float64}) {
    double tol = dt == DType::Float32 ? 1e-4 : 1e-10;
    Tensor a = ops::randn(Dims{67, 130}, dt), b = ops::randn(Dims{130, 71}, dt);
    check_against_reference(a, b, tol);
    check_against_reference(ops::transpose(ops::randn(Dims{130, 67}, dt), 0, 1), b, tol);
    check_against_reference(ops::randn(Dims{3, 130, 131}, dt), ops::randn(Dims{3, 131, 129}, dt),
                            tol);  // one threaded gemm per batch
    check_against_reference(ops::randn(Dims{40, 9, 17}, dt), ops::randn(Dims{40, 17, 5}, dt),
                            tol);  // small products spread over the pool
    check_against_reference(ops::randn(Dims{8, 20, 33}, dt), ops::randn(Dims{33, 12}, dt),
                            tol);  // folded into one [160, 33] @ [33, 12]
  }
}

TEST(int64_products_wrap_like_torch) {
  // torch.tensor([2**62, 2**62]) @ torch.tensor([4, 1]) -> tensor(4611686018427387904)
  int64_t big = int64_t(1) << 62;
  std::vector<int64_t> av = {big, big}, bv = {4, 1};
  Tensor a = ops::from_host(av.data(), DType::Int64, Dims{2});
  Tensor b = ops::from_host(bv.data(), DType::Int64, Dims{2});
  Tensor c = ops::matmul(a, b);
  CHECK_EQ(c.dim(), 0);
  CHECK_EQ(*c.data<int64_t>(), big);
  // Strided int64 operands: transposed and stepped.
  Tensor x = pattern_a(Dims{7, 6}, DType::Int64);
  check_against_reference(ops::transpose(x, 0, 1), ops::slice(pattern_b(Dims{7, 8}, DType::Int64), 1, 0, 8, 3));
  check_against_reference(pattern_a(Dims{3, 4, 300}, DType::Int64),
                          pattern_b(Dims{300, 270}, DType::Int64));
}

TEST(zero_sized_products) {
  // torch.mm(torch.ones(2, 0), torch.ones(0, 3)) -> zeros(2, 3)
  for (DType dt : {DType::Float32, DType::Float64, DType::Int64}) {
    Tensor z = ops::mm(ops::full(Dims{2, 0}, 1, dt), ops::full(Dims{0, 3}, 1, dt));
    CHECK(z.sizes() == (Dims{2, 3}));
    CHECK(vals(z) == std::vector<double>(6, 0.0));
    CHECK(ops::mm(ops::full(Dims{0, 4}, 1, dt), ops::full(Dims{4, 3}, 1, dt)).sizes() ==
          (Dims{0, 3}));
    CHECK(ops::mm(ops::full(Dims{2, 4}, 1, dt), ops::full(Dims{4, 0}, 1, dt)).sizes() ==
          (Dims{2, 0}));
    Tensor d = ops::matmul(ops::full(Dims{0}, 1, dt), ops::full(Dims{0}, 1, dt));
    CHECK_EQ(d.dim(), 0);
    CHECK_EQ(ops::item(d), 0.0);
    CHECK(ops::bmm(ops::full(Dims{0, 2, 3}, 1, dt), ops::full(Dims{0, 3, 4}, 1, dt)).sizes() ==
          (Dims{0, 2, 4}));
    Tensor e = ops::matmul(ops::full(Dims{3, 2, 0}, 1, dt), ops::full(Dims{0, 5}, 1, dt));
    CHECK(e.sizes() == (Dims{3, 2, 5}));
    CHECK(vals(e) == std::vector<double>(30, 0.0));
    CHECK(ops::matmul(ops::full(Dims{2, 0, 3, 4}, 1, dt), ops::full(Dims{4}, 1, dt)).sizes() ==
          (Dims{2, 0, 3}));
  }
}

TEST(errors_name_the_op_shapes_and_dtypes) {
  Tensor f23 = ops::full(Dims{2, 3}, 1, DType::Float32);
  Tensor f45 = ops::full(Dims{4, 5}, 1, DType::Float32);
  Tensor d35 = ops::full(Dims{3, 5}, 1, DType::Float64);
  // torch.mm(torch.ones(2,3), torch.ones(4,5)): mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)
  CHECK_ERROR(KD_ERR_ARGUMENT, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
              ops::mm(f23, f45));
  CHECK_ERROR(KD_ERR_ARGUMENT, "mm: expected 2-D tensors, got 3-D and 2-D",
              ops::mm(ops::full(Dims{2, 3, 3}, 1, DType::Float32), f45));
  CHECK_ERROR(KD_ERR_ARGUMENT, "mm: expected 2-D tensors, got 2-D and 1-D",
              ops::mm(f23, ops::full(Dims{3}, 1, DType::Float32)));
  // Sizes are checked before dtypes, as in torch.
  CHECK_ERROR(KD_ERR_ARGUMENT, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
              ops::mm(f23, ops::full(Dims{4, 5}, 1, DType::Float64)));
  CHECK_ERROR(KD_ERR_DTYPE,
              "mm: expected m1 and m2 to have the same dtype, but got: float32 != float64",
              ops::mm(f23, d35));
  Tensor b23 = ops::full(Dims{2, 3}, 1, DType::Bool), b35 = ops::full(Dims{3, 5}, 1, DType::Bool);
  CHECK_ERROR(KD_ERR_DTYPE, "mm: not implemented for bool", ops::mm(b23, b35));

  CHECK_ERROR(KD_ERR_ARGUMENT, "bmm: expected 3-D tensors, got 2-D and 2-D", ops::bmm(f23, d35));
  CHECK_ERROR(KD_ERR_ARGUMENT,
              "bmm: batch1 [2, 2, 3] and batch2 [3, 3, 5] cannot be multiplied: expected batch2's "
              "first two dimensions to be [2, 3] but got [3, 3]",
              ops::bmm(ops::full(Dims{2, 2, 3}, 1, DType::Float32),
                       ops::full(Dims{3, 3, 5}, 1, DType::Float32)));
  CHECK_ERROR(KD_ERR_ARGUMENT,
              "bmm: batch1 [2, 2, 3] and batch2 [2, 4, 5] cannot be multiplied: expected batch2's "
              "first two dimensions to be [2, 3] but got [2, 4]",
              ops::bmm(ops::full(Dims{2, 2, 3}, 1, DType::Float32),
                       ops::full(Dims{2, 4, 5}, 1, DType::Float32)));
  CHECK_ERROR(KD_ERR_DTYPE,
              "bmm: expected batch1 and batch2 to have the same dtype, but got: float64 != float32",
              ops::bmm(ops::full(Dims{2, 2, 3}, 1, DType::Float64),
                       ops::full(Dims{2, 3, 5}, 1, DType::Float32)));
  CHECK_ERROR(KD_ERR_DTYPE, "bmm: not implemented for bool",
              ops::bmm(ops::full(Dims{2, 2, 3}, 1, DType::Bool),
                       ops::full(Dims{2, 3, 5}, 1, DType::Bool)));

  Tensor s = ops::scalar(1, DType::Float32), v3 = ops::full(Dims{3}, 1, DType::Float32);
  CHECK_ERROR(KD_ERR_ARGUMENT,
              "matmul: both arguments need to be at least 1-D, but they are 0-D and 1-D",
              ops::matmul(s, v3));
  CHECK_ERROR(KD_ERR_ARGUMENT, "matmul: shapes [3] and [4] cannot be multiplied",
              ops::matmul(v3, ops::full(Dims{4}, 1, DType::Float32)));
  CHECK_ERROR(KD_ERR_ARGUMENT, "matmul: shapes [2, 3] and [4, 5] cannot be multiplied",
              ops::matmul(f23, f45));
  CHECK_ERROR(KD_ERR_ARGUMENT, "matmul: shapes [2, 2, 3, 4] and [5] cannot be multiplied",
              ops::matmul(ops::full(Dims{2, 2, 3, 4}, 1, DType::Float32),
                          ops::full(Dims{5}, 1, DType::Float32)));
  // torch: The size of tensor a (2) must match the size of tensor b (5) at non-singleton dimension 1
  CHECK_ERROR(KD_ERR_ARGUMENT,
              "matmul: batch dimensions [2, 2] and [5] of shapes [2, 2, 3, 4] and [5, 4, 6] "
              "cannot be broadcast",
              ops::matmul(ops::full(Dims{2, 2, 3, 4}, 1, DType::Float32),
                          ops::full(Dims{5, 4, 6}, 1, DType::Float32)));
  CHECK_ERROR(KD_ERR_DTYPE,
              "matmul: expected both operands to have the same dtype, but got: float32 != float64",
              ops::matmul(v3, ops::full(Dims{3}, 1, DType::Float64)));
  CHECK_ERROR(KD_ERR_DTYPE,
              "matmul: expected both operands to have the same dtype, but got: int64 != float32",
              ops::matmul(ops::full(Dims{2, 3}, 1, DType::Int64), ops::full(Dims{3, 2}, 1, DType::Float32)));
  CHECK_ERROR(KD_ERR_DTYPE, "matmul: not implemented for bool",
              ops::matmul(ops::full(Dims{3}, 1, DType::Bool), ops::full(Dims{3}, 1, DType::Bool)));
}
