// The wallboard's live feed (`GET /v1/live`, docs/wallboard.md): each engine
// tick's view is serialised ONCE into a full `state` message and an `update`
// holding only the sections that changed, and the same immutable strings are
// handed to every viewer. Viewers own their bounded queues (LiveSession), so
// a slow one never holds up the others, the publisher or the engine.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/engine_service.hpp"

namespace ccmon::server {

using SharedText = std::shared_ptr<const std::string>;

// One tick's messages, both as of the same view.
struct LiveMessages {
  SharedText state;   // {"type": "state", every section}
  SharedText update;  // {"type": "update", "now", the sections that changed}
};

// Renders views into feed messages and remembers the last sections sent, for
// the change detection of the next update. Not thread-safe (LiveFeed
// serialises it).
//
// Sections filled: now, build, windows, series, teams, sla, stats (the
// /v1/kpis shapes, unfiltered). `agents`, `agents_total`, `intervals` and
// `feeds` are left out — the engine does not track them yet — which the
// contract reads as "unchanged/unknown" (docs/wallboard.md, Status).
class LiveRenderer {
 public:
  explicit LiveRenderer(std::string build) : build_(std::move(build)) {}
  LiveMessages render(const View& view);
  // Forgets the sections last sent: the next update then carries every one.
  void forget() { previous_.clear(); }

 private:
  std::string build_;
  std::map<std::string, std::string, std::less<>> previous_;  // section -> its JSON text
};

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

  // Renders `view` once and delivers it to every viewer still alive; with
  // none, renders nothing and drops the latest state (a viewer subscribing
  // then gets the next publish's state). Publishes are serialised; call it
  // off the engine thread.
  void publish(const View& view);

  // Registers `viewer`; returns its id and the latest state (null before
  // the first publish with a viewer: the viewer gets the next tick's state
  // instead).
  std::pair<std::uint64_t, SharedText> subscribe(std::weak_ptr<LiveViewer> viewer);
  void unsubscribe(std::uint64_t id);
  std::size_t viewers() const;

 private:
  mutable std::mutex mutex_;
  LiveRenderer renderer_;
  SharedText state_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<LiveViewer>> viewers_;
};

}  // namespace ccmon::server
