// Gradients of the matrix products (mm, bmm, matmul in every rank combination) and of the
// joining and indexing ops (cat, stack, split, index_select, gather, scatter_add(_)).
// Each formula is checked against central differences in float64, first order, and second
// order: the gradient of <grad, v> with create_graph, taken with respect to the inputs and to
// the incoming gradient itself, against differences of the first-order gradient. grad_fn names
// and the few PyTorch conventions are compared with torch 1.13 (snippets quoted).
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/engine.h"
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/meta.h"
#include "check.h"
#include "gradcheck.h"
#include "core/tensor.h"
#include "ops/ops.h"

using namespace kd;
using namespace kdtest;

namespace {

Fn matmul_fn() {
  return [](const std::vector<Tensor>& x) { return ag::matmul(x[0], x[1]); };
}

}  // namespace

// ---------------------------------------------------------------- mm, bmm

TEST(mm_gradients_are_g_bT_and_aT_g) {
  Tensor a = leaf(Dims{3, 4}, 1), b = leaf(Dims{4, 5}, 2);
  check_both([](const std::vector<Tensor>& x) { return ag::mm(x[0], x[1]); }, {a, b}, "mm");
  // transposed operands reach BLAS as they are; their gradients come back in their own layout
  Tensor at_ = leaf(Dims{4, 3}, 3), bt = leaf(Dims{5, 4}, 4);
  check_both([](const std::vector<Tensor>& x) {
    return ag::mm(ag::transpose(x[0], 0, 1), ag::transpose(x[1], 0, 1));
  }, {at_, bt}, "mm of transposes");
  CHECK_EQ(fn_name(ag::mm(a, b)), std::string("MmBackward0"));
}

TEST(mm_exact_values_match_torch) {
  // a = [[1,2],[3,4]] (grad), b = [[5,6],[7,8]] (grad); (a @ b).sum().backward()
  // torch: a.grad = [[11,15],[11,15]], b.grad = [[4,4],[6,6]]
  Tensor a = leaf_of({1, 2, 3, 4}, Dims{2, 2}), b = leaf_of({5, 6, 7, 8}, Dims{2, 2});
  ag::backward({ag::reduce(KD_SUM, ag::mm(a, b), Dims{}, false)}, {}, {});
  CHECK(vals(ag::meta(a).grad) == (std::vector<double>{11, 15, 11, 15}));
  CHECK(vals(ag::meta(b).grad) == (std::vector<double>{4, 4, 6, 6}));
}

// Linear's x @ W.t(): W's gradient arrives contiguous in W's layout (as in PyTorch, whose
// mm_mat2_backward computes (g^T x)^T for a transposed operand), and likewise for a transposed
// left operand; the values are g^T x and W^T g^T either way, checked by gradcheck too.
TEST(mm_gradient_of_a_transposed_operand_is_contiguous) {
  Tensor x = leaf(Dims{5, 4}, 11), w = leaf(Dims{3, 4}, 12);
  bool arrived_contiguous = false;  // seen by a hook, before AccumulateGrad (which would copy)
  ag::register_hook(w, 1, [&](const Tensor& t) {
    arrived_contiguous = t.is_contiguous();
    return Tensor();
  });
  Tensor y = ag::mm(x, ag::transpose(w, 0, 1));
  Tensor g = leaf(Dims{5, 3}, 13);
  ag::backward({y}, {g}, {});
  Tensor gw = ag::meta(w).grad;
  CHECK(arrived_contiguous);
  CHECK(gw.is_contiguous());
  CHECK(vals(gw) == vals(ops::matmul(ops::transpose(g, 0, 1), x)));
  // A transposed left operand: (A^T) @ B with A [4, 5] contiguous.
  Tensor a = leaf(Dims{4, 5}, 14), b = leaf(Dims{4, 2}, 15);
  ag::register_hook(a, 2, [&](const Tensor& t) {
    arrived_contiguous = t.is_contiguous();
    return Tensor();
  });
  arrived_contiguous = false;
  Tensor z = ag::mm(ag::transpose(a, 0, 1), b);
  Tensor gz = leaf(Dims{5, 2}, 16);
  ag::backward({z}, {gz}, {});
  Tensor ga = ag::meta(a).grad;
  CHECK(arrived_contiguous);
  CHECK(ga.is_contiguous());
  CHECK(vals(ga) == vals(ops::matmul(b, ops::transpose(gz, 0, 1))));
  check_both([](const std::vector<Tensor>& t) { return ag::mm(t[0], ag::transpose(t[1], 0, 1)); },
             {leaf(Dims{3, 4}, 17), leaf(Dims{2, 4}, 18)}, "mm with a transposed rhs");
  check_both([](const std::vector<Tensor>& t) { return ag::mm(ag::transpose(t[0], 0, 1), t[1]); },
             {leaf(Dims{4, 3}, 19), leaf(Dims{4, 2}, 20)}, "mm with a transposed lhs");
}

