#include "core/sla/sla_evaluator.hpp"

#include <catch2/catch.hpp>

#include "snapshot_builder.hpp"

namespace ccmon::core {
namespace {

using testing::k15m;
using testing::k5m;
using testing::make_series;
using testing::make_snapshot;
using testing::service_level;
using testing::set_kpi;
using testing::set_live;

constexpr Timestamp kT0 = seconds(1'700'000'000);  // 2023-11-14T22:13:20Z

SlaRule sl_rule(Comparison c = Comparison::kGreaterEqual, double target = 0.8) {
  SlaRule r;
  r.name = "sl80";
  r.kpi = "service_level_ratio";
  r.comparison = c;
  r.target = target;
  r.window = "15m";
  return r;
}

SlaRule oldest_rule(double target = 120) {
  SlaRule r;
  r.name = "oldest";
  r.kpi = "oldest_waiting_seconds";
  r.comparison = Comparison::kLessEqual;
  r.target = target;
  return r;
}

TEST_CASE("comparison boundaries: the rule holds at the target for >= and <=, not for > and <",
          "[sla]") {
  struct Case {
    Comparison op;
    double target;
    double value;
    bool breached;
  };
  const Case cases[] = {
      // service level 8 of 10 within T: 8 / 10 = 0.8, exactly the target.
      {Comparison::kGreaterEqual, 0.8, 8.0 / 10.0, false},
      {Comparison::kGreater, 0.8, 8.0 / 10.0, true},
      // 79 / 100 = 0.79 < 0.8
      {Comparison::kGreaterEqual, 0.8, 79.0 / 100.0, true},
      // 81 / 100 = 0.81 > 0.8
      {Comparison::kGreater, 0.8, 81.0 / 100.0, false},
      {Comparison::kLessEqual, 120, 120, false},
      {Comparison::kLess, 120, 120, true},
      {Comparison::kLessEqual, 120, 120.5, true},
      {Comparison::kLess, 120, 119.5, false},
      // 0.1 + 0.2 is 0.30000000000000004 in binary: still "equal" to 0.3.
      {Comparison::kLessEqual, 0.3, 0.1 + 0.2, false},
      {Comparison::kGreaterEqual, 0.3, 0.1 + 0.2, false},
  };
  for (const auto& c : cases) {
    INFO("op " << to_string(c.op) << " target " << c.target << " value " << c.value);
    SlaEvaluator ev({sl_rule(c.op, c.target)});
    ev.evaluate(service_level(kT0, c.value), kT0);
    REQUIRE(ev.states().size() == 1);
    CHECK(ev.states()[0].breached == c.breached);
    CHECK(ev.states()[0].breaches_total == (c.breached ? 1u : 0u));
    REQUIRE(ev.states()[0].value.has_value());
    CHECK(*ev.states()[0].value == c.value);
  }
}

TEST_CASE("a fresh state carries the rule's identity", "[sla]") {
  SlaEvaluator ev({sl_rule()});
  ev.evaluate(service_level(kT0, 0.9), kT0);
  REQUIRE(ev.states().size() == 1);
  const SlaState& s = ev.states()[0];
  CHECK(s.sla == "sl80");
  CHECK(s.queue == "sales");
  CHECK(s.channel == "voice");
  CHECK(s.kpi == "service_level_ratio");
  CHECK(s.window == "15m");
  CHECK(s.comparison == Comparison::kGreaterEqual);
  CHECK(s.target == 0.8);
  CHECK_FALSE(s.breached);
  CHECK(s.since == kT0);
  CHECK(ev.take_transitions().empty());
}

TEST_CASE("the rule reads its own window", "[sla]") {
  // 5m is bad (0.5), 15m is good (0.9): a 15m rule is not breached, a 5m one is.
  SeriesSnapshot s = make_series("sales", "voice");
  set_kpi(s, k5m, Kpi::kServiceLevelRatio, 0.5, 10);
  set_kpi(s, k15m, Kpi::kServiceLevelRatio, 0.9, 40);
  SlaRule five = sl_rule();
  five.name = "sl80_5m";
  five.window = "5m";
  SlaEvaluator ev({sl_rule(), five});
  ev.evaluate(make_snapshot(kT0, {s}), kT0);
  REQUIRE(ev.states().size() == 2);
  CHECK(ev.states()[0].sla == "sl80");
  CHECK_FALSE(ev.states()[0].breached);
  CHECK(ev.states()[1].sla == "sl80_5m");
  CHECK(ev.states()[1].breached);
  CHECK(*ev.states()[1].value == 0.5);
}

TEST_CASE("minimum volume: windows below it are skipped, at it they are judged", "[sla]") {
  SlaRule rule = sl_rule();
  rule.min_volume = 10;
  SlaEvaluator ev({rule});

  // 3 of 9 within T = 0.333..., far below target, but 9 < 10 contacts: skipped.
  ev.evaluate(service_level(kT0, 3.0 / 9.0, 9), kT0);
  REQUIRE(ev.states().size() == 1);
  CHECK_FALSE(ev.states()[0].breached);
  CHECK_FALSE(ev.states()[0].value.has_value());

  // 3 of 10 = 0.3 with volume 10 = min_volume: judged and breached.
  ev.evaluate(service_level(kT0 + seconds(1), 0.3, 10), kT0 + seconds(1));
  CHECK(ev.states()[0].breached);
  CHECK(ev.states()[0].value == 0.3);

  // Volume drops to 2 (a new window starts): the breach is left as it is.
  ev.evaluate(service_level(kT0 + seconds(2), 1.0, 2), kT0 + seconds(2));
  CHECK(ev.states()[0].breached);
  CHECK_FALSE(ev.states()[0].value.has_value());
  CHECK(ev.states()[0].breaches_total == 1);
}

TEST_CASE("undefined values are skipped and leave the breach state unchanged", "[sla]") {
  SlaEvaluator ev({sl_rule()});
  ev.evaluate(service_level(kT0, std::nullopt, 0), kT0);
  REQUIRE(ev.states().size() == 1);
  CHECK_FALSE(ev.states()[0].breached);
  CHECK_FALSE(ev.states()[0].value.has_value());

  ev.evaluate(service_level(kT0 + seconds(1), 0.5), kT0 + seconds(1));
  CHECK(ev.states()[0].breached);

  ev.evaluate(service_level(kT0 + seconds(2), std::nullopt, 0), kT0 + seconds(2));
  CHECK(ev.states()[0].breached);
  CHECK_FALSE(ev.states()[0].value.has_value());
  CHECK(ev.states()[0].since == kT0 + seconds(1));  // still the moment it entered breach
  const auto tr = ev.take_transitions();
  REQUIRE(tr.size() == 1);  // entering only; skipping is no transition
  CHECK(tr[0].entered);
}

TEST_CASE("for: the violation must hold for the whole duration", "[sla]") {
  SlaRule rule = sl_rule();
  rule.for_duration = seconds(30);

  SECTION("held 29 s: not breached; held 30 s: breached") {
    SlaEvaluator ev({rule});
    ev.evaluate(service_level(kT0, 0.5), kT0);  // violation starts at t0
    CHECK_FALSE(ev.states()[0].breached);
    ev.evaluate(service_level(kT0 + seconds(29), 0.5), kT0 + seconds(29));
    CHECK_FALSE(ev.states()[0].breached);
    CHECK(ev.take_transitions().empty());
    ev.evaluate(service_level(kT0 + seconds(30), 0.5), kT0 + seconds(30));
    CHECK(ev.states()[0].breached);
    CHECK(ev.states()[0].since == kT0 + seconds(30));
    const auto tr = ev.take_transitions();
    REQUIRE(tr.size() == 1);
    CHECK(tr[0].at == kT0 + seconds(30));
  }
  SECTION("one good evaluation restarts the timer") {
    SlaEvaluator ev({rule});
    ev.evaluate(service_level(kT0, 0.5), kT0);
    ev.evaluate(service_level(kT0 + seconds(10), 0.9), kT0 + seconds(10));  // good again
    ev.evaluate(service_level(kT0 + seconds(11), 0.5), kT0 + seconds(11));  // restarts at 11 s
    // 11 + 30 = 41 s is the earliest breach: 40 s is not enough.
    ev.evaluate(service_level(kT0 + seconds(40), 0.5), kT0 + seconds(40));
    CHECK_FALSE(ev.states()[0].breached);
    ev.evaluate(service_level(kT0 + seconds(41), 0.5), kT0 + seconds(41));
    CHECK(ev.states()[0].breached);
  }
  SECTION("a skipped evaluation restarts the timer too") {
    SlaEvaluator ev({rule});
    ev.evaluate(service_level(kT0, 0.5), kT0);
    ev.evaluate(service_level(kT0 + seconds(5), std::nullopt, 0), kT0 + seconds(5));
    ev.evaluate(service_level(kT0 + seconds(6), 0.5), kT0 + seconds(6));    // restarts at 6 s
    ev.evaluate(service_level(kT0 + seconds(35), 0.5), kT0 + seconds(35));  // 29 s held
    CHECK_FALSE(ev.states()[0].breached);
    ev.evaluate(service_level(kT0 + seconds(36), 0.5), kT0 + seconds(36));  // 30 s held
    CHECK(ev.states()[0].breached);
  }
}

TEST_CASE("hysteresis: leaving breach needs the target passed by clear_margin", "[sla]") {
  SECTION(">= 0.80 with margin 0.05 clears at 0.85") {
    SlaRule rule = sl_rule();
    rule.clear_margin = 0.05;
    SlaEvaluator ev({rule});
    Timestamp t = kT0;
    auto step = [&](double v) {
      t += seconds(1);
      ev.evaluate(service_level(t, v), t);
      return ev.states()[0].breached;
    };
    CHECK(step(0.70));        // breach
    CHECK(step(0.80));        // meets the target but not 0.80 + 0.05
    CHECK(step(0.84));        // 0.84 < 0.85
    CHECK_FALSE(step(0.85));  // 17 / 20 = 0.85 = 0.80 + 0.05: clears
    CHECK_FALSE(step(0.82));  // not breached and holding (0.82 >= 0.80): stays clear
    CHECK(step(0.79));        // breaches again
    CHECK(ev.states()[0].breaches_total == 2);
    const auto tr = ev.take_transitions();
    REQUIRE(tr.size() == 3);
    CHECK(tr[0].entered);
    CHECK_FALSE(tr[1].entered);
    CHECK(tr[1].value == 0.85);
    CHECK(tr[1].at == kT0 + seconds(4));
    CHECK(tr[2].entered);
  }
  SECTION("<= 120 s with margin 10 s clears at 110 s") {
    SlaRule rule = oldest_rule(120);
    rule.clear_margin = 10;
    SlaEvaluator ev({rule});
    SeriesSnapshot s = make_series("sales", "voice");
    Timestamp t = kT0;
    auto step = [&](double oldest) {
      t += seconds(1);
      set_live(s, LiveKpi::kOldestWaiting, oldest);
      ev.evaluate(make_snapshot(t, {s}), t);
      return ev.states()[0].breached;
    };
    CHECK(step(130));
    CHECK(step(115));  // 115 > 120 - 10
    CHECK(step(110.5));
    CHECK_FALSE(step(110));
    CHECK(ev.states()[0].since == kT0 + seconds(4));
  }
}

TEST_CASE("wildcards select the series of a rule", "[sla]") {
  SlaRule rule = sl_rule();
  rule.queue = "vip*";
  rule.channel = "????";
  std::vector<SeriesSnapshot> series;
  for (auto [q, c] : {std::pair{"svip", "chat"}, std::pair{"vip", "chat"},
                      std::pair{"vip", "voice"}, std::pair{"vip_gold", "chat"}}) {
    series.push_back(make_series(q, c));
    set_kpi(series.back(), k15m, Kpi::kServiceLevelRatio, 0.5, 10);
  }
  SlaEvaluator ev({rule});
  ev.evaluate(make_snapshot(kT0, series), kT0);
  // svip: queue does not start with "vip"; voice: five letters, not four.
  REQUIRE(ev.states().size() == 2);
  CHECK(ev.states()[0].queue == "vip");
  CHECK(ev.states()[0].channel == "chat");
  CHECK(ev.states()[1].queue == "vip_gold");
  CHECK(ev.states()[1].channel == "chat");
  CHECK(ev.states()[0].breached);
  CHECK(ev.states()[1].breached);
}

TEST_CASE("live KPI rule: window and min_volume ignored", "[sla]") {
  SlaRule rule = oldest_rule(120);
  rule.window = "1h";      // not even a window of the snapshot
  rule.min_volume = 1000;  // live values have no volume
  SeriesSnapshot s = make_series("sales", "voice");
  set_live(s, LiveKpi::kOldestWaiting, 121);
  set_live(s, LiveKpi::kContactsWaiting, 1);
  SlaEvaluator ev({rule});
  ev.evaluate(make_snapshot(kT0, {s}), kT0);
  REQUIRE(ev.states().size() == 1);
  CHECK(ev.states()[0].window.empty());
  CHECK(ev.states()[0].value == 121);
  CHECK(ev.states()[0].breached);

  // Nobody waits any more: oldest waiting is 0, which holds (0 <= 120).
  set_live(s, LiveKpi::kOldestWaiting, 0);
  set_live(s, LiveKpi::kContactsWaiting, 0);
  ev.evaluate(make_snapshot(kT0 + seconds(1), {s}), kT0 + seconds(1));
  CHECK_FALSE(ev.states()[0].breached);
  CHECK(ev.states()[0].value == 0);
}

TEST_CASE("rules that cannot be read select nothing or stay unjudged", "[sla]") {
  SlaRule unknown = sl_rule();
  unknown.name = "unknown";
  unknown.kpi = "no_such_kpi";
  SlaRule team = sl_rule();
  team.name = "team";
  team.kpi = "occupancy_ratio";  // per team: out of scope for queue x channel rules
  SlaRule no_window = sl_rule();
  no_window.name = "no_window";
  no_window.window = "today";  // not in this snapshot's windows
  SlaEvaluator ev({unknown, team, no_window});
  ev.evaluate(service_level(kT0, 0.1), kT0);
  REQUIRE(ev.states().size() == 1);
  CHECK(ev.states()[0].sla == "no_window");
  CHECK_FALSE(ev.states()[0].value.has_value());
  CHECK_FALSE(ev.states()[0].breached);
}

TEST_CASE("a series that disappears loses its state and its breach is reported left", "[sla]") {
  SlaEvaluator ev({sl_rule()});
  ev.evaluate(service_level(kT0, 0.5), kT0);
  REQUIRE(ev.states()[0].breached);
  ev.take_transitions();
  ev.evaluate(make_snapshot(kT0 + seconds(1), {}), kT0 + seconds(1));
  CHECK(ev.states().empty());
  const auto tr = ev.take_transitions();
  REQUIRE(tr.size() == 1);
  CHECK_FALSE(tr[0].entered);
  CHECK_FALSE(tr[0].value.has_value());
  CHECK(tr[0].at == kT0 + seconds(1));
}

TEST_CASE("reconfigure keeps states of unchanged rules and drops the others", "[sla]") {
  SlaRule kept = sl_rule();
  kept.name = "kept";
  SlaRule changed = sl_rule();
  changed.name = "changed";
  SlaRule removed = sl_rule();
  removed.name = "removed";
  SlaEvaluator ev({removed, changed, kept});
  ev.evaluate(service_level(kT0, 0.5), kT0);  // all three breached
  REQUIRE(ev.states().size() == 3);
  ev.take_transitions();

  SlaRule changed2 = changed;
  changed2.target = 0.4;  // same name, new definition: starts afresh
  SlaRule added = sl_rule();
  added.name = "added";
  ev.reconfigure({kept, changed2, added});
  // Until the next evaluate only the kept state remains, in the new rule order.
  REQUIRE(ev.states().size() == 1);
  CHECK(ev.states()[0].sla == "kept");
  CHECK(ev.states()[0].breached);
  const auto left = ev.take_transitions();
  REQUIRE(left.size() == 2);  // "removed" and "changed" left breach, at the last evaluate
  CHECK(left[0].sla == "removed");
  CHECK(left[1].sla == "changed");
  CHECK_FALSE(left[0].entered);
  CHECK(left[1].at == kT0);

  ev.evaluate(service_level(kT0 + seconds(1), 0.5), kT0 + seconds(1));
  REQUIRE(ev.states().size() == 3);
  const SlaState& k = ev.states()[0];
  CHECK(k.sla == "kept");
  CHECK(k.breached);
  CHECK(k.breaches_total == 1);  // not counted a second time
  CHECK(k.since == kT0);
  const SlaState& c = ev.states()[1];
  CHECK(c.sla == "changed");
  CHECK_FALSE(c.breached);  // 0.5 >= 0.4
  CHECK(c.target == 0.4);
  CHECK(c.since == kT0 + seconds(1));
  CHECK(ev.states()[2].sla == "added");
  CHECK(ev.states()[2].breached);
  CHECK(ev.states()[2].breaches_total == 1);
  const auto tr = ev.take_transitions();
  REQUIRE(tr.size() == 1);  // only "added" entered
  CHECK(tr[0].sla == "added");
}

TEST_CASE("reconfigure keeps a pending for-timer of an unchanged rule", "[sla]") {
  SlaRule rule = sl_rule();
  rule.for_duration = seconds(30);
  SlaEvaluator ev({rule});
  ev.evaluate(service_level(kT0, 0.5), kT0);
  ev.reconfigure({rule});
  ev.evaluate(service_level(kT0 + seconds(30), 0.5), kT0 + seconds(30));  // 30 s since t0
  CHECK(ev.states()[0].breached);
}

TEST_CASE("states are ordered by rule then queue and channel", "[sla]") {
  SlaRule a = sl_rule();
  a.name = "b_first";
  SlaRule b = oldest_rule();
  b.name = "a_second";
  auto s1 = make_series("billing", "chat");
  auto s2 = make_series("sales", "voice");
  SlaEvaluator ev({a, b});
  ev.evaluate(make_snapshot(kT0, {s1, s2}), kT0);
  REQUIRE(ev.states().size() == 4);
  CHECK(ev.states()[0].sla == "b_first");
  CHECK(ev.states()[0].queue == "billing");
  CHECK(ev.states()[1].sla == "b_first");
  CHECK(ev.states()[1].queue == "sales");
  CHECK(ev.states()[2].sla == "a_second");
  CHECK(ev.states()[2].queue == "billing");
  CHECK(ev.states()[3].queue == "sales");
}

TEST_CASE("pending transitions are capped and the overflow counted", "[sla]") {
  SlaEvaluator ev({sl_rule()});
  // Each pair of evaluations enters and leaves breach: 2 transitions.
  const std::size_t pairs = SlaEvaluator::kMaxPendingTransitions / 2 + 3;
  Timestamp t = kT0;
  for (std::size_t i = 0; i < pairs; ++i) {
    ev.evaluate(service_level(t, 0.5), t);
    t += seconds(1);
    ev.evaluate(service_level(t, 0.9), t);
    t += seconds(1);
  }
  // (5000 + 3) * 2 = 10006 transitions, 10000 kept: 6 dropped, oldest first.
  CHECK(ev.transitions_dropped() == 6);
  const auto tr = ev.take_transitions();
  CHECK(tr.size() == SlaEvaluator::kMaxPendingTransitions);
  CHECK(tr.front().at == kT0 + seconds(6));
  CHECK(ev.take_transitions().empty());
}

}  // namespace
}  // namespace ccmon::core
