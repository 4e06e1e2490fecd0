// The committed images (data/state-v1.bin and state-v2.bin, each written
// once by ccmon_state_fixture from fixture.hpp's scenario) must stay readable
// by every later ccmon: these checks are computed by hand from the scenario.
// v2 differs from v1 only in the duplicate-id memory, which carries its hash
// key; v1's unkeyed hashes are restored as legacy ids.
#include "fixture.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "persist_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

std::string read_fixture(int version) {
  const std::string path =
      CCMON_SOURCE_DIR "/tests/core/persist/data/state-v" + std::to_string(version) + ".bin";
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Timestamp at(double s) {
  return kT0 + static_cast<Timestamp>(s * kMicrosPerSecond);
}

}  // namespace

TEST_CASE("the v1, v2 and v3 fixtures decode to the scenario's state", "[persist][fixture]") {
  const int version = GENERATE(1, 2, 3);
  INFO("state-v" << version << ".bin");
  const std::string image = read_fixture(version);
  World w(EngineConfig{}, DedupOptions{}, {});
  REQUIRE(persist::decode_state(image, w.engine, w.dedup, w.sla) == kFixtureExtra);
  // v1: 18 unkeyed hashes, all legacy; v2: the generator's key (all zero).
  CHECK(w.dedup.legacy() == (version == 1 ? 18u : 0u));
  CHECK(w.dedup.hash_key() == HashKey{});

  auto s = w.engine.snapshot(at(80));
  // The configuration in force came with it: one 5m window and today.
  REQUIRE(s->windows == std::vector<std::string>{"5m", "today"});
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kOffered) == 5.0);               // c1..c5
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAnswered) == 2.0);              // c1, c4
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAbandoned) == 1.0);             // c3
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageSpeedOfAnswer) == 7.5);  // (10 + 5) / 2
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kHandled) == 0.0);               // c1 still in ACW
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kResolvedCases) == 1.0);         // k2
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kCsatAverage) == 5.0);
  CHECK(value(*s, "q1", "voice", "today", Kpi::kOffered) == 5.0);
  CHECK(live(*s, "q1", "voice", LiveKpi::kContactsWaiting) == 2);  // c2, c5
  CHECK(live(*s, "q1", "voice", LiveKpi::kOldestWaiting) == 50);   // c2: 80 - 30
  CHECK(live(*s, "q1", "voice", LiveKpi::kContactsActive) == 1);   // c4, on hold
  CHECK(live(*s, "q1", "voice", LiveKpi::kCasesActive) == 1);      // k1
  const EngineStats st = w.engine.stats();
  CHECK(st.tracked_contacts == 4);        // c1, c2, c4, c5
  CHECK(st.evicted_contacts_total == 1);  // c3
  CHECK(st.tracked_agents == 2);
  CHECK(st.tracked_cases == 2);
  REQUIRE(s->teams.size() == 1);
  CHECK(s->teams[0].agents[static_cast<std::size_t>(AgentState::kAvailable)] == 1);  // a2
  CHECK(s->teams[0].agents[static_cast<std::size_t>(AgentState::kWrapUp)] == 1);     // a1

  // 19 events, one a resend: 18 ids remembered; the resend's id still is.
  CHECK(w.dedup.size() == 18);
  CHECK_FALSE(w.dedup.insert("f3", at(100)));
  CHECK(w.dedup.insert("f19", at(100)));

  // c1's ACW times out at 90: handled, talk 60 - 20 = 40 s + ACW 30 s.
  w.engine.advance(at(100));
  s = w.engine.snapshot(at(100));
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kHandled) == 1.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageHandleTime) == 70.0);

  // The SLA timer runs from 80: still pending at 94, breached at 95.
  w.sla.evaluate(*w.engine.snapshot(at(94)), at(94));
  REQUIRE(w.sla.states().size() == 1);
  CHECK_FALSE(w.sla.states()[0].breached);
  w.sla.evaluate(*w.engine.snapshot(at(95)), at(95));
  CHECK(w.sla.states()[0].breached);
  CHECK(w.sla.states()[0].breaches_total == 1);
}

TEST_CASE("the fixture scenario still encodes to the committed v5 bytes", "[persist][fixture]") {
  // The encoder writes exactly the v5 layout: a layout change must bump the
  // version, add data/state-v6.bin and point this test at it, while the
  // tests above and below keep reading v1 to v5 (docs/state-format.md,
  // "Versioning").
  STATIC_REQUIRE(persist::kStateFormatVersion == 5);
  CHECK(fixture_image() == read_fixture(5));
}

