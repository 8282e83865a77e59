// Joining (cat, stack, split_with_sizes) and indexing (index_select, gather, scatter_add) as
// specified by PyTorch 1.13. Each case quotes the torch call it reproduces; expected values and
// error texts were taken from torch itself.
#include <string>
#include <vector>

#include "check.h"
#include "core/tensor.h"
#include "ops/ops.h"

using namespace kd;

namespace {

Tensor f32(std::vector<float> v, Dims shape) { return ops::from_host(v.data(), DType::Float32, shape); }
Tensor f64(std::vector<double> v, Dims shape) { return ops::from_host(v.data(), DType::Float64, shape); }
Tensor i64(std::vector<int64_t> v, Dims shape) { return ops::from_host(v.data(), DType::Int64, shape); }
Tensor boolean(std::vector<uint8_t> v, Dims shape) { return ops::from_host(v.data(), DType::Bool, shape); }
// torch.arange(n, dtype).view(shape)
Tensor iota(Dims shape, DType dtype = DType::Float32) {
  return ops::view(ops::arange(0, static_cast<double>(shape.numel()), 1, dtype), shape);
}
Tensor zeros(Dims shape, DType dtype = DType::Float32) { return ops::full(shape, 0, dtype); }

std::vector<double> vals(const Tensor& t) {
  std::vector<double> out(t.numel());
  ops::copy_to_host(t, out.data(), DType::Float64, t.numel());
  return out;
}

// The message of the kd::Error thrown by f (empty if none).
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

// ------------------------------------------------------------------------------------------
// cat

TEST(cat_along_each_dim_and_negative_dims) {
  Tensor a = iota(Dims{2, 3});
  Tensor b = ops::binary_scalar(KD_ADD, iota(Dims{1, 3}), 10, DType::Int64);
  // torch.cat([a, b]) -> [[0,1,2],[3,4,5],[10,11,12]]
  Tensor r0 = ops::cat({a, b}, 0);
  CHECK(r0.sizes() == (Dims{3, 3}));
  CHECK(vals(r0) == (std::vector<double>{0, 1, 2, 3, 4, 5, 10, 11, 12}));
  // torch.cat([a, c], -1) with c = [[7],[8]] -> [[0,1,2,7],[3,4,5,8]]
  Tensor c = f32({7, 8}, Dims{2, 1});
  Tensor r1 = ops::cat({a, c}, -1);
  CHECK(r1.sizes() == (Dims{2, 4}));
  CHECK(vals(r1) == (std::vector<double>{0, 1, 2, 7, 3, 4, 5, 8}));
  CHECK(vals(ops::cat({a, c}, 1)) == vals(r1));
  // -2 is dim 0 for 2-D inputs
  CHECK(vals(ops::cat({a, b}, -2)) == vals(r0));
  // A single input is copied, not aliased.
  Tensor one = ops::cat({a}, 0);
  CHECK(one.storage() != a.storage());
  CHECK(vals(one) == vals(a));
  // Three-way cat in the middle dim of 3-D tensors.
  Tensor x = iota(Dims{2, 1, 2}), y = ops::full(Dims{2, 2, 2}, -1, DType::Float32);
  Tensor r2 = ops::cat({x, y, x}, 1);
  CHECK(r2.sizes() == (Dims{2, 4, 2}));
  CHECK(vals(r2) == (std::vector<double>{0, 1, -1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, 2, 3}));
}

TEST(cat_promotes_to_the_common_dtype) {
  Tensor i = i64({1, 2}, Dims{2});
  Tensor b = boolean({1, 0}, Dims{2});
  Tensor f = f32({0.5f}, Dims{1});
  Tensor d = f64({0.25}, Dims{1});
  // torch.cat([int64, bool]).dtype == int64
  Tensor ib = ops::cat({i, b}, 0);
  CHECK(ib.dtype() == DType::Int64);
  CHECK(vals(ib) == (std::vector<double>{1, 2, 1, 0}));
  // int64 + float32 -> float32; float32 + float64 -> float64
  Tensor if_ = ops::cat({i, f}, 0);
  CHECK(if_.dtype() == DType::Float32);
  CHECK(vals(if_) == (std::vector<double>{1, 2, 0.5}));
  CHECK(ops::cat({f, d}, 0).dtype() == DType::Float64);
  CHECK(ops::cat({b, b}, 0).dtype() == DType::Bool);
  // A skipped legacy empty tensor still takes part in promotion:
  // torch.cat([torch.zeros(0, dtype=float64), torch.ones(1, 3)]).dtype == float64
  Tensor r = ops::cat({zeros(Dims{0}, DType::Float64), ops::full(Dims{1, 3}, 1, DType::Float32)}, 0);
  CHECK(r.dtype() == DType::Float64);
  CHECK(r.sizes() == (Dims{1, 3}));
}

TEST(cat_skips_legacy_1d_empty_tensors) {
  Tensor x = iota(Dims{2, 3});
  // torch.cat([torch.zeros(0), x], 1) == x (the [0] tensor neither fixes the rank nor the sizes)
  Tensor r = ops::cat({zeros(Dims{0}), x, zeros(Dims{0})}, 1);
  CHECK(r.sizes() == (Dims{2, 3}));
  CHECK(vals(r) == vals(x));
  // dim is wrapped against the first tensor that takes part: -1 is dim 1 here
  CHECK(ops::cat({zeros(Dims{0}), x}, -1).sizes() == (Dims{2, 3}));
  // torch.cat([torch.zeros(0), torch.zeros(0)], 5) -> tensor([]) (nothing to wrap dim against)
  Tensor e = ops::cat({zeros(Dims{0}), zeros(Dims{0}, DType::Int64)}, 5);
  CHECK(e.sizes() == (Dims{0}));
  CHECK(e.dtype() == DType::Float32);
  // Other empty shapes are not skipped: torch.cat([torch.zeros(0, 3), x]) is x, by size
  CHECK(ops::cat({zeros(Dims{0, 3}), x}, 0).sizes() == (Dims{2, 3}));
  // ... and torch.cat([torch.zeros(0, 2), x]) is a size error
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::cat({zeros(Dims{0, 2}), x}, 0));
  // The tensor number in messages counts skipped tensors too.
  std::string msg = error_of([&] { ops::cat({zeros(Dims{0}), x, zeros(Dims{3, 3})}, 1); });
  CHECK_EQ(msg, std::string("cat: sizes of tensors must match except in dimension 1. Expected size 2 "
                            "but got size 3 for tensor number 2 in the list (shapes [2, 3] and [3, 3])."));
}

