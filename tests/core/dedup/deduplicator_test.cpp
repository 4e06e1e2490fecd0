// Dedup semantics: an id accepted at t is a duplicate in [t, t + horizon),
// memory is bounded by max_ids with the oldest ids forgotten first.
#include "core/dedup/deduplicator.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace {

using ccmon::core::Deduplicator;
using ccmon::core::DedupOptions;
using ccmon::core::seconds;
using ccmon::core::Timestamp;

constexpr Timestamp kT0 = seconds(1'795'338'900);  // 2026-11-22T09:15:00Z

std::string id_of(int i) {
  return "evt-" + std::to_string(i);
}

TEST_CASE("a repeated id is a duplicate, a new one is not", "[dedup]") {
  Deduplicator d;
  CHECK(d.insert("a", kT0));
  CHECK_FALSE(d.insert("a", kT0));
  CHECK_FALSE(d.insert("a", kT0 + seconds(3600)));
  CHECK(d.insert("b", kT0));
  CHECK(d.insert("A", kT0));  // ids are case-sensitive bytes
  CHECK(d.size() == 3);
}

TEST_CASE("an id expires exactly at the horizon", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(10), 100});
  REQUIRE(d.insert("a", kT0));
  // Still remembered 1 us before t + horizon; the duplicate does not extend it.
  CHECK_FALSE(d.insert("a", kT0 + seconds(10) - 1));
  // Forgotten at exactly t + 10 s, and remembered afresh from then.
  CHECK(d.insert("a", kT0 + seconds(10)));
  CHECK_FALSE(d.insert("a", kT0 + seconds(19)));
  CHECK(d.size() == 1);
}

TEST_CASE("expire forgets only ids at least a horizon old", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(10), 100});
  REQUIRE(d.insert("a", kT0));
  REQUIRE(d.insert("b", kT0 + seconds(5)));
  d.expire(kT0 + seconds(10) - 1);
  CHECK(d.size() == 2);
  d.expire(kT0 + seconds(10));  // a: 10 s old, gone; b: 5 s old
  CHECK(d.size() == 1);
  d.expire(kT0 + seconds(15));  // b: 10 s old
  CHECK(d.size() == 0);
  CHECK(d.insert("b", kT0 + seconds(15)));
}

TEST_CASE("past max_ids the oldest id is forgotten first", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(3600), 3});
  for (int i = 0; i < 4; ++i) REQUIRE(d.insert(id_of(i), kT0 + seconds(i)));
  CHECK(d.size() == 3);  // evt-0 went when evt-3 came
  CHECK_FALSE(d.insert(id_of(1), kT0 + seconds(10)));
  CHECK_FALSE(d.insert(id_of(3), kT0 + seconds(10)));
  CHECK(d.insert(id_of(0), kT0 + seconds(10)));  // new again; evicts evt-1
  CHECK(d.insert(id_of(1), kT0 + seconds(11)));  // evicts evt-2
  CHECK_FALSE(d.insert(id_of(3), kT0 + seconds(12)));
  CHECK(d.size() == 3);
}

TEST_CASE("reconfigure to a smaller bound keeps the newest ids", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(3600), 5});
  for (int i = 0; i < 5; ++i) REQUIRE(d.insert(id_of(i), kT0 + seconds(i)));
  d.reconfigure(DedupOptions{seconds(3600), 2});
  CHECK(d.size() == 2);
  CHECK_FALSE(d.insert(id_of(3), kT0 + seconds(10)));
  CHECK_FALSE(d.insert(id_of(4), kT0 + seconds(10)));
  CHECK(d.insert(id_of(2), kT0 + seconds(10)));
}

TEST_CASE("reconfigure to a shorter horizon applies at the next expiry", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(3600), 10});
  REQUIRE(d.insert("a", kT0));
  d.reconfigure(DedupOptions{seconds(60), 10});
  CHECK_FALSE(d.insert("a", kT0 + seconds(59)));
  CHECK(d.insert("a", kT0 + seconds(60)));
}

TEST_CASE("max_ids 0 turns deduplication off", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(3600), 0});
  CHECK(d.insert("a", kT0));
  CHECK(d.insert("a", kT0));
  CHECK(d.size() == 0);
}

TEST_CASE("many ids: growth, eviction and deletion keep the set exact", "[dedup]") {
  // 50000 ids through a bound of 1000: every insert past 1000 evicts one,
  // exercising deletion from the probe runs of the hash table.
  constexpr int kTotal = 50'000;
  constexpr int kBound = 1'000;
  Deduplicator d(DedupOptions{seconds(3600), kBound});
  int fresh = 0;
  for (int i = 0; i < kTotal; ++i) fresh += d.insert(id_of(i), kT0) ? 1 : 0;
  CHECK(fresh == kTotal);
  CHECK(d.size() == kBound);
  // The last 1000 (49000..49999) are all remembered; a duplicate changes nothing.
  int duplicates = 0;
  for (int i = kTotal - kBound; i < kTotal; ++i) duplicates += d.insert(id_of(i), kT0) ? 0 : 1;
  CHECK(duplicates == kBound);
  // The one before them was evicted.
  CHECK(d.insert(id_of(kTotal - kBound - 1), kT0));
  // Everything is forgotten one horizon later.
  d.expire(kT0 + seconds(3600));
  CHECK(d.size() == 0);
  CHECK(d.insert(id_of(kTotal - 1), kT0 + seconds(3600)));
}

}  // namespace

TEST_CASE("contains answers what insert would, without remembering anything", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(10), 100});
  REQUIRE(d.insert("a", kT0));
  REQUIRE(d.insert("b", kT0 + seconds(5)));
  CHECK_FALSE(d.contains("c", kT0 + seconds(1)));
  CHECK(d.size() == 2);  // "c" was not remembered
  CHECK(d.insert("c", kT0 + seconds(1)));
  // "a" is a duplicate until kT0 + 10 s (exclusive), then new: as insert says.
  CHECK(d.contains("a", kT0 + seconds(10) - 1));
  CHECK_FALSE(d.contains("a", kT0 + seconds(10)));
  CHECK(d.contains("b", kT0 + seconds(10)));  // accepted at +5 s: until +15 s
  CHECK(d.size() == 3);                       // contains forgot nothing
  CHECK(d.insert("a", kT0 + seconds(10)));
  Deduplicator off(DedupOptions{seconds(10), 0});
  REQUIRE(off.insert("a", kT0));
  CHECK_FALSE(off.contains("a", kT0));
}
