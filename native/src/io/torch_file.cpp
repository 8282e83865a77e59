// torch.save archive = zip + restricted pickle + raw storages; see torch_file.h.
#include "io/torch_file.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "core/error.h"
#include "io/json.h"
#include "io/zip.h"

namespace kd::io {

namespace {

constexpr uint64_t kMaxPickle = 256ull << 20;
constexpr int kMaxDepth = 100;
constexpr size_t kMaxNodes = 5u * 1000 * 1000;

float half_to_float(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1F, man = h & 0x3FF;
  uint32_t bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      exp = 127 - 15 + 1;
      while (!(man & 0x400)) { man <<= 1; --exp; }
      man &= 0x3FF;
      bits = sign | (exp << 23) | (man << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | (man << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

class StructureWriter {
 public:
  StructureWriter(LoadedFile& out, std::string what) : out_(out), what_(std::move(what)) {}

  void write(const PyObj* o, const std::string& path, int depth) {
    if (depth > kMaxDepth) fail_limit("nesting deeper than " + std::to_string(kMaxDepth) + " levels (or a reference cycle)");
    if (++nodes_ > kMaxNodes) fail_limit("more than " + std::to_string(kMaxNodes) + " values once shared references are expanded");
    std::string& s = out_.structure;
    switch (o->kind) {
      case PyObj::Kind::None: s += "null"; break;
      case PyObj::Kind::Bool: s += o->b ? "true" : "false"; break;
      case PyObj::Kind::Int: s += std::to_string(o->i); break;
      case PyObj::Kind::Float: {
        if (std::isnan(o->f)) { s += "{\"$float\":\"nan\"}"; break; }
        if (std::isinf(o->f)) { s += o->f > 0 ? "{\"$float\":\"inf\"}" : "{\"$float\":\"-inf\"}"; break; }
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", o->f);
        s += buf;
        if (!std::strpbrk(buf, ".eE")) s += ".0";
        break;
      }
      case PyObj::Kind::Str: append_json_string(s, o->s); break;
      case PyObj::Kind::List:
      case PyObj::Kind::Tuple: {
        bool tuple = o->kind == PyObj::Kind::Tuple;
        s += tuple ? "{\"$tuple\":[" : "[";
        for (size_t i = 0; i < o->items.size(); ++i) {
          if (i) s += ',';
          write(o->items[i], join(path, std::to_string(i)), depth + 1);
        }
        s += tuple ? "]}" : "]";
        break;
      }
      case PyObj::Kind::Dict: {
        s += o->ordered ? "{\"$ordered_dict\":[" : "{\"$dict\":[";
        for (size_t i = 0; i < o->entries.size(); ++i) {
          if (i) s += ',';
          const PyObj* k = o->entries[i].first;
          s += '[';
          std::string kname;
          if (k->kind == PyObj::Kind::Str) {
            append_json_string(s, k->s);
            kname = k->s;
          } else {
            kname = std::to_string(k->i);
            s += kname;
          }
          s += ',';
          write(o->entries[i].second, join(path, kname), depth + 1);
          s += ']';
        }
        s += "]}";
        break;
      }
      case PyObj::Kind::Tensor: {
        auto it = tensor_index_.find(o);
        size_t idx;
        if (it != tensor_index_.end()) {
          idx = it->second;
        } else {
          idx = out_.tensors.size();
          tensor_index_.emplace(o, idx);
          out_.tensors.push_back({path, o->tensor});
        }
        s += "{\"$tensor\":" + std::to_string(idx) + "}";
        break;
      }
      case PyObj::Kind::Global:
        kd::fail(KD_ERR_ARGUMENT, what_, ": a bare global cannot be loaded as a value (at '", path, "')");
      case PyObj::Kind::Storage:
        kd::fail(KD_ERR_ARGUMENT, what_, ": a bare ", storage_type_name(o->storage_type),
                 " cannot be loaded as a value (at '", path, "'); only tensors are supported");
    }
  }

 private:
  LoadedFile& out_;
  std::string what_;
  size_t nodes_ = 0;
  std::unordered_map<const PyObj*, size_t> tensor_index_;

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  [[noreturn]] void fail_limit(const std::string& why) {
    kd::fail(KD_ERR_ARGUMENT, what_, ": structure too large: ", why);
  }
};

}  // namespace

Ref<Storage> convert_storage(const uint8_t* bytes, TorchStorageType type, int64_t numel) {
  DType dt = storage_loaded_dtype(type);
  size_t n = static_cast<size_t>(numel);
  Ref<Storage> st = Storage::allocate(n * element_size(dt));
  void* dst = st->data();
  switch (type) {
    case TorchStorageType::Float: case TorchStorageType::Double: case TorchStorageType::Long:
      if (n) std::memcpy(dst, bytes, n * element_size(dt));
      break;
    case TorchStorageType::Bool: {
      uint8_t* p = static_cast<uint8_t*>(dst);
      for (size_t i = 0; i < n; ++i) p[i] = bytes[i] != 0;
      break;
    }
    case TorchStorageType::Int: {
      int64_t* p = static_cast<int64_t*>(dst);
      for (size_t i = 0; i < n; ++i) {
        int32_t v;
        std::memcpy(&v, bytes + 4 * i, 4);
        p[i] = v;
      }
      break;
    }
    case TorchStorageType::Byte: case TorchStorageType::Untyped: {
      int64_t* p = static_cast<int64_t*>(dst);
      for (size_t i = 0; i < n; ++i) p[i] = bytes[i];
      break;
    }
    case TorchStorageType::Half: {
      float* p = static_cast<float*>(dst);
      for (size_t i = 0; i < n; ++i) p[i] = half_to_float(static_cast<uint16_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8)));
      break;
    }
    case TorchStorageType::BFloat16: {
      float* p = static_cast<float*>(dst);
      for (size_t i = 0; i < n; ++i) {
        uint32_t bits = static_cast<uint32_t>(bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16;
        std::memcpy(&p[i], &bits, 4);
      }
      break;
    }
  }
  return st;
}

LoadedFile to_loaded_file(const PyObj* root, const std::string& what) {
  LoadedFile out;
  StructureWriter(out, what).write(root, "", 0);
  return out;
}

LoadedFile read_torch_file(const ByteSource& src) {
  const std::string& file = src.name();
  std::string what = "torch.load: " + file;
  if (!ZipReader::looks_like_zip(src)) {
    uint8_t head[2] = {0, 0};
    if (src.size() >= 2) src.read(0, head, 2, "torch.load");
    if (head[0] == 0x80)
      kd::fail(KD_ERR_UNSUPPORTED, what, ": this is the legacy torch.save format (PyTorch < 1.6 or "
               "_use_new_zipfile_serialization=False), which is not supported; re-save it with a newer torch.save");
    kd::fail(KD_ERR_ARGUMENT, what, ": not a torch.save file (no zip signature)");
  }
  ZipReader zip(src);
  if (zip.entries().empty()) kd::fail(KD_ERR_ARGUMENT, what, ": empty archive");
  // All records sit in one top-level folder whose name torch chose (the file's stem or "archive").
  const std::string& first = zip.entries()[0].name;
  size_t slash = first.find('/');
  if (slash == std::string::npos) kd::fail(KD_ERR_ARGUMENT, what, ": not a torch.save archive (no top-level folder)");
  std::string prefix = first.substr(0, slash + 1);
  const ZipEntry* pkl = zip.find(prefix + "data.pkl");
  if (!pkl) kd::fail(KD_ERR_ARGUMENT, what, ": not a torch.save archive (no ", prefix, "data.pkl)");
  std::string program = zip.read_string(*pkl, kMaxPickle);

  StorageLoader loader = [&](const std::string& key, TorchStorageType type, int64_t numel) -> Ref<Storage> {
    const ZipEntry* e = zip.find(prefix + "data/" + key);
    if (!e) kd::fail(KD_ERR_ARGUMENT, what, ": storage '", key, "' is missing from the archive");
    size_t esz = storage_element_size(type);
    if (static_cast<uint64_t>(numel) > UINT64_MAX / esz || static_cast<uint64_t>(numel) * esz != e->size)
      kd::fail(KD_ERR_ARGUMENT, what, ": storage '", key, "' should hold ", numel, " elements of ", storage_type_name(type),
               " but its record has ", e->size, " bytes");
    if (storage_element_size(type) == element_size(storage_loaded_dtype(type))) {
      // Same layout in the file and in memory: read straight into the storage.
      Ref<Storage> st = Storage::allocate(static_cast<size_t>(e->size));
      zip.read(*e, st->data());
      if (type == TorchStorageType::Bool) {
        uint8_t* p = static_cast<uint8_t*>(st->data());
        for (uint64_t i = 0; i < e->size; ++i) p[i] = p[i] != 0;
      }
      return st;
    }
    std::vector<uint8_t> raw(static_cast<size_t>(e->size));
    zip.read(*e, raw.data());
    return convert_storage(raw.data(), type, numel);
  };
  Unpickler up(reinterpret_cast<const uint8_t*>(program.data()), program.size(), loader, what);
  PyObj* root = up.load();
  return to_loaded_file(root, what);
}

}  // namespace kd::io
