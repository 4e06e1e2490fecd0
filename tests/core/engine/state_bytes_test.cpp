// The byte bound on tracked state (state.max_tracked_bytes): the estimate
// per record, the running total, and eviction past the bound. Expected
// totals are sums of the per-record estimates below (x86-64, libstdc++):
//   contact 224 (+32 while waiting: two waiting-list entries; +24 in ACW:
//   its timeout), case 152, agent 272 (+16 per history entry and +8 per
//   pending ACW contact, at the power-of-two capacity push_back gives),
//   each plus its id's length when longer than 44 bytes (kept inline).
#include "core/engine/engine_state.hpp"
#include "engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;
using engine_detail::EngineState;
using engine_detail::kNil;

namespace {

constexpr std::size_t kContact = 224, kWaiting = 32, kAcw = 24, kCase = 152, kAgent = 272,
                      kHistoryEntry = 16, kAcwEntry = 8;

Ev queued(const std::string& c, double s) {
  return std::move(Ev(EventType::kContactQueued, at(s), c).queue("q").channel("voice"));
}
Ev created(const std::string& c, double s) {
  return std::move(Ev(EventType::kContactCreated, at(s), c).channel("voice"));
}
Ev agent_state(const std::string& a, double s) {
  return std::move(Ev(EventType::kAgentState, at(s)).agent(a).state(AgentState::kAvailable));
}
Ev case_opened(const std::string& k, double s) {
  return std::move(Ev(EventType::kCaseOpened, at(s)).case_id(k).queue("q").channel("voice"));
}

EngineConfig bounded(std::size_t max_bytes) {
  EngineConfig c = small_config();
  c.max_tracked_bytes = max_bytes;
  c.lateness = 0;  // an event that does not fit is out of sequence at once
  return c;
}

void apply(EngineState& s, const Event& e) {
  REQUIRE(s.apply(e) == ApplyResult::kApplied);
}

double live(const Snapshot& s, LiveKpi k) {
  const SeriesSnapshot* x = find_series(s, "q", "voice");
  REQUIRE(x != nullptr);
  return x->live[static_cast<std::size_t>(k)];
}

}  // namespace

#if defined(__x86_64__) && defined(__GLIBCXX__)
TEST_CASE("the per-record estimates are the measured sizes", "[engine][state][bytes]") {
  // Table slot + LRU link + 4 hash cells (8 each): 184 + 8 + 32 for a
  // contact, 112 + 8 + 32 for a case, 232 + 8 + 32 for an agent (its
  // wallboard figures: contact handle 8, reason 32, day 48).
  using engine_detail::LruTable;
  CHECK(LruTable<engine_detail::Contact>::kRecordBytes() == kContact);
  CHECK(LruTable<engine_detail::Case>::kRecordBytes() == kCase);
  CHECK(LruTable<engine_detail::Agent>::kRecordBytes() == kAgent);
  CHECK(engine_detail::ContactBook::phase_bytes(engine_detail::Phase::kWaiting) == kWaiting);
  CHECK(engine_detail::ContactBook::phase_bytes(engine_detail::Phase::kAcw) == kAcw);
}
#endif

