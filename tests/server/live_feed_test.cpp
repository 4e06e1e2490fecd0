// The live feed's messages (docs/wallboard.md, "The live feed"): one full
// state and one update per tick, the update holding only changed sections,
// the same strings for every viewer.
#include "server/live_feed.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <vector>

namespace ccmon::server {
namespace {

View view_at(core::Timestamp now, std::vector<std::string> windows) {
  View v;
  auto snapshot = std::make_shared<core::Snapshot>();
  snapshot->now = now;
  snapshot->windows = std::move(windows);
  v.snapshot = std::move(snapshot);
  return v;
}

std::vector<std::string> keys(const std::string& text) {
  std::vector<std::string> out;
  const auto parsed = nlohmann::json::parse(text);  // items() must not outlive it
  for (const auto& [k, v] : parsed.items()) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

// 2026-11-30T10:00:00Z is 1796032800 s since the epoch; timestamps are µs.
constexpr core::Timestamp kT0 = 1796032800LL * 1000000;

TEST_CASE("the state carries every section; updates only what changed", "[server][live]") {
  LiveRenderer renderer("1.2.3");
  const LiveMessages first = renderer.render(view_at(kT0, {"5m", "15m"}));
  const auto state = nlohmann::json::parse(*first.state);
  CHECK(state.at("type") == "state");
  CHECK(state.at("now") == "2026-11-30T10:00:00.000Z");
  CHECK(state.at("build") == "1.2.3");
  CHECK(state.at("windows") == nlohmann::json::array({"5m", "15m"}));
  CHECK(state.at("series") == nlohmann::json::array());
  CHECK(state.at("sla") == nlohmann::json::array());
  CHECK(state.at("agents") == nlohmann::json::array());
  CHECK(state.at("agents_total") == 0);
  CHECK(state.at("intervals").at("series") == nlohmann::json::array());
  CHECK(state.at("feeds") == nlohmann::json::array());  // no event yet: no feed
  // Nothing was sent before: the first update holds every section.
  CHECK(keys(*first.update) == std::vector<std::string>{"agents", "agents_total", "build", "feeds",
                                                        "intervals", "now", "series", "sla",
                                                        "stats", "teams", "type", "windows"});

  // One second later, nothing else changed: only the heartbeat.
  const LiveMessages second = renderer.render(view_at(kT0 + 1000000, {"5m", "15m"}));
  CHECK(*second.update == R"({"type":"update","now":"2026-11-30T10:00:01.000Z"})");
  CHECK(keys(*second.state) == keys(*first.state));

  // Same instant (event clock, no event), windows changed: `now` is still
  // sent, with the changed section.
  const LiveMessages third = renderer.render(view_at(kT0 + 1000000, {"1h"}));
  const auto update = nlohmann::json::parse(*third.update);
  CHECK(keys(*third.update) == std::vector<std::string>{"now", "type", "windows"});
  CHECK(update.at("windows") == nlohmann::json::array({"1h"}));
}

TEST_CASE("sla rules carry the forecast's at_risk and breach ETA", "[server][live]") {
  View v = view_at(kT0, {"15m"});
  for (const char* sla : {"oldest", "aht"}) {
    core::SlaState s;
    s.sla = sla;
    s.queue = "sales";
    s.channel = "voice";
    v.sla.push_back(s);
  }
  auto f = std::make_shared<core::Forecast>();
  f->rules.push_back({"oldest", "sales", "voice", true, true, 250.0});
  f->rules.push_back({"aht", "sales", "voice", false, false, std::nullopt});  // no model
  v.forecast = f;
  LiveRenderer renderer("1");
  const auto state = nlohmann::json::parse(*renderer.render(v).state);
  const auto& sla = state.at("sla");
  REQUIRE(sla.size() == 2);
  CHECK(sla[0].at("at_risk") == true);
  CHECK(sla[0].at("breach_eta_seconds") == 250.0);
  // No model: the margin judgement alone (no value yet, so not near).
  CHECK(sla[1].at("at_risk") == false);
  CHECK(sla[1].at("breach_eta_seconds").is_null());
}

struct Recorder : LiveViewer {
  void deliver(LiveMessages m) override { got.push_back(std::move(m)); }
  std::vector<LiveMessages> got;
};

TEST_CASE("one rendering per tick, shared by every viewer", "[server][live]") {
  LiveFeed feed("b");
  auto a = std::make_shared<Recorder>();
  auto b = std::make_shared<Recorder>();
  const auto [id_a, none, none_tick] = feed.subscribe(a);
  CHECK(none == nullptr);  // nothing published yet
  feed.subscribe(b);
  feed.publish(view_at(kT0, {"5m"}));
  REQUIRE(a->got.size() == 1);
  REQUIRE(b->got.size() == 1);
  // The very same strings, not copies.
  CHECK(a->got[0].update.get() == b->got[0].update.get());
  CHECK(a->got[0].state.get() == b->got[0].state.get());

  // A later viewer starts from the latest state.
  const auto [id_c, latest, latest_tick] =
      feed.subscribe(std::make_shared<Recorder>());  // dies at once
  CHECK(latest.get() == a->got[0].state.get());
  feed.unsubscribe(id_a);
  feed.publish(view_at(kT0 + 1000000, {"5m"}));
  CHECK(a->got.size() == 1);
  CHECK(b->got.size() == 2);
  // The dead viewer was dropped on the way.
  CHECK(feed.viewers() == 1);
}

TEST_CASE("nothing is rendered while nobody watches", "[server][live]") {
  LiveFeed feed("b");
  feed.publish(view_at(kT0, {"5m"}));
  // Rendered, the state would be handed to the next viewer here.
  auto viewer = std::make_shared<Recorder>();
  const auto [id, state, tick] = feed.subscribe(viewer);
  CHECK(state == nullptr);
  // The first tick with a viewer is a full state, and its update holds
  // every section, not only what changed since a tick nobody saw.
  feed.publish(view_at(kT0 + 1000000, {"5m"}));
  REQUIRE(viewer->got.size() == 1);
  CHECK(keys(*viewer->got[0].update) == keys(*viewer->got[0].state));
  CHECK(nlohmann::json::parse(*viewer->got[0].state).at("type") == "state");

  // The viewer leaves: the next tick is not rendered and the state dropped.
  feed.unsubscribe(id);
  feed.publish(view_at(kT0 + 2000000, {"5m"}));
  const auto [id2, after, after_tick] = feed.subscribe(std::make_shared<Recorder>());
  CHECK(after == nullptr);
}

// A view with one series' intervals: rows 0..n-1 of 15 minutes from kT0,
// offered[i] in row i; and `agents` agents a0, a1, ...
View wallboard_view(core::Timestamp now, std::vector<std::uint64_t> offered,
                    std::size_t agents = 0) {
  View v = view_at(now, {"15m"});
  auto snap = std::make_shared<core::Snapshot>(*v.snapshot);
  core::IntervalDay& d = snap->intervals;
  d.enabled = true;
  d.day_start = kT0;
  d.time_zone = "UTC";
  d.step = d.default_length = core::minutes(15);
  core::IntervalSeries s{"sales", "voice", 20, {}};
  for (std::size_t i = 0; i < offered.size(); ++i) {
    d.starts.push_back(kT0 + static_cast<core::Duration>(i) * core::minutes(15));
    d.utc_offsets.push_back(0);
    core::IntervalCounts c;
    c.offered = offered[i];
    s.rows.push_back(c);
  }
  d.series.push_back(std::move(s));
  for (std::size_t i = 0; i < agents; ++i) {
    core::AgentSnapshot a;
    a.agent = "a";  // appended in parts: GCC 12's false -Wrestrict on "a" + string
    a.agent += std::to_string(i);
    snap->agents.push_back(std::move(a));
  }
  v.snapshot = std::move(snap);
  return v;
}

TEST_CASE("an update's intervals carry only the rows that changed", "[server][live]") {
  LiveRenderer renderer("b");
  renderer.render(wallboard_view(kT0, {1, 2}));
  // Row 1 changed (2 -> 3), row 0 did not.
  const auto u = nlohmann::json::parse(*renderer.render(wallboard_view(kT0 + 1, {1, 3})).update);
  const auto& rows = u.at("intervals").at("series").at(0).at("intervals");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].at("start") == "2026-11-30T10:15:00+00:00");
  CHECK(rows[0].at("offered") == 3);
  // A new row (the next interval began): only it.
  const auto v = nlohmann::json::parse(*renderer.render(wallboard_view(kT0 + 2, {1, 3, 0})).update);
  REQUIRE(v.at("intervals").at("series").at(0).at("intervals").size() == 1);
  CHECK(v.at("intervals").at("series").at(0).at("intervals")[0].at("offered") == 0);
  // Nothing changed: no intervals at all.
  const auto w = nlohmann::json::parse(*renderer.render(wallboard_view(kT0 + 3, {1, 3, 0})).update);
  CHECK_FALSE(w.contains("intervals"));
  // Another day (a new `day`): the whole section.
  View next = wallboard_view(kT0 + 4, {5});
  auto snap = std::make_shared<core::Snapshot>(*next.snapshot);
  snap->intervals.day_start = snap->intervals.starts[0] = kT0 + core::hours(24);
  next.snapshot = snap;
  const auto x = nlohmann::json::parse(*renderer.render(next).update);
  CHECK(x.at("intervals").at("day") == "2026-12-01");
  CHECK(x.at("intervals").at("series").at(0).at("intervals").size() == 1);
}

TEST_CASE("an update carries only the agents that changed, and the keys of those that went",
          "[server][live]") {
  LiveRenderer renderer("b");
  renderer.render(wallboard_view(kT0, {1}, 3));  // a0, a1, a2, all offline
  // a1 turns busy, a2 goes, a3 comes; a0 is as it was.
  View next = wallboard_view(kT0 + 1, {1}, 4);
  auto snap = std::make_shared<core::Snapshot>(*next.snapshot);
  snap->agents[1].state = core::AgentState::kBusy;
  snap->agents.erase(snap->agents.begin() + 2);
  next.snapshot = snap;
  const LiveMessages m = renderer.render(next);
  const auto u = nlohmann::json::parse(*m.update);
  REQUIRE(u.at("agents").size() == 2);
  CHECK(u.at("agents")[0].at("agent") == "a1");
  CHECK(u.at("agents")[0].at("state") == "busy");
  CHECK(u.at("agents")[1].at("agent") == "a3");
  CHECK(u.at("removed") == nlohmann::json::parse(R"({"agents": [{"agent": "a2"}]})"));
  CHECK_FALSE(u.contains("agents_total"));  // 3 before, 3 now: unchanged, not sent
  CHECK_FALSE(u.contains("series"));        // the intervals' series is not a tile: none changed
  // The state has them all, in order.
  const auto st = nlohmann::json::parse(*m.state);
  REQUIRE(st.at("agents").size() == 3);
  CHECK(st.at("agents")[2].at("agent") == "a3");
  CHECK_FALSE(st.contains("removed"));
  // Nothing changed: neither section.
  const auto w = nlohmann::json::parse(*renderer.render(next).update);
  CHECK_FALSE(w.contains("agents"));
  CHECK_FALSE(w.contains("removed"));
}

TEST_CASE("the feed's agents are capped; agents_total counts them all", "[server][live]") {
  LiveRenderer renderer("b");
  LiveOptions options;
  options.feed_agents = 2;
  const auto s = nlohmann::json::parse(*renderer.render(wallboard_view(kT0, {}, 3), options).state);
  REQUIRE(s.at("agents").size() == 2);
  CHECK(s.at("agents")[0].at("agent") == "a0");
  CHECK(s.at("agents")[1].at("agent") == "a1");
  CHECK(s.at("agents_total") == 3);
}

TEST_CASE("at_risk: within the margin of the target and not breached", "[server][live]") {
  View v = view_at(kT0, {"15m"});
  core::SlaState rule;
  rule.sla = "sl";
  rule.comparison = core::Comparison::kGreaterEqual;
  rule.target = 0.8;
  // |0.85 - 0.8| = 0.05 <= 0.1 * 0.8: at risk; 0.9: not; 0.75 breached: not.
  for (double value : {0.85, 0.9, 0.75}) {
    rule.value = value;
    rule.breached = value < 0.8;
    v.sla.push_back(rule);
  }
  LiveRenderer renderer("b");
  LiveOptions options;
  options.at_risk_margin = 0.1;
  const auto s = nlohmann::json::parse(*renderer.render(v, options).state).at("sla");
  CHECK(s[0].at("at_risk") == true);
  CHECK(s[1].at("at_risk") == false);
  CHECK(s[2].at("at_risk") == false);
  options.at_risk_margin = 0.2;  // 0.9 - 0.8 = 0.1 <= 0.16
  const auto t = nlohmann::json::parse(*renderer.render(v, options).state).at("sla");
  CHECK(t[1].at("at_risk") == true);
}

TEST_CASE("feeds: each input feed, its last batch and whether it is stale", "[server][live]") {
  View v = view_at(kT0, {"5m"});
  v.feeds = {{"asterisk/pbx1", kT0 - 600'000'000, true}, {"events", kT0, false}};
  LiveRenderer renderer("b");
  const auto s = nlohmann::json::parse(*renderer.render(v).state).at("feeds");
  CHECK(s == nlohmann::json::parse(R"([
    {"feed": "asterisk/pbx1", "last_event": "2026-11-30T09:50:00.000Z", "stale": true},
    {"feed": "events", "last_event": "2026-11-30T10:00:00.000Z", "stale": false}])"));
}

TEST_CASE("a reload sends every viewer a full state", "[server][live]") {
  LiveFeed feed("b");
  auto a = std::make_shared<Recorder>();
  feed.subscribe(a);
  feed.publish(view_at(kT0, {"5m"}));
  feed.publish(view_at(kT0 + 1000000, {"5m"}));
  REQUIRE(a->got.size() == 2);
  CHECK(nlohmann::json::parse(*a->got[1].update).at("type") == "update");
  feed.configure(LiveOptions{});
  feed.publish(view_at(kT0 + 2000000, {"5m"}));
  REQUIRE(a->got.size() == 3);
  CHECK(nlohmann::json::parse(*a->got[2].update).at("type") == "state");
  feed.publish(view_at(kT0 + 3000000, {"5m"}));
  CHECK(nlohmann::json::parse(*a->got[3].update).at("type") == "update");
}

TEST_CASE("past max_viewers a viewer is refused", "[server][live]") {
  LiveFeed feed("b");
  LiveOptions options;
  options.max_viewers = 2;
  feed.configure(options);
  auto a = std::make_shared<Recorder>();
  auto b = std::make_shared<Recorder>();
  auto c = std::make_shared<Recorder>();
  CHECK(feed.subscribe(a).id != 0);
  const auto id_b = feed.subscribe(b).id;
  CHECK(id_b != 0);
  CHECK(feed.subscribe(c).id == 0);
  // One leaves: room again.
  feed.unsubscribe(id_b);
  CHECK(feed.subscribe(c).id != 0);
}

}  // namespace
}  // namespace ccmon::server
