// Keyed hashing of client-chosen strings (event, contact, agent and case ids,
// label values) for the hash tables on the engine path.
//
// An unkeyed hash lets a client craft ids that all land in one probe chain:
// 100k such ids took 46 s instead of 0.6 s to apply (docs/security.md,
// "Hash flooding"). With a secret per-process key and a keyed PRF the client
// cannot predict which ids collide, so every table keeps its expected O(1)
// probes per lookup whatever the ids. The PRF is SipHash-2-4 (Aumasson and
// Bernstein, "SipHash: a fast short-input PRF", 2012), the standard defence
// against hash flooding, from libsodium's crypto_shorthash.
//
// The key is an argument, never drawn here: core does no I/O. The daemon
// draws one from the OS at start (server/hash_key.hpp) and passes it to the
// Engine and the Deduplicator; tests and tools may use the fixed default.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ccmon::core {

// A 128-bit SipHash key. The default (all zero) is public: deterministic
// hashing for tests and tools, no protection against crafted collisions.
struct HashKey {
  std::array<std::uint8_t, 16> bytes{};
  friend bool operator==(const HashKey&, const HashKey&) = default;
};

// SipHash-2-4 of `s` under `key`: 64 bits, all of them usable (low bits as
// a table index, high bits as a tag). Thread-safe; about 100-200
// instructions for a 36-byte UUID (docs/benchmarks.md, "Keyed hashing").
std::uint64_t keyed_hash(const HashKey& key, std::string_view s);

// A hasher for std::unordered_map/set of strings under a key; transparent,
// so lookups by std::string_view do not build a std::string.
struct KeyedStringHash {
  using is_transparent = void;
  HashKey key;
  std::size_t operator()(std::string_view s) const { return keyed_hash(key, s); }
};

}  // namespace ccmon::core
