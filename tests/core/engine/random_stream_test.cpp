// Seeded random event streams: the engine must never crash, never let a live
// count go negative, and never count more outcomes than offers; batched apply
// must equal one-by-one apply; and the contact-lifecycle KPIs must equal those
// of an independent, deliberately simple model of docs/kpis.md.
#include <cmath>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine_test_util.hpp"
#include "xorshift.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

TEST_CASE("random event streams keep the engine consistent", "[engine][robustness]") {
  EngineConfig c = small_config();
  c.today_window = true;
  c.acw_timeout = seconds(30);
  c.contact_idle_timeout = seconds(600);
  c.case_idle_timeout = seconds(600);
  c.max_tracked_contacts = 40;
  c.max_tracked_agents = 4;
  c.limits.max_queues = 3;
  Engine e(c);
  XorShift rnd{12345};  // fixed seed: reproducible
  const char* queues[] = {"q0", "q1", "q2", "q3", ""};
  const char* channels[] = {"voice", "chat", ""};
  double t = 0;
  for (int i = 0; i < 20000; ++i) {
    t += static_cast<double>(rnd(5));
    const auto type = static_cast<EventType>(rnd(kEventTypeCount));
    // Mostly in order, sometimes up to 60 s late.
    const double when = rnd(10) == 0 ? t - static_cast<double>(rnd(60)) : t;
    Ev ev(type, at(when), 'c' + std::to_string(rnd(60)));
    ev.queue(queues[rnd(5)]).channel(channels[rnd(3)]).case_id('k' + std::to_string(rnd(10)));
    ev.agent('a' + std::to_string(rnd(6))).team(rnd(2) ? "t1" : "");
    if (type == EventType::kContactQueued) ev.queue('q' + std::to_string(rnd(4)));
    if (type == EventType::kContactTransferred && rnd(2)) ev.to_agent("a9");
    if (type == EventType::kContactDeflected) ev.to_channel("messaging");
    if (type == EventType::kAgentState) ev.state(static_cast<AgentState>(rnd(kAgentStateCount)));
    if (type == EventType::kSurveyAnswered) ev.csat(1 + static_cast<int>(rnd(5)));
    if (type == EventType::kCaseResolved) ev.contacts(1 + static_cast<std::int64_t>(rnd(3)));
    if (type == EventType::kContactSentiment) ev.score(-1.0 + static_cast<double>(rnd(21)) / 10);
    e.apply(ev);
    if (i % 97 == 0) e.advance(at(t));
    if (i % 1000 == 999) {
      auto s = e.snapshot(at(t));
      std::uint64_t offered = 0, outcomes = 0;
      for (const auto& series : s->series) {
        for (double live : series.live) REQUIRE(live >= 0);
        offered += series.offered_total;
        outcomes += series.answered_total + series.abandoned_total;
        for (const auto& w : series.windows) {
          for (const auto& k : w.kpis) {
            if (k.value) REQUIRE(std::isfinite(*k.value));
            REQUIRE(k.volume >= 0);
          }
          const auto& sl = w.kpis[static_cast<int>(Kpi::kServiceLevelRatio)];
          if (sl.value) REQUIRE(*sl.value <= 1.0 + 1e-9);
        }
      }
      REQUIRE(outcomes <= offered);
      REQUIRE(e.stats().tracked_contacts <= 40);
      REQUIRE(e.stats().tracked_agents <= 4);
      for (const auto& team : s->teams) {
        for (const auto& w : team.windows) {
          const auto& occ = w[static_cast<int>(TeamKpi::kOccupancyRatio)];
          if (occ.value) REQUIRE((*occ.value >= 0 && *occ.value <= 1.0 + 1e-9));
        }
      }
    }
  }
  CHECK(e.stats().out_of_sequence_total > 0);
  CHECK(e.stats().series_folded_total > 0);  // q3 is past the cap of 3 queues
}