TEST(cat_reads_non_contiguous_inputs) {
  // torch.cat([a.t(), b[:, ::2]], 0) with a = arange(6).view(2,3), b = arange(12).view(2,6)
  Tensor a = ops::transpose(iota(Dims{2, 3}), 0, 1);             // [3, 2]: 0 3 / 1 4 / 2 5
  Tensor b = ops::slice(iota(Dims{2, 6}, DType::Int64), 1, 0, 6, 3);  // [2, 2]: 0 3 / 6 9
  CHECK(!a.is_contiguous());
  CHECK(!b.is_contiguous());
  Tensor r = ops::cat({a, b}, 0);
  CHECK(r.dtype() == DType::Float32);
  CHECK(r.sizes() == (Dims{5, 2}));
  CHECK(vals(r) == (std::vector<double>{0, 3, 1, 4, 2, 5, 0, 3, 6, 9}));
  // An expanded input (stride 0) next to a contiguous one, along dim 1.
  Tensor e = ops::expand(f32({1, 2, 3}, Dims{3, 1}), Dims{3, 2});
  Tensor r1 = ops::cat({a, e}, 1);
  CHECK(vals(r1) == (std::vector<double>{0, 3, 1, 1, 1, 4, 2, 2, 2, 5, 3, 3}));
}

TEST(cat_large_inputs_split_across_threads) {
  // Many outer rows so the memcpy pass runs in parallel; one strided input takes copy_kernel.
  const int64_t rows = 5000;
  Tensor a = iota(Dims{rows, 100});
  Tensor b = ops::transpose(iota(Dims{28, rows}), 0, 1);  // [rows, 28], strided
  Tensor r = ops::cat({a, b}, 1);
  CHECK(r.sizes() == (Dims{rows, 128}));
  std::vector<double> v = vals(r);
  int bad = 0;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < 128; ++j) {
      double want = j < 100 ? static_cast<double>(i * 100 + j) : static_cast<double>((j - 100) * rows + i);
      if (v[i * 128 + j] != want) ++bad;
    }
  CHECK_EQ(bad, 0);
}

