// CPU reduction loops: sum, mean, prod, amax/amin, any/all, logsumexp, var/std, and max/min
// with the index of the first extreme.
//
// A ReduceGeometry splits the input's dims into kept dims (one output each) and reduced dims,
// drops size-1 dims and merges dims that are contiguous with each other, so a reduction over
// the last dims of a contiguous tensor becomes one long unit-stride run per output. Two loop
// orders then cover the common layouts with sequential reads:
//   - per output: each output walks its reduced elements (inner run unit-stride when the
//     reduced dims are innermost, e.g. sum(-1) or sum()); a unit-stride run goes through a
//     vec.h helper (float sum, NaN-aware max/min, exp) or through independent accumulator
//     lanes that the compiler vectorises.
//   - rows: when a kept dim is the unit-stride one (e.g. sum(0) of a contiguous matrix), a chunk
//     of outputs is accumulated row by row, so memory is still read in order.
// Outputs are spread over the thread pool; when there are too few outputs to keep the pool busy
// the reduced range itself is split and the partial accumulators merged in a fixed order.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>

#include "core/dtype.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"
#include "cpu/vec.h"

namespace kd {
namespace cpu {

namespace {

constexpr int kLanes = 8;           // independent accumulators in a unit-stride run
constexpr int64_t kRowChunk = 2048;  // outputs accumulated together in the row order
constexpr int64_t kMinRow = 16;     // shorter unit-stride kept dims use the per-output order

template <typename T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point<T>::value) return v != v;
  return false;
}

// The identity of max (min): -inf (+inf) for floats, so that a run of -inf still gives -inf.
template <typename T>
T lowest() {
  if constexpr (std::is_floating_point<T>::value) return -std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::lowest();
}
template <typename T>
T highest() {
  if constexpr (std::is_floating_point<T>::value) return std::numeric_limits<T>::infinity();
  return std::numeric_limits<T>::max();
}

// ---- Layout

struct ReduceGeometry {
  int32_t nk = 0, nr = 0;
  int64_t ks[kMaxDims], kin[kMaxDims], kout[kMaxDims];  // kept: size, input / output stride
  int64_t rs[kMaxDims], rin[kMaxDims];                  // reduced: size, input stride
  int64_t n_out = 1, n_red = 1;

  // Strides are in elements; the output is contiguous over the kept dims in their order.
  ReduceGeometry(const Tensor& in, uint32_t reduced) {
    const int32_t nd = in.dim();
    int64_t ostride[kMaxDims];
    int64_t s = 1;
    for (int32_t d = nd - 1; d >= 0; --d) {
      if (reduced >> d & 1u) continue;
      ostride[d] = s;
      s *= in.size(d);
    }
    for (int32_t d = 0; d < nd; ++d) {
      const int64_t size = in.size(d);
      if (reduced >> d & 1u) {
        n_red *= size;
        if (size == 1) continue;
        rs[nr] = size;
        rin[nr++] = in.stride(d);
      } else {
        n_out *= size;
        if (size == 1) continue;
        ks[nk] = size;
        kin[nk] = in.stride(d);
        kout[nk++] = ostride[d];
      }
    }
    // Kept dims stay in output order and merge when both strides allow it.
    int32_t m = 0;
    for (int32_t d = 0; d < nk; ++d) {
      if (m > 0 && kin[m - 1] == kin[d] * ks[d] && kout[m - 1] == kout[d] * ks[d]) {
        ks[m - 1] *= ks[d];
        kin[m - 1] = kin[d];
        kout[m - 1] = kout[d];
        continue;
      }
      ks[m] = ks[d];
      kin[m] = kin[d];
      kout[m++] = kout[d];
    }
    nk = m;
    // The order of reduced dims is free: put the smallest stride innermost, then merge.
    for (int32_t i = 1; i < nr; ++i)
      for (int32_t j = i; j > 0 && rin[j - 1] < rin[j]; --j) {
        std::swap(rin[j - 1], rin[j]);
        std::swap(rs[j - 1], rs[j]);
      }
    m = 0;
    for (int32_t d = 0; d < nr; ++d) {
      if (m > 0 && rin[m - 1] == rin[d] * rs[d]) {
        rs[m - 1] *= rs[d];
        rin[m - 1] = rin[d];
        continue;
      }
      rs[m] = rs[d];
      rin[m++] = rin[d];
    }
    nr = m;
  }

