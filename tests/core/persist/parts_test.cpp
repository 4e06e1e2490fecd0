// Each part of the state survives encode -> decode, checked against values
// computed by hand from small scenarios (comments give the arithmetic), and
// against the original world given the same further steps.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/persist/state_codec.hpp"
#include "persist_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

EngineConfig config() {
  EngineConfig c;
  c.windows = {{"5m", minutes(5)}, {"1h", hours(1)}};
  c.today_window = true;  // UTC, day starts at 00:00
  c.acw_timeout = seconds(30);
  return c;
}

Event queued(double s, const char* contact) {
  Event e = ev(EventType::kContactQueued, s, contact);
  e.queue = "q1";
  e.channel = "voice";
  return e;
}

Event answered(double s, const char* contact, const char* agent) {
  Event e = ev(EventType::kContactAnswered, s, contact);
  e.agent = agent;
  return e;
}

Event agent_state(double s, const char* agent, AgentState state) {
  Event e = ev(EventType::kAgentState, s);
  e.agent = agent;
  e.team = "t1";
  e.state = state;
  e.id.append(agent);
  return e;
}

Timestamp at(double s) {
  return kT0 + static_cast<Timestamp>(s * kMicrosPerSecond);
}

}  // namespace

TEST_CASE("contacts waiting, talking and in after-contact work survive", "[persist][parts]") {
  World w(config(), DedupOptions{}, {});
  for (const Event& e :
       {queued(0, "c1"), queued(5, "c2"), queued(10, "c3"), answered(12, "c3", "a1"),
        ev(EventType::kContactEnded, 40, "c3"), queued(15, "c4"), answered(20, "c4", "a2")}) {
    w.engine.apply(e);
  }
  auto copy = roundtrip(w);
  auto s = copy->engine.snapshot(at(60));
  // c1 (queued at 0) and c2 wait, c4 talks, c3 is in ACW (not handled yet).
  CHECK(live(*s, "q1", "voice", LiveKpi::kContactsWaiting) == 2);
  CHECK(live(*s, "q1", "voice", LiveKpi::kOldestWaiting) == 60);
  CHECK(live(*s, "q1", "voice", LiveKpi::kContactsActive) == 1);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kOffered) == 4.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAnswered) == 2.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kHandled) == 0.0);

  // c3's ACW times out at 40 + 30 = 70 s: handled, talk 40 - 12 = 28 s, ACW 30 s.
  copy->engine.advance(at(80));
  s = copy->engine.snapshot(at(80));
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kHandled) == 1.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageHandleTime) == 58.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageAfterContactWork) == 30.0);

  // c1 abandons: c2 (queued at 5) is now the oldest waiting, 90 - 5 = 85 s.
  copy->engine.apply(ev(EventType::kContactAbandoned, 90, "c1"));
  s = copy->engine.snapshot(at(90));
  CHECK(live(*s, "q1", "voice", LiveKpi::kContactsWaiting) == 1);
  CHECK(live(*s, "q1", "voice", LiveKpi::kOldestWaiting) == 85);

  w.engine.advance(at(80));
  w.engine.snapshot(at(80));
  w.engine.apply(ev(EventType::kContactAbandoned, 90, "c1"));
  CHECK(observe(*copy, at(100)) == observe(w, at(100)));
}

TEST_CASE("agents keep their state, history and pending ACW contacts", "[persist][parts]") {
  World w(config(), DedupOptions{}, {});
  for (const Event& e :
       {agent_state(0, "a1", AgentState::kAvailable), queued(10, "c1"), answered(20, "c1", "a1"),
        ev(EventType::kContactEnded, 60, "c1"), agent_state(60, "a1", AgentState::kWrapUp)}) {
    w.engine.apply(e);
  }
  auto copy = roundtrip(w);
  // a1 becomes available at 70: that ends c1's ACW at 70 (before its
  // timeout at 90): handled with ACW 10 s and talk 60 - 20 = 40 s.
  copy->engine.apply(agent_state(70, "a1", AgentState::kAvailable));
  auto s = copy->engine.snapshot(at(70));
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kHandled) == 1.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageAfterContactWork) == 10.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageHandleTime) == 50.0);
  REQUIRE(s->teams.size() == 1);
  CHECK(s->teams[0].team == "t1");
  CHECK(s->teams[0].agents[static_cast<std::size_t>(AgentState::kAvailable)] == 1);
  // A late change at 30 falls between remembered changes (0 and 60): it is
  // slotted in, not out of sequence.
  CHECK(copy->engine.apply(agent_state(30, "a1", AgentState::kBusy)) == ApplyResult::kApplied);
  CHECK(copy->engine.stats().out_of_sequence_total == 0);

  w.engine.apply(agent_state(70, "a1", AgentState::kAvailable));
  w.engine.snapshot(at(70));
  w.engine.apply(agent_state(30, "a1", AgentState::kBusy));
  CHECK(observe(*copy, at(100)) == observe(w, at(100)));
}