TEST_CASE("the v4 and v5 fixtures carry held events, sentiment times and reopened cases",
          "[persist][fixture]") {
  // v5 is v4's scenario in the same layout; a v4 window's newest bucket,
  // left out of its totals then, is added on load (the 5m figures below).
  const int version = GENERATE(4, 5);
  INFO("state-v" << version << ".bin");
  World w(EngineConfig{}, DedupOptions{}, {});
  REQUIRE(persist::decode_state(read_fixture(version), w.engine, w.dedup, w.sla) == kFixtureExtra);
  // The v1 scenario's figures are unchanged by the v4 steps where they do
  // not touch them.
  auto s = w.engine.snapshot(at(85));
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kOffered) == 5.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageSpeedOfAnswer) == 7.5);
  // 18 ids of the v1 steps + g1..g4.
  CHECK(w.dedup.size() == 22);
  // c6's answer (81) is held, not a contact yet: c1, c2, c4, c5 tracked.
  EngineStats st = w.engine.stats();
  CHECK(st.held_events == 1);
  CHECK(st.tracked_contacts == 4);
  const std::uint64_t oos = st.out_of_sequence_total;
  // c4's sentiment: -0.9 at 82 counted, the 0.5 dated 81.5 ignored: 1 / 1.
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kNegativeSentimentRatio) == 1.0);
  // k2 resolved in one contact at 74, reopened at 84: FCR 0 / 1; k1 and k2 open.
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kFirstContactResolutionRatio) == 0.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kResolvedCases) == 1.0);
  CHECK(live(*s, "q1", "voice", LiveKpi::kCasesActive) == 2);

  // The restored sentiment time still decides: a score at 86 replaces the
  // one at 82 (0 / 1), one at 83 after it changes nothing.
  Event later = ev(EventType::kContactSentiment, 86, "c4");
  later.score = 0.9;
  REQUIRE(w.engine.apply(later) == ApplyResult::kApplied);
  Event between = ev(EventType::kContactSentiment, 83, "c4");
  between.score = -1;
  REQUIRE(w.engine.apply(between) == ApplyResult::kApplied);
  // k2 resolved again at 87 (contacts 1, but reopened): 2 resolutions, 0 in one.
  Event resolved = ev(EventType::kCaseResolved, 87);
  resolved.case_id = "k2";
  resolved.contacts = 1;
  REQUIRE(w.engine.apply(resolved) == ApplyResult::kApplied);
  s = w.engine.snapshot(at(88));
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kNegativeSentimentRatio) == 0.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kResolvedCases) == 2.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kFirstContactResolutionRatio) == 0.0);

  // The held answer's lateness (30 s by default) ends at 111: never queued,
  // it is out of sequence then.
  w.engine.advance(at(110));
  CHECK(w.engine.stats().held_events == 1);
  w.engine.advance(at(111));
  st = w.engine.stats();
  CHECK(st.held_events == 0);
  CHECK(st.out_of_sequence_total == oos + 1);
}

TEST_CASE("the v3 to v5 fixtures carry the agents' day and today's intervals",
          "[persist][fixture]") {
  const int version = GENERATE(3, 4, 5);
  INFO("state-v" << version << ".bin");
  World w(EngineConfig{}, DedupOptions{}, {});
  REQUIRE(persist::decode_state(read_fixture(version), w.engine, w.dedup, w.sla) == kFixtureExtra);
  auto s = w.engine.snapshot(at(80));
  REQUIRE(s->agents.size() == 2);
  // a1: available 0..60, wrap-up since 60 with c1 in ACW (no contact now).
  const AgentSnapshot& a1 = s->agents[0];
  CHECK(a1.agent == "a1");
  CHECK(a1.state == AgentState::kWrapUp);
  CHECK(a1.state_since == at(60));
  CHECK_FALSE(a1.contact.has_value());
  CHECK(a1.available_seconds_today == 60);
  CHECK(a1.wrap_up_seconds_today == 20);
  CHECK(a1.handled_today == 0);
  // a2: available since 0, talking to c4 (answered at 55, on hold).
  const AgentSnapshot& a2 = s->agents[1];
  REQUIRE(a2.contact.has_value());
  CHECK(a2.contact->contact == "c4");
  CHECK(a2.contact->answered_at == at(55));
  // Today's 08:00 quarter-hour (row 32): c1..c5 offered, c1 and c4
  // answered (10 s, 5 s), c3 abandoned.
  const IntervalDay& d = s->intervals;
  REQUIRE(d.enabled);
  REQUIRE(d.starts.size() == 33);
  CHECK(d.starts[32] == kT0);
  REQUIRE(d.series.size() == 1);
  const IntervalCounts& row = d.series[0].rows[32];
  CHECK(row.offered == 5);
  CHECK(row.answered == 2);
  CHECK(row.abandoned == 1);
  CHECK(row.answered_within == 2);
  CHECK(row.wait_answered_seconds == 15);
  // c1's ACW times out at 90: a1 handled 1 with 40 s talk + 30 s ACW.
  w.engine.advance(at(100));
  s = w.engine.snapshot(at(100));
  CHECK(s->agents[0].handled_today == 1);
  CHECK(s->agents[0].handle_seconds_today == 70);
  CHECK(s->agents[0].wrap_up_seconds_today == 40);
}
