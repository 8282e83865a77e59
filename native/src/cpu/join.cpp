// CPU concatenation. The output is contiguous, so along `dim` it is a sequence of "outer rows",
// each holding one contiguous block per input. An input that is contiguous and already of the
// output's dtype is copied block by block with memcpy (all such inputs in one parallel pass over
// the rows); any other input goes through copy_kernel into its slice of the output, which handles
// strides and dtype conversion.
#include <algorithm>
#include <cstring>
#include <vector>

#include "cpu/kernels.h"
#include "cpu/parallel.h"

namespace kd {
namespace cpu {

namespace {

// One input copied by memcpy: `row_bytes` from each of its outer rows to `dst_offset` bytes into
// the matching output row.
struct Block {
  const char* src;
  int64_t row_bytes;
  int64_t dst_offset;
};

// Bytes copied per task below which the copy stays on one thread.
constexpr int64_t kCopyGrainBytes = int64_t(1) << 18;

}  // namespace

void cat_kernel(const Tensor& out, const Tensor* inputs, int32_t n, int32_t dim) {
  const int64_t es = static_cast<int64_t>(element_size(out.dtype()));
  int64_t outer = 1, inner = 1;
  for (int32_t d = 0; d < dim; ++d) outer *= out.size(d);
  for (int32_t d = dim + 1; d < out.dim(); ++d) inner *= out.size(d);
  const int64_t out_row_bytes = out.size(dim) * inner * es;

  std::vector<Block> blocks;
  int64_t pos = 0;  // where the current input starts along dim
  for (int32_t i = 0; i < n; ++i) {
    const Tensor& in = inputs[i];
    const int64_t len = in.size(dim);
    if (in.numel() > 0) {
      if (in.dtype() == out.dtype() && in.is_contiguous()) {
        blocks.push_back({static_cast<const char*>(in.raw_data()), len * inner * es,
                          pos * inner * es});
      } else {
        Dims sz = out.sizes();
        sz[dim] = len;
        Tensor slice = Tensor::view_of(out, sz, out.strides(), out.offset() + pos * out.stride(dim));
        copy_kernel(slice, in);
      }
    }
    pos += len;
  }
  if (blocks.empty() || out_row_bytes == 0) return;

  char* dst = static_cast<char*>(out.raw_data());
  const int64_t grain = std::max<int64_t>(1, kCopyGrainBytes / out_row_bytes);
  parallel_for(outer, grain, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) {
      char* row = dst + o * out_row_bytes;
      for (const Block& b : blocks)
        std::memcpy(row + b.dst_offset, b.src + o * b.row_bytes, static_cast<size_t>(b.row_bytes));
    }
  });
}

}  // namespace cpu
}  // namespace kd
