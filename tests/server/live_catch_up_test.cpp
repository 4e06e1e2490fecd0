// The live feed's catch-up updates (docs/wallboard.md, "Slow viewers"):
// whatever tick a viewer has, the message LiveMessages::since() picks for it
// brings its page to the latest state. Checked by applying the messages with
// a second implementation of the page's merge rules (web/page/assets/merge.js,
// "Changes in updates") to the states of a run of changing views.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "server/live_renderer.hpp"

namespace ccmon::server {
namespace {

using nlohmann::json;

// 2026-11-30T10:00:00Z in µs.
constexpr core::Timestamp kT0 = 1796032800LL * 1000000;

const std::map<std::string, std::vector<std::string>> kKeyFields = {
    {"series", {"queue", "channel"}},
    {"teams", {"team"}},
    {"sla", {"sla", "queue", "channel"}},
    {"agents", {"agent"}},
};

json key_of(const json& item, const std::vector<std::string>& fields) {
  json k = json::object();
  for (const auto& f : fields) k[f] = item.contains(f) ? item.at(f) : json();
  return k;
}

// The page's merge: keyed items replaced or added by key, removed by key;
// interval rows upserted by series and start (the whole section on another
// day or length); any other section replaced.
void apply(json& page, const json& update) {
  for (const auto& [name, value] : update.items()) {
    if (name == "type" || name == "removed") continue;
    if (const auto k = kKeyFields.find(name); k != kKeyFields.end()) {
      json& items = page[name];
      for (const auto& item : value) {
        const json key = key_of(item, k->second);
        auto it = std::find_if(items.begin(), items.end(),
                               [&](const json& x) { return key_of(x, k->second) == key; });
        if (it != items.end()) {
          *it = item;
        } else {
          items.push_back(item);
        }
      }
    } else if (name == "intervals") {
      json& mine = page["intervals"];
      if (mine.value("day", json()) != value.value("day", json()) ||
          mine.value("interval_seconds", json()) != value.value("interval_seconds", json())) {
        mine = value;
        continue;
      }
      for (const auto& [field, v] : value.items()) {
        if (field != "series") mine[field] = v;
      }
      for (const auto& s : value.at("series")) {
        auto series =
            std::find_if(mine["series"].begin(), mine["series"].end(), [&](const json& x) {
              return x.at("queue") == s.at("queue") && x.at("channel") == s.at("channel");
            });
        if (series == mine["series"].end()) {
          mine["series"].push_back(s);
          continue;
        }
        for (const auto& row : s.at("intervals")) {
          json& rows = (*series)["intervals"];
          auto r = std::find_if(rows.begin(), rows.end(),
                                [&](const json& x) { return x.at("start") == row.at("start"); });
          if (r != rows.end()) {
            *r = row;
          } else {
            rows.push_back(row);
          }
        }
      }
    } else {
      page[name] = value;
    }
  }
  if (!update.contains("removed")) return;
  for (const auto& [name, keys] : update.at("removed").items()) {
    const auto& fields = kKeyFields.at(name);
    for (const auto& key : keys) {
      json& items = page[name];
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [&](const json& x) { return key_of(x, fields) == key; }),
                  items.end());
    }
  }
}

// Order aside (the page places items by key), the content.
json canonical(json page) {
  page.erase("type");
  for (const auto& [name, fields] : kKeyFields) {
    std::sort(page[name].begin(), page[name].end(), [&](const json& a, const json& b) {
      return key_of(a, fields).dump() < key_of(b, fields).dump();
    });
  }
  for (auto& s : page["intervals"]["series"]) {
    std::sort(s["intervals"].begin(), s["intervals"].end(),
              [](const json& a, const json& b) { return a.at("start") < b.at("start"); });
  }
  return page;
}