TEST(mm_only_one_side_requires_grad) {
  Tensor a = leaf(Dims{2, 3}, 5);
  ops::manual_seed(6);
  Tensor b = ops::randn(Dims{3, 2}, DType::Float64);
  check_both([&](const std::vector<Tensor>& x) { return ag::mm(x[0], b); }, {a}, "mm, constant rhs");
  check_both([&](const std::vector<Tensor>& x) { return ag::mm(b, x[0]); }, {a}, "mm, constant lhs");
}

TEST(bmm_gradients) {
  Tensor a = leaf(Dims{2, 3, 4}, 7), b = leaf(Dims{2, 4, 5}, 8);
  check_both([](const std::vector<Tensor>& x) { return ag::bmm(x[0], x[1]); }, {a, b}, "bmm");
  CHECK_EQ(fn_name(ag::bmm(a, b)), std::string("BmmBackward0"));
}

TEST(float32_products_keep_their_dtype_in_gradients) {
  Tensor a = ops::full(Dims{2, 3}, 1.0, DType::Float32), b = ops::full(Dims{3, 2}, 2.0, DType::Float32);
  ag::set_requires_grad(a, true);
  ag::backward({ag::reduce(KD_SUM, ag::matmul(a, b), Dims{}, false)}, {}, {});
  CHECK(ag::meta(a).grad.dtype() == DType::Float32);
  CHECK(vals(ag::meta(a).grad) == (std::vector<double>(6, 4.0)));
}

// ---------------------------------------------------------------- matmul

TEST(matmul_every_rank_combination) {
  struct Case { Dims a, b; };
  std::vector<Case> cases = {
      {Dims{4}, Dims{4}},             {Dims{3, 4}, Dims{4}},         {Dims{4}, Dims{4, 5}},
      {Dims{3, 4}, Dims{4, 5}},       {Dims{2, 3, 4}, Dims{4}},      {Dims{4}, Dims{2, 4, 5}},
      {Dims{2, 3, 4}, Dims{4, 5}},    {Dims{3, 4}, Dims{2, 4, 5}},   {Dims{2, 3, 4}, Dims{2, 4, 5}},
      {Dims{1, 3, 4}, Dims{2, 4, 5}}, {Dims{2, 3, 4}, Dims{1, 4, 5}}, {Dims{2, 1, 3, 4}, Dims{5, 4, 6}},
      {Dims{2, 5, 3, 4}, Dims{4}},    {Dims{4}, Dims{2, 1, 4, 3}},    {Dims{2, 2, 3, 4}, Dims{4, 2}},
      {Dims{3, 4}, Dims{2, 2, 4, 1}},
  };
  uint64_t seed = 100;
  for (auto& c : cases) {
    Tensor a = leaf(c.a, seed++), b = leaf(c.b, seed++);
    std::string what = "matmul " + c.a.str() + " @ " + c.b.str();
    Tensor y = ag::matmul(a, b);
    {
      ag::GradModeGuard off(false);
      Tensor plain = ag::matmul(a, b);  // the unrecorded path gives the same shape and numbers
      CHECK(plain.sizes() == y.sizes());
      std::vector<double> p = vals(plain), r = vals(y);
      for (size_t i = 0; i < p.size(); ++i) CHECK_NEAR(p[i], r[i], 1e-12);
    }
    check_both(matmul_fn(), {a, b}, what);
  }
}

