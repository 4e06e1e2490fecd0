// The wallboard's live feed (`GET /v1/live`, docs/wallboard.md): each engine
// tick's view is serialised ONCE (LiveRenderer) into a full `state`, an
// `update` and the catch-up updates, and the same immutable strings are
// handed to every viewer. Each viewer picks the one it needs (LiveSession),
// so a slow one never holds up the others, the publisher or the engine.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/engine_service.hpp"
#include "server/live_renderer.hpp"

namespace ccmon::server {

// A connected viewer as the feed reaches it.
class LiveViewer {
 public:
  virtual ~LiveViewer() = default;
  // A new tick: called on the publishing thread, so it only posts to the
  // viewer's own executor. Must not block.
  virtual void deliver(LiveMessages messages) = 0;
};

// Publishes to the registered viewers. Thread-safe.
class LiveFeed {
 public:
  explicit LiveFeed(std::string build = {}) : renderer_(std::move(build)) {}

  // Takes up settings (at start and on every reload). The next publish
  // sends every viewer a full `state` (docs/wallboard.md: after a reload).
  void configure(const LiveOptions& options);

  // Renders `view` once and delivers it to every viewer still alive; with
  // none, renders nothing and drops the latest state (a viewer subscribing
  // then gets the next publish's state). Publishes are serialised; call it
  // off the engine and I/O threads (LivePublisher). Holds no viewer while
  // it renders, and subscribe() does not wait for a render.
  void publish(const View& view);

  struct Subscription {
    std::uint64_t id = 0;  // 0: refused, max_viewers are connected already
    // The latest state and its tick; null before the first publish with a
    // viewer (the viewer gets the next tick's state instead).
    SharedText state;
    std::uint64_t tick = 0;
  };
  // Registers `viewer`, which gets every publish from now on.
  Subscription subscribe(std::weak_ptr<LiveViewer> viewer);
  void unsubscribe(std::uint64_t id);
  std::size_t viewers() const;

 private:
  std::mutex render_mutex_;  // serialises publish(); guards renderer_
  LiveRenderer renderer_;
  mutable std::mutex mutex_;  // guards what follows
  LiveOptions options_;
  bool resend_state_ = false;  // set by configure(): the next publish sends `state`
  SharedText state_;
  std::uint64_t state_tick_ = 0;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<LiveViewer>> viewers_;
};

}  // namespace ccmon::server
