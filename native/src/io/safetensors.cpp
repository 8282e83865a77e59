// safetensors reader (validate, then read each tensor straight into its storage) and writer.
#include "io/safetensors.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/json.h"
#include "ops/ops.h"

namespace kd::io {

namespace {

static_assert(sizeof(double) == 8 && sizeof(float) == 4, "IEEE types expected");

bool host_is_little_endian() {
  const uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

// Every dtype name of the format, so that a known-but-unsupported one gets a precise message.
const char* const kKnownDtypes[] = {"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "I16",
                                    "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64",
                                    "U64", "C64", "F4", "F6_E2M3", "F6_E3M2"};

const char* st_name(DType d) {
  switch (d) {
    case DType::Float32: return "F32";
    case DType::Float64: return "F64";
    case DType::Int64: return "I64";
    case DType::Bool: return "BOOL";
  }
  return "?";
}

// Position in the reference library's Dtype enum (its sort key when writing).
int st_rank(DType d) {
  switch (d) {
    case DType::Bool: return 0;
    case DType::Float32: return 11;
    case DType::Float64: return 12;
    case DType::Int64: return 13;
  }
  return 0;
}

DType parse_dtype(const std::string& s, const std::string& file, const std::string& tensor) {
  if (s == "F32") return DType::Float32;
  if (s == "F64") return DType::Float64;
  if (s == "I64") return DType::Int64;
  if (s == "BOOL") return DType::Bool;
  for (const char* k : kKnownDtypes)
    if (s == k)
      kd::fail(KD_ERR_UNSUPPORTED, "safetensors: ", file, ": tensor '", tensor, "' has dtype ", s,
               ", which is not supported yet (Kindling reads F32, F64, I64 and BOOL)");
  kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", tensor, "' has unknown dtype '", s, "'");
}

struct Entry {
  std::string name;
  DType dtype;
  Dims shape;
  uint64_t begin, end;
  size_t header_index;
};

uint64_t checked_mul(uint64_t a, uint64_t b, const std::string& file, const std::string& tensor) {
  if (a != 0 && b > UINT64_MAX / a)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", tensor, "': shape too large (size overflows)");
  return a * b;
}

Entry parse_entry(const std::string& name, const Json& info, const std::string& file, size_t index) {
  if (!info.is_object())
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": entry '", name, "' must be an object with dtype, shape and data_offsets");
  const Json* dtype = nullptr;
  const Json* shape = nullptr;
  const Json* offsets = nullptr;
  for (const auto& m : info.members) {
    const Json** slot = m.first == "dtype" ? &dtype : m.first == "shape" ? &shape
                      : m.first == "data_offsets" ? &offsets : nullptr;
    if (!slot) kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "' has unknown field '", m.first, "'");
    if (*slot) kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "' repeats field '", m.first, "'");
    *slot = &m.second;
  }
  if (!dtype || !shape || !offsets)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "' lacks ",
             !dtype ? "dtype" : !shape ? "shape" : "data_offsets");
  if (!dtype->is_string()) kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "': dtype must be a string");
  Entry e;
  e.name = name;
  e.header_index = index;
  e.dtype = parse_dtype(dtype->text, file, name);
  if (!shape->is_array()) kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "': shape must be an array");
  if (shape->items.size() > static_cast<size_t>(kMaxDims))
    kd::fail(KD_ERR_UNSUPPORTED, "safetensors: ", file, ": tensor '", name, "' has ", shape->items.size(),
             " dims; at most ", kMaxDims, " are supported");
  uint64_t numel = 1, nonzero = 1;
  for (const Json& d : shape->items) {
    uint64_t v;
    if (!d.as_u64(v) || v > static_cast<uint64_t>(INT64_MAX))
      kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "': shape entries must be non-negative integers, got ",
               d.is_number() ? d.text : std::string("a non-number"));
    e.shape.push_back(static_cast<int64_t>(v));
    numel = checked_mul(numel, v, file, name);
    // Strides are products of sizes: keep them in int64 even when another dim is 0.
    if (v) nonzero = checked_mul(nonzero, v, file, name);
    if (nonzero > static_cast<uint64_t>(INT64_MAX))
      kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "': shape too large (size overflows)");
  }
  if (!offsets->is_array() || offsets->items.size() != 2)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "': data_offsets must be [begin, end]");
  if (!offsets->items[0].as_u64(e.begin) || !offsets->items[1].as_u64(e.end))
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "': data_offsets must be non-negative integers");
  if (e.end < e.begin)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "': data_offsets [", e.begin, ", ", e.end, "] end before they begin");
  uint64_t nbytes = checked_mul(numel, element_size(e.dtype), file, name);
  if (e.end - e.begin != nbytes)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", name, "' has dtype ", st_name(e.dtype), " and shape ",
             e.shape.str(), " (", nbytes, " bytes) but data_offsets [", e.begin, ", ", e.end, "] span ", e.end - e.begin, " bytes");
  return e;
}

