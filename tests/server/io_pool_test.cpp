// The io threads: a context per thread, connections placed round-robin.
#include "server/io_pool.hpp"

#include <pthread.h>

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ccmon::server {
namespace {

std::string this_thread_name() {
  std::array<char, 16> name{};
  pthread_getname_np(pthread_self(), name.data(), name.size());
  return name.data();
}

TEST_CASE("next() goes round the contexts, starting after the main one", "[server][io]") {
  IoPool pool(3);
  REQUIRE(pool.size() == 3);
  std::vector<boost::asio::io_context*> seen;
  for (int i = 0; i < 7; ++i) seen.push_back(&pool.next());
  CHECK(seen[0] != &pool.main());
  CHECK(seen[1] != &pool.main());
  CHECK(seen[0] != seen[1]);
  CHECK(seen[2] == &pool.main());
  CHECK(seen[3] == seen[0]);
  CHECK(seen[4] == seen[1]);
  CHECK(seen[5] == seen[2]);
  CHECK(seen[6] == seen[0]);
  // executors() lists every context, the main one first.
  const auto executors = pool.executors();
  REQUIRE(executors.size() == 3);
  CHECK(executors[0] == boost::asio::any_io_executor(pool.main().get_executor()));
  CHECK(executors[1] == boost::asio::any_io_executor(seen[0]->get_executor()));
  CHECK(executors[2] == boost::asio::any_io_executor(seen[1]->get_executor()));
}

TEST_CASE("contexts but the main one wait for work until stop()", "[server][io]") {
  IoPool pool(2);
  boost::asio::io_context& other = pool.next();
  // poll() runs what is ready and, with no work left at all, stops the
  // context, as run() returns: a connection placed there later would never
  // be served. The others hold work until stop().
  CHECK(other.poll() == 0);
  CHECK_FALSE(other.stopped());
  CHECK(pool.main().poll() == 0);
  CHECK(pool.main().stopped());  // the daemon's main context has its signals
  pool.stop();
  other.restart();
  CHECK(other.poll() == 0);
  CHECK(other.stopped());  // stop() let go of its work
}

TEST_CASE("a pool of 0 threads has one, the main context", "[server][io]") {
  IoPool pool(0);
  CHECK(pool.size() == 1);
  CHECK(&pool.next() == &pool.main());
  CHECK(&pool.next() == &pool.main());
  CHECK(pool.executors().size() == 1);
}

TEST_CASE("each context runs on a thread of its own until stop()", "[server][io]") {
  IoPool pool(3);
  std::vector<boost::asio::io_context*> contexts{&pool.main()};
  for (std::size_t i = 1; i < pool.size(); ++i) contexts.push_back(&pool.next());

  std::mutex mutex;
  std::vector<std::set<std::thread::id>> ran_on(contexts.size());
  std::vector<std::string> names(contexts.size());
  int done = 0;
  // Two handlers per context: both must run on that context's one thread.
  // The last to finish stops the pool from inside it, as the daemon's
  // shutdown does from the main context.
  for (std::size_t i = 0; i < contexts.size(); ++i) {
    for (int k = 0; k < 2; ++k) {
      boost::asio::post(*contexts[i], [&, i] {
        std::lock_guard lock(mutex);
        ran_on[i].insert(std::this_thread::get_id());
        names[i] = this_thread_name();
        if (++done == 2 * static_cast<int>(contexts.size())) pool.stop();
      });
    }
  }
  const std::thread::id caller = std::this_thread::get_id();
  pool.run();  // returns only once stop() has run: the other contexts wait for work

  REQUIRE(done == 6);
  std::set<std::thread::id> all;
  for (const auto& s : ran_on) {
    REQUIRE(s.size() == 1);
    all.insert(*s.begin());
  }
  CHECK(all.size() == 3);                      // three threads, one per context
  CHECK(*ran_on[0].begin() == caller);         // the main context on run()'s caller
  CHECK(names[1].rfind("ccmon-io-", 0) == 0);  // the others named for top -H
  CHECK(names[2].rfind("ccmon-io-", 0) == 0);
  CHECK(names[1] != names[2]);
}

}  // namespace
}  // namespace ccmon::server
