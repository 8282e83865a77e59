// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of UTF-8 JSON mapping each tensor name to {"dtype", "shape",
// "data_offsets": [begin, end]} plus an optional "__metadata__" string->string map, then the
// tensor bytes (little-endian, row-major). The reader validates everything before it trusts a
// byte; the writer produces what the reference Rust library produces for the same input.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "io/byte_source.h"
#include "io/loaded_file.h"

namespace kd::io {

// Largest header the reader accepts (the reference library's limit).
constexpr uint64_t kSafeTensorsMaxHeader = 100000000;

// Reads and validates a whole file: header length, UTF-8, JSON syntax, entry fields, dtype names
// (F32, F64, I64, BOOL; others are refused by name), shapes, data_offsets (in range, contiguous,
// non-overlapping, covering the data section exactly) and __metadata__ (strings only). Tensors come
// back in header order. Throws kd::Error (KD_ERR_ARGUMENT, or KD_ERR_UNSUPPORTED for a known but
// unsupported dtype) naming the file and the problem.
LoadedFile read_safetensors(const ByteSource& src);

// The header bytes (JSON padded with spaces to a multiple of 8) and, in order[i], the index into
// `tensors` of the i-th tensor in the data section: sorted by dtype (largest alignment first) and
// then by name, as the reference writer does; "__metadata__" first, keys sorted.
std::string safetensors_header(const std::vector<NamedTensor>& tensors,
                               const std::vector<std::pair<std::string, std::string>>& metadata,
                               std::vector<size_t>& order);

// The complete file as bytes (for tests and fuzzing).
std::vector<uint8_t> serialize_safetensors(const std::vector<NamedTensor>& tensors,
                                           const std::vector<std::pair<std::string, std::string>>& metadata);

// Writes the file atomically (see atomic_file.h). fail_after_bytes is a test hook.
void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::vector<std::pair<std::string, std::string>>& metadata,
                       int64_t fail_after_bytes = -1);

}  // namespace kd::io