// A center that changes at random: agents come, go and change state;
// interval rows grow and change; once the day turns. Seeded: the same run
// every time.
class Center {
 public:
  View next(core::Timestamp now) {
    auto snap = std::make_shared<core::Snapshot>();
    snap->now = now;
    snap->windows = {"15m"};
    core::IntervalDay& d = snap->intervals;
    d.enabled = true;
    d.day_start = day_start_;
    d.time_zone = "UTC";
    d.step = d.default_length = core::minutes(15);
    if (pick(30) == 0) {  // the day turns: rows start again
      day_start_ += core::hours(24);
      offered_.assign(1, 0);
    }
    if (pick(4) == 0) offered_.push_back(0);
    offered_[pick(offered_.size())] += 1;
    d.day_start = day_start_;
    core::IntervalSeries s{"sales", "voice", 20, {}};
    for (std::size_t i = 0; i < offered_.size(); ++i) {
      d.starts.push_back(day_start_ + static_cast<core::Duration>(i) * core::minutes(15));
      d.utc_offsets.push_back(0);
      core::IntervalCounts c;
      c.offered = offered_[i];
      s.rows.push_back(c);
    }
    d.series.push_back(std::move(s));
    // Agents: one comes, one goes, one changes state, each at random.
    if (pick(2) == 0) agents_[next_agent_++] = core::AgentState::kAvailable;
    if (!agents_.empty() && pick(3) == 0)
      agents_.erase(std::next(agents_.begin(), pick(agents_.size())));
    if (!agents_.empty()) {
      std::next(agents_.begin(), pick(agents_.size()))->second =
          static_cast<core::AgentState>(pick(core::kAgentStateCount));
    }
    for (const auto& [n, state] : agents_) {
      core::AgentSnapshot a;
      a.agent = "a";
      a.agent += std::to_string(1000 + n);  // sorted as numbers
      a.state = state;
      snap->agents.push_back(std::move(a));
    }
    View v;
    v.snapshot = std::move(snap);
    return v;
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  std::mt19937 rng_{20261201};
  core::Timestamp day_start_ = kT0;
  std::vector<std::uint64_t> offered_{0};
  std::map<int, core::AgentState> agents_;
  int next_agent_ = 0;
};

TEST_CASE("since() brings a viewer from any tick it has to the latest state", "[server][live]") {
  LiveRenderer renderer("b");
  Center center;
  std::vector<json> states{json()};  // states[t]: the state of tick t
  std::size_t catch_ups_used = 0;
  std::uint64_t first = 1;  // the first tick since the renderer forgot
  for (std::uint64_t t = 1; t <= 120; ++t) {
    if (t == 70) {
      renderer.forget();  // as when the last viewer left
      first = t;
    }
    const LiveMessages m =
        renderer.render(center.next(kT0 + static_cast<core::Duration>(t) * 1000000));
    REQUIRE(m.tick == t);
    CHECK(m.first_tick == first);
    states.push_back(json::parse(*m.state));
    const json want = canonical(states[t]);
    // Every catch-up is offered once there is a tick before this one since
    // the renderer forgot (early on, as the changes since that tick).
    for (std::size_t i = 0; i < kCatchUpLags.size(); ++i) {
      CHECK((m.catch_up[i] == nullptr) == (t == first));
    }
    for (std::uint64_t had = 0; had < t; ++had) {
      INFO("tick " << t << ", viewer has " << had);
      const SharedText& text = m.since(had);
      REQUIRE(text != nullptr);
      const json msg = json::parse(*text);
      if (msg.at("type") == "state") {
        // Only with nothing to apply to, a message from before the
        // renderer forgot, or one beyond the last catch-up.
        CHECK((had < first || t - had > kCatchUpLags.back()));
        CHECK(canonical(msg) == want);
        continue;
      }
      json page = states[had];
      apply(page, msg);
      CHECK(canonical(page) == want);
      if (t - had > 1) ++catch_ups_used;
    }
  }
  CHECK(catch_ups_used > 1000);  // the run exercised them
}

TEST_CASE("a catch-up carries only what changed since its base", "[server][live]") {
  LiveRenderer renderer("b");
  Center center;
  for (std::uint64_t t = 1; t <= 40; ++t) {
    renderer.render(center.next(kT0 + static_cast<core::Duration>(t) * 1000000));
  }
  // Four quiet ticks (the same view, only `now` moving): the 4-tick catch-up
  // holds `now` alone, the 8-tick one what changed in the four before.
  View quiet = center.next(kT0 + 41 * 1000000);
  LiveMessages m;
  for (std::uint64_t t = 41; t <= 45; ++t) {
    auto snap = std::make_shared<core::Snapshot>(*quiet.snapshot);
    snap->now = kT0 + static_cast<core::Duration>(t) * 1000000;
    View v = quiet;
    v.snapshot = snap;
    m = renderer.render(v);
  }
  const json four = json::parse(*m.catch_up[1]);  // since tick 41
  CHECK(four.size() == 2);                        // type and now
  CHECK(four.at("now") == "2026-11-30T10:00:45.000Z");
  const json eight = json::parse(*m.catch_up[2]);  // since tick 37
  CHECK(eight.size() > 2);
}

}  // namespace
}  // namespace ccmon::server