TEST_CASE("the byte estimate follows records through their life and back down",
          "[engine][state][bytes]") {
  EngineConfig c = small_config();
  c.contact_idle_timeout = hours(1);
  Engine e(c);
  auto bytes = [&] { return e.stats().tracked_state_bytes; };
  CHECK(bytes() == 0);
  REQUIRE(e.apply(queued("c1", 0)) == ApplyResult::kApplied);
  CHECK(bytes() == kContact + kWaiting);  // 256
  REQUIRE(e.apply(Ev(EventType::kContactAnswered, at(10), "c1").agent("a1")) ==
          ApplyResult::kApplied);
  CHECK(bytes() == kContact + kAgent);  // 496: talking, and a1 is tracked
  REQUIRE(e.apply(Ev(EventType::kContactEnded, at(40), "c1")) == ApplyResult::kApplied);
  CHECK(bytes() == kContact + kAcw + kAgent + kAcwEntry);  // 528: c1 in a1's ACW list
  REQUIRE(e.apply(Ev(EventType::kContactWrapped, at(50), "c1")) == ApplyResult::kApplied);
  CHECK(bytes() == kContact + kAgent + kAcwEntry);  // 504: the list drops c1 at a1's next change
  REQUIRE(e.apply(agent_state("a1", 60)) == ApplyResult::kApplied);
  CHECK(bytes() == kContact + kAgent + kHistoryEntry);  // 512
  REQUIRE(e.apply(case_opened("k1", 60)) == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kCaseResolved, at(70)).case_id("k1")) == ApplyResult::kApplied);
  CHECK(bytes() == kContact + kAgent + kHistoryEntry + kCase);  // 664
  // c1's last event was at 50: idle for an hour at 3650, evicted.
  e.advance(at(3650));
  CHECK(e.stats().evicted_contacts_total == 1);
  CHECK(bytes() == kAgent + kHistoryEntry + kCase);  // 440
  // Under the default bound nothing is evicted for bytes.
  CHECK(e.stats().contact_byte_bound_evictions_total == 0);
  CHECK(e.stats().case_byte_bound_evictions_total == 0);
  CHECK(e.stats().agent_byte_bound_evictions_total == 0);
  CHECK(e.snapshot(at(3650))->stats.tracked_state_bytes == 440);
}

TEST_CASE("past max_tracked_bytes the least recently touched contact is evicted and counted",
          "[engine][state][bytes][eviction]") {
  // Room for three waiting contacts: 3 * 256 = 768.
  Engine e(bounded(3 * (kContact + kWaiting)));
  REQUIRE(e.apply(queued("c1", 0)) == ApplyResult::kApplied);
  REQUIRE(e.apply(queued("c2", 1)) == ApplyResult::kApplied);
  REQUIRE(e.apply(queued("c3", 2)) == ApplyResult::kApplied);
  CHECK(e.stats().tracked_state_bytes == 768);
  CHECK(e.stats().contact_byte_bound_evictions_total == 0);
  // A message touches c1: c2 is now the least recently touched.
  REQUIRE(e.apply(Ev(EventType::kMessageReceived, at(3), "c1")) == ApplyResult::kApplied);
  REQUIRE(e.apply(queued("c4", 4)) == ApplyResult::kApplied);  // 1024 > 768: c2 goes
  CHECK(e.stats().contact_byte_bound_evictions_total == 1);
  CHECK(e.stats().evicted_contacts_total == 1);  // the total counts it too
  CHECK(e.stats().tracked_contacts == 3);
  CHECK(e.stats().tracked_state_bytes == 768);
  // An evicted waiting contact leaves the live counts, as at the count cap.
  auto s = e.snapshot(at(5));
  CHECK(live(*s, LiveKpi::kContactsWaiting) == 3);
  CHECK(live(*s, LiveKpi::kOldestWaiting) == 5);             // c1, queued at 0
  CHECK(val(*s, "q", "voice", "5m", Kpi::kOffered) == 4.0);  // offers stay counted

  REQUIRE(e.apply(queued("c5", 6)) == ApplyResult::kApplied);  // order c3 c1 c4: c3 goes
  REQUIRE(e.apply(queued("c6", 7)) == ApplyResult::kApplied);  // then c1
  CHECK(e.stats().contact_byte_bound_evictions_total == 3);
  s = e.snapshot(at(8));
  CHECK(live(*s, LiveKpi::kContactsWaiting) == 3);
  CHECK(live(*s, LiveKpi::kOldestWaiting) == 4);  // c4, queued at 4
  CHECK(s->stats.contact_byte_bound_evictions_total == 3);
  CHECK(s->stats.tracked_state_bytes == 768);
  // c1's outcome no longer fits: it was forgotten.
  CHECK(e.apply(Ev(EventType::kContactAbandoned, at(9), "c1")) == ApplyResult::kOutOfSequence);
}