namespace {

// The snapshots and counts of two engines fed the same events agree.
void same_results(const Engine& one, const Snapshot& a, const Engine& batched, const Snapshot& b) {
  REQUIRE(a.series.size() == b.series.size());
  REQUIRE(!a.series.empty());
  for (std::size_t i = 0; i < a.series.size(); ++i) {
    const auto& sa = a.series[i];
    const auto& sb = b.series[i];
    CHECK(sa.queue == sb.queue);
    CHECK(sa.channel == sb.channel);
    CHECK(sa.live == sb.live);
    CHECK(sa.offered_total == sb.offered_total);
    CHECK(sa.answered_total == sb.answered_total);
    CHECK(sa.handled_total == sb.handled_total);
    REQUIRE(sa.windows.size() == sb.windows.size());
    for (std::size_t w = 0; w < sa.windows.size(); ++w) {
      for (int k = 0; k < kKpiCount; ++k) {
        CHECK(sa.windows[w].kpis[k].value == sb.windows[w].kpis[k].value);
        CHECK(sa.windows[w].kpis[k].volume == sb.windows[w].kpis[k].volume);
      }
    }
  }
  REQUIRE(a.teams.size() == b.teams.size());
  for (std::size_t i = 0; i < a.teams.size(); ++i) CHECK(a.teams[i].agents == b.teams[i].agents);
  CHECK(one.stats().out_of_sequence_total == batched.stats().out_of_sequence_total);
  CHECK(one.stats().evicted_contacts_total == batched.stats().evicted_contacts_total);
  CHECK(one.stats().tracked_contacts == batched.stats().tracked_contacts);
  CHECK(one.stats().tracked_agents == batched.stats().tracked_agents);
}

}  // namespace

// Engine::apply(span) prefetches ahead but must give exactly what applying
// the same events one by one gives. Both run the same State::apply: this
// checks the batching (its look-ahead pipeline), not the KPI rules; the
// independent model below checks those.
TEST_CASE("batched apply equals one-by-one apply", "[engine][robustness]") {
  EngineConfig c = small_config();
  c.today_window = true;
  c.max_tracked_contacts = 50;
  XorShift rnd{987654321};  // fixed seed: reproducible
  std::vector<Event> events;
  double t = 0;
  for (int i = 0; i < 20000; ++i) {
    t += static_cast<double>(rnd(4));
    const auto type = static_cast<EventType>(rnd(kEventTypeCount));
    Ev ev(type, at(rnd(10) == 0 ? t - static_cast<double>(rnd(60)) : t),
          rnd(20) == 0 ? "" : 'c' + std::to_string(rnd(80)));
    ev.queue('q' + std::to_string(rnd(3))).channel(rnd(2) ? "voice" : "chat");
    ev.agent('a' + std::to_string(rnd(6))).team('t' + std::to_string(rnd(2)));
    ev.case_id('k' + std::to_string(rnd(10)));
    if (type == EventType::kAgentState) ev.state(static_cast<AgentState>(rnd(kAgentStateCount)));
    if (type == EventType::kCaseResolved) ev.contacts(1 + static_cast<std::int64_t>(rnd(3)));
    if (type == EventType::kSurveyAnswered) ev.csat(1 + static_cast<int>(rnd(5)));
    // Looked up here, not hashed ahead: the same agent's record either way.
    if (type == EventType::kContactTransferred && rnd(2)) ev.to_agent('a' + std::to_string(rnd(6)));
    events.push_back(ev.e);
  }
  // Batches, plain; with the contact and agent ids hashed ahead under the
  // engine's key (used); and hashed under another key (ignored).
  HashKey other;
  other.bytes[3] = 7;
  Engine one(c), batched(c), hashed(c), misled(c);
  for (const Event& e : events) one.apply(e);
  std::vector<const Event*> batch;
  std::vector<HashedIds> mine, theirs;
  int batches = 0;
  for (std::size_t i = 0; i < events.size();) {
    batch.clear();
    mine.clear();
    theirs.clear();
    const std::size_t n = 1 + rnd(40);  // batch sizes 1..40, below and above the look-ahead
    for (; batch.size() < n && i < events.size(); ++i) {
      batch.push_back(&events[i]);
      mine.push_back(
          {keyed_hash(HashKey{}, events[i].contact), keyed_hash(HashKey{}, events[i].agent)});
      theirs.push_back({keyed_hash(other, events[i].contact), keyed_hash(other, events[i].agent)});
    }
    batched.apply(batch);
    hashed.apply(batch, HashKey{}, mine);
    // Every other batch: a contact tracked under one hash would be looked
    // up under the other.
    if (++batches % 2 == 0) {
      misled.apply(batch, other, theirs);
    } else {
      misled.apply(batch);
    }
  }
  const Timestamp now = at(t);
  const auto a = one.snapshot(now);
  for (Engine* e : {&batched, &hashed, &misled}) {
    const auto b = e->snapshot(now);
    same_results(one, *a, *e, *b);
  }
}

