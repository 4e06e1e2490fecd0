// Hash flooding (docs/security.md, "Hash flooding"): ids crafted to collide
// on the full 64 bits of the engine's former unkeyed hash put every record
// into one probe chain, so n inserts cost n^2/2 probes (100k ids: 46 s
// instead of 0.6 s). Under the keyed hash they are ordinary ids. Cost is
// measured in probe steps, not time.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/engine/labels.hpp"
#include "core/engine/lru_table.hpp"
#include "tests/core/hash/flood_ids.hpp"

using namespace ccmon::core::engine_detail;
using ccmon::core::HashKey;

namespace {

constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;

// The engine's id hash before keying (formerly core/engine/string_hash.hpp),
// for ids of exactly 16 bytes: two 8-byte steps, then MurmurHash3's
// finaliser (a bijection, so equal pre-finaliser states collide in full).
std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
  h = (h ^ w) * kMul;
  return h ^ (h >> 32);
}
std::uint64_t old_hash16(const std::string& s) {
  std::uint64_t w1, w2;
  std::memcpy(&w1, s.data(), 8);
  std::memcpy(&w2, s.data() + 8, 8);
  std::uint64_t h = mix(mix(0x2545F4914F6CDD1Dull ^ (16 * kMul), w1), w2);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

// n distinct 16-byte ids with one old hash: any first word w1, and the
// second word chosen so that the state after it is the same constant T,
// w2 = mix(h0, w1) ^ T (the attack costs one multiplication per id).
std::vector<std::string> colliding_ids(std::size_t n) {
  constexpr std::uint64_t kT = 0x0123456789ABCDEFull;
  const std::uint64_t h0 = 0x2545F4914F6CDD1Dull ^ (16 * kMul);
  std::vector<std::string> ids;
  for (std::uint64_t w1 = 1; w1 <= n; ++w1) {
    const std::uint64_t w2 = mix(h0, w1) ^ kT;
    ids.push_back(ccmon::core::test::two_word_id(w1, w2));
  }
  return ids;
}

}  // namespace

TEST_CASE("hash flood: crafted ids collide in full under the old hash", "[engine][flood]") {
  const auto ids = colliding_ids(1000);
  for (const auto& id : ids) REQUIRE(old_hash16(id) == old_hash16(ids[0]));
}

TEST_CASE("hash flood: the contact table's probes stay linear in n", "[engine][flood]") {
  // Under the old hash: insert i probes the i records before it (find, then
  // place), ~n^2 = 25e6 steps for n = 5000. At most half full, linear
  // probing expects under 2.5 cells per miss and 1.5 per hit (Knuth, TAOCP
  // vol. 3, 6.4); 8n leaves room for chance and still fails by 600x before.
  constexpr std::size_t n = 5000;
  const auto ids = colliding_ids(n);
  for (const HashKey& key : {HashKey{}, ccmon::core::test::fixed_test_key()}) {
    LruTable<int> t;
    t.set_hash_key(key);
    for (const auto& id : ids) {
      REQUIRE(t.find(id) == kNil);
      t[t.insert(id)] = 1;
    }
    for (const auto& id : ids) REQUIRE(t.find(id) != kNil);
    CHECK(t.size() == n);
    CHECK(t.probe_steps() <= 8 * n);
  }
}

TEST_CASE("hash flood: a label set keyed by the process's key", "[engine][flood]") {
  // The label maps are std::unordered_map with chaining: a full collision
  // puts every value in one bucket. Keyed, bucket sizes stay small.
  LabelSet set;
  set.set_hash_key(ccmon::core::test::fixed_test_key());
  set.set_limits({}, 2000);
  const auto ids = colliding_ids(2000);
  for (const auto& id : ids) {
    bool folded = true;
    set.resolve(id, folded);
    REQUIRE_FALSE(folded);
  }
  CHECK(set.size() == 2002);  // + "other", "unknown"
  bool folded = true;
  CHECK(set.resolve(ids[1234], folded) == 1234 + 2);
}
