// ccmon_colliding_ids N: prints N distinct 16-character ids, one per line,
// that collide in full under the engine's former unkeyed id hash
// (tests/core/hash/flood_ids.hpp): what an attacker would send to a daemon
// without keyed hashing. They are printable ASCII without '"' and '\', so
// they go into JSON strings as they are. The first word runs through
// printable 8-byte strings; the second is fixed by the first and is
// printable about once in 3,300 tries (93 of 256 byte values, 8 times).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/core/hash/flood_ids.hpp"

namespace {

bool printable(std::uint64_t w) {
  for (int k = 0; k < 8; ++k) {
    const auto c = static_cast<unsigned char>(w >> (8 * k));
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  }
  return true;
}

// The i-th first word: 8 characters of a 64-letter alphabet, in memory
// order (little-endian, as the hash reads it on x86-64).
std::uint64_t first_word(std::uint64_t i) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::uint64_t w = 0;
  for (int k = 0; k < 8; ++k) {
    w |= static_cast<std::uint64_t>(static_cast<unsigned char>(kAlphabet[(i >> (6 * k)) & 63]))
         << (8 * k);
  }
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ccmon_colliding_ids N\n");
    return 2;
  }
  const std::uint64_t n = std::strtoull(argv[1], nullptr, 10);
  std::uint64_t found = 0;
  for (std::uint64_t i = 0; found < n; ++i) {
    const std::uint64_t w1 = first_word(i);
    const std::uint64_t w2 =
        ccmon::core::test::colliding_second_word(w1, ccmon::core::test::kCollisionState);
    if (!printable(w2)) continue;
    const std::string id = ccmon::core::test::two_word_id(w1, w2);
    std::fwrite(id.data(), 1, id.size(), stdout);
    std::fputc('\n', stdout);
    ++found;
  }
  return 0;
}