namespace {

// An independent model of the contact lifecycle rules of docs/kpis.md, kept
// deliberately simple and slow: every contact in a map, every counted fact in
// a list, and each KPI recomputed from the facts by filtering on time. It
// shares no code with the engine (no windows, no books, no deltas).
class LifecycleModel {
 public:
  static constexpr std::int64_t kThreshold = 20'000'000;    // T = 20 s (the default)
  static constexpr std::int64_t kShortAbandon = 5'000'000;  // 5 s (the default)

  struct Kpis {
    std::int64_t offered = 0, answered = 0, abandoned = 0, short_abandoned = 0, handled = 0;
    std::int64_t answered_within = 0, wait_answered_sum = 0, handle_sum = 0;
    std::optional<double> service_level() const {
      const std::int64_t den = answered + abandoned - short_abandoned;
      if (den == 0) return std::nullopt;
      return static_cast<double>(answered_within) / static_cast<double>(den);
    }
    std::optional<double> asa() const {  // seconds
      if (answered == 0) return std::nullopt;
      return static_cast<double>(wait_answered_sum) / 1e6 / static_cast<double>(answered);
    }
    std::optional<double> aht() const {  // seconds
      if (handled == 0) return std::nullopt;
      return static_cast<double>(handle_sum) / 1e6 / static_cast<double>(handled);
    }
  };

  // Returns whether the event fits (else it is out of sequence).
  bool apply(EventType type, Timestamp t, const std::string& id, const std::string& queue) {
    Contact& k = contacts_[id];
    switch (type) {
      case EventType::kContactQueued:
        if (k.phase == kWaiting || k.phase == kActive || k.phase == kAcw) return false;
        k = Contact{kWaiting, queue, t};
        facts_.push_back({t, queue, kOfferedFact, 0});
        return true;
      case EventType::kContactAnswered:
        if (k.phase != kWaiting) return false;
        facts_.push_back({t, k.queue, kAnsweredFact, t - k.queued});
        k.phase = kActive;
        k.answered = t;
        k.hold = 0;
        k.held = false;
        return true;
      case EventType::kContactAbandoned:
        if (k.phase != kWaiting) return false;
        facts_.push_back({t, k.queue, kAbandonedFact, t - k.queued});
        k.phase = kDone;
        return true;
      case EventType::kContactHeld:
        if (k.phase != kActive || k.held) return false;
        k.held = true;
        k.hold_start = t;
        return true;
      case EventType::kContactResumed:
        if (k.phase != kActive || !k.held) return false;
        k.held = false;
        k.hold += t - k.hold_start;
        return true;
      case EventType::kContactEnded:
      case EventType::kContactTransferred:
        if (k.phase != kActive) return false;
        if (k.held) k.hold += t - k.hold_start;
        k.held = false;
        k.talk = t - k.answered - k.hold;
        if (type == EventType::kContactEnded) {
          k.phase = kAcw;
          k.ended = t;
        } else {  // handled at once, no ACW
          facts_.push_back({t, k.queue, kHandledFact, k.talk + k.hold});
          k.phase = kTransferred;
        }
        return true;
      case EventType::kContactWrapped:
        if (k.phase != kAcw) return false;
        facts_.push_back({t, k.queue, kHandledFact, k.talk + k.hold + (t - k.ended)});
        k.phase = kDone;
        return true;
      default:
        return false;
    }
  }

  // KPIs of `queue` over the facts timed in (from, to].
  Kpis kpis(const std::string& queue, Timestamp from, Timestamp to) const {
    Kpis r;
    for (const Fact& f : facts_) {
      if (f.queue != queue || f.time <= from || f.time > to) continue;
      switch (f.kind) {
        case kOfferedFact:
          ++r.offered;
          break;
        case kAnsweredFact:
          ++r.answered;
          r.wait_answered_sum += f.value;
          if (f.value <= kThreshold) ++r.answered_within;
          break;
        case kAbandonedFact:
          ++r.abandoned;
          if (f.value < kShortAbandon) ++r.short_abandoned;
          break;
        case kHandledFact:
          ++r.handled;
          r.handle_sum += f.value;
          break;
      }
    }
    return r;
  }

  std::int64_t waiting(const std::string& queue) const {
    std::int64_t n = 0;
    for (const auto& [id, k] : contacts_) n += k.phase == kWaiting && k.queue == queue ? 1 : 0;
    return n;
  }

