// Label interning behind its memo (core/engine/labels.hpp): ids and folds
// as the keyed map alone gives them, whatever shares a memo slot, and a
// folded value interned once the limits let it in.
#include "core/engine/labels.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using namespace ccmon::core;
using namespace ccmon::core::engine_detail;

TEST_CASE("labels: ids in first-seen order up to the cap, then other, through the memo",
          "[engine][labels]") {
  // 5,000 values in a 1,024-slot memo: many share a slot and evict each
  // other. By hand: the i-th new value gets id i + 2 (after "other" and
  // "unknown") while fewer than 3,000 are interned, then folds.
  LabelSet set;
  set.set_hash_key(HashKey{{7, 1}});
  set.set_limits({}, 3000);
  std::vector<std::string> values;
  for (int i = 0; i < 5000; ++i) values.push_back("queue-" + std::to_string(i));
  auto expected = [](std::size_t i) {
    return i < 3000 ? static_cast<LabelId>(i + 2) : LabelSet::kOther;
  };
  for (std::size_t i = 0; i < values.size(); ++i) {
    bool folded = true;
    REQUIRE(set.resolve(values[i], folded) == expected(i));
    REQUIRE(folded == (i >= 3000));
  }
  // Again, repeated in a scattered order (each value resolved 3 times, so
  // values sharing a slot keep evicting each other): the same answers.
  std::uint64_t mismatches = 0, folds = 0;
  for (int round = 0; round < 3; ++round) {
    for (std::size_t k = 0; k < values.size(); ++k) {
      const std::size_t i = (k * 7919 + static_cast<std::size_t>(round)) % values.size();
      bool folded = false;
      if (set.resolve(values[i], folded) != expected(i)) ++mismatches;
      if (folded != (i >= 3000)) ++mismatches;
      folds += folded ? 1 : 0;
    }
  }
  CHECK(mismatches == 0);
  CHECK(folds == 3 * 2000);
  CHECK(set.size() == 3002);
  bool folded = false;
  CHECK(set.resolve("", folded) == LabelSet::kUnknown);
  CHECK_FALSE(folded);
}

TEST_CASE("labels: a value folded under a cap fits once the cap is raised", "[engine][labels]") {
  LabelSet set;
  set.set_limits({}, 1);
  bool folded = false;
  REQUIRE(set.resolve("sales", folded) == 2);
  REQUIRE(set.resolve("support", folded) == LabelSet::kOther);
  REQUIRE(folded);
  REQUIRE(set.resolve("support", folded) == LabelSet::kOther);  // again
  REQUIRE(folded);
  set.set_limits({}, 2);  // a reload raises the cap
  CHECK(set.resolve("support", folded) == 3);
  CHECK_FALSE(folded);
  // An allow-list set later folds new values, not the ones interned.
  set.set_limits({"sales"}, 10);
  CHECK(set.resolve("support", folded) == 3);
  CHECK(set.resolve("billing", folded) == LabelSet::kOther);
  CHECK(folded);
}