TEST_CASE("long ids make fewer contacts fit under max_tracked_bytes",
          "[engine][state][bytes][eviction]") {
  // Room for four contacts with inline ids: 4 * 224 = 896.
  const std::size_t bound = 4 * kContact;
  struct Row {
    std::size_t id_bytes;
    std::size_t fit;  // contacts that fit: 896 / (224 + heap part of the id)
  };
  const Row rows[] = {
      {36, 4},   // a UUID: inline, 224 each
      {44, 4},   // the longest inline id
      {100, 2},  // 324 each: 648 fits, 972 does not
      {128, 2},  // the id cap: 352 each, 704 fits
  };
  for (const Row& r : rows) {
    INFO(r.id_bytes << "-byte ids");
    EngineState s(bounded(bound), HashKey{});
    std::vector<std::string> ids;
    for (char ch : {'a', 'b', 'c', 'd'}) ids.push_back(std::string(r.id_bytes, ch));
    for (std::size_t i = 0; i < ids.size(); ++i) apply(s, created(ids[i], double(i)));
    const std::size_t each = kContact + (r.id_bytes > 44 ? r.id_bytes : 0);
    CHECK(s.contacts.size() == r.fit);
    CHECK(s.contacts.byte_bound_evictions_total() == 4 - r.fit);
    CHECK(s.tracked_bytes() == r.fit * each);
    // The oldest went first: the last `fit` are kept.
    for (std::size_t i = 0; i < ids.size(); ++i) {
      CHECK((s.contacts.find(ids[i]) != kNil) == (i >= 4 - r.fit));
    }
  }
}

TEST_CASE("past max_tracked_bytes the kind holding the most bytes loses its oldest record",
          "[engine][state][bytes][eviction]") {
  // Agents with one state change: 272 + 16 = 288 each.
  const std::size_t agent = kAgent + kHistoryEntry;
  // a1 (288) + k1 (152) + c1 c2 (448) = 888: the bound, exactly.
  EngineState s(bounded(888), HashKey{});
  apply(s, agent_state("a1", 0));
  apply(s, case_opened("k1", 2));
  apply(s, created("c1", 3));
  apply(s, created("c2", 4));
  CHECK(s.tracked_bytes() == 888);
  CHECK(s.stats().contact_byte_bound_evictions_total == 0);

  // c3: 1112; contacts hold 672 (most): c1 goes, 888.
  apply(s, created("c3", 5));
  CHECK(s.contacts.find("c1") == kNil);
  // k2: 1040; contacts 448, agents 288, cases 304: c2 goes, 816.
  apply(s, case_opened("k2", 6));
  CHECK(s.contacts.find("c2") == kNil);
  CHECK(s.tracked_bytes() == 816);
  // k3: 968; contacts 224, agents 288, cases 456: k1 (open) goes, 816.
  apply(s, case_opened("k3", 7));
  CHECK(s.cases.find("k1") == kNil);
  CHECK(s.cases.find("k2") != kNil);
  // a2: 1104; agents 576: a1, the least recently active, goes, 816.
  apply(s, agent_state("a2", 8));
  CHECK(s.agents.table().find("a1") == kNil);
  CHECK(s.agents.table().find("a2") != kNil);
  CHECK(s.tracked_bytes() == kContact + 2 * kCase + agent);  // 816

  EngineStats st = s.stats();
  CHECK(st.contact_byte_bound_evictions_total == 2);
  CHECK(st.case_byte_bound_evictions_total == 1);
  CHECK(st.agent_byte_bound_evictions_total == 1);
  CHECK(st.evicted_contacts_total == 2);
  CHECK(st.evicted_cases_total == 1);
  CHECK(st.evicted_agents_total == 1);
  CHECK(st.tracked_contacts == 1);
  CHECK(st.tracked_cases == 2);
  CHECK(st.tracked_agents == 1);
  CHECK(st.tracked_state_bytes == 816);
  // The evicted open case left the open count, as at the count cap.
  CHECK(live(*s.snapshot(at(9)), LiveKpi::kCasesActive) == 2);

  // A lowered bound applies at once: 816 > 300; cases 304 (most, over
  // agents 288): k2 goes, 664; agents 288 (most): a2 goes, 376; contacts
  // 224 (most, over cases 152): c3 goes, 152.
  s.configure(bounded(300));
  CHECK(s.tracked_bytes() == kCase);  // 152
  CHECK(s.agents.size() == 0);
  CHECK(s.cases.find("k3") != kNil);
  CHECK(s.contacts.size() == 0);
  st = s.stats();
  CHECK(st.agent_byte_bound_evictions_total == 2);
  CHECK(st.case_byte_bound_evictions_total == 2);
  CHECK(st.contact_byte_bound_evictions_total == 3);
}