TEST_CASE("the tracked-state byte estimate is recomputed on decode, not stored",
          "[persist][parts][bytes]") {
  // Per-record estimates (core/engine/*_book.hpp, x86-64): contact 224
  // (+32 waiting, +24 in ACW), case 152, agent 272 (+16 per history entry,
  // +8 per pending ACW contact, at power-of-two capacities), ids longer
  // than 44 bytes add their length.
  World w(config(), DedupOptions{}, {});
  const std::string long_id(60, 'x');
  Event open1 = ev(EventType::kCaseOpened, 0);
  open1.case_id = "k1";
  open1.queue = "q1";
  open1.channel = "voice";
  for (const Event& e :
       {agent_state(0, "a1", AgentState::kAvailable), agent_state(0, "a2", AgentState::kAvailable),
        agent_state(1, "a2", AgentState::kBusy), agent_state(2, "a2", AgentState::kAvailable),
        queued(10, "c1"), queued(11, "c2"), queued(12, long_id.c_str()), answered(20, "c2", "a1"),
        ev(EventType::kContactEnded, 40, "c2"), open1}) {
    REQUIRE(w.engine.apply(e) == ApplyResult::kApplied);
  }
  // a1: 272 + 16 + 8 (c2 in its ACW list) = 296; a2: 272 + 4 * 16 (three
  // changes) = 336; c1 waiting 256; the long id waiting 256 + 60 = 316;
  // c2 in ACW 248; k1 152. In all 1604.
  const std::uint64_t expected = 296 + 336 + 256 + 316 + 248 + 152;
  CHECK(w.engine.stats().tracked_state_bytes == expected);
  auto copy = roundtrip(w);
  CHECK(copy->engine.stats().tracked_state_bytes == expected);
  // And it goes on from there: c2 wraps (ACW ends, -24), c1 abandons (-32).
  for (World* x : {&w, copy.get()}) {
    x->engine.apply(ev(EventType::kContactWrapped, 45, "c2"));
    x->engine.apply(ev(EventType::kContactAbandoned, 46, "c1"));
    CHECK(x->engine.stats().tracked_state_bytes == expected - 24 - 32);
  }
}

TEST_CASE("open and resolved cases survive", "[persist][parts]") {
  World w(config(), DedupOptions{}, {});
  Event open1 = ev(EventType::kCaseOpened, 0);
  open1.case_id = "k1";
  open1.queue = "q1";
  open1.channel = "voice";
  Event open2 = open1;
  open2.case_id = "k2";
  open2.time = at(10);
  Event resolve2 = open2;
  resolve2.type = EventType::kCaseResolved;
  resolve2.time = at(20);
  resolve2.contacts = 1;
  for (const Event& e : {open1, open2, resolve2}) w.engine.apply(e);
  auto copy = roundtrip(w);
  auto s = copy->engine.snapshot(at(30));
  CHECK(live(*s, "q1", "voice", LiveKpi::kCasesActive) == 1);  // k1
  Event resolve1 = open1;
  resolve1.type = EventType::kCaseResolved;
  resolve1.time = at(100);
  resolve1.contacts = 1;
  CHECK(copy->engine.apply(resolve1) == ApplyResult::kApplied);
  s = copy->engine.snapshot(at(100));
  CHECK(live(*s, "q1", "voice", LiveKpi::kCasesActive) == 0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kResolvedCases) == 2.0);
  // Resolution times 20 - 10 = 10 s and 100 - 0 = 100 s: mean 55 s.
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageResolution) == 55.0);
  // A repeat of k2's resolution is still known as one: held for the
  // lateness (30 s), then out of sequence, never counted.
  Event again = resolve2;
  again.time = at(110);
  const std::uint64_t oos = copy->engine.stats().out_of_sequence_total;
  CHECK(copy->engine.apply(again) == ApplyResult::kHeld);
  copy->engine.advance(at(140));
  CHECK(copy->engine.stats().out_of_sequence_total == oos + 1);
  CHECK(value(*copy->engine.snapshot(at(140)), "q1", "voice", "5m", Kpi::kResolvedCases) == 2.0);
}

