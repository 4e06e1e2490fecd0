// Decode, then apply a changed configuration: the restored objects follow
// the rules of Engine/Deduplicator/SlaEvaluator::reconfigure exactly as the
// original objects do (the daemon decodes with the configuration in force at
// encoding, then reconfigures with the current one).
#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "persist_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

Timestamp at(double s) {
  return kT0 + static_cast<Timestamp>(s * kMicrosPerSecond);
}

EngineConfig changed_config() {
  EngineConfig c = fixture_config();
  c.windows = {{"5m", minutes(5)}, {"30m", minutes(30)}};  // 5m kept, 30m new
  c.time_zone.name = "Test/UTC+2";                         // the local day moves: today restarts
  c.time_zone.initial_offset_s = 7200;
  c.max_tracked_contacts = 2;  // below the 4 tracked
  c.service_level_threshold_s = 5;
  return c;
}

}  // namespace

TEST_CASE("decode then reconfigure behaves as reconfigure documents", "[persist][reconfigure]") {
  World original(fixture_config(), fixture_dedup(), fixture_rules());
  for (const Step& s : fixture_steps()) run(original, s);
  auto copy = roundtrip(original);

  SlaRule stricter = fixture_rules()[0];
  stricter.name = "oldest-strict";
  stricter.target = 10;
  for (World* w : {&original, copy.get()}) {
    w->engine.reconfigure(changed_config());
    w->dedup.reconfigure({minutes(10), 5});
    w->sla.reconfigure({fixture_rules()[0], stricter});
  }

  auto s = copy->engine.snapshot(at(80));
  REQUIRE(s->windows == std::vector<std::string>{"5m", "30m", "today"});
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kOffered) == 5.0);     // kept
  CHECK(value(*s, "q1", "voice", "30m", Kpi::kOffered) == 0.0);    // starts empty
  CHECK(value(*s, "q1", "voice", "today", Kpi::kOffered) == 0.0);  // day restarted
  // Threshold 5 s now: waits of 10 s and 5 s, one within (<= T).
  CHECK(series_of(*s, "q1", "voice").service_level_threshold_s == 5.0);
  CHECK(copy->engine.stats().tracked_contacts == 4);  // caps bound future inserts
  CHECK(copy->dedup.size() == 5);                  // max_ids 5: the 13 oldest of 18 are forgotten
  CHECK_FALSE(copy->dedup.insert("f18", at(81)));  // the newest stay
  CHECK(copy->dedup.insert("f1", at(81)));         // the oldest went
  CHECK(original.dedup.insert("f1", at(81)));

  // The unchanged rule keeps its timer from 80 (breach at 95); the new rule
  // starts now: violating from 90, breached at 90 + 15 = 105.
  for (World* w : {&original, copy.get()}) {
    for (double t : {90.0, 95.0, 104.0}) w->sla.evaluate(*w->engine.snapshot(at(t)), at(t));
  }
  REQUIRE(copy->sla.states().size() == 2);
  CHECK(copy->sla.states()[0].breached);
  CHECK(copy->sla.states()[0].since == at(95));
  CHECK_FALSE(copy->sla.states()[1].breached);

  const std::string diff = first_difference(observe(*copy, at(200)), observe(original, at(200)));
  CHECK(diff.empty());
}