 private:
  enum Phase { kNone, kWaiting, kActive, kAcw, kTransferred, kDone };
  enum Kind { kOfferedFact, kAnsweredFact, kAbandonedFact, kHandledFact };
  struct Contact {
    Phase phase = kNone;
    std::string queue;
    Timestamp queued = 0, answered = 0, hold_start = 0, ended = 0;
    std::int64_t hold = 0, talk = 0;
    bool held = false;
  };
  struct Fact {
    Timestamp time;
    std::string queue;
    Kind kind;
    std::int64_t value;  // wait, or talk + hold + ACW (us)
  };
  std::map<std::string, Contact> contacts_;
  std::vector<Fact> facts_;
};

void check_same(const std::optional<double>& engine, const std::optional<double>& model) {
  REQUIRE(engine.has_value() == model.has_value());
  if (model) CHECK(*engine == Approx(*model).epsilon(1e-12));
}

}  // namespace

TEST_CASE("contact lifecycle KPIs equal those of an independent model", "[engine][model]") {
  EngineConfig c = small_config();  // 5m and 1h
  c.today_window = true;            // UTC days
  c.lateness = 0;                   // the model judges each event on arrival
  Engine e(c);
  LifecycleModel model;
  XorShift rnd{4242};  // fixed seed: reproducible
  const EventType types[] = {
      EventType::kContactQueued,    EventType::kContactQueued,  EventType::kContactAnswered,
      EventType::kContactAbandoned, EventType::kContactHeld,    EventType::kContactResumed,
      EventType::kContactEnded,     EventType::kContactWrapped, EventType::kContactTransferred};
  const std::string queues[] = {"q0", "q1", "q2"};
  // From 22:00 UTC, so that the stream crosses midnight and today restarts.
  const Timestamp start = at(14 * 3600);
  Timestamp t = start;
  std::int64_t fitted = 0, checked = 0;
  for (int i = 1; i <= 30000; ++i) {
    t += seconds(static_cast<std::int64_t>(rnd(4)));  // in time order, often several at once
    const EventType type = types[rnd(std::size(types))];
    const std::string id = std::string("c").append(std::to_string(rnd(40)));
    const std::string& queue = queues[rnd(3)];
    Ev ev(type, t, id);
    ev.channel("voice");
    if (type == EventType::kContactQueued) ev.queue(queue);
    const bool fits = model.apply(type, t, id, queue);
    fitted += fits ? 1 : 0;
    REQUIRE((e.apply(ev) == ApplyResult::kApplied) == fits);

    if (i % 1500 != 0) continue;
    // A snapshot on a minute edge at or after the last event: the 5m and
    // 1h windows are then exactly (now - W, now] (docs/kpis.md, Windows).
    const Timestamp now = t + minutes(1) - 1 - (t + minutes(1) - 1 - kT0) % minutes(1);
    const Timestamp midnight = now - (now % seconds(86400));  // UTC day start
    const auto snap = e.snapshot(now);
    for (const std::string& q : queues) {
      const SeriesSnapshot* s = find_series(*snap, q, "voice");
      REQUIRE(s != nullptr);
      CHECK(s->live[static_cast<int>(LiveKpi::kContactsWaiting)] ==
            static_cast<double>(model.waiting(q)));
      const std::pair<const char*, Timestamp> windows[] = {
          {"5m", now - minutes(5)}, {"1h", now - hours(1)}, {"today", midnight - 1}};
      for (const auto& [w, from] : windows) {
        INFO("event " << i << ", queue " << q << ", window " << w);
        const LifecycleModel::Kpis m = model.kpis(q, from, now);
        auto engine = [&](Kpi k) { return val(*snap, q, "voice", w, k); };
        CHECK(engine(Kpi::kOffered) == static_cast<double>(m.offered));
        CHECK(engine(Kpi::kAnswered) == static_cast<double>(m.answered));
        CHECK(engine(Kpi::kAbandoned) == static_cast<double>(m.abandoned));
        CHECK(engine(Kpi::kShortAbandoned) == static_cast<double>(m.short_abandoned));
        CHECK(engine(Kpi::kHandled) == static_cast<double>(m.handled));
        check_same(engine(Kpi::kServiceLevelRatio), m.service_level());
        check_same(engine(Kpi::kAverageSpeedOfAnswer), m.asa());
        check_same(engine(Kpi::kAverageHandleTime), m.aht());
        ++checked;
      }
    }
  }
  // The stream exercised what it should: both fitting and out-of-sequence
  // events, and a midnight.
  CHECK(fitted > 5000);
  CHECK(fitted < 25000);
  CHECK(t - start > hours(3));
  CHECK(checked == 20 * 3 * 3);
}