TEST_CASE("held events are found by their contact or case under the restoring engine's key",
          "[persist][parts]") {
  // The held events' index hashes ids under the process's secret key, which
  // a restart draws anew: the decoded index must use the new key.
  HashKey before, after;
  before.bytes.fill(1);
  after.bytes.fill(2);
  Engine original(config(), before);
  CHECK(original.apply(answered(12, "c1", "a1")) == ApplyResult::kHeld);
  Event resolve = ev(EventType::kCaseResolved, 20);
  resolve.case_id = "k1";
  resolve.contacts = 1;
  CHECK(original.apply(resolve) == ApplyResult::kHeld);
  const std::string image = persist::encode_state(original, Deduplicator{}, SlaEvaluator({}), "");
  Engine copy(config(), after);
  Deduplicator dedup;
  SlaEvaluator sla({});
  persist::decode_state(image, copy, dedup, sla);
  CHECK(copy.stats().held_events == 2);
  CHECK(copy.apply(queued(0, "c1")) == ApplyResult::kApplied);
  Event open = ev(EventType::kCaseOpened, 5);
  open.case_id = "k1";
  open.queue = "q1";
  open.channel = "voice";
  CHECK(copy.apply(open) == ApplyResult::kApplied);
  const auto s = copy.snapshot(at(30));
  // Both released by their dependency, none given up: one answer after
  // 12 - 0 = 12 s, one case resolved after 20 - 5 = 15 s.
  CHECK(copy.stats().held_events == 0);
  CHECK(copy.stats().out_of_sequence_total == 0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAnswered) == 1.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageSpeedOfAnswer) == 12.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kResolvedCases) == 1.0);
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kAverageResolution) == 15.0);
}

TEST_CASE("today rolls over at the local day start after decode", "[persist][parts]") {
  // kT0 is 08:00Z; the UTC day ends 16 h = 57,600 s later.
  World w(config(), DedupOptions{}, {});
  w.engine.apply(queued(57540, "c1"));  // 23:59:00
  w.engine.snapshot(at(57560));
  auto copy = roundtrip(w);
  auto s = copy->engine.snapshot(at(57590));
  CHECK(value(*s, "q1", "voice", "today", Kpi::kOffered) == 1.0);
  copy->engine.advance(at(57610));  // 00:00:10: a new day
  s = copy->engine.snapshot(at(57610));
  CHECK(value(*s, "q1", "voice", "today", Kpi::kOffered) == 0.0);
  copy->engine.apply(queued(57620, "c2"));
  s = copy->engine.snapshot(at(57620));
  CHECK(value(*s, "q1", "voice", "today", Kpi::kOffered) == 1.0);
  CHECK(value(*s, "q1", "voice", "1h", Kpi::kOffered) == 2.0);
}

TEST_CASE("partly expired windows keep expiring where they were", "[persist][parts]") {
  World w(config(), DedupOptions{}, {});
  for (int i = 0; i < 10; ++i) {
    std::string c("c");
    c.append(std::to_string(i));
    w.engine.apply(queued(60.0 * i, c.c_str()));  // at 0, 60, ..., 540 s
  }
  w.engine.snapshot(at(550));  // the 5m window has dropped its first buckets
  auto copy = roundtrip(w);
  // 5m at 600 covers (300, 600]: 360, 420, 480, 540; 1h all ten.
  auto s = copy->engine.snapshot(at(600));
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kOffered) == 4.0);
  CHECK(value(*s, "q1", "voice", "1h", Kpi::kOffered) == 10.0);
  // At 700: (400, 700] holds 420, 480, 540.
  s = copy->engine.snapshot(at(700));
  CHECK(value(*s, "q1", "voice", "5m", Kpi::kOffered) == 3.0);
}

TEST_CASE("the duplicate-id memory keeps its ids, times and order", "[persist][parts]") {
  World w(config(), DedupOptions{seconds(100), 3}, {});
  CHECK(w.dedup.insert("a", at(0)));
  CHECK(w.dedup.insert("b", at(10)));
  CHECK(w.dedup.insert("c", at(20)));
  auto copy = roundtrip(w);
  Deduplicator& d = copy->dedup;
  CHECK(d.size() == 3);
  CHECK_FALSE(d.insert("b", at(30)));  // remembered
  CHECK(d.insert("d", at(40)));        // at max_ids 3 the oldest, a, goes
  CHECK(d.insert("a", at(50)));        // so a is new again; b goes
  CHECK_FALSE(d.insert("c", at(60)));  // c stays: accepted at 20, horizon to 120
  CHECK(d.insert("c", at(120)));       // 120 - 20 >= 100: forgotten, new again
}