TEST(matmul_one_side_and_strided_operands) {
  Tensor a = leaf(Dims{2, 4, 3}, 31), b = leaf(Dims{5, 4}, 32);
  // a^T per batch (strided) @ b^T (strided)
  check_both([](const std::vector<Tensor>& x) {
    return ag::matmul(ag::transpose(x[0], 1, 2), ag::transpose(x[1], 0, 1));
  }, {a, b}, "matmul of transposes");
  ops::manual_seed(33);
  Tensor c = ops::randn(Dims{3, 2}, DType::Float64);
  check_both([&](const std::vector<Tensor>& x) { return ag::matmul(x[0], c); }, {a}, "matmul, constant rhs");
  Tensor v = leaf(Dims{4}, 34);
  check_both([&](const std::vector<Tensor>& x) { return ag::matmul(c, ag::reshape(x[0], Dims{2, 2})); }, {v},
             "matmul, constant lhs");
}

TEST(matmul_grad_fn_names_match_torch) {
  // torch 1.13: (a @ b).grad_fn.name() for these ranks
  auto name = [](Dims sa, Dims sb) {
    Tensor a = leaf(sa, 1), b = leaf(sb, 2);
    return fn_name(ag::matmul(a, b));
  };
  CHECK_EQ(name(Dims{3}, Dims{3}), std::string("DotBackward0"));
  CHECK_EQ(name(Dims{2, 3}, Dims{3}), std::string("MvBackward0"));
  CHECK_EQ(name(Dims{3}, Dims{3, 4}), std::string("SqueezeBackward3"));
  CHECK_EQ(name(Dims{2, 3}, Dims{3, 4}), std::string("MmBackward0"));
  CHECK_EQ(name(Dims{5, 2, 3}, Dims{3}), std::string("UnsafeViewBackward0"));
  CHECK_EQ(name(Dims{5, 2, 3}, Dims{3, 4}), std::string("UnsafeViewBackward0"));
  CHECK_EQ(name(Dims{2, 1, 3, 4}, Dims{5, 4, 6}), std::string("UnsafeViewBackward0"));
  // the node under the fold is the 2-D product, as in torch
  Tensor a = leaf(Dims{5, 2, 3}, 3), b = leaf(Dims{3, 4}, 4);
  auto fn = ag::grad_fn(ag::matmul(a, b));
  CHECK_EQ(std::string(fn->next_edges[0].fn->name()), std::string("MmBackward0"));
  // 3-D @ 3-D is a bmm directly (torch adds an _unsafe_view of the same shape on top)
  CHECK_EQ(name(Dims{5, 2, 3}, Dims{5, 3, 4}), std::string("BmmBackward0"));
}

TEST(matmul_with_empty_dims) {
  // torch: a = zeros(2, 0), b = zeros(0, 3) (grad): (a @ b).sum().backward() -> grads of shapes
  // [2, 0] and [0, 3]; with k = 0 the product is zeros and so is nothing's gradient
  struct Case { Dims a, b; };
  std::vector<Case> cases = {{Dims{2, 0}, Dims{0, 3}}, {Dims{0, 3}, Dims{3, 2}}, {Dims{2, 3, 0}, Dims{0}},
                             {Dims{0, 2, 3}, Dims{3, 4}}, {Dims{2, 0, 3}, Dims{1, 3, 4}}, {Dims{0}, Dims{0}}};
  for (auto& c : cases) {
    Tensor a = leaf(c.a, 1), b = leaf(c.b, 2);
    Tensor y = ag::matmul(a, b);
    ag::backward({ag::reduce(KD_SUM, y, Dims{}, false)}, {}, {});
    CHECK(ag::meta(a).grad.sizes() == c.a);
    CHECK(ag::meta(b).grad.sizes() == c.b);
    for (double v : vals(ag::meta(b).grad)) CHECK_EQ(v, 0.0);
  }
}