  // The kept dim to accumulate in row order, or -1 when the per-output order reads better.
  int32_t row_dim() const {
    if (nr == 0 || rin[nr - 1] == 1) return -1;
    for (int32_t d = nk - 1; d >= 0; --d)
      if (kin[d] == 1) return ks[d] >= kMinRow ? d : -1;
    return -1;
  }
};

// Walks a multi-index over `n` dims from a linear position, keeping up to two offsets.
struct Odometer {
  int32_t n;
  const int64_t* sizes;
  const int64_t* s0;
  const int64_t* s1;
  int64_t idx[kMaxDims];
  int64_t off0 = 0, off1 = 0;

  Odometer(int32_t n_, const int64_t* sizes_, const int64_t* s0_, const int64_t* s1_, int64_t pos)
      : n(n_), sizes(sizes_), s0(s0_), s1(s1_) {
    for (int32_t d = n - 1; d >= 0; --d) {
      idx[d] = pos % sizes[d];
      pos /= sizes[d];
      off0 += idx[d] * s0[d];
      if (s1) off1 += idx[d] * s1[d];
    }
  }
  void next() {
    for (int32_t d = n - 1; d >= 0; --d) {
      off0 += s0[d];
      if (s1) off1 += s1[d];
      if (++idx[d] < sizes[d]) return;
      off0 -= sizes[d] * s0[d];
      if (s1) off1 -= sizes[d] * s1[d];
      idx[d] = 0;
    }
  }
};

// The row order's work split: the unit-stride kept dim `row` is cut into chunks of equal width
// (at most kRowChunk); a task is one chunk of one row, the row picked by the other kept dims.
struct RowTasks {
  int64_t len, ostride, width, chunks, tasks;
  int32_t no = 0;
  int64_t osz[kMaxDims], oin[kMaxDims], oout[kMaxDims];

  RowTasks(const ReduceGeometry& g, int32_t row) : len(g.ks[row]), ostride(g.kout[row]) {
    for (int32_t d = 0; d < g.nk; ++d) {
      if (d == row) continue;
      osz[no] = g.ks[d];
      oin[no] = g.kin[d];
      oout[no++] = g.kout[d];
    }
    chunks = (len + kRowChunk - 1) / kRowChunk;
    width = (len + chunks - 1) / chunks;
    tasks = (g.n_out / len) * chunks;
  }

