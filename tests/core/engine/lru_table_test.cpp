// The flat, LRU-ordered record table under the contact / case / agent state.
#include "core/engine/lru_table.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace ccmon::core::engine_detail;

namespace {

// "k<i>", built by appending: GCC 12 at -O2/-O3 reports a false -Wrestrict
// on "k" + std::to_string(i) (GCC bugs 105329, 105651).
std::string key(int i) {
  std::string k = "k";
  k += std::to_string(i);
  return k;
}

}  // namespace

TEST_CASE("lru table: find after erase with backward shift, handles, order", "[engine][lru]") {
  LruTable<int> t;
  const int n = 1000;
  for (int i = 0; i < n; ++i) t[t.insert(key(i))] = i;
  REQUIRE(t.size() == n);
  const Handle h5 = t.handle(t.find("k5"));
  for (int i = 0; i < n; i += 3) t.erase(t.find(key(i)));  // 334 erased
  CHECK(t.size() == n - 334);
  for (int i = 0; i < n; ++i) {
    const std::uint32_t s = t.find(key(i));
    if (i % 3 == 0) {
      CHECK(s == kNil);
    } else {
      REQUIRE(s != kNil);
      CHECK(t[s] == i);
      CHECK(t.key(s) == key(i));
    }
  }
  CHECK(t.valid(h5));        // 5 was kept
  const Handle h0 = {0, 0};  // slot of k0, erased
  CHECK_FALSE(t.valid(h0));
  // Reused slots get a new generation.
  const std::uint32_t s = t.insert("again");
  CHECK(t.find("again") == s);
  // Oldest first: k1 (k0 erased); touching it moves it to the end.
  CHECK(t.key(t.oldest()) == "k1");
  t.touch(t.oldest());
  CHECK(t.key(t.oldest()) == "k2");
}