TEST(matmul_result_is_not_a_view) {
  // torch's results come from _unsafe_view: in-place ops on them are allowed under autograd
  Tensor a = leaf(Dims{2, 3, 4}, 1), b = leaf(Dims{4}, 2), c = leaf(Dims{4, 5}, 3);
  CHECK(!ag::matmul(a, b).impl()->is_view);
  CHECK(!ag::matmul(b, c).impl()->is_view);
  CHECK(!ag::matmul(b, b).impl()->is_view);
  CHECK(!ag::matmul(ag::detach(a), ag::detach(c)).impl()->is_view);
}

TEST(matmul_errors_name_matmul_when_recording) {
  Tensor a = leaf(Dims{2, 3}, 1), b = leaf(Dims{4, 5}, 2);
  try {
    ag::matmul(a, b);
    CHECK(false);
  } catch (const Error& e) {
    CHECK_EQ(e.code(), KD_ERR_ARGUMENT);
    CHECK(std::string(e.what()).find("matmul: shapes [2, 3] and [4, 5] cannot be multiplied") != std::string::npos);
  }
  Tensor c = leaf(Dims{2, 3, 4}, 3), d = leaf(Dims{3, 4, 5}, 4);
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::matmul(c, d));
  Tensor f = ops::full(Dims{4, 5}, 1.0, DType::Float32);
  CHECK_THROWS(KD_ERR_DTYPE, ag::matmul(a, ops::full(Dims{3, 5}, 1.0, DType::Float32)));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::matmul(ag::reduce(KD_SUM, a, Dims{}, false), f));
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::mm(a, b));
}

TEST(saved_operand_modified_in_place_is_detected) {
  Tensor a = leaf(Dims{2, 3}, 1);
  Tensor b = ops::full(Dims{3, 2}, 1.0, DType::Float64);
  Tensor y = ag::reduce(KD_SUM, ag::mm(a, b), Dims{}, false);
  ops::scatter_add_(b, 0, ints({0}, Dims{1, 1}), ops::full(Dims{1, 1}, 1.0, DType::Float64));
  try {
    ag::backward({y}, {}, {});
    CHECK(false);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("MmBackward0: one of the variables needed for gradient "
                                     "computation has been modified by an inplace operation") == 0);
  }
}

TEST(no_grad_and_integer_products_record_nothing) {
  Tensor a = leaf(Dims{2, 3}, 1), b = leaf(Dims{3}, 2);
  {
    ag::GradModeGuard off(false);
    CHECK(!ag::requires_grad(ag::matmul(a, b)));
  }
  Tensor i = ints({1, 2, 3, 4}, Dims{2, 2});
  CHECK(!ag::requires_grad(ag::matmul(i, i)));
  CHECK(vals(ag::matmul(i, i)) == (std::vector<double>{7, 10, 15, 22}));
}

// ---------------------------------------------------------------- cat, stack, split

TEST(cat_splits_the_gradient_back) {
  Tensor a = leaf(Dims{2, 3}, 1), b = leaf(Dims{2, 1}, 2), c = leaf(Dims{2, 2}, 3);
  check_both([](const std::vector<Tensor>& x) { return ag::cat(x, 1); }, {a, b, c}, "cat dim 1");
  check_both([](const std::vector<Tensor>& x) { return ag::cat(x, -2); }, {a, leaf(Dims{4, 3}, 4)}, "cat dim -2");
  CHECK_EQ(fn_name(ag::cat({a, b}, 1)), std::string("CatBackward0"));
}