TEST(cat_rejects_bad_inputs) {
  Tensor x = zeros(Dims{2, 2});
  // torch.cat([]) -> "expected a non-empty list of Tensors"
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::cat({}, 0));
  // torch.cat([x, torch.tensor(1.)]) -> zero-dimensional tensor (at position 1) cannot be concatenated
  CHECK(contains(error_of([&] { ops::cat({x, ops::scalar(1, DType::Float32)}, 0); }),
                 "zero-dimensional tensor (at position 1) cannot be concatenated"));
  // torch.cat([x, torch.zeros(2, 2, 1)]) -> Tensors must have same number of dimensions: got 2 and 3
  CHECK(contains(error_of([&] { ops::cat({x, zeros(Dims{2, 2, 1})}, 0); }),
                 "same number of dimensions: got 2 and 3"));
  // torch.cat([torch.zeros(2, 2), torch.zeros(3, 3)], 1)
  std::string msg = error_of([&] { ops::cat({x, zeros(Dims{3, 3})}, 1); });
  CHECK_EQ(msg, std::string("cat: sizes of tensors must match except in dimension 1. Expected size 2 "
                            "but got size 3 for tensor number 1 in the list (shapes [2, 2] and [3, 3])."));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::cat({x, zeros(Dims{3, 3})}, 1));
  // Dimension out of range (expected to be in range of [-2, 1], but got 2)
  CHECK_THROWS(KD_ERR_INDEX, ops::cat({x, x}, 2));
  CHECK_THROWS(KD_ERR_INDEX, ops::cat({x, x}, -3));
  CHECK(contains(error_of([&] { ops::cat({x, x}, 2); }), "[-2, 1], but got 2"));
}

// ------------------------------------------------------------------------------------------
// stack

TEST(stack_inserts_a_new_dim) {
  Tensor a = iota(Dims{2, 3});
  Tensor b = ops::binary_scalar(KD_ADD, iota(Dims{2, 3}), 10, DType::Int64);
  Tensor s0 = ops::stack({a, b}, 0);
  CHECK(s0.sizes() == (Dims{2, 2, 3}));
  CHECK(vals(s0) == (std::vector<double>{0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}));
  // torch.stack([a, b], 1): [2, 2, 3]
  Tensor s1 = ops::stack({a, b}, 1);
  CHECK(s1.sizes() == (Dims{2, 2, 3}));
  CHECK(vals(s1) == (std::vector<double>{0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15}));
  // torch.stack([a, b], -1) == torch.stack([a, b], 2): [2, 3, 2]
  Tensor s2 = ops::stack({a, b}, -1);
  CHECK(s2.sizes() == (Dims{2, 3, 2}));
  CHECK(vals(s2) == (std::vector<double>{0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15}));
  CHECK(vals(ops::stack({a, b}, 2)) == vals(s2));
  CHECK(vals(ops::stack({a, b}, -3)) == vals(s0));
  // 0-dim inputs and promotion: torch.stack([torch.tensor(1), torch.tensor(2.5)]) -> [1.0, 2.5]
  Tensor s3 = ops::stack({ops::scalar(1, DType::Int64), ops::scalar(2.5, DType::Float32)}, 0);
  CHECK(s3.sizes() == (Dims{2}));
  CHECK(s3.dtype() == DType::Float32);
  CHECK(vals(s3) == (std::vector<double>{1, 2.5}));
  // [0]-shaped inputs are not skipped once stacked: torch.stack([zeros(0), zeros(0)], 1) -> [0, 2]
  CHECK(ops::stack({zeros(Dims{0}), zeros(Dims{0})}, 1).sizes() == (Dims{0, 2}));
  // Non-contiguous inputs.
  Tensor t = ops::transpose(a, 0, 1);
  Tensor s4 = ops::stack({t, t}, 0);
  CHECK(s4.sizes() == (Dims{2, 3, 2}));
  CHECK(vals(s4) == (std::vector<double>{0, 3, 1, 4, 2, 5, 0, 3, 1, 4, 2, 5}));
}

TEST(stack_rejects_bad_inputs) {
  Tensor a = zeros(Dims{2, 3});
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::stack({}, 0));
  std::string msg = error_of([&] { ops::stack({a, zeros(Dims{2, 4})}, 0); });
  CHECK_EQ(msg, std::string("stack expects each tensor to be equal size, but got [2, 3] at entry 0 "
                            "and [2, 4] at entry 1"));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::stack({a, a, zeros(Dims{2, 3, 1})}, 0));
  // dim must lie in [-3, 2] for 2-D inputs
  CHECK_THROWS(KD_ERR_INDEX, ops::stack({a, a}, 3));
  CHECK_THROWS(KD_ERR_INDEX, ops::stack({a, a}, -4));
  CHECK(contains(error_of([&] { ops::stack({a, a}, 3); }), "[-3, 2], but got 3"));
}

// ------------------------------------------------------------------------------------------
// split_with_sizes

