// Renders the engine's ticks for the wallboard feed (docs/wallboard.md) on a
// thread of its own, latest view first. Rendering every series costs about
// as much as the tick itself on a big center; done on the I/O threads, a slow
// render held up ingestion and the viewers' writes, and ticks queued behind
// one another without bound. Here a tick that comes while the previous one is
// still rendering replaces the one waiting: viewers get fewer, current
// updates, and nothing else waits (ccmon_live_ticks_skipped_total counts it).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "server/engine_service.hpp"

namespace ccmon::server {

class LivePublisher {
 public:
  // `publish` renders and delivers one view (LiveFeed::publish); it runs on
  // the publisher's thread only. `skipped` is called on the offering thread
  // for each view replaced before it was rendered; it must not block.
  LivePublisher(std::function<void(const View&)> publish, std::function<void()> skipped);
  ~LivePublisher();
  LivePublisher(const LivePublisher&) = delete;
  LivePublisher& operator=(const LivePublisher&) = delete;

  // Hands over the latest view. Thread-safe; never waits for a render.
  // Ignored after stop().
  void offer(std::shared_ptr<const View> view);

  // Finishes the render under way, drops the view waiting, joins the thread.
  void stop();

 private:
  void run();

  std::function<void(const View&)> publish_;
  std::function<void()> skipped_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<const View> waiting_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace ccmon::server
