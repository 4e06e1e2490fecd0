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
#include <nlohmann/json.hpp>
#include <optional>
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

// The feed's settings (`wallboard:` in the configuration).
struct LiveOptions {
  std::size_t max_viewers = 200;  // further viewers are closed with 1013
  std::size_t feed_agents = 500;  // agents in `agents` (the first by id)
  double at_risk_margin = 0.1;    // `at_risk` of the `sla` items (core::near_target)
};

// Renders views into feed messages and remembers the last sections sent, for
// the change detection of the next update. Not thread-safe (LiveFeed
// serialises it).
//
// Sections: now, build, windows, series, teams, sla (with `at_risk`), stats
// (the /v1/kpis shapes, unfiltered), agents, agents_total, intervals (at the
// configured interval) and feeds. An update carries, of the keyed sections
// (series, teams, sla, agents), only the items that are new or changed, and
// under `removed` the keys of those that went; of `intervals` only the
// changed rows; of the others the whole section when it changed.
class LiveRenderer {
 public:
  explicit LiveRenderer(std::string build) : build_(std::move(build)) {}
  LiveMessages render(const View& view, const LiveOptions& options = {});
  // Forgets the sections last sent: the next update then carries every one.
  void forget() {
    previous_.clear();
    previous_rows_.clear();
    previous_items_.clear();
  }

 private:
  // The update's `intervals`: only the rows that changed since the last
  // message, or the whole section on a new day or interval length.
  std::optional<std::string> intervals_update(const nlohmann::json& section,
                                              const std::string& text);

  struct Item {
    std::string key_json;  // the item's key fields, as `removed` lists them
    std::string text;      // the item's JSON
  };
  using Items = std::map<std::string, Item>;  // key fields \0-joined -> item
  // A keyed section's state text, and its changes since the last message
  // (appended to `update` as `,"name":[...]`); the keys that went are added
  // to `removed` as `"name":[...]`.
  std::string keyed_section(std::string_view name, const nlohmann::json& items, std::string& update,
                            std::string& removed);

  std::string build_;
  std::map<std::string, Items, std::less<>> previous_items_;  // keyed section -> its items
  std::map<std::string, std::string, std::less<>> previous_;  // section -> its JSON text
  std::map<std::string, std::string> previous_rows_;  // queue \0 channel \0 start -> row text
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

  // Takes up settings (at start and on every reload). The next publish
  // sends every viewer a full `state` (docs/wallboard.md: after a reload).
  void configure(const LiveOptions& options);

  // Renders `view` once and delivers it to every viewer still alive; with
  // none, renders nothing and drops the latest state (a viewer subscribing
  // then gets the next publish's state). Publishes are serialised; call it
  // off the engine and I/O threads (LivePublisher). Holds no viewer while
  // it renders, and subscribe() does not wait for a render.
  void publish(const View& view);

  // Registers `viewer`; returns its id and the latest state (null before
  // the first publish with a viewer: the viewer gets the next tick's state
  // instead). Id 0: refused, max_viewers are connected already.
  std::pair<std::uint64_t, SharedText> subscribe(std::weak_ptr<LiveViewer> viewer);
  void unsubscribe(std::uint64_t id);
  std::size_t viewers() const;

 private:
  std::mutex render_mutex_;  // serialises publish(); guards renderer_
  LiveRenderer renderer_;
  mutable std::mutex mutex_;  // guards what follows
  LiveOptions options_;
  bool resend_state_ = false;  // set by configure(): the next publish sends `state`
  SharedText state_;
  std::uint64_t next_id_ = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<LiveViewer>> viewers_;
};

}  // namespace ccmon::server