TEST(split_with_sizes_returns_views) {
  Tensor x = iota(Dims{2, 5});
  // torch.split(x, [2, 0, 3], dim=1)
  std::vector<Tensor> parts = ops::split_with_sizes(x, {2, 0, 3}, 1);
  CHECK_EQ(parts.size(), size_t(3));
  CHECK(parts[0].sizes() == (Dims{2, 2}));
  CHECK(parts[1].sizes() == (Dims{2, 0}));
  CHECK(parts[2].sizes() == (Dims{2, 3}));
  for (const Tensor& p : parts) CHECK(p.storage() == x.storage());
  CHECK(vals(parts[0]) == (std::vector<double>{0, 1, 5, 6}));
  CHECK(vals(parts[2]) == (std::vector<double>{2, 3, 4, 7, 8, 9}));
  CHECK_EQ(parts[2].offset(), int64_t(2));
  // Negative dim: -2 is dim 0.
  std::vector<Tensor> rows = ops::split_with_sizes(x, {1, 1}, -2);
  CHECK(vals(rows[1]) == (std::vector<double>{5, 6, 7, 8, 9}));
  // Writing through a piece writes x.
  ops::fill_(rows[0], -1);
  CHECK_EQ(vals(x)[4], -1.0);
  // An empty dim splits into no pieces when asked for none.
  CHECK(ops::split_with_sizes(zeros(Dims{0, 2}), {}, 0).empty());
  // A non-contiguous input keeps its strides.
  std::vector<Tensor> tp = ops::split_with_sizes(ops::transpose(iota(Dims{2, 3}), 0, 1), {2, 1}, 0);
  CHECK(vals(tp[1]) == (std::vector<double>{2, 5}));
}

TEST(split_with_sizes_rejects_bad_sizes) {
  Tensor x = zeros(Dims{5});
  std::string sum = error_of([&] { ops::split_with_sizes(x, {2, 2}, 0); });
  CHECK_EQ(sum, std::string("split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's "
                            "size at dimension 0), but got split_sizes=[2, 2]"));
  std::string neg = error_of([&] { ops::split_with_sizes(x, {6, -1}, 0); });
  CHECK_EQ(neg, std::string("split_with_sizes expects split_sizes have only non-negative entries, but "
                            "got split_sizes=[6, -1]"));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::split_with_sizes(x, {2, 2}, 0));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::split_with_sizes(x, {INT64_MAX, INT64_MAX, 1}, 0));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::split_with_sizes(ops::scalar(1, DType::Float32), {1}, 0));
  CHECK_THROWS(KD_ERR_INDEX, ops::split_with_sizes(x, {5}, 1));
}

// ------------------------------------------------------------------------------------------
// index_select

TEST(index_select_along_each_dim) {
  Tensor x = iota(Dims{3, 4});
  Tensor idx = i64({2, 0}, Dims{2});
  // torch.index_select(x, 0, [2, 0]) -> [[8..11], [0..3]]
  Tensor r0 = ops::index_select(x, 0, idx);
  CHECK(r0.sizes() == (Dims{2, 4}));
  CHECK(vals(r0) == (std::vector<double>{8, 9, 10, 11, 0, 1, 2, 3}));
  // torch.index_select(x, -1, [2, 0]) -> [[2,0],[6,4],[10,8]]
  Tensor r1 = ops::index_select(x, -1, idx);
  CHECK(r1.sizes() == (Dims{3, 2}));
  CHECK(vals(r1) == (std::vector<double>{2, 0, 6, 4, 10, 8}));
  // A 0-dim index keeps the dim with size 1: torch.index_select(x, 0, torch.tensor(1)) -> [1, 4]
  Tensor r2 = ops::index_select(x, 0, ops::scalar(1, DType::Int64));
  CHECK(r2.sizes() == (Dims{1, 4}));
  CHECK(vals(r2) == (std::vector<double>{4, 5, 6, 7}));
  // Repeats and an empty index.
  CHECK(vals(ops::index_select(x, 1, i64({3, 3, 3}, Dims{3})))[8] == 11.0);
  CHECK(ops::index_select(x, 0, i64({}, Dims{0})).sizes() == (Dims{0, 4}));
  // A 0-dim input: torch.index_select(torch.tensor(5.), 0, torch.tensor([0])) -> tensor(5.)
  Tensor r3 = ops::index_select(ops::scalar(5, DType::Float32), 0, i64({0}, Dims{1}));
  CHECK_EQ(r3.dim(), 0);
  CHECK_EQ(vals(r3)[0], 5.0);
}

TEST(index_select_works_for_every_dtype) {
  Tensor idx = i64({1, 1, 0}, Dims{3});
  const DType all[] = {DType::Float32, DType::Float64, DType::Int64, DType::Bool};
  for (DType dt : all) {
    Tensor x = ops::to_dtype(f32({0, 3}, Dims{2}), dt);
    Tensor r = ops::index_select(x, 0, idx);
    CHECK(r.dtype() == dt);
    double hi = dt == DType::Bool ? 1 : 3;
    CHECK(vals(r) == (std::vector<double>{hi, hi, 0}));
  }
}

