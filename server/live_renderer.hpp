// Renders the engine's views into the wallboard feed's messages
// (docs/wallboard.md, "The live feed"): per tick one full `state`, one
// `update` with what changed since the previous tick, and catch-up updates
// with what changed since a few earlier ticks, for viewers that are behind.
// Each section (each item of a keyed one) is serialised once and the same
// text serves every message and the next tick's comparison.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/engine_service.hpp"

namespace ccmon::server {

using SharedText = std::shared_ptr<const std::string>;

// The lags, in ticks, that each tick also renders the changes since. A
// viewer n > 1 ticks behind gets the smallest lag ≥ n, which repeats some
// items it has (harmless: items are replaced whole) but never misses one;
// further behind than the last, the full state.
inline constexpr std::array<std::uint64_t, 5> kCatchUpLags{2, 4, 8, 16, 32};

// One tick's messages, all as of the same view. Thread-safe to share: the
// texts are immutable.
struct LiveMessages {
  std::uint64_t tick = 0;  // the render's number: 1, 2, … one per render
  // The first render since the renderer last forgot: the updates apply to
  // the messages of this tick or later only.
  std::uint64_t first_tick = 1;
  SharedText state;   // {"type": "state", every section}
  SharedText update;  // {"type": "update", "now", what changed since tick - 1}
  // catch_up[i]: what changed since tick - kCatchUpLags[i], or since
  // first_tick when that is later; null when that is this tick.
  std::array<SharedText, kCatchUpLags.size()> catch_up;

  // The message that brings a viewer holding the message of tick `had` to
  // this tick: the update, a catch-up, or the state when `had` is too old
  // or before first_tick (0: none). Precondition: had < tick.
  const SharedText& since(std::uint64_t had) const;
};

// The feed's settings (`wallboard:` in the configuration).
struct LiveOptions {
  std::size_t max_viewers = 200;  // further viewers are closed with 1013
  std::size_t feed_agents = 500;  // agents in `agents` (the first by id)
  double at_risk_margin = 0.1;    // `at_risk` of the `sla` items (core::near_target)
};

// Renders views into feed messages, remembering for each section, item and
// interval row its text and the tick it last changed. Not thread-safe
// (LiveFeed serialises it).
//
// Sections: now, build, windows, series, teams, sla (with `at_risk`), stats
// (the /v1/kpis shapes, unfiltered), agents, agents_total, intervals (at the
// configured interval) and feeds. An update carries, of the keyed sections
// (series, teams, sla, agents), only the items new or changed since its base
// tick, and under `removed` the keys of those that went; of `intervals` only
// the changed rows (the whole section on a new day); of the others the whole
// section when it changed; `now` always.
class LiveRenderer {
 public:
  explicit LiveRenderer(std::string build) : build_(std::move(build)) {}
  LiveMessages render(const View& view, const LiveOptions& options = {});
  // Forgets every tick rendered: the next update carries every section, and
  // no later message applies to a message rendered before.
  void forget();

 private:
  struct Text {
    std::string text;
    std::uint64_t changed = 0;  // the tick its text last changed
  };
  struct Item {
    std::string key_json;  // the item's key fields, as `removed` lists them
    std::string text;
    std::uint64_t changed = 0;
  };
  struct Removal {
    std::string key;
    std::string key_json;
    std::uint64_t tick = 0;  // the tick it was first missing
  };
  struct Keyed {
    std::map<std::string, Item> items;  // key fields \0-joined -> item
    std::vector<Removal> removals;      // those of the last kCatchUpLags.back() ticks
  };
  // One update under construction: the changes since `base`.
  struct Out {
    std::uint64_t base = 0;
    std::string text;     // {"type":"update", … (unclosed)
    std::string removed;  // `"name":[keys],…` for `removed`
  };

  void keyed_section(std::string_view name, const nlohmann::json& items, const std::string& member,
                     std::string& state, std::vector<Out>& outs);
  void intervals_section(const nlohmann::json& section, const std::string& member,
                         std::string& state, std::vector<Out>& outs);

  std::string build_;
  std::uint64_t tick_ = 0;                             // the last render's number
  std::uint64_t first_tick_ = 1;                       // the first render since forget()
  std::map<std::string, Text, std::less<>> sections_;  // unkeyed section -> its text
  std::map<std::string, Keyed, std::less<>> keyed_;    // keyed section -> its items
  std::map<std::string, Text> rows_;   // interval row: queue \0 channel \0 start -> its text
  std::uint64_t intervals_reset_ = 0;  // the tick `day` or `interval_seconds` last changed
  nlohmann::json intervals_day_;       // and their values then
  nlohmann::json intervals_length_;
};

}  // namespace ccmon::server
