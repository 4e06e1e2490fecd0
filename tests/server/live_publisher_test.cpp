// The wallboard feed's publisher renders on its own thread, the latest view
// first: a view offered while another renders replaces the one waiting.
#include "server/live_publisher.hpp"

#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace ccmon::server {
namespace {

// Views told apart by their feeds' names.
std::shared_ptr<const View> view_named(const std::string& name) {
  auto v = std::make_shared<View>();
  v->feeds.push_back(FeedState{name, 0, false});
  return v;
}

TEST_CASE("a view offered during a render replaces the one waiting", "[server][live]") {
  std::mutex mutex;
  std::vector<std::string> rendered;
  std::thread::id render_thread;
  std::promise<void> first_started;
  std::promise<void> release_first;
  std::shared_future<void> released = release_first.get_future().share();
  std::promise<void> last_done;
  int skipped = 0;
  LivePublisher publisher(
      [&](const View& v) {
        const std::string name = v.feeds.front().feed;
        {
          std::lock_guard lock(mutex);
          rendered.push_back(name);
          render_thread = std::this_thread::get_id();
        }
        if (name == "t1") {
          first_started.set_value();
          released.wait();  // a render longer than the ticks below
        }
        if (name == "t4") last_done.set_value();
      },
      [&] { ++skipped; });  // offer() runs on this thread: no lock needed
  publisher.offer(view_named("t1"));
  first_started.get_future().wait();
  // While t1 renders: t2 waits, t3 replaces it, t4 replaces t3.
  publisher.offer(view_named("t2"));
  publisher.offer(view_named("t3"));
  publisher.offer(view_named("t4"));
  CHECK(skipped == 2);
  release_first.set_value();
  last_done.get_future().wait();
  publisher.stop();
  std::lock_guard lock(mutex);
  CHECK(rendered == std::vector<std::string>{"t1", "t4"});
  CHECK(render_thread != std::this_thread::get_id());
}

TEST_CASE("after stop() views are ignored and the thread is gone", "[server][live]") {
  int renders = 0;
  int skipped = 0;
  LivePublisher publisher([&](const View&) { ++renders; }, [&] { ++skipped; });
  publisher.stop();  // joined: nothing runs on the publisher's thread now
  publisher.offer(view_named("late"));
  publisher.offer(view_named("later"));
  publisher.stop();  // twice is harmless (the destructor calls it again)
  CHECK(renders == 0);
  CHECK(skipped == 0);
}

}  // namespace
}  // namespace ccmon::server