TEST_CASE("ids beyond the codec's 4,096-id blocks keep their order, times and hashes",
          "[persist][parts]") {
  // 10,000 ids: two full blocks and a partial one, ids i accepted at i s.
  World w(config(), DedupOptions{hours(10), 20'000}, {});
  for (int i = 0; i < 10'000; ++i) REQUIRE(w.dedup.insert("id-" + std::to_string(i), at(i)));
  const auto before = w.dedup.remembered();
  auto copy = roundtrip(w);
  const auto after = copy->dedup.remembered();
  REQUIRE(after.size() == 10'000);
  for (std::size_t i = 0; i < after.size(); ++i) {
    REQUIRE(after[i].hash == before[i].hash);
    REQUIRE(after[i].at == at(static_cast<double>(i)));
  }
  // The layout written before the blocks (docs/state-format.md): the count,
  // then all hashes, then all times, each u64 little-endian, built by hand
  // here and found whole in the image.
  std::string expected;
  const auto u64 = [&expected](std::uint64_t v) {
    for (int i = 0; i < 8; ++i) expected.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  for (const char c : {'\x10', '\x27', '\0', '\0'}) expected.push_back(c);  // 10,000 as u32
  for (const auto& r : before) u64(r.hash);
  for (const auto& r : before) u64(static_cast<std::uint64_t>(r.at));
  const std::string image = persist::encode_state(w.engine, w.dedup, w.sla, {});
  CHECK(image.find(expected) != std::string::npos);
  // The block copy itself: from the middle, a short tail, past the end.
  std::vector<Deduplicator::Remembered> block(5000);
  CHECK(w.dedup.remembered(4096, block) == 5000);
  CHECK(block[0].at == at(4096));
  CHECK(w.dedup.remembered(9000, block) == 1000);
  CHECK(block[999].at == at(9999));
  CHECK(w.dedup.remembered(10'000, block) == 0);
}

TEST_CASE("the streamed image is byte for byte the string image", "[persist][parts]") {
  World w(config(), DedupOptions{hours(10), 20'000}, {});
  for (int i = 0; i < 5000; ++i) REQUIRE(w.dedup.insert("id-" + std::to_string(i), at(i)));
  w.engine.apply(queued(10, "c1"));
  w.engine.apply(answered(15, "c1", "a1"));
  const std::string whole = persist::encode_state(w.engine, w.dedup, w.sla, "extra");
  std::string streamed;
  std::size_t pieces = 0;
  persist::encode_state(w.engine, w.dedup, w.sla, "extra", [&](std::string_view bytes) {
    streamed.append(bytes);
    ++pieces;
  });
  CHECK(streamed == whole);
  CHECK(pieces > 1);  // 80 KB and more: handed over in more than one 64 KiB block
  // 16 B per remembered id at least: the image holds them all.
  CHECK(whole.size() > 5000 * 16);
}

TEST_CASE("a pending SLA `for` timer survives", "[persist][parts]") {
  SlaRule oldest;
  oldest.name = "oldest";
  oldest.kpi = "oldest_waiting_seconds";
  oldest.comparison = Comparison::kLessEqual;
  oldest.target = 20;
  oldest.for_duration = seconds(15);
  World w(config(), DedupOptions{}, {oldest});
  w.engine.apply(queued(0, "c1"));
  // 25 s > 20: violating from 25, not breached before 25 + 15 = 40.
  w.sla.evaluate(*w.engine.snapshot(at(25)), at(25));
  REQUIRE(w.sla.states().size() == 1);
  CHECK_FALSE(w.sla.states()[0].breached);
  auto copy = roundtrip(w);
  REQUIRE(copy->sla.rules().size() == 1);
  copy->sla.evaluate(*copy->engine.snapshot(at(40)), at(40));
  REQUIRE(copy->sla.states().size() == 1);
  CHECK(copy->sla.states()[0].breached);
  CHECK(copy->sla.states()[0].since == at(40));
  const auto t = copy->sla.take_transitions();
  REQUIRE(t.size() == 1);
  CHECK(t[0].entered);
  CHECK(t[0].at == at(40));
}

TEST_CASE("an engine noting answers keeps noting them after a restore", "[persist][parts]") {
  World w(config(), DedupOptions{}, {});
  w.engine.apply(queued(0, "c1"));
  World copy(config(), DedupOptions{}, {});
  copy.engine.note_answers(true);
  copy.engine.apply(queued(1, "c2"));
  copy.engine.apply(answered(2, "c2", "a2"));  // noted, not taken yet
  const std::string image = persist::encode_state(w.engine, w.dedup, w.sla, "x");
  REQUIRE(persist::decode_state(image, copy.engine, copy.dedup, copy.sla) == "x");
  copy.engine.apply(answered(3, "c1", "a1"));  // c1 waits in the restored state
  std::vector<std::string> noted;
  copy.engine.take_answers([&](std::string_view q, std::string_view ch, std::string_view agent,
                               std::uint64_t, Timestamp t) {
    noted.push_back(std::string(q) + "/" + std::string(ch) + " " + std::string(agent) + " " +
                    std::to_string(t));
  });
  CHECK(noted == std::vector<std::string>{"q1/voice a2 " + std::to_string(at(2)),
                                          "q1/voice a1 " + std::to_string(at(3))});
}