TEST(index_select_reads_non_contiguous_input_and_index) {
  // x = arange(12).view(3, 4).t()  ([4, 3]); torch.index_select(x, 0, [3, 1]) -> [[3,7,11],[1,5,9]]
  Tensor x = ops::transpose(iota(Dims{3, 4}), 0, 1);
  Tensor r = ops::index_select(x, 0, i64({3, 1}, Dims{2}));
  CHECK(vals(r) == (std::vector<double>{3, 7, 11, 1, 5, 9}));
  // along dim 1 of the same view: [[8, 0], [9, 1], [10, 2], [11, 3]]
  Tensor r1 = ops::index_select(x, 1, i64({2, 0}, Dims{2}));
  CHECK(vals(r1) == (std::vector<double>{8, 0, 9, 1, 10, 2, 11, 3}));
  // A strided index: [2, 9, 0, 9][::2] == [2, 0]
  Tensor sidx = ops::slice(i64({2, 9, 0, 9}, Dims{4}), 0, 0, 4, 2);
  CHECK(vals(ops::index_select(iota(Dims{3, 4}), 0, sidx)) ==
        (std::vector<double>{8, 9, 10, 11, 0, 1, 2, 3}));
  // Embedding-sized lookup, contiguous table, parallel path.
  Tensor table = iota(Dims{1000, 64});
  std::vector<int64_t> ids(4000);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>((i * 7919) % 1000);
  Tensor e = ops::index_select(table, 0, i64(ids, Dims{4000}));
  std::vector<double> ev = vals(e);
  int bad = 0;
  for (size_t i = 0; i < ids.size(); ++i)
    for (int64_t j = 0; j < 64; ++j)
      if (ev[i * 64 + j] != static_cast<double>(ids[i] * 64 + j)) ++bad;
  CHECK_EQ(bad, 0);
}

TEST(index_select_rejects_bad_indices) {
  Tensor x = iota(Dims{3, 4});
  // torch: index_select(): Expected dtype int32 or int64 for index
  CHECK_THROWS(KD_ERR_DTYPE, ops::index_select(x, 0, f32({1}, Dims{1})));
  CHECK_THROWS(KD_ERR_DTYPE, ops::index_select(x, 0, boolean({1}, Dims{1})));
  // torch: index_select(): Index is supposed to be a vector
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::index_select(x, 0, i64({1}, Dims{1, 1})));
  // Out of range, both ends; the message names the index, the dim and its size.
  CHECK_THROWS(KD_ERR_INDEX, ops::index_select(x, 0, i64({0, 3}, Dims{2})));
  CHECK_THROWS(KD_ERR_INDEX, ops::index_select(x, 0, i64({-1}, Dims{1})));
  CHECK_EQ(error_of([&] { ops::index_select(x, 1, i64({4}, Dims{1})); }),
           std::string("index_select: index 4 is out of bounds for dimension 1 with size 4"));
  // Non-contiguous input goes through the other loop; it checks too.
  CHECK_THROWS(KD_ERR_INDEX, ops::index_select(ops::transpose(x, 0, 1), 0, i64({4}, Dims{1})));
  // An index into an empty dim, even when the result would be empty.
  CHECK_THROWS(KD_ERR_INDEX, ops::index_select(zeros(Dims{0, 3}), 0, i64({0}, Dims{1})));
  CHECK_THROWS(KD_ERR_INDEX, ops::index_select(zeros(Dims{2, 0}), 0, i64({5}, Dims{1})));
  CHECK_THROWS(KD_ERR_INDEX, ops::index_select(x, 2, i64({0}, Dims{1})));
  CHECK_THROWS(KD_ERR_INDEX, ops::index_select(ops::scalar(5, DType::Float32), 0, i64({1}, Dims{1})));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::index_select(ops::scalar(5, DType::Float32), 0, i64({0, 0}, Dims{2})));
}

// ------------------------------------------------------------------------------------------
// gather

