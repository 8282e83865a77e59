// CPU indexing loops: index_select, gather and scatter_add.
//
// gather and scatter_add walk every position of the index tensor except along `dim` with an
// ElementwisePlan (so they coalesce and parallelise like elementwise ops), and for each such
// position run the short loop along `dim` that follows the index. Positions that differ outside
// `dim` touch different elements of the scattered-into tensor, so that split is race-free.
// index_select copies whole contiguous blocks with memcpy when its input is contiguous (the
// embedding-lookup case) and otherwise uses the same plan-based loop.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "cpu/kernels.h"
#include "cpu/loops.h"

namespace kd {
namespace cpu {

namespace {

// t's storage seen with `sizes` (dim collapsed to 1) and t's own strides: the walk over every
// position outside dim.
Tensor collapsed(const Tensor& t, Dims sizes, int32_t dim) {
  sizes[dim] = 1;
  return Tensor::view_of(t, sizes, t.strides(), t.offset());
}

int64_t byte_stride(const Tensor& t, int32_t dim) {
  return t.stride(dim) * static_cast<int64_t>(element_size(t.dtype()));
}

// Plan tasks are counted in outer positions; each carries `inner` elements of work.
int64_t grain_for(int64_t inner) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)); }

// Every value of index must lie in [0, size).
void check_range(const Tensor& index, int64_t size, int32_t dim, const char* op) {
  const Tensor* ts[1] = {&index};
  ElementwisePlan<1> plan(index.sizes(), ts);
  plan.run([&](char** p, const int64_t* st, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = *reinterpret_cast<const int64_t*>(p[0] + i * st[0]);
      if (v < 0 || v >= size) index_out_of_bounds(op, v, dim, size);
    }
  });
}

}  // namespace

void index_select_kernel(const Tensor& out, const Tensor& self, int32_t dim, const Tensor& index) {
  const int64_t size = self.size(dim);
  check_range(index, size, dim, "index_select");
  const int64_t n = index.numel();
  if (out.numel() == 0) return;
  const int64_t* idx = index.data<int64_t>();
  const int64_t ist = index.stride(0);

  if (self.is_contiguous()) {
    const int64_t es = static_cast<int64_t>(element_size(self.dtype()));
    int64_t outer = 1, inner = 1;
    for (int32_t d = 0; d < dim; ++d) outer *= self.size(d);
    for (int32_t d = dim + 1; d < self.dim(); ++d) inner *= self.size(d);
    const int64_t block = inner * es;
    const char* src = static_cast<const char*>(self.raw_data());
    char* dst = static_cast<char*>(out.raw_data());
    parallel_for(outer * n, grain_for(inner), [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) {
        const int64_t o = k / n, i = k % n;
        std::memcpy(dst + k * block, src + (o * size + idx[i * ist]) * block,
                    static_cast<size_t>(block));
      }
    });
    return;
  }

  Tensor out_v = collapsed(out, out.sizes(), dim);
  Tensor self_v = collapsed(self, out.sizes(), dim);
  const Tensor* ts[2] = {&out_v, &self_v};
  ElementwisePlan<2> plan(out_v.sizes(), ts);
  const int64_t out_sd = byte_stride(out, dim), self_sd = byte_stride(self, dim);
  KD_DISPATCH_ALL(self.dtype(), "index_select", [&] {
    plan.run(
        [&](char** p, const int64_t* st, int64_t m) {
          for (int64_t j = 0; j < m; ++j) {
            char* o = p[0] + j * st[0];
            const char* s = p[1] + j * st[1];
            for (int64_t i = 0; i < n; ++i)
              *reinterpret_cast<scalar_t*>(o + i * out_sd) =
                  *reinterpret_cast<const scalar_t*>(s + idx[i * ist] * self_sd);
          }
        },
        grain_for(n));
  });
}

void gather_kernel(const Tensor& out, const Tensor& self, int32_t dim, const Tensor& index) {
  if (out.numel() == 0) return;
  const int64_t size = self.size(dim);
  const int64_t n = index.size(dim);
  Tensor out_v = collapsed(out, index.sizes(), dim);
  Tensor index_v = collapsed(index, index.sizes(), dim);
  Tensor self_v = collapsed(self, index.sizes(), dim);
  const Tensor* ts[3] = {&out_v, &index_v, &self_v};
  ElementwisePlan<3> plan(out_v.sizes(), ts);
  const int64_t out_sd = byte_stride(out, dim), index_sd = byte_stride(index, dim),
                self_sd = byte_stride(self, dim);
  KD_DISPATCH_ALL(self.dtype(), "gather", [&] {
    plan.run(
        [&](char** p, const int64_t* st, int64_t m) {
          for (int64_t j = 0; j < m; ++j) {
            char* o = p[0] + j * st[0];
            const char* ix = p[1] + j * st[1];
            const char* s = p[2] + j * st[2];
            for (int64_t k = 0; k < n; ++k) {
              const int64_t v = *reinterpret_cast<const int64_t*>(ix + k * index_sd);
              if (v < 0 || v >= size) index_out_of_bounds("gather", v, dim, size);
              *reinterpret_cast<scalar_t*>(o + k * out_sd) =
                  *reinterpret_cast<const scalar_t*>(s + v * self_sd);
            }
          }
        },
        grain_for(n));
  });
}

void scatter_add_kernel(const Tensor& self, int32_t dim, const Tensor& index, const Tensor& src) {
  if (index.numel() == 0) return;
  check_range(index, self.size(dim), dim, "scatter_add");
  const int64_t n = index.size(dim);
  Tensor self_v = collapsed(self, index.sizes(), dim);
  Tensor index_v = collapsed(index, index.sizes(), dim);
  Tensor src_v = collapsed(src, index.sizes(), dim);
  const Tensor* ts[3] = {&self_v, &index_v, &src_v};
  ElementwisePlan<3> plan(self_v.sizes(), ts);
  const int64_t self_sd = byte_stride(self, dim), index_sd = byte_stride(index, dim),
                src_sd = byte_stride(src, dim);
  KD_DISPATCH_ALL(self.dtype(), "scatter_add", [&] {
    plan.run(
        [&](char** p, const int64_t* st, int64_t m) {
          for (int64_t j = 0; j < m; ++j) {
            char* o = p[0] + j * st[0];
            const char* ix = p[1] + j * st[1];
            const char* s = p[2] + j * st[2];
            for (int64_t k = 0; k < n; ++k) {
              const int64_t v = *reinterpret_cast<const int64_t*>(ix + k * index_sd);
              scalar_t& dst = *reinterpret_cast<scalar_t*>(o + v * self_sd);
              const scalar_t add = *reinterpret_cast<const scalar_t*>(s + k * src_sd);
              if constexpr (std::is_same<scalar_t, bool>::value)
                dst = dst || add;  // PyTorch adds bools as logical or
              else
                dst += add;
            }
          }
        },
        grain_for(n));
  });
}

}  // namespace cpu
}  // namespace kd
