// MT19937, the 32-bit Mersenne Twister that PyTorch's CPU generator (and std::mt19937) runs: the
// same seeding, the same output stream word for word, and the same text form of the state as
// libstdc++'s std::mt19937 (624 words then the position, space-separated), so a state saved by
// the std::mt19937 that Kindling used before reads back here and the other way round.
//
// Why not std::mt19937: a dropout mask draws two words per element, and libstdc++ makes each
// word one call with a bounds check, tempering it alone, and regenerates the state one word at a
// time; that was ~9 ns per word, the largest serial piece of a small CNN's training step. Here the
// state is regenerated and tempered four words at a time (the recurrence reads words 1 and 397
// places ahead, or 227 behind, never a word of the same vector), and fill() hands out a whole run.
#pragma once
#include <cstdint>
#include <cstring>
#include <istream>
#include <ostream>

namespace kd {
namespace ops {

class Mt19937 {
 public:
  static constexpr int kN = 624, kM = 397;

  explicit Mt19937(uint32_t seed = 5489u) { this->seed(seed); }

  void seed(uint32_t s) {
    x_[0] = s;
    for (uint32_t i = 1; i < kN; ++i) x_[i] = 1812433253u * (x_[i - 1] ^ (x_[i - 1] >> 30)) + i;
    p_ = kN;
  }

  uint32_t operator()() {
    if (p_ >= kN) twist();
    return temper(x_[p_++]);
  }

  // out[0, n) = the next n words.
  void fill(uint32_t* out, int64_t n) {
    while (n > 0) {
      if (p_ >= kN) twist();
      int64_t take = kN - p_;
      if (take > n) take = n;
      int64_t i = 0;
      for (; i + 4 <= take; i += 4) {
        U4 v;
        std::memcpy(&v, x_ + p_ + i, sizeof(v));
        v ^= v >> 11;
        v ^= (v << 7) & 0x9d2c5680u;
        v ^= (v << 15) & 0xefc60000u;
        v ^= v >> 18;
        std::memcpy(out + i, &v, sizeof(v));
      }
      for (; i < take; ++i) out[i] = temper(x_[p_ + i]);
      p_ += static_cast<int>(take);
      out += take;
      n -= take;
    }
  }

  friend std::ostream& operator<<(std::ostream& os, const Mt19937& g) {
    const auto flags = os.flags();
    const auto fill = os.fill();
    os.flags(std::ios_base::dec | std::ios_base::left);
    os.fill(' ');
    for (int i = 0; i < kN; ++i) os << x_value(g.x_[i]) << ' ';
    os << g.p_;
    os.flags(flags);
    os.fill(fill);
    return os;
  }

  friend std::istream& operator>>(std::istream& is, Mt19937& g) {
    const auto flags = is.flags();
    is.flags(std::ios_base::dec | std::ios_base::skipws);
    Mt19937 t;
    for (int i = 0; i < kN; ++i) {
      unsigned long v = 0;
      is >> v;
      t.x_[i] = static_cast<uint32_t>(v);
    }
    long p = 0;
    is >> p;
    if (is && p >= 0 && p <= kN) {
      t.p_ = static_cast<int>(p);
      g = t;
    } else {
      is.setstate(std::ios_base::failbit);
    }
    is.flags(flags);
    return is;
  }

  bool operator==(const Mt19937& o) const {
    return p_ == o.p_ && std::memcmp(x_, o.x_, sizeof(x_)) == 0;
  }

 private:
  typedef uint32_t U4 __attribute__((vector_size(16)));

  static unsigned long x_value(uint32_t v) { return v; }

  static uint32_t temper(uint32_t y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
  }

  // x[i] = x[i + M (mod N)] ^ twist(upper bit of x[i], lower 31 of x[i + 1]).
  static uint32_t step(uint32_t xi, uint32_t xi1, uint32_t xm) {
    const uint32_t y = (xi & 0x80000000u) | (xi1 & 0x7fffffffu);
    return xm ^ (y >> 1) ^ ((0u - (y & 1u)) & 0x9908b0dfu);
  }
  static U4 step4(const uint32_t* xi, const uint32_t* xm) {
    U4 a, b, m;
    std::memcpy(&a, xi, sizeof(a));
    std::memcpy(&b, xi + 1, sizeof(b));
    std::memcpy(&m, xm, sizeof(m));
    const U4 y = (a & 0x80000000u) | (b & 0x7fffffffu);
    return m ^ (y >> 1) ^ ((U4{} - (y & 1u)) & 0x9908b0dfu);
  }

  void twist() {
    constexpr int kA = kN - kM;  // 227
    // Words 0..226 mix with 397..623 (not yet regenerated); 227..622 with 0..395 (regenerated
    // at least 224 words earlier); a vector of four never reads a word it writes.
    int i = 0;
    for (; i + 4 <= kA; i += 4) {
      const U4 v = step4(x_ + i, x_ + i + kM);
      std::memcpy(x_ + i, &v, sizeof(v));
    }
    for (; i < kA; ++i) x_[i] = step(x_[i], x_[i + 1], x_[i + kM]);
    static_assert((kN - 1 - kA) % 4 == 0, "words 227..622 are whole vectors");
    for (i = kA; i < kN - 1; i += 4) {
      const U4 v = step4(x_ + i, x_ + (i - kA));
      std::memcpy(x_ + i, &v, sizeof(v));
    }
    x_[kN - 1] = step(x_[kN - 1], x_[0], x_[kM - 1]);
    p_ = 0;
  }

  uint32_t x_[kN];
  int p_ = kN;
};

}  // namespace ops
}  // namespace kd
