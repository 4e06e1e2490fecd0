// Dedup semantics: an id accepted at t is a duplicate in [t, t + horizon),
// memory is bounded by max_ids with the oldest ids forgotten first.
#include "core/dedup/deduplicator.hpp"

#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory_resource>
#include <new>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/dedup/prefetched_batch.hpp"
#include "tests/core/hash/flood_ids.hpp"

namespace {

using ccmon::core::Deduplicator;
using ccmon::core::DedupOptions;
using ccmon::core::HashKey;
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

TEST_CASE("forgotten_by_insert names the id that insert will forget", "[dedup]") {
  // By hand: a memory of 4 holding 4 forgets its oldest at the next insert
  // and the third oldest two inserts later; holding 2, the third insert
  // from now (ahead 2) is the 5th id and forgets the oldest.
  CHECK(Deduplicator::forgotten_by_insert(4, 0, 4) == 0u);
  CHECK(Deduplicator::forgotten_by_insert(4, 2, 4) == 2u);
  CHECK(Deduplicator::forgotten_by_insert(2, 2, 4) == 0u);
  CHECK_FALSE(Deduplicator::forgotten_by_insert(2, 1, 4).has_value());
  CHECK_FALSE(Deduplicator::forgotten_by_insert(0, 0, 1).has_value());
  // Against real inserts, for every fill level and distance: the id held at
  // that index is the one that disappears exactly at that insert.
  constexpr std::size_t kMax = 4;
  for (std::size_t held = 0; held <= kMax; ++held) {
    for (std::size_t ahead = 0; ahead < 7; ++ahead) {
      Deduplicator d(DedupOptions{seconds(3600), kMax});
      std::vector<std::string> old;
      for (std::size_t i = 0; i < held; ++i) {
        old.push_back("old-" + std::to_string(i));
        REQUIRE(d.insert(old.back(), kT0));
      }
      const auto predicted = Deduplicator::forgotten_by_insert(held, ahead, kMax);
      d.prefetch_forgotten(ahead);  // a hint only: must not change anything
      for (std::size_t i = 0; i < ahead; ++i) REQUIRE(d.insert("new-" + std::to_string(i), kT0));
      std::vector<bool> before;
      for (const auto& id : old) before.push_back(d.contains(id, kT0));
      REQUIRE(d.insert("the-insert", kT0));
      std::optional<std::size_t> gone;
      for (std::size_t i = 0; i < old.size(); ++i) {
        if (before[i] && !d.contains(old[i], kT0)) gone = i;
      }
      INFO("held " << held << ", ahead " << ahead);
      // Indices past the ids held now are ids inserted meanwhile: beyond
      // what prefetch_forgotten can load, and never among `old`.
      if (predicted && *predicted < held) {
        CHECK(gone == predicted);
      } else {
        CHECK_FALSE(gone.has_value());
      }
    }
  }
}

TEST_CASE("prefetch_forgotten is harmless at every edge", "[dedup]") {
  // A hint has no result to check: this guards against reads outside the
  // FIFO or the table (caught by the sanitizer build of the suite).
  Deduplicator off(DedupOptions{seconds(3600), 0});  // dedup off: no table
  off.prefetch_forgotten(0);
  off.prefetch_forgotten(1'000'000);
  Deduplicator two(DedupOptions{seconds(3600), 2});
  two.prefetch_forgotten(0);  // empty
  two.prefetch_forgotten(5);
  REQUIRE(two.insert("a", kT0));
  REQUIRE(two.insert("b", kT0));
  two.prefetch_forgotten(1);
  two.prefetch_forgotten(2);  // would forget an id not inserted yet
  two.prefetch_forgotten(1'000'000);
  CHECK(two.size() == 2);
  CHECK_FALSE(two.insert("a", kT0));
  CHECK_FALSE(two.insert("b", kT0));
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

TEST_CASE("remembered() and restore() carry the memory over, in order", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(100), 3});
  CHECK(d.insert("a", kT0));
  CHECK(d.insert("b", kT0 + seconds(10)));
  const auto memory = d.remembered();
  REQUIRE(memory.size() == 2);
  CHECK(memory[0].at == kT0);  // oldest first
  CHECK(memory[1].at == kT0 + seconds(10));

