// A cache of large host blocks. Why: a training step frees and reallocates the same large
// activations every iteration; glibc serves blocks above its mmap threshold with fresh mmaps,
// and the kernel zeroes every page on first touch (measured: ~8% of a small CNN's step in
// clear_page). Freed blocks are kept by size class and handed out again; the cache is bounded,
// and emptied on request (kd_empty_cache) or when a new allocation fails.
#pragma once
#include <cstddef>
#include <cstdint>

namespace kd {
namespace host_cache {

// A 64-byte aligned block of at least nbytes (rounded up to its size class), or nullptr when
// the system is out of memory even after the cache was emptied.
void* acquire(size_t nbytes, size_t* class_bytes);
// Returns a block that acquire() gave out for class_bytes.
void release(void* p, size_t class_bytes);
// Frees every cached block.
void empty();
// Bytes held in the cache now (not in use by any tensor).
int64_t cached_bytes();

// Blocks below this go straight to malloc (glibc's own bins handle them well).
constexpr size_t kMinBytes = 64 * 1024;

}  // namespace host_cache
}  // namespace kd
