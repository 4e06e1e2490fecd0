// The flat, LRU-ordered record table under the contact / case / agent state.
#include "core/engine/lru_table.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <unordered_map>

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

TEST_CASE("lru table: random inserts and erases agree with a map", "[engine][lru]") {
  // A second implementation: std::unordered_map of key -> value. 200,000
  // operations over 30,000 keys take the index through many doublings of
  // its parts while records come and go.
  LruTable<int> t;
  std::unordered_map<std::string, int> ref;
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int op = 0; op < 200'000; ++op) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const int k = static_cast<int>(x % 30'000);
    const std::string id = key(k);
    const std::uint32_t s = t.find(id);
    const auto it = ref.find(id);
    REQUIRE((s == kNil) == (it == ref.end()));
    if (s == kNil) {
      t[t.insert(id)] = op;
      ref[id] = op;
    } else {
      REQUIRE(t[s] == it->second);
      if (x % 3 == 0) {
        t.erase(s);
        ref.erase(it);
      } else {
        t[s] = op;
        it->second = op;
      }
    }
  }
  REQUIRE(t.size() == ref.size());
  std::size_t seen = 0;
  t.for_each([&](std::uint32_t s, int v) {
    REQUIRE(ref.at(std::string(t.key(s))) == v);
    ++seen;
  });
  CHECK(seen == ref.size());
}

TEST_CASE("lru table: the index grows a part at a time, the slots without a copy",
          "[engine][lru]") {
  // A doubling of the whole index rebuilds every cell at once (a stall
  // that grows with the table); a part's doubling adds at most that
  // part's cells. Parts fill evenly, so a part holds about 1/64 of them.
  LruTable<int> t;
  const int n = 200'000;
  std::size_t cells = t.index_cells();
  std::size_t largest_step = 0;
  const int* first = nullptr;
  for (int i = 0; i < n; ++i) {
    const std::uint32_t s = t.insert(key(i));
    t[s] = i;
    if (i == 0) first = &t[s];
    largest_step = std::max(largest_step, t.index_cells() - cells);
    cells = t.index_cells();
  }
  // 200,000 records, each part at most half full: 2^19 to 2^20 cells in
  // all, 8,192 to 16,384 per part on average.
  CHECK(cells >= std::size_t{1} << 19);
  CHECK(cells <= std::size_t{1} << 20);
  CHECK(largest_step <= cells / 32);
  // The first record never moved: the slots grew by chunks.
  CHECK(first == &t[t.find("k0")]);
  CHECK(t[t.find("k0")] == 0);
}