  // Task t's first input and output element and its number of outputs.
  void locate(int64_t t, int64_t* in_off, int64_t* out_off, int64_t* n) const {
    const int64_t c0 = (t % chunks) * width;
    *n = std::min(width, len - c0);
    Odometer o(no, osz, oin, oout, t / chunks);
    *in_off = o.off0 + c0;
    *out_off = o.off1 + c0 * ostride;
  }
};

// ---- Reduction ops: identity, one step (with the output's auxiliary value: the max for
// logsumexp, the mean for var), merge of two partial results, and the final value. An op with
// kBulk also has run(acc, p, n, aux) for a whole unit-stride run (a vec:: helper), used where
// the generic lanes do not vectorise.

template <typename T> struct SumAcc { using type = double; using out = T; };
template <> struct SumAcc<int64_t> { using type = uint64_t; using out = int64_t; };  // wraps
template <> struct SumAcc<bool> { using type = uint64_t; using out = int64_t; };

template <typename T>
struct SumOp {
  using in_t = T;
  using acc_t = typename SumAcc<T>::type;
  using out_t = typename SumAcc<T>::out;
  static constexpr bool kBulk = std::is_floating_point<T>::value;
  acc_t identity() const { return acc_t(0); }
  acc_t step(acc_t a, T x, double) const { return a + static_cast<acc_t>(x); }
  acc_t run(acc_t a, const T* p, int64_t n, double) const {
    if constexpr (kBulk) return a + vec::sum(p, n);
    else return a;  // not used: integer sums vectorise through the lanes
  }
  acc_t merge(acc_t a, acc_t b) const { return a + b; }
  out_t finish(acc_t a, double, int64_t) const { return static_cast<out_t>(a); }
};

template <typename T, typename O = T>
struct MeanOp : SumOp<T> {
  using out_t = O;
  O finish(double a, double, int64_t n) const { return static_cast<O>(a / static_cast<double>(n)); }
};

template <typename T>
struct ProdOp {
  using in_t = T;
  using acc_t = typename SumAcc<T>::type;
  using out_t = typename SumAcc<T>::out;
  static constexpr bool kBulk = false;
  acc_t identity() const { return acc_t(1); }
  acc_t step(acc_t a, T x, double) const { return a * static_cast<acc_t>(x); }
  acc_t merge(acc_t a, acc_t b) const { return a * b; }
  out_t finish(acc_t a, double, int64_t) const { return static_cast<out_t>(a); }
};

// NaN wins: once a NaN is taken nothing compares past it.
template <typename T, bool kMax, typename O = T>
struct ExtremeOp {
  using in_t = T;
  using acc_t = T;
  using out_t = O;
  static constexpr bool kBulk = true;
  T identity() const { return kMax ? lowest<T>() : highest<T>(); }
  T step(T a, T x, double) const { return vec::pick1<kMax>(a, x); }
  T run(T a, const T* p, int64_t n, double) const { return vec::extreme<kMax>(p, n, a); }
  T merge(T a, T b) const { return vec::pick1<kMax>(a, b); }
  O finish(T a, double, int64_t) const { return static_cast<O>(a); }
};

// logsumexp's shift: the max, or 0 where it is infinite so that x - shift stays defined.
template <typename T>
struct LseShiftOp : ExtremeOp<T, true, double> {
  double finish(T a, double, int64_t) const { return std::isinf(a) ? 0.0 : static_cast<double>(a); }
};

template <typename T>
struct LseSumOp {
  using in_t = T;
  using acc_t = double;
  using out_t = T;
  static constexpr bool kBulk = true;
  double identity() const { return 0.0; }
  double step(double a, T x, double shift) const {
    return a + static_cast<double>(std::exp(x - static_cast<T>(shift)));
  }
  double run(double a, const T* p, int64_t n, double shift) const {
    return a + vec::exp_shifted(p, static_cast<T>(shift), static_cast<T*>(nullptr), n);
  }
  double merge(double a, double b) const { return a + b; }
  T finish(double a, double shift, int64_t) const { return static_cast<T>(std::log(a) + shift); }
};

template <typename T, bool kAny>
struct AnyAllOp {
  using in_t = T;
  using acc_t = bool;
  using out_t = bool;
  static constexpr bool kBulk = false;
  bool identity() const { return !kAny; }
  // Bitwise, not short-circuit, so that the loop has no branches.
  bool step(bool a, T x, double) const { return kAny ? (a | (x != T(0))) : (a & (x != T(0))); }
  bool merge(bool a, bool b) const { return kAny ? (a | b) : (a & b); }
  bool finish(bool a, double, int64_t) const { return a; }
};

// Second pass of var/std: squared deviations from the mean, divided by max(0, N - correction).
template <typename T>
struct SquaredDevOp {
  using in_t = T;
  using acc_t = double;
  using out_t = T;
  static constexpr bool kBulk = false;
  double correction;
  bool take_sqrt;
  double identity() const { return 0.0; }
  double step(double a, T x, double mean) const {
    const double d = static_cast<double>(x) - mean;
    return a + d * d;
  }
  double merge(double a, double b) const { return a + b; }
  T finish(double a, double, int64_t n) const {
    const double v = a / std::max(0.0, static_cast<double>(n) - correction);
    return static_cast<T>(take_sqrt ? std::sqrt(v) : v);
  }
};

// ---- The loops

template <typename Op>
class Reduction {
 public:
  using T = typename Op::in_t;
  using A = typename Op::acc_t;
  using O = typename Op::out_t;

  // `aux`, when given, holds one value per output in the output's layout.
  Reduction(const ReduceGeometry& g, const Op& op, const T* in, O* out, const double* aux)
      : g_(g), op_(op), in_(in), out_(out), aux_(aux) {}

  void run() const {
    if (g_.n_out == 0) return;
    const int32_t row = g_.row_dim();
    if (row >= 0) rows(row);
    else per_output();
  }

 private:
  const ReduceGeometry& g_;
  const Op& op_;
  const T* in_;
  O* out_;
  const double* aux_;

  double aux_at(int64_t out_off) const { return aux_ ? aux_[out_off] : 0.0; }