void append_u64(std::string& out, uint64_t v) { out += std::to_string(v); }

}  // namespace

LoadedFile read_safetensors(const ByteSource& src) {
  if (!host_is_little_endian()) kd::fail(KD_ERR_UNSUPPORTED, "safetensors: big-endian hosts are not supported");
  const std::string& file = src.name();
  uint64_t size = src.size();
  if (size < 8)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, " is too small (", size, " bytes) to hold the 8-byte header length; not a safetensors file");
  uint8_t lenbuf[8];
  src.read(0, lenbuf, 8, "safetensors");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | lenbuf[i];
  if (n > kSafeTensorsMaxHeader)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": header length ", n, " is absurd (limit ", kSafeTensorsMaxHeader,
             " bytes); the file is not safetensors or is corrupt");
  if (n > size - 8)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": header length ", n, " exceeds the ", size - 8,
             " bytes that follow it; the file is truncated or corrupt");
  std::string header = src.read_string(8, static_cast<size_t>(n), "safetensors");
  if (header.empty() || header[0] != '{')
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": header does not start with '{'; not a safetensors file");
  std::string what = "safetensors: " + file + ": header";
  Json root = parse_json(header, what.c_str());
  if (!root.is_object()) kd::fail(KD_ERR_ARGUMENT, what, " is not a JSON object");

  LoadedFile out;
  std::vector<Entry> entries;
  std::set<std::string> seen;
  bool have_meta = false;
  for (const auto& m : root.members) {
    if (!seen.insert(m.first).second)
      kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": header names '", m.first, "' twice");
    if (m.first == "__metadata__") {
      have_meta = true;
      if (m.second.is_null()) continue;
      if (!m.second.is_object()) kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": __metadata__ must be an object of strings");
      std::set<std::string> keys;
      for (const auto& kv : m.second.members) {
        if (!kv.second.is_string())
          kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": __metadata__ value of '", kv.first, "' must be a string");
        if (!keys.insert(kv.first).second)
          kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": __metadata__ names '", kv.first, "' twice");
        out.metadata.emplace_back(kv.first, kv.second.text);
      }
      continue;
    }
    entries.push_back(parse_entry(m.first, m.second, file, entries.size()));
  }
  (void)have_meta;

  // Offsets: sorted, they must tile [0, data size) exactly.
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::stable_sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  uint64_t data_size = size - 8 - n;
  uint64_t pos = 0;
  for (const Entry* e : by_offset) {
    if (e->begin != pos)
      kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor '", e->name, "' has data_offsets [", e->begin, ", ", e->end, "] but ",
               e->begin < pos ? "it overlaps the previous tensor, which ends at " : "there is a gap after the previous tensor, which ends at ",
               pos, " (tensor data must be contiguous and non-overlapping)");
    pos = e->end;
  }
  if (pos != data_size)
    kd::fail(KD_ERR_ARGUMENT, "safetensors: ", file, ": tensor data ends at byte ", pos, " of the data section but the file holds ",
             data_size, " bytes after the header (", pos > data_size ? "truncated file" : "trailing bytes", ")");

  uint64_t base = 8 + n;
  for (const Entry& e : entries) {
    Tensor t = Tensor::empty(e.shape, e.dtype);
    size_t nbytes = static_cast<size_t>(e.end - e.begin);
    src.read(base + e.begin, t.raw_data(), nbytes, "safetensors");
    if (e.dtype == DType::Bool) {
      // Any non-zero byte is true; normalise so that every stored bool is 0 or 1.
      uint8_t* p = static_cast<uint8_t*>(t.raw_data());
      for (size_t i = 0; i < nbytes; ++i) p[i] = p[i] != 0;
    }
    out.tensors.push_back({e.name, std::move(t)});
  }
  return out;
}

