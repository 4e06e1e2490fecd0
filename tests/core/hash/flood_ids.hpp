// Shared by the hash-flooding tests (tests/core/engine/hash_flood_test.cpp,
// tests/core/dedup/deduplicator_test.cpp): crafted ids are two 64-bit words,
// and the keyed tables run under a fixed non-zero key.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "core/hash/keyed_hash.hpp"

namespace ccmon::core::test {

// The 16-byte id whose words, in memory order, are w1 and w2.
inline std::string two_word_id(std::uint64_t w1, std::uint64_t w2) {
  std::string id(16, '\0');
  std::memcpy(id.data(), &w1, 8);
  std::memcpy(id.data() + 8, &w2, 8);
  return id;
}

// A fixed key that is not all zero (the default is): bytes 7i + 3.
inline HashKey fixed_test_key() {
  HashKey k;
  for (std::size_t i = 0; i < k.bytes.size(); ++i)
    k.bytes[i] = static_cast<std::uint8_t>(7 * i + 3);
  return k;
}

}  // namespace ccmon::core::test
