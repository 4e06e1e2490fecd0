// Shared by the hash-flooding tests (tests/core/engine/hash_flood_test.cpp,
// tests/core/dedup/deduplicator_test.cpp, the daemon-level flood through
// tests/integration/colliding_ids.cpp): crafted ids are two 64-bit words,
// and the keyed tables run under a fixed non-zero key.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/hash/keyed_hash.hpp"

namespace ccmon::core::test {

// The 16-byte id whose words, in memory order, are w1 and w2.
inline std::string two_word_id(std::uint64_t w1, std::uint64_t w2) {
  std::string id(16, '\0');
  std::memcpy(id.data(), &w1, 8);
  std::memcpy(id.data() + 8, &w2, 8);
  return id;
}

// The engine's id hash before keying (formerly core/engine/string_hash.hpp),
// for ids of exactly 16 bytes: two 8-byte steps, then MurmurHash3's
// finaliser (a bijection, so equal pre-finaliser states collide in full).
inline constexpr std::uint64_t kOldMul = 0x9E3779B97F4A7C15ull;
inline constexpr std::uint64_t kOldSeed16 = 0x2545F4914F6CDD1Dull ^ (16 * kOldMul);
inline std::uint64_t old_mix(std::uint64_t h, std::uint64_t w) {
  h = (h ^ w) * kOldMul;
  return h ^ (h >> 32);
}
inline std::uint64_t old_hash16(const std::string& s) {
  std::uint64_t w1, w2;
  std::memcpy(&w1, s.data(), 8);
  std::memcpy(&w2, s.data() + 8, 8);
  std::uint64_t h = old_mix(old_mix(kOldSeed16, w1), w2);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

// The second word that brings an id whose first word is w1 to the
// pre-finaliser state t: every id made so collides with the others in full
// (the attack costs one multiplication per id).
inline std::uint64_t colliding_second_word(std::uint64_t w1, std::uint64_t t) {
  return old_mix(kOldSeed16, w1) ^ t;
}

inline constexpr std::uint64_t kCollisionState = 0x0123456789ABCDEFull;

// n distinct 16-byte ids with one old hash, first words 1..n (binary).
inline std::vector<std::string> colliding_ids(std::size_t n) {
  std::vector<std::string> ids;
  for (std::uint64_t w1 = 1; w1 <= n; ++w1) {
    ids.push_back(two_word_id(w1, colliding_second_word(w1, kCollisionState)));
  }
  return ids;
}

// A fixed key that is not all zero (the default is): bytes 7i + 3.
inline HashKey fixed_test_key() {
  HashKey k;
  for (std::size_t i = 0; i < k.bytes.size(); ++i)
    k.bytes[i] = static_cast<std::uint8_t>(7 * i + 3);
  return k;
}

}  // namespace ccmon::core::test
