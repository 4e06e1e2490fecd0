// ShardWorkers: every shard's job runs once per run, shard 0 on the caller,
// the others on threads of their own; a job's exception reaches the caller
// and the workers go on.
#include "server/shard_workers.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

using ccmon::server::ShardWorkers;

TEST_CASE("each shard's job runs once per run, the first on the caller", "[shard_workers]") {
  ShardWorkers workers(4);
  const auto caller = std::this_thread::get_id();
  for (int run = 0; run < 100; ++run) {
    std::vector<std::atomic<int>> count(4);
    std::vector<std::thread::id> where(4);
    workers.run([&](std::size_t i) {
      ++count[i];
      where[i] = std::this_thread::get_id();
    });
    // run() returned: every job is done, and its writes are visible.
    for (auto& c : count) REQUIRE(c == 1);
    REQUIRE(where[0] == caller);
    const std::set<std::thread::id> threads(where.begin(), where.end());
    REQUIRE(threads.size() == 4);
  }
}

TEST_CASE("one shard needs no thread", "[shard_workers]") {
  ShardWorkers workers(1);
  int runs = 0;
  workers.run([&](std::size_t i) {
    REQUIRE(i == 0);
    ++runs;
  });
  REQUIRE(runs == 1);
}

TEST_CASE("a job's exception reaches the caller, the workers go on", "[shard_workers]") {
  ShardWorkers workers(3);
  REQUIRE_THROWS_WITH(workers.run([](std::size_t i) {
    if (i == 2) throw std::runtime_error("shard 2 failed");
  }),
                      "shard 2 failed");
  std::atomic<int> done{0};
  workers.run([&](std::size_t) { ++done; });
  REQUIRE(done == 3);
}