  // Accumulates reduced elements [b, e) starting at base, in the per-output order.
  A span(const T* base, int64_t b, int64_t e, double aux) const {
    A lanes[kLanes];
    for (int k = 0; k < kLanes; ++k) lanes[k] = op_.identity();
    if (b < e && g_.nr == 0) {
      lanes[0] = op_.step(lanes[0], *base, aux);
    } else if (b < e) {
      const int32_t last = g_.nr - 1;
      const int64_t inner = g_.rs[last], st = g_.rin[last];
      Odometer outer(last, g_.rs, g_.rin, nullptr, b / inner);
      int64_t i0 = b % inner;
      for (int64_t pos = b; pos < e; outer.next()) {
        const int64_t n = std::min(inner - i0, e - pos);
        const T* p = base + outer.off0 + i0 * st;
        if (st != 1) run_strided(p, n, st, lanes, aux);
        else if constexpr (Op::kBulk) lanes[0] = op_.run(lanes[0], p, n, aux);
        else run_unit(p, n, lanes, aux);
        pos += n;
        i0 = 0;
      }
    }
    A a = lanes[0];
    for (int k = 1; k < kLanes; ++k) a = op_.merge(a, lanes[k]);
    return a;
  }

  void run_unit(const T* p, int64_t n, A* lanes, double aux) const {
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int k = 0; k < kLanes; ++k) lanes[k] = op_.step(lanes[k], p[i + k], aux);
    for (; i < n; ++i) lanes[0] = op_.step(lanes[0], p[i], aux);
  }

  void run_strided(const T* p, int64_t n, int64_t st, A* lanes, double aux) const {
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
      for (int k = 0; k < kLanes; ++k) lanes[k] = op_.step(lanes[k], p[(i + k) * st], aux);
    for (; i < n; ++i) lanes[0] = op_.step(lanes[0], p[i * st], aux);
  }

  void per_output() const {
    const int64_t n_red = g_.n_red;
    const int threads = num_threads();
    if (g_.n_out < threads && n_red >= 2 * kGrain && threads > 1) {
      // Few outputs, long reductions: split each reduction, merge partials in order.
      const int64_t parts = std::min<int64_t>(n_red / kGrain, 4 * threads);
      std::unique_ptr<A[]> partial(new A[parts]);
      for (Odometer o(g_.nk, g_.ks, g_.kin, g_.kout, 0);; o.next()) {
        const T* base = in_ + o.off0;
        const double aux = aux_at(o.off1);
        parallel_for(parts, 1, [&](int64_t pb, int64_t pe) {
          for (int64_t c = pb; c < pe; ++c)
            partial[c] = span(base, c * n_red / parts, (c + 1) * n_red / parts, aux);
        });
        A a = partial[0];
        for (int64_t c = 1; c < parts; ++c) a = op_.merge(a, partial[c]);
        out_[o.off1] = op_.finish(a, aux, n_red);
        bool last = true;
        for (int32_t d = 0; d < g_.nk; ++d) last = last && o.idx[d] == g_.ks[d] - 1;
        if (last) break;
      }
      return;
    }
    const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, n_red));
    parallel_for(g_.n_out, grain, [&](int64_t b, int64_t e) {
      Odometer o(g_.nk, g_.ks, g_.kin, g_.kout, b);
      for (int64_t i = b; i < e; ++i, o.next()) {
        const double aux = aux_at(o.off1);
        out_[o.off1] = op_.finish(span(in_ + o.off0, 0, n_red, aux), aux, n_red);
      }
    });
  }

  // Accumulates reduced elements [b, e) into acc[0, n) for n outputs that sit at unit input
  // stride from p (and at aux[j] for their auxiliary values).
  void row_span(const T* p, int64_t n, int64_t b, int64_t e, A* acc, const double* aux) const {
    for (int64_t j = 0; j < n; ++j) acc[j] = op_.identity();
    if (b >= e) return;
    Odometer r(g_.nr, g_.rs, g_.rin, nullptr, b);
    for (int64_t pos = b; pos < e; ++pos, r.next()) {
      const T* q = p + r.off0;
      for (int64_t j = 0; j < n; ++j) acc[j] = op_.step(acc[j], q[j], aux[j]);
    }
  }

  void rows(int32_t row) const {
    const RowTasks rt(g_, row);
    const int64_t n_red = g_.n_red, w = rt.width;
    const int threads = num_threads();
    // Too few tasks for the pool: each task's reduced range is split into parts as well.
    int64_t parts = 1;
    if (rt.tasks < threads && n_red * w >= 2 * kGrain)
      parts = std::min<int64_t>(n_red, (2 * threads + rt.tasks - 1) / rt.tasks);

    // Part `part` of task t into acc; returns the output offset of the task's first output.
    auto run_task = [&](int64_t t, int64_t part, A* acc, double* aux, int64_t* n) {
      int64_t in_off, out_off;
      rt.locate(t, &in_off, &out_off, n);
      for (int64_t j = 0; j < *n; ++j) aux[j] = aux_at(out_off + j * rt.ostride);
      row_span(in_ + in_off, *n, part * n_red / parts, (part + 1) * n_red / parts, acc, aux);
      return out_off;
    };

    if (parts == 1) {
      const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(1, n_red * w));
      parallel_for(rt.tasks, grain, [&](int64_t b, int64_t e) {
        std::unique_ptr<A[]> acc(new A[w]);
        std::unique_ptr<double[]> aux(new double[w]);
        for (int64_t t = b; t < e; ++t) {
          int64_t n;
          const int64_t out_off = run_task(t, 0, acc.get(), aux.get(), &n);
          for (int64_t j = 0; j < n; ++j)
            out_[out_off + j * rt.ostride] = op_.finish(acc[j], aux[j], n_red);
        }
      });
      return;
    }
    std::unique_ptr<A[]> partial(new A[rt.tasks * parts * w]);
    std::unique_ptr<double[]> aux(new double[rt.tasks * parts * w]);
    parallel_for(rt.tasks * parts, 1, [&](int64_t b, int64_t e) {
      int64_t n;
      for (int64_t tp = b; tp < e; ++tp)
        run_task(tp / parts, tp % parts, partial.get() + tp * w, aux.get() + tp * w, &n);
    });
    for (int64_t t = 0; t < rt.tasks; ++t) {
      int64_t in_off, out_off, n;
      rt.locate(t, &in_off, &out_off, &n);
      const A* acc = partial.get() + t * parts * w;
      for (int64_t j = 0; j < n; ++j) {
        A a = acc[j];
        for (int64_t p = 1; p < parts; ++p) a = op_.merge(a, acc[p * w + j]);
        out_[out_off + j * rt.ostride] = op_.finish(a, aux[t * parts * w + j], n_red);
      }
    }
  }
};

