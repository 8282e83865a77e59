// A restricted pickle interpreter for the data.pkl of torch.save archives. Why not a general
// unpickler: pickle is a program, and calling whatever it names is how a checkpoint runs code.
// This one builds plain values only — None, bool, int, float, str, list, tuple, dict, OrderedDict —
// and knows a fixed set of globals: collections.OrderedDict, torch._utils._rebuild_tensor_v2,
// torch._utils._rebuild_parameter and the torch.*Storage types used in persistent ids. Any other
// GLOBAL/STACK_GLOBAL, any opcode that builds arbitrary objects (INST, OBJ, NEWOBJ, EXT*), a
// REDUCE of anything but those functions and a BUILD on anything but a dict is refused with an
// error naming it, before anything is executed (nothing here is ever executed anyway).
//
// All objects live in an arena owned by the Unpickler and refer to each other by raw pointer, so
// cycles and deep nesting cannot leak memory or overflow the stack when they are freed.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace kd::io {

// The storage classes that may appear in a persistent id, with the dtype each is loaded as.
enum class TorchStorageType { Float, Double, Long, Bool, Int, Half, BFloat16, Byte, Untyped };
const char* storage_type_name(TorchStorageType t);
size_t storage_element_size(TorchStorageType t);  // bytes per element in the file
DType storage_loaded_dtype(TorchStorageType t);   // Kindling dtype after conversion

struct PyObj {
  enum class Kind { None, Bool, Int, Float, Str, List, Tuple, Dict, Global, Storage, Tensor };
  enum class Global { OrderedDict, RebuildTensorV2, RebuildParameter, StorageClass };

  Kind kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;                                  // Str
  std::vector<PyObj*> items;                      // List, Tuple
  std::vector<std::pair<PyObj*, PyObj*>> entries; // Dict (keys are Str or Int)
  std::unordered_map<std::string, size_t> index;  // Dict: key -> position in entries
  bool ordered = false;                           // Dict made by collections.OrderedDict()
  Global global = Global::OrderedDict;            // Global
  TorchStorageType storage_type = TorchStorageType::Float;  // Global StorageClass, Storage
  Ref<Storage> storage;                           // Storage (already converted)
  int64_t numel = 0;                              // Storage: elements
  Tensor tensor;                                  // Tensor

  const char* kind_name() const;
};

// Resolves a persistent id ('storage', type, key, location, numel) to storage bytes converted to
// storage_loaded_dtype(type); called once per distinct key.
using StorageLoader = std::function<Ref<Storage>(const std::string& key, TorchStorageType type,
                                                 int64_t numel)>;

class Unpickler {
 public:
  struct Limits {
    size_t max_objects = 10u * 1000 * 1000;
  };
  Unpickler(const uint8_t* data, size_t n, StorageLoader loader, std::string what);
  Unpickler(const uint8_t* data, size_t n, StorageLoader loader, std::string what, Limits limits);

  // Runs the program to STOP and returns the top of the stack (owned by this Unpickler).
  PyObj* load();

 private:
  const uint8_t* data_;
  size_t n_;
  size_t pos_ = 0;
  StorageLoader loader_;
  std::string what_;
  Limits limits_;
  std::vector<std::unique_ptr<PyObj>> arena_;
  std::vector<PyObj*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PyObj*> memo_;
  std::unordered_map<std::string, PyObj*> storages_;  // by key: shared storages stay shared

  [[noreturn]] void error(const std::string& msg) const;
  PyObj* make(PyObj::Kind k);
  const uint8_t* take(size_t n);
  uint64_t take_le(size_t n);
  std::string take_line();
  PyObj* pop();
  PyObj* top();
  std::vector<PyObj*> pop_mark();
  void push(PyObj* o);
  PyObj* global(const std::string& module, const std::string& name);
  PyObj* reduce(PyObj* callable, PyObj* args);
  PyObj* persistent_load(PyObj* pid);
  PyObj* rebuild_tensor(const std::vector<PyObj*>& a);
  void dict_set(PyObj* d, PyObj* k, PyObj* v);
  PyObj* make_str(std::string s);
  PyObj* make_long(const uint8_t* p, size_t n);
};

}  // namespace kd::io
