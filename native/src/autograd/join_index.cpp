// Differentiable joining and indexing (PLACEHOLDER: forwards to ops:: without recording history;
// the backward formulas for this family are being written).
#include "autograd/functions.h"
#include "autograd/meta.h"

namespace kd {
namespace ag {

Tensor cat(const std::vector<Tensor>& ts, int64_t dim) { return ops::cat(ts, dim); }
Tensor stack(const std::vector<Tensor>& ts, int64_t dim) { return ops::stack(ts, dim); }
std::vector<Tensor> split_with_sizes(const Tensor& t, const std::vector<int64_t>& s, int64_t dim) {
  return ops::split_with_sizes(t, s, dim);
}
Tensor index_select(const Tensor& t, int64_t dim, const Tensor& i) { return ops::index_select(t, dim, i); }
Tensor gather(const Tensor& t, int64_t dim, const Tensor& i) { return ops::gather(t, dim, i); }
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& i, const Tensor& s) { return ops::scatter_add(t, dim, i, s); }
void scatter_add_(const Tensor& t, int64_t dim, const Tensor& i, const Tensor& s) {
  check_inplace(t, "scatter_add_");
  ops::scatter_add_(t, dim, i, s);
}

}  // namespace ag
}  // namespace kd