template <typename Op>
void run_reduction(const ReduceGeometry& g, const Op& op, const Tensor& in, typename Op::out_t* out,
                   const double* aux = nullptr) {
  Reduction<Op>(g, op, in.data<typename Op::in_t>(), out, aux).run();
}

template <typename Op>
void reduce_into(const Tensor& out, const Tensor& in, uint32_t reduced, const Op& op) {
  ReduceGeometry g(in, reduced);
  run_reduction(g, op, in, out.data<typename Op::out_t>());
}

template <typename T>
void logsumexp_typed(const Tensor& out, const Tensor& in, uint32_t reduced) {
  ReduceGeometry g(in, reduced);
  std::unique_ptr<double[]> shift(new double[std::max<int64_t>(1, g.n_out)]);
  run_reduction(g, LseShiftOp<T>(), in, shift.get());
  run_reduction(g, LseSumOp<T>(), in, out.data<T>(), shift.get());
}

// ---- max/min along one dim, with the index of the first extreme

template <typename T, bool kMax>
inline bool better(T v, T best) {
  return (kMax ? v > best : v < best) | (is_nan(v) & !is_nan(best));
}

// The first extreme of a unit-stride run: its value by the vectorised scan, then the first
// element equal to it (or the first NaN).
template <typename T, bool kMax>
int64_t first_extreme(const T* p, int64_t n, T* value) {
  const T m = vec::extreme<kMax>(p, n, p[0]);
  *value = m;
  for (int64_t i = 0; i < n; ++i)
    if (is_nan(m) ? is_nan(p[i]) : p[i] == m) return i;
  return 0;
}