TEST(cat_gives_each_input_its_own_dtype_and_handles_legacy_empties) {
  // torch: a f64 [2], b f32 [3]; torch.cat([a, b]).sum().backward() -> a.grad f64, b.grad f32
  Tensor a = leaf_of({1, 2}, Dims{2});
  Tensor b = ops::full(Dims{3}, 1.0, DType::Float32);
  ag::set_requires_grad(b, true);
  Tensor e = ops::full(Dims{0}, 0.0, DType::Float32);
  ag::set_requires_grad(e, true);
  Tensor k = ops::full(Dims{2}, 5.0, DType::Float64);  // no grad
  Tensor y = ag::cat({a, e, b, k}, 0);
  CHECK(y.dtype() == DType::Float64);
  Tensor w = make({1, 2, 3, 4, 5, 6, 7}, Dims{7});
  ag::backward({y}, {w}, {});
  CHECK(ag::meta(a).grad.dtype() == DType::Float64);
  CHECK(ag::meta(b).grad.dtype() == DType::Float32);
  CHECK(vals(ag::meta(a).grad) == (std::vector<double>{1, 2}));
  CHECK(vals(ag::meta(b).grad) == (std::vector<double>{3, 4, 5}));
  // torch: the skipped empty input gets tensor([]) as its gradient
  CHECK(ag::meta(e).grad.defined());
  CHECK(ag::meta(e).grad.sizes() == (Dims{0}));
  // torch: torch.cat([e]) of only legacy empties still records CatBackward0
  Tensor only = ag::cat({e, e}, 0);
  CHECK_EQ(fn_name(only), std::string("CatBackward0"));
}

TEST(stack_selects_the_gradient_back) {
  Tensor a = leaf(Dims{2, 3}, 1), b = leaf(Dims{2, 3}, 2), c = leaf(Dims{2, 3}, 3);
  check_both([](const std::vector<Tensor>& x) { return ag::stack(x, 0); }, {a, b, c}, "stack dim 0");
  check_both([](const std::vector<Tensor>& x) { return ag::stack(x, -1); }, {a, b}, "stack dim -1");
  check_both([](const std::vector<Tensor>& x) { return ag::stack(x, 1); }, {a, b}, "stack dim 1");
  CHECK_EQ(fn_name(ag::stack({a, b}, 0)), std::string("StackBackward0"));
}

TEST(split_is_one_node_with_an_output_per_piece) {
  // torch: ps = torch.arange(6.).requires_grad_().split([1, 2, 3]) -> one SplitWithSizesBackward0,
  // output_nr 0, 1, 2
  Tensor x = leaf(Dims{6}, 1);
  std::vector<Tensor> ps = ag::split_with_sizes(x, {1, 2, 3}, 0);
  CHECK_EQ(ps.size(), size_t(3));
  for (size_t i = 0; i < ps.size(); ++i) {
    CHECK_EQ(fn_name(ps[i]), std::string("SplitWithSizesBackward0"));
    CHECK(ag::grad_fn(ps[i]) == ag::grad_fn(ps[0]));
    CHECK_EQ(ag::meta(ps[i]).output_nr, static_cast<uint32_t>(i));
  }
  CHECK_EQ(ag::grad_fn(ps[0])->num_outputs, 3u);
}

TEST(split_with_unused_pieces_gives_them_zeros) {
  // torch: (ps[1] * torch.tensor([5., 7.])).sum().backward() -> p.grad = [0, 5, 7, 0, 0, 0]
  Tensor x = leaf(Dims{6}, 1);
  std::vector<Tensor> ps = ag::split_with_sizes(x, {1, 2, 3}, 0);
  ag::backward({ps[1]}, {make({5, 7}, Dims{2})}, {});
  CHECK(vals(ag::meta(x).grad) == (std::vector<double>{0, 5, 7, 0, 0, 0}));
  // only some pieces, along a middle dim, first and second order
  Tensor y = leaf(Dims{2, 5, 3}, 2);
  check_both([](const std::vector<Tensor>& x) {
    std::vector<Tensor> p = ag::split_with_sizes(x[0], {2, 0, 3}, 1);
    return ag::cat({p[2], p[0]}, 1);
  }, {y}, "split, pieces reordered");
  check_both([](const std::vector<Tensor>& x) { return ag::split_with_sizes(x[0], {1, 1, 3}, -2)[1]; }, {y},
             "split, one piece used");
}