TEST(gather_picks_along_dim) {
  Tensor x = iota(Dims{3, 4});
  // torch.gather(x, 1, [[0, 3], [1, 1]]) -> [[0, 3], [5, 5]]
  Tensor r = ops::gather(x, 1, i64({0, 3, 1, 1}, Dims{2, 2}));
  CHECK(r.sizes() == (Dims{2, 2}));
  CHECK(vals(r) == (std::vector<double>{0, 3, 5, 5}));
  CHECK(vals(ops::gather(x, -1, i64({0, 3, 1, 1}, Dims{2, 2}))) == vals(r));
  // torch.gather(x, 0, [[2, 0, 1, 2]]) -> [[8, 1, 6, 11]]
  Tensor r0 = ops::gather(x, 0, i64({2, 0, 1, 2}, Dims{1, 4}));
  CHECK(vals(r0) == (std::vector<double>{8, 1, 6, 11}));
  // The index may be longer than the input along dim: gather(x, 0, zeros(5, 4)) is 5 copies of row 0
  Tensor r5 = ops::gather(x, 0, zeros(Dims{5, 4}, DType::Int64));
  CHECK(r5.sizes() == (Dims{5, 4}));
  CHECK_EQ(vals(r5)[19], 3.0);
  // 0-dim counts as 1-D: torch.gather(torch.tensor([3.]), 0, torch.tensor(0)) -> tensor(3.)
  Tensor g = ops::gather(f32({3}, Dims{1}), 0, ops::scalar(0, DType::Int64));
  CHECK_EQ(g.dim(), 0);
  CHECK_EQ(vals(g)[0], 3.0);
  CHECK(ops::gather(ops::scalar(3, DType::Float32), 0, i64({0}, Dims{1})).sizes() == (Dims{1}));
  // An empty index skips the checks and gives its own shape (even [0, 9] against [3, 4]).
  CHECK(ops::gather(x, 1, zeros(Dims{0, 9}, DType::Int64)).sizes() == (Dims{0, 9}));
  CHECK(ops::gather(x, 1, zeros(Dims{0}, DType::Float32)).sizes() == (Dims{0}));
  // Every dtype.
  Tensor b = ops::gather(boolean({0, 1, 1, 0}, Dims{2, 2}), 1, i64({1, 1, 1, 0}, Dims{2, 2}));
  CHECK(b.dtype() == DType::Bool);
  CHECK(vals(b) == (std::vector<double>{1, 1, 0, 1}));
  CHECK(vals(ops::gather(iota(Dims{2, 2}, DType::Int64), 0, i64({1, 0}, Dims{1, 2}))) ==
        (std::vector<double>{2, 1}));
  CHECK(vals(ops::gather(iota(Dims{2, 2}, DType::Float64), 0, i64({1, 0}, Dims{1, 2}))) ==
        (std::vector<double>{2, 1}));
}

TEST(gather_reads_non_contiguous_tensors) {
  Tensor x = ops::transpose(iota(Dims{3, 4}), 0, 1);  // [4, 3]: rows 0 4 8 / 1 5 9 / ...
  Tensor idx = ops::transpose(i64({2, 0, 1, 1, 0, 2}, Dims{3, 2}), 0, 1);  // [2, 3]: 2 1 0 / 0 1 2
  Tensor r = ops::gather(x, 1, idx);
  // torch.gather(x, 1, idx) -> [[8, 4, 0], [1, 5, 9]]
  CHECK(vals(r) == (std::vector<double>{8, 4, 0, 1, 5, 9}));
  // Expanded input along dim 0.
  Tensor e = ops::expand(f32({1, 2, 3}, Dims{1, 3}), Dims{4, 3});
  CHECK(vals(ops::gather(e, 0, i64({3, 0, 2}, Dims{1, 3}))) == (std::vector<double>{1, 2, 3}));
}

TEST(gather_rejects_bad_indices) {
  Tensor x = iota(Dims{3, 4});
  CHECK_THROWS(KD_ERR_DTYPE, ops::gather(x, 1, f32({0}, Dims{1, 1})));
  // Index tensor must have the same number of dimensions as input tensor
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::gather(x, 1, i64({0, 1}, Dims{2})));
  // Size does not match at dimension 0 expected index [4, 1] to be smaller than self [3, 4] ...
  std::string big = error_of([&] { ops::gather(x, 1, zeros(Dims{4, 1}, DType::Int64)); });
  CHECK(contains(big, "gather: size does not match at dimension 0"));
  CHECK(contains(big, "[4, 1]"));
  CHECK(contains(big, "[3, 4]"));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::gather(x, 0, zeros(Dims{1, 5}, DType::Int64)));
  // index 4 is out of bounds for dimension 1 with size 4
  CHECK_EQ(error_of([&] { ops::gather(x, 1, i64({0, 4}, Dims{1, 2})); }),
           std::string("gather: index 4 is out of bounds for dimension 1 with size 4"));
  CHECK_THROWS(KD_ERR_INDEX, ops::gather(x, 1, i64({0, -1}, Dims{1, 2})));
  CHECK_THROWS(KD_ERR_INDEX, ops::gather(ops::scalar(3, DType::Float32), 0, ops::scalar(1, DType::Int64)));
  CHECK_THROWS(KD_ERR_INDEX, ops::gather(x, 2, i64({0}, Dims{1, 1})));
  // A bad value deep in a large index, found from a worker thread.
  std::vector<int64_t> many(200000, 1);
  many[150000] = 7;
  CHECK_THROWS(KD_ERR_INDEX, ops::gather(iota(Dims{200000, 4}), 1, i64(many, Dims{200000, 1})));
}