  Deduplicator copy;
  copy.restore(d.options(), memory, d.hash_key(), 0);
  CHECK(copy.options().max_ids == 3);
  CHECK_FALSE(copy.insert("b", kT0 + seconds(20)));
  CHECK(copy.insert("c", kT0 + seconds(20)));
  CHECK(copy.insert("d", kT0 + seconds(30)));  // at the bound of 3, a goes first
  CHECK(copy.insert("a", kT0 + seconds(40)));
  CHECK(copy.insert("a", kT0 + seconds(140)));  // 140 - 40 >= 100: forgotten

  // A memory that cannot be (a zero or repeated hash, beyond max_ids) is
  // refused and the memory stays as it was.
  Deduplicator other(DedupOptions{seconds(100), 3});
  CHECK(other.insert("x", kT0));
  auto twice = memory;
  twice.push_back(memory[0]);
  CHECK_THROWS_AS(other.restore(d.options(), twice, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(other.restore(DedupOptions{seconds(100), 1}, memory, {}, 0),
                  std::invalid_argument);
  CHECK_THROWS_AS(other.restore(d.options(), {{0, kT0}}, {}, 0), std::invalid_argument);
  CHECK(other.size() == 1);
  CHECK_FALSE(other.insert("x", kT0 + seconds(1)));
}

// Counts what is outstanding in it; the heap does the work. Fills what it
// hands out with `fill` bytes: 0 for memory that comes zeroed, anything
// else to show that a table not declared zeroed is emptied when made.
class CountingMemory final : public std::pmr::memory_resource {
 public:
  explicit CountingMemory(unsigned char fill = 0xA5) : fill_(fill) {}
  std::size_t outstanding = 0;
  bool refuse_next = false;  // the next allocation throws std::bad_alloc

 private:
  unsigned char fill_;
  void* do_allocate(std::size_t bytes, std::size_t align) override {
    if (refuse_next) {
      refuse_next = false;
      throw std::bad_alloc();
    }
    outstanding += bytes;
    void* p = std::pmr::new_delete_resource()->allocate(bytes, align);
    std::memset(p, fill_, bytes);
    return p;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    outstanding -= bytes;
    std::pmr::new_delete_resource()->deallocate(p, bytes, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override {
    return this == &o;
  }
};

TEST_CASE("the slot table, and only it, lives in the table memory given", "[dedup]") {
  CountingMemory table;
  {
    Deduplicator d(DedupOptions{seconds(100), 1000}, {}, &table);
    CHECK(table.outstanding == 0);  // no table before the first id
    for (int i = 0; i < 100; ++i) REQUIRE(d.insert(id_of(i), kT0));
    // 100 ids at a load of at most 3/4 take 256 slots of 8 bytes (128
    // would hold 96); the FIFO of 100 entries is elsewhere. The table of
    // 128 is kept until its 96 ids are copied over, 2 an insert.
    CHECK(table.outstanding == (256 + 128) * 8);
    for (int i = 100; i < 144; ++i) REQUIRE(d.insert(id_of(i), kT0));
    CHECK(table.outstanding == 256 * 8);
    // A restored memory keeps the table memory: 3 ids take 16 slots (the
    // smallest table), and the old table is given back to it.
    Deduplicator source(DedupOptions{seconds(100), 1000});
    for (int i = 0; i < 3; ++i) REQUIRE(source.insert(id_of(1000 + i), kT0));
    d.restore(source.options(), source.remembered(), source.hash_key(), 0);
    CHECK(table.outstanding == 16 * 8);
    CHECK_FALSE(d.insert(id_of(1001), kT0 + seconds(1)));
    // A smaller bound gives memory back, to the same place.
    for (int i = 0; i < 200; ++i) REQUIRE(d.insert(id_of(2000 + i), kT0 + seconds(2)));
    // 203 ids: 256 slots hold only 192; those 192 are still being copied.
    CHECK(table.outstanding == (512 + 256) * 8);
    // Rebuilt at once, with no copy under way: 10 ids in 16 slots.
    d.reconfigure(DedupOptions{seconds(100), 10});
    CHECK(table.outstanding == 16 * 8);
    for (int i = 190; i < 200; ++i) CHECK_FALSE(d.insert(id_of(2000 + i), kT0 + seconds(3)));
  }
  CHECK(table.outstanding == 0);
}

}  // namespace

TEST_CASE("the table doubles in steps, the table before freed once copied", "[dedup]") {
  // The doubling to 2^15 slots comes at the 12,289th id (2^14 slots hold
  // 12,288). From then the table before (2^14) is kept
  // while its 12,288 ids are copied over, 2 an insert: freed after the
  // 6,143rd insert after, the insert that doubled having copied 2.
  CountingMemory table;
  Deduplicator d(DedupOptions{seconds(100), 100'000}, {}, &table);
  for (int i = 0; i < 12'288; ++i) REQUIRE(d.insert(id_of(i), kT0));
  CHECK(table.outstanding == 16'384 * 8);  // 2^14 slots since the 6,145th id
  REQUIRE(d.insert(id_of(12'288), kT0));
  CHECK(table.outstanding == (32'768 + 16'384) * 8);
  for (int i = 12'289; i < 12'289 + 6'143; ++i) {
    REQUIRE(d.insert(id_of(i), kT0));
    if (i == 12'289 + 6'141) CHECK(table.outstanding == (32'768 + 16'384) * 8);
  }
  CHECK(table.outstanding == 32'768 * 8);
  // Every id stays a duplicate throughout; checked once all are in the
  // new table, and below while a copy is under way.
  for (int i = 0; i < 12'289 + 6'143; ++i) REQUIRE_FALSE(d.insert(id_of(i), kT0));
}

TEST_CASE("ids stay exact while a doubling is under way, with forgetting", "[dedup]") {
  // A second implementation: a set of the remembered ids and their FIFO.
  // Random ids (a quarter repeats), the time stepping on so that the
  // horizon forgets, a bound that evicts: through every doubling up to
  // 2^12 slots and the copies that follow, each answer must agree. The
  // clock slows as it goes, so that ids are forgotten, by the horizon and
  // by the bound, while the last copies run. Once on zeroed table memory,
  // once on memory the table must empty itself.
  for (const int fill : {0x00, 0xA5}) {
    CountingMemory table(static_cast<unsigned char>(fill));
    const DedupOptions options{seconds(50), 1'600};
    Deduplicator d(options, {}, &table, fill == 0);
    std::set<std::string> held;
    std::vector<std::pair<std::string, Timestamp>> fifo;
    std::size_t front = 0;
    std::uint64_t x = 0x2545F4914F6CDD1Dull;
    Timestamp now = kT0;
    for (int op = 0; op < 40'000; ++op) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      if (x % static_cast<std::uint64_t>(8 + op / 200) == 0) now += seconds(1);
      const std::string id = id_of(static_cast<int>(x % 4 == 0 ? x % 1'000 : op + 1'000));
      while (front < fifo.size() && now - fifo[front].second >= options.horizon) {
        held.erase(fifo[front++].first);
      }
      const bool fresh = held.count(id) == 0;
      REQUIRE(d.contains(id, now) == !fresh);
      REQUIRE(d.insert(id, now) == fresh);
      if (fresh) {
        if (held.size() == options.max_ids) held.erase(fifo[front++].first);
        held.insert(id);
        fifo.emplace_back(id, now);
      }
      REQUIRE(d.size() == held.size());
    }
  }
}

TEST_CASE("a batch looked up and inserted prefetched leaves the memory insert leaves", "[dedup]") {
  // The engine runner's batches: look_up_prefetched finds the ids new at
  // their times (not remembered, not earlier in the batch), then
  // insert_prefetched inserts them as known new (insert_new). Against a
  // second memory fed by hand, id by id: contains() at each id's time and
  // a std::set of the batch's ids, then insert() (which looks each id up
  // again, and must find it new: insert_new's precondition holds). Each
  // id's time is max(clock, its own), the clock moved by the ids kept, as
  // in event-clock mode; some times go back. After each batch: the same
  // ids kept in the same order at the same times, and both memories hold
  // the same ids at the same times in the same order.
  // The journal replay's form too: every id of the batch, duplicates
  // included, through insert_prefetched unchecked, against insert() one by
  // one. Random ids (a quarter repeat), a horizon that forgets, a bound
  // that evicts, through the doublings to 2^12 slots and their copies;
  // batches of 0 to 200 ids, shorter and longer than the prefetch distance.
  const DedupOptions options{seconds(50), 1'600};
  Deduplicator by_hand(options), prefetched(options), one_by_one(options), replayed(options);
  absl::flat_hash_set<std::uint64_t> seen;
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  Timestamp base = kT0, clock_by_hand = kT0, clock = kT0;
  std::size_t dropped = 0, dropped_in_batch = 0;
  int op = 0;
  constexpr int kSizes[] = {50, 3, 0, 200, 50, 8, 9, 50};
  for (int batch = 0; batch < 800; ++batch) {
    std::vector<Deduplicator::IdHash> ids;
    std::vector<Timestamp> own;
    for (int k = 0; k < kSizes[batch % 8]; ++k, ++op) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      if (x % static_cast<std::uint64_t>(8 + op / 200) == 0) base += seconds(1);
      own.push_back(x % 5 == 0 ? base - seconds(3) : base);
      ids.push_back(by_hand.hash(id_of(static_cast<int>(x % 4 == 0 ? x % 1'000 : op + 1'000))));
    }
    // By hand.
    std::vector<std::size_t> kept_by_hand;
    std::vector<Timestamp> at_by_hand;
    std::set<std::uint64_t> in_batch;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const Timestamp now = std::max(clock_by_hand, own[i]);
      if (by_hand.contains(ids[i], now)) {
        ++dropped;
        continue;
      }
      if (!in_batch.insert(ids[i].keyed).second) {
        ++dropped_in_batch;
        continue;
      }
      clock_by_hand = now;
      kept_by_hand.push_back(i);
      at_by_hand.push_back(now);
    }
    for (std::size_t k = 0; k < kept_by_hand.size(); ++k) {
      REQUIRE(by_hand.insert(ids[kept_by_hand[k]], at_by_hand[k]));
    }
    // Through the two passes.
    std::vector<Deduplicator::IdHash> hashes = ids;
    std::vector<std::size_t> accepted;
    std::vector<Timestamp> at;
    const std::size_t kept = ccmon::core::look_up_prefetched(
        prefetched, std::span(hashes), seen, [&](std::size_t i) { return std::max(clock, own[i]); },
        [&](std::size_t i, Timestamp now) {
          clock = now;
          accepted.push_back(i);
          at.push_back(now);
        });
    REQUIRE(kept == kept_by_hand.size());
    REQUIRE(accepted == kept_by_hand);
    REQUIRE(at == at_by_hand);
    for (std::size_t k = 0; k < kept; ++k) REQUIRE(hashes[k].keyed == ids[accepted[k]].keyed);
    ccmon::core::insert_prefetched(
        prefetched, std::span(hashes).first(kept), [&](std::size_t k) { return at[k]; },
        ccmon::core::BatchIds::kLookedUp);
    // Replay: everything, unchecked.
    for (std::size_t i = 0; i < ids.size(); ++i) one_by_one.insert(ids[i], own[i]);
    ccmon::core::insert_prefetched(
        replayed, ids, [&](std::size_t i) { return own[i]; }, ccmon::core::BatchIds::kUnchecked);
    for (const auto& [a_memory, b_memory] :
         {std::pair{&by_hand, &prefetched}, std::pair{&one_by_one, &replayed}}) {
      REQUIRE(a_memory->size() == b_memory->size());
      const auto a = a_memory->remembered(), b = b_memory->remembered();
      REQUIRE(a.size() == b.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        REQUIRE(a[i].hash == b[i].hash);
        REQUIRE(a[i].at == b[i].at);
      }
    }
  }
  CHECK(by_hand.size() == options.max_ids);  // the bound was reached
  CHECK(dropped > 5'000);                    // duplicates were met (a quarter repeat)
  CHECK(dropped_in_batch > 100);             // some only within their batch
}

TEST_CASE("hash_all answers what hash answers id by id", "[dedup]") {
  const std::hash<std::string_view> std_hash;
  HashKey mine{}, other{};
  mine.bytes[0] = 1;
  other.bytes[0] = 2;
  const std::vector<std::string> ids = {"a", "b", "old-a", "c"};
  auto id = [&](std::size_t i) -> std::string_view { return ids[i]; };
  Deduplicator plain(DedupOptions{seconds(100), 10}, mine);
  Deduplicator v1(DedupOptions{seconds(100), 10}, mine);
  v1.restore(DedupOptions{seconds(100), 10}, {{std_hash("old-a"), kT0}}, mine, 1);
  for (const HashKey& key : {mine, other}) {
    std::vector<std::uint64_t> keyed;
    for (const auto& s : ids) keyed.push_back(Deduplicator::keyed_hash_of(key, s));
    for (const Deduplicator* d : {&plain, &v1}) {
      std::vector<Deduplicator::IdHash> all{{7, 7}};  // appended to, not replaced
      d->hash_all(keyed, key, id, all);
      REQUIRE(all.size() == ids.size() + 1);
      CHECK(all[0].keyed == 7);
      for (std::size_t i = 0; i < ids.size(); ++i) {
        // Under either key, the memory's own keyed hash; the unkeyed one
        // only while v1 ids are remembered.
        CHECK(all[i + 1].keyed == Deduplicator::keyed_hash_of(mine, ids[i]));
        CHECK(all[i + 1].legacy == (d == &v1 ? std_hash(ids[i]) : 0));
      }
    }
  }
}

TEST_CASE("ids evicted at the bound while a copy runs are forgotten, the rest kept", "[dedup]") {
  // max_ids 100: the doubling to 256 slots comes at the 97th id, and the
  // bound at the 101st, when 88 of the 96 ids before are still to copy:
  // each of the next 30 inserts forgets the oldest, from the old table
  // (one forgotten and two copied each), which the 130th id's frees.
  CountingMemory table;
  Deduplicator d(DedupOptions{seconds(3600), 100}, {}, &table);
  for (int i = 0; i < 160; ++i) {
    REQUIRE(d.insert(id_of(i), kT0));
    if (i >= 96) CHECK(table.outstanding == (i <= 128 ? 256 + 128 : 256) * 8);
    for (int j = 0; j <= i; ++j) REQUIRE(d.contains(id_of(j), kT0) == (j > i - 100));
  }
  CHECK(d.size() == 100);
}

TEST_CASE("a doubling refused its memory changes nothing", "[dedup]") {
  // 16 slots hold 12 ids; the 13th doubles the table, and here the
  // memory refuses: the insert throws, and the 12 ids stay remembered.
  CountingMemory table;
  Deduplicator d(DedupOptions{seconds(3600), 1000}, {}, &table);
  for (int i = 0; i < 12; ++i) REQUIRE(d.insert(id_of(i), kT0));
  table.refuse_next = true;
  CHECK_THROWS_AS(d.insert(id_of(12), kT0), std::bad_alloc);
  CHECK(d.size() == 12);
  CHECK(table.outstanding == 16 * 8);
  for (int i = 0; i < 12; ++i) CHECK(d.contains(id_of(i), kT0));
  CHECK_FALSE(d.contains(id_of(12), kT0));
  CHECK(d.insert(id_of(12), kT0));  // granted this time
  CHECK(d.size() == 13);
  for (int i = 0; i <= 12; ++i) CHECK_FALSE(d.insert(id_of(i), kT0));
}

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

TEST_CASE("an id's hashes, computed once, answer as the id itself does", "[dedup]") {
  Deduplicator d(DedupOptions{seconds(10), 100});
  const Deduplicator::IdHash a = d.hash("a");
  CHECK(a.keyed != 0);
  CHECK(a.legacy == 0);  // no v1 ids remembered
  CHECK(d.hash("a").keyed == a.keyed);
  CHECK(d.hash("b").keyed != a.keyed);
  d.prefetch(a);  // a hint only: on an empty table too
  CHECK_FALSE(d.contains(a, kT0));
  CHECK(d.insert(a, kT0));
  // Remembered by its hash, found by its text, and the other way round.
  CHECK(d.contains("a", kT0 + seconds(1)));
  CHECK_FALSE(d.insert("a", kT0 + seconds(1)));
  REQUIRE(d.insert("b", kT0 + seconds(2)));
  CHECK(d.contains(d.hash("b"), kT0 + seconds(2)));
  CHECK_FALSE(d.insert(d.hash("b"), kT0 + seconds(3)));
  // The horizon as for text: "a" is new again from kT0 + 10 s.
  CHECK(d.contains(a, kT0 + seconds(10) - 1));
  CHECK_FALSE(d.contains(a, kT0 + seconds(10)));
  CHECK(d.insert(a, kT0 + seconds(10)));
  CHECK(d.size() == 2);
  Deduplicator off(DedupOptions{seconds(10), 0});
  CHECK(off.insert(off.hash("a"), kT0));
  CHECK(off.insert(off.hash("a"), kT0));  // dedup off: nothing remembered
  CHECK_FALSE(off.contains(off.hash("a"), kT0));
}

TEST_CASE("an id hashed ahead under the memory's key is used, under another key redone",
          "[dedup]") {
  HashKey mine{}, other{};
  mine.bytes[0] = 1;
  other.bytes[0] = 2;
  Deduplicator d(DedupOptions{seconds(10), 100}, mine);
  const std::uint64_t ahead = Deduplicator::keyed_hash_of(mine, "a");
  // What the memory computes itself, as a second implementation.
  CHECK(ahead == d.hash("a").keyed);
  CHECK(d.hash("a", mine, ahead).keyed == ahead);
  CHECK(d.hash("a", mine, ahead).legacy == 0);
  // Hashed under a key the memory does not use (a restore kept an older
  // one): the hash given is ignored, the id found as itself.
  const std::uint64_t stale = Deduplicator::keyed_hash_of(other, "a");
  REQUIRE(stale != ahead);
  CHECK(d.hash("a", other, stale).keyed == ahead);
  REQUIRE(d.insert("a", kT0));
  CHECK(d.contains(d.hash("a", other, stale), kT0 + seconds(1)));
  CHECK(d.contains(d.hash("a", mine, ahead), kT0 + seconds(1)));
}

TEST_CASE("a v1 memory adds the unkeyed hash to an id hashed ahead", "[dedup]") {
  const std::hash<std::string_view> std_hash;
  const auto key = ccmon::core::test::fixed_test_key();
  Deduplicator d(DedupOptions{seconds(100), 10}, key);
  d.restore(DedupOptions{seconds(100), 10}, {{std_hash("old-a"), kT0}}, key, 1);
  const auto h = d.hash("old-a", key, Deduplicator::keyed_hash_of(key, "old-a"));
  CHECK(h.legacy == std_hash("old-a"));
  CHECK(d.contains(h, kT0 + seconds(1)));
}

namespace {

// libstdc++'s std::hash for strings (MurmurHash64A, seed 0xc70f6907),
// which the memory used before keying, block by block: for a 16-byte id,
// h = ((h0 ^ K(w1)) * m ^ K(w2)) * m, then a fixed finaliser.
constexpr std::uint64_t kM = 0xc6a4a7935bd1e995ull;
std::uint64_t xorshift47(std::uint64_t x) {
  return x ^ (x >> 47);  // its own inverse: 2 * 47 >= 64
}
std::uint64_t murmur_k(std::uint64_t w) {
  return xorshift47(w * kM) * kM;
}
std::uint64_t inverse_mod_2_64(std::uint64_t a) {
  std::uint64_t x = a;                         // Newton: correct to 3 bits for odd a,
  for (int i = 0; i < 5; ++i) x *= 2 - a * x;  // doubling each step: 96 >= 64
  return x;
}

// n distinct 16-byte ids whose std::hash values differ only in their
// lowest bits after the set's Fibonacci multiplication (h * phi = kBase + i),
// so they all share one home slot in any table of up to 2^51 slots: every
// insert walks every id before it. The finaliser and the blocks are
// invertible, so each id costs a few multiplications.
constexpr std::uint64_t kPhi = 0x9E3779B97F4A7C15ull;  // the set's multiplier (deduplicator.cpp)
std::vector<std::string> std_hash_clustered_ids(std::size_t n) {
  constexpr std::uint64_t kBase = 0x5555000000000000ull;
  const std::uint64_t m_inv = inverse_mod_2_64(kM);
  const std::uint64_t phi_inv = inverse_mod_2_64(kPhi);
  const std::uint64_t h0 = 0xc70f6907ull ^ (16 * kM);
  std::vector<std::string> ids;
  for (std::uint64_t w1 = 1; w1 <= n; ++w1) {
    const std::uint64_t final_hash = (kBase + w1) * phi_inv;
    // Undo the finaliser h ^= h >> 47; h *= m; h ^= h >> 47.
    const std::uint64_t state = xorshift47(xorshift47(final_hash) * m_inv);
    // state = (h1 ^ K(w2)) * m with h1 = (h0 ^ K(w1)) * m.
    const std::uint64_t k2 = (state * m_inv) ^ ((h0 ^ murmur_k(w1)) * kM);
    const std::uint64_t w2 = xorshift47(k2 * m_inv) * m_inv;  // K^-1(k2)
    ids.push_back(ccmon::core::test::two_word_id(w1, w2));
  }
  return ids;
}

TEST_CASE("hash flood: ids clustered under std::hash stay cheap", "[dedup][flood]") {
  constexpr std::size_t n = 5000;
  const auto ids = std_hash_clustered_ids(n);
  // The attack works: distinct std::hash values, one home slot.
  const std::hash<std::string_view> std_hash;
  std::set<std::uint64_t> hashes;
  for (const auto& id : ids) {
    hashes.insert(std_hash(id));
    REQUIRE((std_hash(id) * kPhi) >> 13 == (std_hash(ids[0]) * kPhi) >> 13);
  }
  REQUIRE(hashes.size() == n);

  // Under std::hash insert i walked the i ids before it: n^2/2 = 12.5e6
  // probe steps. Keyed, probes stay linear: at a load of at most 3/4,
  // linear probing expects 8.5 cells per miss (Knuth, TAOCP vol. 3, 6.4),
  // and the load averages well below that while the table grows. While a
  // doubling's copy runs, a new id also misses in the table before and
  // each copied id probes the new one: bounded by 16 a step, still linear.
  Deduplicator d(DedupOptions{seconds(3600), 1'000'000}, ccmon::core::test::fixed_test_key());
  for (const auto& id : ids) REQUIRE(d.insert(id, kT0));
  for (const auto& id : ids) REQUIRE(d.contains(id, kT0 + seconds(1)));
  CHECK(d.size() == n);
  CHECK(d.probe_steps() <= 16 * n);
}

TEST_CASE("a v1 memory (unkeyed hashes) is looked up until it expires", "[dedup]") {
  // What a v1 state image holds: std::hash values of the ids it remembered.
  const std::hash<std::string_view> std_hash;
  const std::vector<Deduplicator::Remembered> v1 = {{std_hash("old-a"), kT0},
                                                    {std_hash("old-b"), kT0 + seconds(10)}};
  Deduplicator d(DedupOptions{seconds(100), 10}, ccmon::core::test::fixed_test_key());
  d.restore(DedupOptions{seconds(100), 10}, v1, ccmon::core::test::fixed_test_key(), 2);
  CHECK(d.legacy() == 2);
  CHECK_FALSE(d.insert("old-a", kT0 + seconds(20)));  // still a duplicate
  CHECK(d.contains("old-b", kT0 + seconds(20)));
  CHECK(d.hash("old-b").legacy == std_hash("old-b"));
  CHECK(d.contains(d.hash("old-b"), kT0 + seconds(20)));  // through its unkeyed hash
  CHECK(d.insert("new", kT0 + seconds(20)));              // remembered under the key
  CHECK_FALSE(d.insert("new", kT0 + seconds(21)));
  CHECK(d.remembered().back().hash != std_hash("new"));
  // old-a expires at kT0 + 100 s: one legacy id left; old-b at +110 s.
  CHECK(d.insert("old-a", kT0 + seconds(100)));
  CHECK(d.legacy() == 1);
  d.expire(kT0 + seconds(110));
  CHECK(d.legacy() == 0);
  CHECK(d.size() == 2);  // new (at +20) and old-a again (at +100, keyed)
  CHECK_THROWS_AS(
      d.restore(DedupOptions{seconds(100), 10}, v1, ccmon::core::test::fixed_test_key(), 3),
      std::invalid_argument);
}

}  // namespace