template <typename T, bool kMax>
void arg_extreme(const Tensor& values, const Tensor& indices, const Tensor& in, int32_t dim) {
  ReduceGeometry g(in, in.dim() == 0 ? 0u : (1u << dim));
  if (g.n_out == 0) return;
  const int64_t len = g.nr == 0 ? 1 : g.rs[0];
  const int64_t st = g.nr == 0 ? 0 : g.rin[0];
  const T* src = in.data<T>();
  T* vals = values.defined() ? values.data<T>() : nullptr;
  int64_t* idxs = indices.data<int64_t>();
  const int32_t row = g.row_dim();
  if (row < 0) {
    parallel_for(g.n_out, std::max<int64_t>(1, kGrain / len), [&](int64_t b, int64_t e) {
      Odometer o(g.nk, g.ks, g.kin, g.kout, b);
      for (int64_t i = b; i < e; ++i, o.next()) {
        const T* p = src + o.off0;
        T best = p[0];
        int64_t bi = 0;
        if (st == 1) {
          bi = first_extreme<T, kMax>(p, len, &best);
        } else {
          for (int64_t r = 1; r < len; ++r)
            if (better<T, kMax>(p[r * st], best)) { best = p[r * st]; bi = r; }
        }
        if (vals) vals[o.off1] = best;
        idxs[o.off1] = bi;
      }
    });
    return;
  }
  // Row order: a chunk of outputs along the unit-stride kept dim, one reduced row at a time.
  const RowTasks rt(g, row);
  const int64_t w = rt.width;
  parallel_for(rt.tasks, std::max<int64_t>(1, kGrain / (len * w)), [&](int64_t b, int64_t e) {
    std::unique_ptr<T[]> best(new T[w]);
    std::unique_ptr<int64_t[]> bi(new int64_t[w]);
    for (int64_t t = b; t < e; ++t) {
      int64_t in_off, out_off, n;
      rt.locate(t, &in_off, &out_off, &n);
      const T* p = src + in_off;
      for (int64_t j = 0; j < n; ++j) { best[j] = p[j]; bi[j] = 0; }
      for (int64_t r = 1; r < len; ++r) {
        const T* q = p + r * st;
        for (int64_t j = 0; j < n; ++j) {
          const bool take = better<T, kMax>(q[j], best[j]);
          best[j] = take ? q[j] : best[j];
          bi[j] = take ? r : bi[j];
        }
      }
      for (int64_t j = 0; j < n; ++j) {
        if (vals) vals[out_off + j * rt.ostride] = best[j];
        idxs[out_off + j * rt.ostride] = bi[j];
      }
    }
  });
}

}  // namespace

void reduce_kernel(int32_t op, const Tensor& out, const Tensor& in, uint32_t reduced) {
  switch (op) {
    case KD_SUM:
      KD_DISPATCH_ALL(in.dtype(), "sum", [&] { reduce_into(out, in, reduced, SumOp<scalar_t>()); });
      return;
    case KD_MEAN:
      KD_DISPATCH_FLOAT(in.dtype(), "mean", [&] { reduce_into(out, in, reduced, MeanOp<scalar_t>()); });
      return;
    case KD_PROD:
      KD_DISPATCH_ALL(in.dtype(), "prod", [&] { reduce_into(out, in, reduced, ProdOp<scalar_t>()); });
      return;
    case KD_AMAX:
      KD_DISPATCH_ALL(in.dtype(), "amax", [&] {
        reduce_into(out, in, reduced, ExtremeOp<scalar_t, true>());
      });
      return;
    case KD_AMIN:
      KD_DISPATCH_ALL(in.dtype(), "amin", [&] {
        reduce_into(out, in, reduced, ExtremeOp<scalar_t, false>());
      });
      return;
    case KD_LOGSUMEXP:
      KD_DISPATCH_FLOAT(in.dtype(), "logsumexp", [&] { logsumexp_typed<scalar_t>(out, in, reduced); });
      return;
    case KD_ANY:
      KD_DISPATCH_ALL(in.dtype(), "any", [&] {
        reduce_into(out, in, reduced, AnyAllOp<scalar_t, true>());
      });
      return;
    case KD_ALL:
      KD_DISPATCH_ALL(in.dtype(), "all", [&] {
        reduce_into(out, in, reduced, AnyAllOp<scalar_t, false>());
      });
      return;
    default:
      fail(KD_ERR_INTERNAL, "reduce kernel: unknown op ", op);
  }
}

void var_kernel(const Tensor& out, const Tensor& in, uint32_t reduced, double correction,
                bool take_sqrt) {
  KD_DISPATCH_FLOAT(in.dtype(), take_sqrt ? "std" : "var", [&] {
    ReduceGeometry g(in, reduced);
    std::unique_ptr<double[]> mean(new double[std::max<int64_t>(1, g.n_out)]);
    run_reduction(g, MeanOp<scalar_t, double>(), in, mean.get());
    run_reduction(g, SquaredDevOp<scalar_t>{correction, take_sqrt}, in, out.data<scalar_t>(),
                  mean.get());
  });
}

void max_min_dim_kernel(bool is_max, const Tensor& values, const Tensor& indices, const Tensor& in,
                        int32_t dim) {
  KD_DISPATCH_ALL(in.dtype(), is_max ? "max" : "min", [&] {
    if (is_max) arg_extreme<scalar_t, true>(values, indices, in, dim);
    else arg_extreme<scalar_t, false>(values, indices, in, dim);
  });
}

}  // namespace cpu
}  // namespace kd
