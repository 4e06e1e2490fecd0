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

using ccmon::core::test::colliding_ids;
using ccmon::core::test::old_hash16;

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
