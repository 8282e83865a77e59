// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a
// counter-based generator, so element i of a random fill can compute its own numbers from
// (key, counter) without any state shared between threads; the result is then independent of how
// the work is split into blocks and threads. Host and device code, so it can be checked on the CPU
// against the published known-answer vectors.
#pragma once
#include <cstdint>

#ifdef __CUDACC__
#define KD_HD __host__ __device__ __forceinline__
#else
#define KD_HD inline
#endif

namespace kd {
namespace cuda {

struct Philox4 {
  uint32_t v[4];
};

// Ten rounds over the 128-bit counter ctr with the 64-bit key (k0, k1).
KD_HD Philox4 philox4x32_10(Philox4 ctr, uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {  // the key schedule: Weyl sequence bumps between rounds
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const uint64_t p0 = static_cast<uint64_t>(0xD2511F53u) * ctr.v[0];
    const uint64_t p1 = static_cast<uint64_t>(0xCD9E8D57u) * ctr.v[2];
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    Philox4 next;
    next.v[0] = hi1 ^ ctr.v[1] ^ k0;
    next.v[1] = lo1;
    next.v[2] = hi0 ^ ctr.v[3] ^ k1;
    next.v[3] = lo0;
    ctr = next;
  }
  return ctr;
}

// The four words of block `block` (a 64-bit counter) in stream `sub` under a 64-bit seed.
KD_HD Philox4 philox_block(uint64_t seed, uint64_t block, uint32_t sub) {
  Philox4 c;
  c.v[0] = static_cast<uint32_t>(block);
  c.v[1] = static_cast<uint32_t>(block >> 32);
  c.v[2] = sub;
  c.v[3] = 0;
  return philox4x32_10(c, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

}  // namespace cuda
}  // namespace kd
