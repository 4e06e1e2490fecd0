// The engine and state tests' seeded pseudo-random streams.
#pragma once

#include <cstdint>

namespace ccmon::core::test {

// A seeded xorshift64 stream (Marsaglia 2003): rnd(m) is in [0, m). A given
// seed always gives the same stream, so a failing case can be replayed.
struct XorShift {
  std::uint64_t x;
  std::uint64_t operator()(std::uint64_t m) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x % m;
  }
};

}  // namespace ccmon::core::test
