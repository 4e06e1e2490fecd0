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
  // Not tracked by the engine yet: absent, never sent as empty (Status).
  CHECK_FALSE(state.contains("agents"));
  CHECK_FALSE(state.contains("intervals"));
  // Nothing was sent before: the first update holds every section.
  CHECK(keys(*first.update) == std::vector<std::string>{"build", "now", "series", "sla", "stats",
                                                        "teams", "type", "windows"});

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
  CHECK(sla[1].at("at_risk").is_null());  // the page judges it
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
  auto [id_a, none] = feed.subscribe(a);
  CHECK(none == nullptr);  // nothing published yet
  feed.subscribe(b);
  feed.publish(view_at(kT0, {"5m"}));
  REQUIRE(a->got.size() == 1);
  REQUIRE(b->got.size() == 1);
  // The very same strings, not copies.
  CHECK(a->got[0].update.get() == b->got[0].update.get());
  CHECK(a->got[0].state.get() == b->got[0].state.get());

  // A later viewer starts from the latest state.
  auto [id_c, latest] = feed.subscribe(std::make_shared<Recorder>());  // dies at once
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
  auto [id, state] = feed.subscribe(viewer);
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
  auto [id2, after] = feed.subscribe(std::make_shared<Recorder>());
  CHECK(after == nullptr);
}

}  // namespace
}  // namespace ccmon::server