// ------------------------------------------------------------------------------------------
// scatter_add

TEST(scatter_add_accumulates_duplicates) {
  Tensor z = zeros(Dims{3, 4});
  // torch.zeros(3, 4).scatter_add(1, [[0, 0], [3, 1]], torch.ones(2, 2))
  Tensor r = ops::scatter_add(z, 1, i64({0, 0, 3, 1}, Dims{2, 2}), ops::full(Dims{2, 2}, 1, DType::Float32));
  CHECK(vals(r) == (std::vector<double>{2, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0}));
  CHECK(vals(z) == std::vector<double>(12, 0.0));  // out of place
  // src may be larger than index: only src[:2, :2] is read (same result with a [2, 5] src).
  Tensor r5 = ops::scatter_add(z, 1, i64({0, 0, 3, 1}, Dims{2, 2}), ops::full(Dims{2, 5}, 1, DType::Float32));
  CHECK(vals(r5) == vals(r));
  // dim 0, negative dim, int64
  Tensor zi = zeros(Dims{3}, DType::Int64);
  Tensor ri = ops::scatter_add(zi, -1, i64({0, 0, 2}, Dims{3}), i64({5, 6, 7}, Dims{3}));
  CHECK(ri.dtype() == DType::Int64);
  CHECK(vals(ri) == (std::vector<double>{11, 0, 7}));
  // float64
  Tensor rd = ops::scatter_add(f64({1, 1}, Dims{2}), 0, i64({1, 1}, Dims{2}), f64({0.5, 0.25}, Dims{2}));
  CHECK(vals(rd) == (std::vector<double>{1, 1.75}));
  // 0-dim tensors count as 1-D: torch.tensor(1.).scatter_add(0, torch.tensor(0), torch.tensor(2.))
  Tensor r0 = ops::scatter_add(ops::scalar(1, DType::Float32), 0, ops::scalar(0, DType::Int64),
                               ops::scalar(2, DType::Float32));
  CHECK_EQ(r0.dim(), 0);
  CHECK_EQ(vals(r0)[0], 3.0);
  // An empty index returns a copy of self, skipping shape checks (not the dtype check).
  Tensor e = ops::scatter_add(z, 1, zeros(Dims{0, 0}, DType::Float32), ops::full(Dims{2}, 1, DType::Float32));
  CHECK(e.sizes() == (Dims{3, 4}));
  CHECK(e.storage() != z.storage());
}

TEST(scatter_add_on_bool_is_logical_or) {
  // torch.zeros(3, dtype=bool).scatter_add(0, [0, 0, 2], [True, True, False]) -> [True, False, False]
  Tensor r = ops::scatter_add(zeros(Dims{3}, DType::Bool), 0, i64({0, 0, 2}, Dims{3}),
                              boolean({1, 1, 0}, Dims{3}));
  CHECK(r.dtype() == DType::Bool);
  CHECK(vals(r) == (std::vector<double>{1, 0, 0}));
}

TEST(scatter_add_in_place_bumps_version_and_writes_views) {
  Tensor base = zeros(Dims{4, 3});
  Tensor t = ops::transpose(base, 0, 1);  // [3, 4], non-contiguous
  uint64_t v0 = base.storage()->version();
  ops::scatter_add_(t, 1, i64({3, 3, 0}, Dims{1, 3}), f32({1, 2, 4}, Dims{1, 3}));
  CHECK(base.storage()->version() > v0);
  // t[0, 3] += 1 + 2, t[0, 0] += 4  ->  base[3, 0] == 3, base[0, 0] == 4
  std::vector<double> b = vals(base);
  CHECK_EQ(b[9], 3.0);
  CHECK_EQ(b[0], 4.0);
  double sum = 0;
  for (double x : b) sum += x;
  CHECK_EQ(sum, 7.0);
  // Non-contiguous index and src.
  Tensor s = zeros(Dims{2, 2});
  Tensor idx = ops::transpose(i64({1, 0, 1, 0}, Dims{2, 2}), 0, 1);   // [[1, 1], [0, 0]]
  Tensor src = ops::transpose(f32({1, 2, 3, 4}, Dims{2, 2}), 0, 1);   // [[1, 3], [2, 4]]
  ops::scatter_add_(s, 1, idx, src);
  CHECK(vals(s) == (std::vector<double>{0, 4, 6, 0}));
}

