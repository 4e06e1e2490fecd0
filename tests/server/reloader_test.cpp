// Reloads run on their own thread, one at a time, and report when done.
#include "server/reloader.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <thread>
#include <vector>

namespace ccmon::server {
namespace {

// One thread runs them all, so no two overlap.
TEST_CASE("reloads run off the caller's thread, in order, one at a time", "[server][reload]") {
  std::mutex mutex;
  std::vector<std::thread::id> threads;
  int calls = 0;
  Reloader reloader([&] {
    std::lock_guard lock(mutex);
    threads.push_back(std::this_thread::get_id());
    return ReloadOutcome{true, "reload " + std::to_string(++calls)};
  });
  std::promise<ReloadOutcome> first, second;
  reloader.request([&](ReloadOutcome o) { first.set_value(o); });
  reloader.request();  // SIGHUP: nobody waits for the answer
  reloader.request([&](ReloadOutcome o) { second.set_value(o); });
  CHECK(first.get_future().get().message == "reload 1");
  CHECK(second.get_future().get().message == "reload 3");
  reloader.stop();
  REQUIRE(threads.size() == 3);
  CHECK(threads[0] != std::this_thread::get_id());
  CHECK(threads[1] == threads[0]);
  CHECK(threads[2] == threads[0]);
}

}  // namespace
}  // namespace ccmon::server
