// A fast 64-bit hash for the short ids and label values of events (UUIDs,
// "queue-42"). std::hash on strings is a byte-oriented murmur variant that
// cost ~170 instructions per event; this reads 8 bytes per step and finishes
// with a full avalanche, so low bits (table index) and high bits (tags) are
// both usable.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace ccmon::core::engine_detail {

inline std::uint64_t load_u64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline std::uint64_t load_u32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline std::uint64_t hash_string(std::string_view s) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;  // 2^64 / golden ratio, odd
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x2545F4914F6CDD1Dull ^ (n * kMul);
  auto step = [&](std::uint64_t w) {
    h = (h ^ w) * kMul;
    h ^= h >> 32;
  };
  for (; n > 8; n -= 8, p += 8) step(load_u64(p));
  // The last 1..8 bytes; overlapping loads avoid a byte loop.
  if (n >= 4) {
    step(load_u32(p) | (load_u32(p + n - 4) << 32));
  } else if (n > 0) {
    const auto b = [&](std::size_t i) {
      return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i]));
    };
    step(b(0) | (b(n / 2) << 8) | (b(n - 1) << 16));
  }
  // MurmurHash3's 64-bit finaliser: every input bit reaches every output bit.
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace ccmon::core::engine_detail