TEST(scatter_add_matches_a_serial_reference_on_large_input) {
  // Many rows (parallel over rows), many duplicates within a row.
  const int64_t rows = 20000, cols = 8, k = 16;
  std::vector<int64_t> idx(rows * k);
  std::vector<double> src(rows * k);
  for (int64_t i = 0; i < rows * k; ++i) {
    idx[i] = (i * 31 + i / k) % cols;
    src[i] = static_cast<double>(i % 13);
  }
  Tensor out = zeros(Dims{rows, cols}, DType::Float64);
  ops::scatter_add_(out, 1, i64(idx, Dims{rows, k}), f64(src, Dims{rows, k}));
  std::vector<double> want(rows * cols, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < k; ++j) want[r * cols + idx[r * k + j]] += src[r * k + j];
  CHECK(vals(out) == want);
  // Along dim 0 as well (parallel over columns).
  Tensor out0 = zeros(Dims{cols, rows}, DType::Float64);
  Tensor idx0 = ops::transpose(i64(idx, Dims{rows, k}), 0, 1);
  Tensor src0 = ops::transpose(f64(src, Dims{rows, k}), 0, 1);
  ops::scatter_add_(out0, 0, idx0, src0);
  CHECK(vals(ops::transpose(out0, 0, 1)) == want);
}

TEST(scatter_add_rejects_bad_arguments) {
  Tensor z = zeros(Dims{3, 4});
  Tensor ones22 = ops::full(Dims{2, 2}, 1, DType::Float32);
  Tensor idx = i64({0, 0, 3, 1}, Dims{2, 2});
  // scatter(): Expected self.dtype to be equal to src.dtype (no promotion here)
  CHECK_THROWS(KD_ERR_DTYPE, ops::scatter_add(z, 1, idx, ops::to_dtype(ones22, DType::Float64)));
  CHECK_THROWS(KD_ERR_DTYPE, ops::scatter_add(z, 1, zeros(Dims{0, 2}, DType::Int64), zeros(Dims{2, 2}, DType::Int64)));
  // scatter(): Expected dtype int64 for index
  CHECK_THROWS(KD_ERR_DTYPE, ops::scatter_add(z, 1, ops::to_dtype(idx, DType::Float32), ones22));
  // Index tensor must have the same number of dimensions as self / src tensor
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::scatter_add(z, 1, i64({0, 1}, Dims{2}), ops::full(Dims{2}, 1, DType::Float32)));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::scatter_add(z, 1, zeros(Dims{1, 2}, DType::Int64), zeros(Dims{2, 2, 2})));
  // Expected index [2, 2] to be smaller than self [3, 4] apart from dimension 1 and to be
  // smaller size than src [2, 1]
  std::string msg = error_of([&] { ops::scatter_add(z, 1, idx, zeros(Dims{2, 1})); });
  CHECK(contains(msg, "scatter_add: expected index [2, 2] to be smaller than self [3, 4] apart from "
                      "dimension 1 and to be smaller size than src [2, 1]"));
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::scatter_add(z, 1, zeros(Dims{4, 1}, DType::Int64), zeros(Dims{4, 1})));
  // index 4 is out of bounds for dimension 1 with size 4; in place, nothing is written first
  Tensor t = zeros(Dims{3, 4});
  std::string oob = error_of([&] { ops::scatter_add_(t, 1, i64({0, 0, 4}, Dims{1, 3}), zeros(Dims{1, 3})); });
  CHECK_EQ(oob, std::string("scatter_add: index 4 is out of bounds for dimension 1 with size 4"));
  CHECK_THROWS(KD_ERR_INDEX, ops::scatter_add_(t, 1, i64({1, -1}, Dims{1, 2}), ops::full(Dims{1, 2}, 5, DType::Float32)));
  CHECK(vals(t) == std::vector<double>(12, 0.0));
  CHECK_THROWS(KD_ERR_INDEX, ops::scatter_add(z, 2, idx, ones22));
  // An expanded self would race with itself: PyTorch refuses it.
  Tensor e = ops::expand(zeros(Dims{1, 4}), Dims{3, 4});
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::scatter_add_(e, 1, zeros(Dims{1, 1}, DType::Int64), zeros(Dims{1, 1})));
  // src that is self: "some elements of the input tensor and the written-to tensor refer to a
  // single memory location" (torch: a.scatter_add_(0, [1, 1], a))
  Tensor a = iota(Dims{4});
  CHECK_THROWS(KD_ERR_ARGUMENT, ops::scatter_add_(a, 0, i64({1, 1}, Dims{2}), a));
  // Interleaved views that share storage but no element: read from a copy, exact result.
  Tensor w = iota(Dims{6});
  Tensor even = ops::slice(w, 0, 0, 6, 2), odd = ops::slice(w, 0, 1, 6, 2);  // 0 2 4 / 1 3 5
  ops::scatter_add_(even, 0, i64({0, 0, 2}, Dims{3}), odd);
  CHECK(vals(w) == (std::vector<double>{4, 1, 2, 3, 9, 5}));
}