std::string safetensors_header(const std::vector<NamedTensor>& tensors,
                               const std::vector<std::pair<std::string, std::string>>& metadata,
                               std::vector<size_t>& order) {
  std::set<std::string> names;
  for (const NamedTensor& nt : tensors) {
    if (!nt.tensor.defined()) kd::fail(KD_ERR_ARGUMENT, "safetensors: save: tensor '", nt.name, "' is undefined");
    if (nt.name == "__metadata__") kd::fail(KD_ERR_ARGUMENT, "safetensors: save: '__metadata__' cannot name a tensor");
    if (!valid_utf8(nt.name)) kd::fail(KD_ERR_ARGUMENT, "safetensors: save: a tensor name is not valid UTF-8");
    if (!names.insert(nt.name).second) kd::fail(KD_ERR_ARGUMENT, "safetensors: save: tensor name '", nt.name, "' appears twice");
    if (nt.tensor.device() != Device::CPU) kd::fail(KD_ERR_UNSUPPORTED, "safetensors: save: tensor '", nt.name, "' is not on the CPU");
  }
  std::vector<std::pair<std::string, std::string>> meta = metadata;
  std::sort(meta.begin(), meta.end());
  for (size_t i = 0; i < meta.size(); ++i) {
    if (!valid_utf8(meta[i].first) || !valid_utf8(meta[i].second))
      kd::fail(KD_ERR_ARGUMENT, "safetensors: save: metadata is not valid UTF-8");
    if (i > 0 && meta[i].first == meta[i - 1].first)
      kd::fail(KD_ERR_ARGUMENT, "safetensors: save: metadata key '", meta[i].first, "' appears twice");
  }
  order.resize(tensors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    int ra = st_rank(tensors[a].tensor.dtype()), rb = st_rank(tensors[b].tensor.dtype());
    if (ra != rb) return ra > rb;
    return tensors[a].name < tensors[b].name;
  });
  std::string h = "{";
  bool first = true;
  if (!metadata.empty()) {
    h += "\"__metadata__\":{";
    for (size_t i = 0; i < meta.size(); ++i) {
      if (i) h += ',';
      append_json_string(h, meta[i].first);
      h += ':';
      append_json_string(h, meta[i].second);
    }
    h += '}';
    first = false;
  }
  uint64_t offset = 0;
  for (size_t idx : order) {
    const NamedTensor& nt = tensors[idx];
    if (!first) h += ',';
    first = false;
    append_json_string(h, nt.name);
    h += ":{\"dtype\":\"";
    h += st_name(nt.tensor.dtype());
    h += "\",\"shape\":[";
    for (int32_t d = 0; d < nt.tensor.dim(); ++d) {
      if (d) h += ',';
      append_u64(h, static_cast<uint64_t>(nt.tensor.size(d)));
    }
    uint64_t nbytes = static_cast<uint64_t>(nt.tensor.numel()) * element_size(nt.tensor.dtype());
    h += "],\"data_offsets\":[";
    append_u64(h, offset);
    h += ',';
    append_u64(h, offset + nbytes);
    h += "]}";
    offset += nbytes;
  }
  h += '}';
  while (h.size() % 8) h += ' ';
  return h;
}

namespace {

template <typename Sink>
void emit(const std::vector<NamedTensor>& tensors,
          const std::vector<std::pair<std::string, std::string>>& metadata, Sink&& sink) {
  if (!host_is_little_endian()) kd::fail(KD_ERR_UNSUPPORTED, "safetensors: big-endian hosts are not supported");
  std::vector<size_t> order;
  std::string header = safetensors_header(tensors, metadata, order);
  uint8_t len[8];
  uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
  sink(len, 8);
  sink(header.data(), header.size());
  for (size_t idx : order) {
    const Tensor& t = tensors[idx].tensor;
    Tensor c = t.is_contiguous() ? t : ops::contiguous(t);
    size_t nbytes = static_cast<size_t>(c.numel()) * element_size(c.dtype());
    if (nbytes) sink(c.raw_data(), nbytes);
  }
}

}  // namespace

std::vector<uint8_t> serialize_safetensors(const std::vector<NamedTensor>& tensors,
                                           const std::vector<std::pair<std::string, std::string>>& metadata) {
  std::vector<uint8_t> out;
  emit(tensors, metadata, [&](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    out.insert(out.end(), b, b + n);
  });
  return out;
}

void write_safetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                       const std::vector<std::pair<std::string, std::string>>& metadata,
                       int64_t fail_after_bytes) {
  // Validate (names, metadata) before touching the file system.
  std::vector<size_t> order;
  (void)safetensors_header(tensors, metadata, order);
  write_file_atomically(path, [&](FileWriter& w) {
    emit(tensors, metadata, [&](const void* p, size_t n) { w.write(p, n); });
  }, fail_after_bytes);
}

}  // namespace kd::io