// ---------------------------------------------------------------- indexing

TEST(index_select_accumulates_repeated_indices) {
  // torch: x = torch.zeros(3, 2, requires_grad=True); x.index_select(0, torch.tensor([2, 0, 2]))
  //        .backward(torch.tensor([[1., 2.], [3., 4.], [5., 6.]])) -> x.grad = [[3,4],[0,0],[6,8]]
  Tensor x = leaf_of({0, 0, 0, 0, 0, 0}, Dims{3, 2});
  Tensor y = ag::index_select(x, 0, ints({2, 0, 2}, Dims{3}));
  CHECK_EQ(fn_name(y), std::string("IndexSelectBackward0"));
  ag::backward({y}, {make({1, 2, 3, 4, 5, 6}, Dims{3, 2})}, {});
  CHECK(vals(ag::meta(x).grad) == (std::vector<double>{3, 4, 0, 0, 6, 8}));

  Tensor a = leaf(Dims{3, 4, 2}, 1);
  Tensor idx = ints({3, 1, 1, 0, 3}, Dims{5});
  check_both([&](const std::vector<Tensor>& x) { return ag::index_select(x[0], 1, idx); }, {a}, "index_select dim 1");
  check_both([&](const std::vector<Tensor>& x) { return ag::index_select(x[0], -1, ints({1}, Dims{})); }, {a},
             "index_select 0-dim index");
  Tensor s = leaf(Dims{}, 2);
  check_both([&](const std::vector<Tensor>& x) { return ag::index_select(x[0], 0, ints({0}, Dims{1})); }, {s},
             "index_select of a 0-dim input");
}

TEST(gather_scatters_the_gradient_back) {
  // torch: x = torch.zeros(2, 3, requires_grad=True); x.gather(1, torch.tensor([[0, 0], [2, 1]]))
  //        .backward(torch.tensor([[1., 2.], [3., 4.]])) -> x.grad = [[3,0,0],[0,4,3]]
  Tensor x = leaf_of({0, 0, 0, 0, 0, 0}, Dims{2, 3});
  Tensor y = ag::gather(x, 1, ints({0, 0, 2, 1}, Dims{2, 2}));
  CHECK_EQ(fn_name(y), std::string("GatherBackward0"));
  ag::backward({y}, {make({1, 2, 3, 4}, Dims{2, 2})}, {});
  CHECK(vals(ag::meta(x).grad) == (std::vector<double>{3, 0, 0, 0, 4, 3}));

  Tensor a = leaf(Dims{3, 4}, 1);
  Tensor idx = ints({2, 2, 0, 1, 0, 0, 1, 2}, Dims{2, 4});
  check_both([&](const std::vector<Tensor>& x) { return ag::gather(x[0], 0, idx); }, {a}, "gather dim 0");
  Tensor idx1 = ints({3, 3, 0, 1, 2, 1}, Dims{3, 2});
  check_both([&](const std::vector<Tensor>& x) { return ag::gather(x[0], -1, idx1); }, {a}, "gather dim -1");
}

TEST(scatter_add_gradients) {
  // self gets g; src gets g.gather(dim, index)
  Tensor self = leaf(Dims{3, 4}, 1), src = leaf(Dims{2, 4}, 2);
  Tensor idx = ints({2, 0, 2, 1, 2, 2, 0, 1}, Dims{2, 4});
  check_both([&](const std::vector<Tensor>& x) { return ag::scatter_add(x[0], 0, idx, x[1]); }, {self, src},
             "scatter_add");
  CHECK_EQ(fn_name(ag::scatter_add(self, 0, idx, src)), std::string("ScatterAddBackward0"));
  // only src requires grad
  Tensor base = ops::full(Dims{3, 4}, 1.0, DType::Float64);
  check_both([&](const std::vector<Tensor>& x) { return ag::scatter_add(base, 0, idx, x[0]); }, {src},
             "scatter_add into a constant");
}

