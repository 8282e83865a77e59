// The restricted unpickler (see pickle.h). Opcode reference: CPython's Lib/pickletools.py.
#include "io/pickle.h"

#include <cstring>

#include "core/error.h"
#include "io/json.h"

namespace kd::io {

const char* storage_type_name(TorchStorageType t) {
  switch (t) {
    case TorchStorageType::Float: return "torch.FloatStorage";
    case TorchStorageType::Double: return "torch.DoubleStorage";
    case TorchStorageType::Long: return "torch.LongStorage";
    case TorchStorageType::Bool: return "torch.BoolStorage";
    case TorchStorageType::Int: return "torch.IntStorage";
    case TorchStorageType::Half: return "torch.HalfStorage";
    case TorchStorageType::BFloat16: return "torch.BFloat16Storage";
    case TorchStorageType::Byte: return "torch.ByteStorage";
    case TorchStorageType::Untyped: return "torch.UntypedStorage";
  }
  return "?";
}

size_t storage_element_size(TorchStorageType t) {
  switch (t) {
    case TorchStorageType::Float: return 4;
    case TorchStorageType::Double: return 8;
    case TorchStorageType::Long: return 8;
    case TorchStorageType::Bool: return 1;
    case TorchStorageType::Int: return 4;
    case TorchStorageType::Half: return 2;
    case TorchStorageType::BFloat16: return 2;
    case TorchStorageType::Byte: return 1;
    case TorchStorageType::Untyped: return 1;
  }
  return 1;
}

DType storage_loaded_dtype(TorchStorageType t) {
  switch (t) {
    case TorchStorageType::Float: case TorchStorageType::Half: case TorchStorageType::BFloat16:
      return DType::Float32;
    case TorchStorageType::Double: return DType::Float64;
    case TorchStorageType::Bool: return DType::Bool;
    default: return DType::Int64;
  }
}

const char* PyObj::kind_name() const {
  switch (kind) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::Str: return "str";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return ordered ? "OrderedDict" : "dict";
    case Kind::Global: return "global";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
  }
  return "?";
}

namespace {

// Opcodes (pickletools names).
enum : uint8_t {
  MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I',
  BININT = 'J', BININT1 = 'K', LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P',
  BINPERSID = 'Q', REDUCE = 'R', STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U',
  UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a', BUILD = 'b', GLOBAL = 'c', DICT = 'd',
  EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h', INST = 'i', LONG_BINGET = 'j',
  LIST = 'l', EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q', LONG_BINPUT = 'r',
  SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
  PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85,
  TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b,
  BINBYTES = 'B', SHORT_BINBYTES = 'C', SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d,
  BINBYTES8 = 0x8e, EMPTY_SET = 0x8f, ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92,
  STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95, BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97,
  READONLY_BUFFER = 0x98
};

const char* refused_opcode_name(uint8_t op) {
  switch (op) {
    case INST: return "INST (builds an arbitrary object)";
    case OBJ: return "OBJ (builds an arbitrary object)";
    case NEWOBJ: return "NEWOBJ (builds an arbitrary object)";
    case NEWOBJ_EX: return "NEWOBJ_EX (builds an arbitrary object)";
    case EXT1: case EXT2: case EXT4: return "EXT (extension registry)";
    case PERSID: return "PERSID (text persistent id)";
    case EMPTY_SET: case ADDITEMS: case FROZENSET: return "set/frozenset";
    case BINBYTES: case SHORT_BINBYTES: case BINBYTES8: case BYTEARRAY8: return "bytes/bytearray";
    case NEXT_BUFFER: case READONLY_BUFFER: return "out-of-band buffer";
    case FLOAT: case INT: case LONG: case STRING: case BINSTRING: case SHORT_BINSTRING:
    case UNICODE: case GET: case PUT:
      return "protocol 0/1 text opcode";
    default: return nullptr;
  }
}

bool parse_storage_class(const std::string& module, const std::string& name, TorchStorageType& t) {
  if (module == "torch") {
    if (name == "FloatStorage") { t = TorchStorageType::Float; return true; }
    if (name == "DoubleStorage") { t = TorchStorageType::Double; return true; }
    if (name == "LongStorage") { t = TorchStorageType::Long; return true; }
    if (name == "BoolStorage") { t = TorchStorageType::Bool; return true; }
    if (name == "IntStorage") { t = TorchStorageType::Int; return true; }
    if (name == "HalfStorage") { t = TorchStorageType::Half; return true; }
    if (name == "BFloat16Storage") { t = TorchStorageType::BFloat16; return true; }
    if (name == "ByteStorage") { t = TorchStorageType::Byte; return true; }
    if (name == "UntypedStorage") { t = TorchStorageType::Untyped; return true; }
  }
  if (module == "torch.storage" && (name == "UntypedStorage" || name == "_UntypedStorage")) {
    t = TorchStorageType::Untyped;
    return true;
  }
  return false;
}

std::string dict_key(const PyObj* k) {
  return k->kind == PyObj::Kind::Str ? "s" + k->s : "i" + std::to_string(k->i);
}

}  // namespace

