// Snapshot storage hand-off: storage comes back once the last reader lets
// go (on any thread), never while one holds it, and snapshots may outlive
// the pool. Run under ThreadSanitizer (-DCCMON_SANITIZE=thread) the threaded
// case checks the hand-off's ordering.
#include "core/engine/snapshot_pool.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>
#include <vector>

using namespace ccmon::core;
using namespace ccmon::core::engine_detail;

TEST_CASE("snapshot pool: storage is reused only after the last reader released it",
          "[engine][snapshot_pool]") {
  SnapshotPool pool;
  std::unique_ptr<Snapshot> s = pool.take();
  const Snapshot* storage = s.get();
  std::shared_ptr<const Snapshot> published = pool.publish(std::move(s));
  std::shared_ptr<const Snapshot> reader = published;

  std::unique_ptr<Snapshot> other = pool.take();  // both still held: fresh storage
  CHECK(other.get() != storage);
  published.reset();
  std::unique_ptr<Snapshot> third = pool.take();  // one reader left: still fresh
  CHECK(third.get() != storage);
  reader.reset();  // the last reader: the storage becomes the spare
  CHECK(pool.take().get() == storage);
}

TEST_CASE("snapshot pool: a snapshot may outlive its pool", "[engine][snapshot_pool]") {
  std::shared_ptr<const Snapshot> kept;
  {
    SnapshotPool pool;
    auto s = pool.take();
    s->now = 42;
    kept = pool.publish(std::move(s));
  }
  CHECK(kept->now == 42);
  kept.reset();  // returns to the orphaned slot, freed with it (ASan: no leak)
}

TEST_CASE("snapshot pool: readers on other threads hand storage back safely",
          "[engine][snapshot_pool]") {
  SnapshotPool pool;
  std::vector<std::thread> readers;
  std::uint64_t batches = 0;
  std::atomic<int> wrong{0};  // Catch2 assertions are not thread-safe: count here
  for (int round = 0; round < 200; ++round) {
    std::unique_ptr<Snapshot> s = pool.take();
    s->now = round;  // the engine writes the storage a reader may have read
    s->windows.assign(4, "w");
    std::shared_ptr<const Snapshot> snap = pool.publish(std::move(s));
    readers.emplace_back([snap = std::move(snap), round, &wrong]() mutable {
      // Reads, then drops the last reference on this thread.
      if (snap->now != round || snap->windows.size() != 4) ++wrong;
      snap.reset();
    });
    if (readers.size() == 4) {
      for (auto& r : readers) r.join();
      readers.clear();
      ++batches;
    }
  }
  for (auto& r : readers) r.join();
  CHECK(wrong == 0);
  CHECK(batches == 50);
}