TEST(scatter_add_src_larger_than_index_gets_zeros_where_unused) {
  // torch 1.13 raises "ScatterAddBackward0 returned an invalid gradient at index 1 - got [2, 2]
  // but expected shape compatible with [3, 3]"; the true gradient is zero there, and we give it.
  Tensor self = leaf(Dims{3, 3}, 1), src = leaf(Dims{3, 3}, 2);
  Tensor idx = ints({0, 2, 1, 0}, Dims{2, 2});
  check_both([&](const std::vector<Tensor>& x) { return ag::scatter_add(x[0], 0, idx, x[1]); }, {self, src},
             "scatter_add, index smaller than src");
  Tensor s2 = leaf(Dims{2}, 3);
  check_both([&](const std::vector<Tensor>& x) { return ag::scatter_add(x[0], 0, ints({1}, Dims{}), x[1]); },
             {s2, leaf(Dims{3}, 4)}, "scatter_add, 0-dim index");
  Tensor g = ag::grad({ag::scatter_add(self, 0, ints({}, Dims{0, 3}), src)}, {src},
                      {ops::full(Dims{3, 3}, 1.0, DType::Float64)}, {})[0];
  CHECK(vals(g) == (std::vector<double>(9, 0.0)));
}

TEST(scatter_add_in_place_rebases_history) {
  Tensor x = leaf(Dims{3, 4}, 1), src = leaf(Dims{2, 4}, 2);
  Tensor idx = ints({2, 0, 2, 1, 2, 2, 0, 1}, Dims{2, 4});
  check_both([&](const std::vector<Tensor>& in) {
    Tensor t = ag::clone(in[0]);
    ag::scatter_add_(t, 0, idx, in[1]);
    return t;
  }, {x, src}, "scatter_add_");
  Tensor t = ag::clone(x);
  ag::scatter_add_(t, 0, idx, src);
  CHECK_EQ(fn_name(t), std::string("ScatterAddBackward0"));
  CHECK_EQ(std::string(ag::grad_fn(t)->next_edges[0].fn->name()), std::string("CloneBackward0"));
  // a constant tensor becomes part of the graph when src requires grad
  Tensor c = ops::full(Dims{3, 4}, 0.0, DType::Float64);
  ag::scatter_add_(c, 0, idx, src);
  CHECK(ag::requires_grad(c));
  CHECK(!ag::grad_fn(c)->needs_input_grad(0));
}

TEST(scatter_add_in_place_errors) {
  Tensor x = leaf(Dims{3, 4}, 1), src = leaf(Dims{2, 4}, 2);
  Tensor idx = ints({2, 0, 2, 1, 2, 2, 0, 1}, Dims{2, 4});
  // torch: "a leaf Variable that requires grad is being used in an in-place operation."
  CHECK_THROWS(KD_ERR_ARGUMENT, ag::scatter_add_(x, 0, idx, src));
  {
    ag::GradModeGuard off(false);
    ag::scatter_add_(x, 0, idx, ops::full(Dims{2, 4}, 0.0, DType::Float64));  // allowed in no-grad
  }
  // a view of a tensor with history is rebased through CopySlices
  Tensor t = ag::clone(x);
  ag::scatter_add_(ag::narrow(t, 0, 0, 3), 0, idx, src);
  CHECK_EQ(std::string(ag::grad_fn(t)->name()), std::string("CopySlices"));
  // a tensor saved for backward, modified in place afterwards
  Tensor u = ag::clone(x);
  Tensor y = ag::reduce(KD_SUM, ag::mm(u, ag::transpose(u, 0, 1)), Dims{}, false);
  ag::scatter_add_(u, 0, idx, src);
  CHECK_THROWS(KD_ERR_STATE, ag::backward({y}, {}, {}));
}
