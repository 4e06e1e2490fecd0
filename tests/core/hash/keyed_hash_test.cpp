// SipHash-2-4 as core/hash/keyed_hash.hpp computes it, against the reference
// vectors of Aumasson and Bernstein, "SipHash: a fast short-input PRF"
// (2012): key 00 01 .. 0f, message 00 01 .. (len-1); the 64-bit output is
// read little-endian from the reference's byte strings.
#include "core/hash/keyed_hash.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

using ccmon::core::HashKey;
using ccmon::core::keyed_hash;
using ccmon::core::KeyedStringHash;

namespace {

HashKey reference_key() {
  HashKey k;
  for (std::size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<std::uint8_t>(i);
  return k;
}

std::string reference_message(std::size_t len) {
  std::string m;
  for (std::size_t i = 0; i < len; ++i) m.push_back(static_cast<char>(i));
  return m;
}

}  // namespace

TEST_CASE("keyed hash: SipHash-2-4 reference vectors", "[hash]") {
  const HashKey k = reference_key();
  // Paper, appendix A: the 15-byte message hashes to a129ca6149be45e5.
  CHECK(keyed_hash(k, reference_message(15)) == 0xa129ca6149be45e5ull);
  // The reference implementation's vectors.h: empty message
  // 31 0e 0e dd 47 db 6f 72; 8 bytes 62 24 93 9a 79 f5 f5 93.
  CHECK(keyed_hash(k, reference_message(0)) == 0x726fdb47dd0e0e31ull);
  CHECK(keyed_hash(k, reference_message(8)) == 0x93f5f5799a932462ull);
}

TEST_CASE("keyed hash: the key changes every hash", "[hash]") {
  HashKey a, b;
  b.bytes[15] = 1;
  // A 2^-64 accident aside, one key bit changes the output of each input.
  for (const char* s : {"", "c-1", "queue-42", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"}) {
    CHECK(keyed_hash(a, s) != keyed_hash(b, s));
    CHECK(KeyedStringHash{a}(s) == keyed_hash(a, s));
  }
}
