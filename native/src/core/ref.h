// Ref<T>: an intrusive reference-counted pointer. T has an atomic `refs_` and is freed with
// delete when the count reaches zero. Tensors and storages use it so that a C API handle can be
// a plain pointer that owns exactly one reference.
#pragma once
#include <atomic>
#include <cstdint>
#include <utility>

namespace kd {

class RefCounted {
 public:
  void incref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Returns true when this was the last reference.
  bool decref() const { return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
  int32_t refcount() const { return refs_.load(std::memory_order_relaxed); }

 protected:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

 private:
  mutable std::atomic<int32_t> refs_{1};
};

template <typename T>
class Ref {
 public:
  Ref() = default;
  // Adopts a pointer that already carries one reference (a fresh object or a released handle).
  static Ref adopt(T* p) { Ref r; r.p_ = p; return r; }
  // Takes an additional reference to p.
  static Ref borrow(T* p) { if (p) p->incref(); return adopt(p); }

  Ref(const Ref& o) : p_(o.p_) { if (p_) p_->incref(); }
  Ref(Ref&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  Ref& operator=(Ref o) noexcept { std::swap(p_, o.p_); return *this; }
  ~Ref() { reset(); }

  void reset() {
    if (p_ && p_->decref()) delete p_;
    p_ = nullptr;
  }
  // Gives up ownership of one reference (to hand it across the C API).
  T* release() { T* p = p_; p_ = nullptr; return p; }

  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  bool operator==(const Ref& o) const { return p_ == o.p_; }
  bool operator!=(const Ref& o) const { return p_ != o.p_; }

 private:
  T* p_ = nullptr;
};

}  // namespace kd