Unpickler::Unpickler(const uint8_t* data, size_t n, StorageLoader loader, std::string what)
    : Unpickler(data, n, std::move(loader), std::move(what), Limits{}) {}

Unpickler::Unpickler(const uint8_t* data, size_t n, StorageLoader loader, std::string what, Limits limits)
    : data_(data), n_(n), loader_(std::move(loader)), what_(std::move(what)), limits_(limits) {}

void Unpickler::error(const std::string& msg) const {
  kd::fail(KD_ERR_ARGUMENT, what_, ": ", msg, " (pickle byte ", pos_, ")");
}

PyObj* Unpickler::make(PyObj::Kind k) {
  if (arena_.size() >= limits_.max_objects) error("too many objects in the pickle");
  arena_.push_back(std::make_unique<PyObj>());
  arena_.back()->kind = k;
  return arena_.back().get();
}

const uint8_t* Unpickler::take(size_t n) {
  if (n > n_ - pos_) error("unexpected end of pickle data (truncated?)");
  const uint8_t* p = data_ + pos_;
  pos_ += n;
  return p;
}

uint64_t Unpickler::take_le(size_t n) {
  const uint8_t* p = take(n);
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

std::string Unpickler::take_line() {
  size_t start = pos_;
  while (pos_ < n_ && data_[pos_] != '\n') {
    if (pos_ - start > 256) error("GLOBAL name too long");
    ++pos_;
  }
  if (pos_ >= n_) error("unexpected end of pickle data in GLOBAL");
  std::string s(reinterpret_cast<const char*>(data_ + start), pos_ - start);
  ++pos_;
  return s;
}

void Unpickler::push(PyObj* o) { stack_.push_back(o); }

PyObj* Unpickler::pop() {
  size_t floor = marks_.empty() ? 0 : marks_.back();
  if (stack_.size() <= floor) error("stack underflow");
  PyObj* o = stack_.back();
  stack_.pop_back();
  return o;
}

PyObj* Unpickler::top() {
  size_t floor = marks_.empty() ? 0 : marks_.back();
  if (stack_.size() <= floor) error("stack underflow");
  return stack_.back();
}

std::vector<PyObj*> Unpickler::pop_mark() {
  if (marks_.empty()) error("MARK expected");
  size_t m = marks_.back();
  marks_.pop_back();
  std::vector<PyObj*> items(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
  stack_.resize(m);
  return items;
}

PyObj* Unpickler::make_str(std::string s) {
  if (!valid_utf8(s)) error("string is not valid UTF-8");
  PyObj* o = make(PyObj::Kind::Str);
  o->s = std::move(s);
  return o;
}

PyObj* Unpickler::make_long(const uint8_t* p, size_t n) {
  // Little-endian two's complement; Kindling keeps ints as int64.
  if (n > 8) {
    // Allowed only when the extra bytes are sign extension.
    uint8_t fill = (p[7] & 0x80) ? 0xFF : 0x00;
    for (size_t i = 8; i < n; ++i)
      if (p[i] != fill) error("integer does not fit in 64 bits");
    n = 8;
  }
  uint64_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  if (n > 0 && n < 8 && (p[n - 1] & 0x80)) v |= ~uint64_t(0) << (8 * n);
  PyObj* o = make(PyObj::Kind::Int);
  std::memcpy(&o->i, &v, 8);
  return o;
}

PyObj* Unpickler::global(const std::string& module, const std::string& name) {
  PyObj* g = make(PyObj::Kind::Global);
  if (module == "collections" && name == "OrderedDict") {
    g->global = PyObj::Global::OrderedDict;
  } else if (module == "torch._utils" && name == "_rebuild_tensor_v2") {
    g->global = PyObj::Global::RebuildTensorV2;
  } else if (module == "torch._utils" && name == "_rebuild_parameter") {
    g->global = PyObj::Global::RebuildParameter;
  } else if (parse_storage_class(module, name, g->storage_type)) {
    g->global = PyObj::Global::StorageClass;
  } else {
    kd::fail(KD_ERR_ARGUMENT, what_, ": refusing to load global '", module, ".", name,
             "': only tensors and plain containers are allowed (the weights_only subset); nothing was executed");
  }
  return g;
}

void Unpickler::dict_set(PyObj* d, PyObj* k, PyObj* v) {
  if (d->kind != PyObj::Kind::Dict) error(std::string("SETITEM on a ") + d->kind_name() + ", not a dict");
  if (k->kind != PyObj::Kind::Str && k->kind != PyObj::Kind::Int)
    error(std::string("dict keys must be str or int, got ") + k->kind_name());
  std::string key = dict_key(k);
  auto it = d->index.find(key);
  if (it != d->index.end()) {
    d->entries[it->second].second = v;
  } else {
    d->index.emplace(std::move(key), d->entries.size());
    d->entries.emplace_back(k, v);
  }
}

PyObj* Unpickler::persistent_load(PyObj* pid) {
  if (pid->kind != PyObj::Kind::Tuple || pid->items.size() != 5 || pid->items[0]->kind != PyObj::Kind::Str ||
      pid->items[0]->s != "storage")
    error("persistent id must be ('storage', type, key, location, numel)");
  PyObj* type = pid->items[1];
  PyObj* key = pid->items[2];
  PyObj* location = pid->items[3];
  PyObj* numel = pid->items[4];
  if (type->kind != PyObj::Kind::Global || type->global != PyObj::Global::StorageClass)
    error("persistent id names no storage class");
  if (key->kind != PyObj::Kind::Str || location->kind != PyObj::Kind::Str || numel->kind != PyObj::Kind::Int)
    error("persistent id has a bad key, location or size");
  if (numel->i < 0) error("persistent id has a negative storage size");
  auto it = storages_.find(key->s);
  if (it != storages_.end()) {
    if (it->second->storage_type != type->storage_type || it->second->numel != numel->i)
      error("storage '" + key->s + "' is used with two different types or sizes");
    return it->second;
  }
  PyObj* s = make(PyObj::Kind::Storage);
  s->storage_type = type->storage_type;
  s->numel = numel->i;
  s->storage = loader_(key->s, type->storage_type, numel->i);
  storages_.emplace(key->s, s);
  return s;
}

namespace {

bool int_tuple(const PyObj* t, Dims& out) {
  if (t->kind != PyObj::Kind::Tuple && t->kind != PyObj::Kind::List) return false;
  if (t->items.size() > static_cast<size_t>(kMaxDims)) return false;
  out = Dims();
  for (const PyObj* x : t->items) {
    if (x->kind != PyObj::Kind::Int || x->i < 0) return false;
    out.push_back(x->i);
  }
  return true;
}

bool empty_hooks(const PyObj* h) {
  return h->kind == PyObj::Kind::None || (h->kind == PyObj::Kind::Dict && h->entries.empty());
}

}  // namespace

PyObj* Unpickler::rebuild_tensor(const std::vector<PyObj*>& a) {
  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  if (a.size() != 6 && a.size() != 7) error("_rebuild_tensor_v2 expects 6 or 7 arguments");
  PyObj* st = a[0];
  if (st->kind != PyObj::Kind::Storage) error("_rebuild_tensor_v2: first argument is not a storage");
  if (a[1]->kind != PyObj::Kind::Int || a[1]->i < 0) error("_rebuild_tensor_v2: bad storage offset");
  Dims sizes, strides;
  if (!int_tuple(a[2], sizes)) error("_rebuild_tensor_v2: size must be a tuple of at most 16 non-negative ints");
  if (!int_tuple(a[3], strides) || strides.size() != sizes.size())
    error("_rebuild_tensor_v2: stride must be a tuple of non-negative ints matching the size");
  if (a[4]->kind != PyObj::Kind::Bool) error("_rebuild_tensor_v2: requires_grad must be a bool");
  if (!empty_hooks(a[5])) error("_rebuild_tensor_v2: tensors with backward hooks are not supported");
  if (a.size() == 7 && !empty_hooks(a[6])) error("_rebuild_tensor_v2: tensor metadata is not supported");
  int64_t offset = a[1]->i;
  // The last element reached must lie inside the storage (overflow-checked).
  uint64_t numel = 1;
  bool empty = false;
  for (int32_t d = 0; d < sizes.size(); ++d) empty = empty || sizes[d] == 0;
  uint64_t last = static_cast<uint64_t>(offset);
  if (!empty) {
    for (int32_t d = 0; d < sizes.size(); ++d) {
      uint64_t sz = static_cast<uint64_t>(sizes[d]), sd = static_cast<uint64_t>(strides[d]);
      if (sd != 0 && (sz - 1) > (UINT64_MAX - last) / sd) error("_rebuild_tensor_v2: view extent overflows");
      last += (sz - 1) * sd;
      if (sz != 0 && numel > static_cast<uint64_t>(INT64_MAX) / sz) error("_rebuild_tensor_v2: size overflows");
      numel *= sz;
    }
    if (last >= static_cast<uint64_t>(st->numel))
      error("_rebuild_tensor_v2: a view with offset " + std::to_string(offset) + ", size " + sizes.str() +
            " and stride " + strides.str() + " reaches element " + std::to_string(last) + " of a storage of " +
            std::to_string(st->numel) + " elements");
  } else {
    uint64_t nonzero = 1;
    for (int32_t d = 0; d < sizes.size(); ++d) {
      uint64_t sz = static_cast<uint64_t>(sizes[d]);
      if (sz == 0) continue;
      if (nonzero > static_cast<uint64_t>(INT64_MAX) / sz) error("_rebuild_tensor_v2: size overflows");
      nonzero *= sz;
    }
    if (static_cast<uint64_t>(offset) > static_cast<uint64_t>(st->numel)) error("_rebuild_tensor_v2: storage offset out of range");
  }
  PyObj* t = make(PyObj::Kind::Tensor);
  t->tensor = Tensor(Ref<TensorImpl>::adopt(
      new TensorImpl(st->storage, sizes, strides, offset, storage_loaded_dtype(st->storage_type))));
  return t;
}

PyObj* Unpickler::reduce(PyObj* callable, PyObj* args) {
  if (callable->kind != PyObj::Kind::Global)
    error(std::string("REDUCE of a ") + callable->kind_name() + " is not allowed; only allowed globals may be called");
  if (args->kind != PyObj::Kind::Tuple) error("REDUCE arguments must be a tuple");
  switch (callable->global) {
    case PyObj::Global::OrderedDict: {
      if (!args->items.empty()) error("collections.OrderedDict may only be called without arguments");
      PyObj* d = make(PyObj::Kind::Dict);
      d->ordered = true;
      return d;
    }
    case PyObj::Global::RebuildTensorV2:
      return rebuild_tensor(args->items);
    case PyObj::Global::RebuildParameter: {
      // _rebuild_parameter(data, requires_grad, backward_hooks): the data tensor itself.
      if (args->items.size() != 3 || args->items[0]->kind != PyObj::Kind::Tensor ||
          args->items[1]->kind != PyObj::Kind::Bool || !empty_hooks(args->items[2]))
        error("_rebuild_parameter expects (tensor, bool, empty hooks)");
      return args->items[0];
    }
    case PyObj::Global::StorageClass:
      error(std::string("calling ") + storage_type_name(callable->storage_type) + " is not allowed");
  }
  error("bad REDUCE");
}

PyObj* Unpickler::load() {
  for (;;) {
    if (pos_ >= n_) error("pickle ends without STOP (truncated?)");
    uint8_t op = data_[pos_++];
    switch (op) {
      case PROTO: {
        uint8_t v = *take(1);
        if (v < 2 || v > 5) error("unsupported pickle protocol " + std::to_string(v));
        break;
      }
      case FRAME: take_le(8); break;  // frames only group opcodes; the data is already in memory
      case STOP: {
        if (!marks_.empty()) error("STOP inside a MARK");
        if (stack_.size() != 1) error("STOP with " + std::to_string(stack_.size()) + " values on the stack");
        return stack_.back();
      }
      case MARK: marks_.push_back(stack_.size()); break;
      case POP: pop(); break;
      case POP_MARK: pop_mark(); break;
      case DUP: push(top()); break;
      case NONE: push(make(PyObj::Kind::None)); break;
      case NEWTRUE: case NEWFALSE: {
        PyObj* o = make(PyObj::Kind::Bool);
        o->b = op == NEWTRUE;
        push(o);
        break;
      }
      case BININT: {
        uint32_t u = static_cast<uint32_t>(take_le(4));
        int32_t v;
        std::memcpy(&v, &u, 4);
        PyObj* o = make(PyObj::Kind::Int);
        o->i = v;
        push(o);
        break;
      }
      case BININT1: case BININT2: {
        PyObj* o = make(PyObj::Kind::Int);
        o->i = static_cast<int64_t>(take_le(op == BININT1 ? 1 : 2));
        push(o);
        break;
      }
      case LONG1: case LONG4: {
        uint64_t n = take_le(op == LONG1 ? 1 : 4);
        if (n > n_ - pos_) error("unexpected end of pickle data (truncated?)");
        push(make_long(take(static_cast<size_t>(n)), static_cast<size_t>(n)));
        break;
      }
      case BINFLOAT: {
        const uint8_t* p = take(8);
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];  // big-endian
        PyObj* o = make(PyObj::Kind::Float);
        std::memcpy(&o->f, &bits, 8);
        push(o);
        break;
      }
      case SHORT_BINUNICODE: case BINUNICODE: case BINUNICODE8: {
        uint64_t n = take_le(op == SHORT_BINUNICODE ? 1 : op == BINUNICODE ? 4 : 8);
        if (n > n_ - pos_) error("unexpected end of pickle data (truncated?)");
        const uint8_t* p = take(static_cast<size_t>(n));
        push(make_str(std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n))));
        break;
      }
      case EMPTY_TUPLE: push(make(PyObj::Kind::Tuple)); break;
      case TUPLE: {
        PyObj* t = make(PyObj::Kind::Tuple);
        t->items = pop_mark();
        push(t);
        break;
      }
      case TUPLE1: case TUPLE2: case TUPLE3: {
        size_t k = op - TUPLE1 + 1;
        PyObj* t = make(PyObj::Kind::Tuple);
        t->items.resize(k);
        for (size_t i = k; i-- > 0;) t->items[i] = pop();
        push(t);
        break;
      }
      case EMPTY_LIST: push(make(PyObj::Kind::List)); break;
      case LIST: {
        PyObj* l = make(PyObj::Kind::List);
        l->items = pop_mark();
        push(l);
        break;
      }
      case APPEND: {
        PyObj* v = pop();
        PyObj* l = top();
        if (l->kind != PyObj::Kind::List) error(std::string("APPEND to a ") + l->kind_name() + ", not a list");
        l->items.push_back(v);
        break;
      }
      case APPENDS: {
        std::vector<PyObj*> vs = pop_mark();
        PyObj* l = top();
        if (l->kind != PyObj::Kind::List) error(std::string("APPENDS to a ") + l->kind_name() + ", not a list");
        l->items.insert(l->items.end(), vs.begin(), vs.end());
        break;
      }
      case EMPTY_DICT: push(make(PyObj::Kind::Dict)); break;
      case DICT: {
        std::vector<PyObj*> kv = pop_mark();
        if (kv.size() % 2) error("DICT with an odd number of items");
        PyObj* d = make(PyObj::Kind::Dict);
        for (size_t i = 0; i < kv.size(); i += 2) dict_set(d, kv[i], kv[i + 1]);
        push(d);
        break;
      }
      case SETITEM: {
        PyObj* v = pop();
        PyObj* k = pop();
        dict_set(top(), k, v);
        break;
      }
      case SETITEMS: {
        std::vector<PyObj*> kv = pop_mark();
        if (kv.size() % 2) error("SETITEMS with an odd number of items");
        PyObj* d = top();
        for (size_t i = 0; i < kv.size(); i += 2) dict_set(d, kv[i], kv[i + 1]);
        break;
      }
      case BINPUT: case LONG_BINPUT: {
        uint64_t idx = take_le(op == BINPUT ? 1 : 4);
        memo_[idx] = top();
        break;
      }
      case MEMOIZE: {
        uint64_t idx = memo_.size();
        memo_[idx] = top();
        break;
      }
      case BINGET: case LONG_BINGET: {
        uint64_t idx = take_le(op == BINGET ? 1 : 4);
        auto it = memo_.find(idx);
        if (it == memo_.end()) error("memo entry " + std::to_string(idx) + " is not defined");
        push(it->second);
        break;
      }
      case GLOBAL: {
        std::string module = take_line();
        std::string name = take_line();
        push(global(module, name));
        break;
      }
      case STACK_GLOBAL: {
        PyObj* name = pop();
        PyObj* module = pop();
        if (name->kind != PyObj::Kind::Str || module->kind != PyObj::Kind::Str) error("STACK_GLOBAL needs two strings");
        push(global(module->s, name->s));
        break;
      }
      case REDUCE: {
        PyObj* args = pop();
        PyObj* callable = pop();
        push(reduce(callable, args));
        break;
      }
      case BUILD: {
        PyObj* state = pop();
        PyObj* obj = top();
        // OrderedDict state (e.g. a state_dict's _metadata attribute) carries no tensor data:
        // accepted and dropped. BUILD on anything else would set attributes of an object.
        if (obj->kind != PyObj::Kind::Dict)
          error(std::string("BUILD on a ") + obj->kind_name() + " is not allowed");
        if (state->kind != PyObj::Kind::Dict && state->kind != PyObj::Kind::None)
          error("BUILD state of a dict must be a dict");
        break;
      }
      case BINPERSID: {
        PyObj* pid = pop();
        push(persistent_load(pid));
        break;
      }
      default: {
        const char* refused = refused_opcode_name(op);
        if (refused) error(std::string("pickle opcode ") + refused + " is not allowed");
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02x", op);
        error(std::string("unknown pickle opcode ") + buf);
      }
    }
  }
}

}  // namespace kd::io
