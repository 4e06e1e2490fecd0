// The daemon's forecast from a real engine fed a small event sequence:
// inputs, predictions and exposition checked against hand computations.
#include "core/prediction/prediction.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/exposition/text_format.hpp"
#include "core/prediction/at_risk_tracker.hpp"
#include "core/prediction/prediction_exposition.hpp"
#include "core/prediction/recent_answerers.hpp"
#include "core/sla/sla_evaluator.hpp"
#include "tests/core/engine/engine_test_util.hpp"

namespace ccmon::core {
namespace {

using test::at;
using test::Ev;

EngineConfig config() {
  EngineConfig c;
  c.windows = {{"15m", minutes(15)}, {"1h", hours(1)}, {"24h", hours(24)}};
  c.today_window = false;
  return c;
}

// Feeds both the engine and the answer memory, as the engine runner does.
struct Center {
  Engine engine{config()};
  RecentAnswerers answerers;
  Center() { engine.note_answers(true); }
  void apply(const Event& e) {
    REQUIRE(engine.apply(e) == ApplyResult::kApplied);
    answerers.apply(e);
    answerers.take_answers_of(engine);
  }
};

std::string agent_id(std::size_t i) {
  std::string id = "agent";  // appended in parts (GCC 12 -O3 false warning)
  id += std::to_string(i);
  return id;
}

std::string contact_id(int i) {
  std::string id = "c";  // appended in parts: GCC 12 -O3 warns falsely on "c" + string
  id += std::to_string(i);
  return id;
}

// sales/voice, times in seconds from kT0:
//   c9: queued -7200, answered -7190 (a9), ended -6700, wrapped -6690: handle 500 (24h only)
//   c0..c5: queued 100 i, answered +10 by a0 / a1 alternately, ended +190,
//           wrapped +200: waits 10, handle 180 talk + 10 ACW = 190
//   c6, c7: queued 600, 700, abandoned after 30 s
//   c8: queued 800, still waiting
// At 800 the 15m window holds 9 offered (c0..c8): lambda = 9 / 900 = 0.01/s;
// patience = (6 x 10 + 2 x 30) / 2 abandoned = 60 s.
void feed(Center& c) {
  c.apply(Ev(EventType::kContactQueued, at(-7200), "c9").queue("sales").channel("voice"));
  c.apply(Ev(EventType::kContactAnswered, at(-7190), "c9").agent("a9"));
  c.apply(Ev(EventType::kContactEnded, at(-6700), "c9"));
  c.apply(Ev(EventType::kContactWrapped, at(-6690), "c9"));
  for (int i = 0; i < 9; ++i) {
    const std::string id = contact_id(i);
    c.apply(Ev(EventType::kContactQueued, at(100 * i), id).queue("sales").channel("voice"));
  }
  for (int i = 0; i < 6; ++i) {
    const std::string id = contact_id(i);
    c.apply(Ev(EventType::kContactAnswered, at(100 * i + 10), id).agent(i % 2 ? "a1" : "a0"));
    c.apply(Ev(EventType::kContactEnded, at(100 * i + 190), id));
    c.apply(Ev(EventType::kContactWrapped, at(100 * i + 200), id));
  }
  c.apply(Ev(EventType::kContactAbandoned, at(630), "c6"));
  c.apply(Ev(EventType::kContactAbandoned, at(730), "c7"));
}

PredictionSetup setup(PredictionConfig p = {}) {
  return {std::move(p), config().windows, ServiceLevelFormula::kDefault};
}

Forecast forecast_at(Center& c, Timestamp now, const PredictionSetup& s,
                     const std::vector<SlaRule>& rules = {}) {
  auto snap = c.engine.snapshot(now);
  SlaEvaluator sla(rules);
  sla.evaluate(*snap, now);
  return make_forecast(s, *snap, sla.rules(), sla.states(), c.answerers.counts(now - hours(1)));
}

const SeriesForecast& sales(const Forecast& f) {
  REQUIRE(f.series.size() == 1);
  REQUIRE(f.series[0].queue == "sales");
  return f.series[0];
}

double sample(const std::vector<MetricFamily>& fams, const std::string& name,
              const std::string& model = "") {
  for (const auto& f : fams) {
    if (f.name != name) continue;
    for (const auto& s : f.samples) {
      bool ok = model.empty();
      for (const auto& [k, v] : s.labels) ok = ok || (k == "model" && v == model);
      if (ok) return s.value;
    }
    FAIL("no sample of " << name << " " << model);
  }
  FAIL("no family " << name);
  return 0;
}

std::size_t samples(const std::vector<MetricFamily>& fams, const std::string& name) {
  for (const auto& f : fams) {
    if (f.name == name) return f.samples.size();
  }
  FAIL("no family " << name);
  return 0;
}

}  // namespace

TEST_CASE("inputs: arrival rate, handle time, patience, recent answerers", "[prediction]") {
  Center c;
  feed(c);
  PredictionConfig p;
  p.min_handled = 6;  // the hour's 6 handled are enough
  const Forecast all = forecast_at(c, at(800), setup(p));
  const SeriesForecast& f = sales(all);
  CHECK(*f.inputs.arrival_rate == Approx(0.01));
  CHECK(*f.inputs.handle_time_seconds == Approx(190));
  CHECK(*f.inputs.patience_seconds == Approx(60));
  CHECK(f.inputs.agents_serving == 2);  // a0, a1 answered within the hour; a9 two hours ago
  CHECK(f.inputs.target.threshold_seconds == 20);
  CHECK(f.inputs.target.ratio == 0.8);
}

TEST_CASE("inputs: too few handled in the hour falls back to 24h", "[prediction]") {
  Center c;
  feed(c);
  PredictionConfig p;
  p.min_handled = 10;  // 6 in the hour: too few; 24h has 7
  const Forecast all = forecast_at(c, at(800), setup(p));
  const SeriesForecast& f = sales(all);
  // (6 x 190 + 500) / 7
  CHECK(*f.inputs.handle_time_seconds == Approx(1640.0 / 7));
}

TEST_CASE("inputs: undefined until offered, patience absent until abandons", "[prediction]") {
  Center c;
  c.apply(Ev(EventType::kContactQueued, at(0), "c0").queue("sales").channel("voice"));
  c.apply(Ev(EventType::kContactAnswered, at(5), "c0").agent("a0"));
  const Forecast f = forecast_at(c, at(10), setup());
  CHECK(*sales(f).inputs.arrival_rate == Approx(1.0 / 900));
  CHECK_FALSE(sales(f).inputs.handle_time_seconds);  // nothing handled yet
  CHECK_FALSE(sales(f).inputs.patience_seconds);     // no abandon
  CHECK_FALSE(sales(f).models.erlang_c.now);
  const auto fams = forecast_families(f);
  CHECK(samples(fams, "ccmon_forecast_handle_time_seconds") == 0);
  CHECK(samples(fams, "ccmon_forecast_patience_seconds") == 0);
  CHECK(samples(fams, "ccmon_estimated_wait_seconds") == 0);
  CHECK(samples(fams, "ccmon_agents_serving") == 1);
  // An hour and a quarter later nothing was offered in the 15m window.
  const Forecast later = forecast_at(c, at(4500), setup());
  CHECK_FALSE(sales(later).inputs.arrival_rate);
}

TEST_CASE("agents serving: mapped teams' available + busy + wrap-up", "[prediction]") {
  Center c;
  feed(c);
  for (const auto& [agent, team, state] : {std::tuple{"x1", "blue", AgentState::kAvailable},
                                           {"x2", "blue", AgentState::kBusy},
                                           {"x3", "green", AgentState::kWrapUp},
                                           {"x4", "blue", AgentState::kAway},
                                           {"y1", "red", AgentState::kAvailable}}) {
    Event e = Ev(EventType::kAgentState, at(790)).agent(agent).team(team).state(state);
    c.apply(e);
  }
  PredictionConfig p;
  p.queues = {{"sal*", "*", {"blue"}}, {"sales", "voice", {"green"}}, {"other", "*", {"red"}}};
  const Forecast f = forecast_at(c, at(800), setup(p));
  CHECK(sales(f).inputs.agents_serving == 3);  // x1, x2, x3
}

TEST_CASE("recent answerers: an agent gone away or offline stops counting", "[prediction]") {
  Center c;
  feed(c);
  c.apply(Ev(EventType::kAgentState, at(790)).agent("a1").state(AgentState::kOffline));
  const Forecast f = forecast_at(c, at(800), setup());
  CHECK(sales(f).inputs.agents_serving == 1);
  // An hour after a0's last answer (510) it no longer counts either.
  c.answerers.expire(at(4111) - hours(1));
  CHECK(c.answerers.counts(at(4111) - hours(1)).empty());
}

TEST_CASE("predictions and exposition by hand: A = 1.9 erlangs on 2 agents", "[prediction]") {
  Center c;
  feed(c);
  PredictionConfig p;
  p.min_handled = 6;
  const Forecast f = forecast_at(c, at(800), setup(p));
  const auto fams = forecast_families(f);
  // Erlang B(2, 1.9): B1 = 1.9 / 2.9; B2 = 1.9 B1 / (2 + 1.9 B1) = 0.3836344
  const double b1 = 1.9 / 2.9;
  const double b2 = 1.9 * b1 / (2 + 1.9 * b1);
  // Erlang C = 2 B2 / (2 - 1.9 (1 - B2)) = 0.9256410; EWT = C x 190 / 0.1
  const double pc = 2 * b2 / (2 - 1.9 * (1 - b2));
  CHECK(pc == Approx(0.925641).epsilon(1e-6));
  CHECK(sample(fams, "ccmon_forecast_arrival_rate") == Approx(0.01));
  CHECK(sample(fams, "ccmon_agents_serving") == 2);
  CHECK(sample(fams, "ccmon_wait_probability", "erlang_c") == Approx(pc));
  CHECK(sample(fams, "ccmon_estimated_wait_seconds", "erlang_c") == Approx(pc * 190 / 0.1));
  // 80 % in 20 s: N = 3 gives 1 - C3 e^{-1.1 x 20 / 190} = 0.645, N = 4 gives 0.8795.
  CHECK(sample(fams, "ccmon_agents_required", "erlang_c") == 4);
  CHECK(sample(fams, "ccmon_agents_short", "erlang_c") == 2);
  // Erlang A is there (patience known) and waits less than Erlang C.
  CHECK(sample(fams, "ccmon_estimated_wait_seconds", "erlang_a") < 60);
  CHECK(sample(fams, "ccmon_wait_probability", "erlang_a") < pc);

  std::string text;
  append_text(text, fams);
  CHECK(text.find(
            "ccmon_agents_required{queue=\"sales\",channel=\"voice\",model=\"erlang_c\"} 4\n") !=
        std::string::npos);
  CHECK(text.find("ccmon_forecast_patience_seconds{queue=\"sales\",channel=\"voice\"} 60\n") !=
        std::string::npos);
}

TEST_CASE("saturated Erlang C: +Inf wait, never NaN; concurrency divides agents", "[prediction]") {
  Center c;
  feed(c);
  c.apply(Ev(EventType::kAgentState, at(790)).agent("a1").state(AgentState::kAway));
  PredictionConfig p;
  p.min_handled = 6;
  Forecast f = forecast_at(c, at(800), setup(p));  // 1.9 erlangs on 1 agent
  std::string text;
  append_text(text, forecast_families(f));
  CHECK(text.find("ccmon_estimated_wait_seconds{queue=\"sales\",channel=\"voice\",model="
                  "\"erlang_c\"} +Inf\n") != std::string::npos);
  CHECK(text.find("NaN") == std::string::npos);
  CHECK(forecast_json(sales(f))["erlang_c"]["estimated_wait_seconds"] == "+Inf");

  p.concurrency = {{"voice", 3}};  // 1 agent = 3 servers; 4 servers needed -> 2 agents
  f = forecast_at(c, at(800), setup(p));
  CHECK(sales(f).inputs.concurrency == 3);
  CHECK(*sales(f).models.erlang_c.agents_required == 2);
  CHECK(*sales(f).models.erlang_c.agents_short == 1);
  CHECK(std::isfinite(sales(f).models.erlang_c.now->mean_wait_seconds));
}

TEST_CASE("oldest-waiting rule: at risk within the horizon, exact ETA, transitions",
          "[prediction]") {
  Center c;
  feed(c);
  SlaRule oldest;
  oldest.name = "oldest";
  oldest.kpi = "oldest_waiting_seconds";
  oldest.comparison = Comparison::kLessEqual;
  oldest.target = 600;
  const std::vector<SlaRule> rules{oldest};
  AtRiskTracker tracker;
  // c8 waits since 800. At 1000: breach in 600 - 200 = 400 s > 300 s horizon.
  Forecast f = forecast_at(c, at(1000), setup(), rules);
  REQUIRE(f.rules.size() == 1);
  CHECK(f.rules[0].modelled);
  CHECK_FALSE(f.rules[0].at_risk);
  CHECK_FALSE(f.rules[0].breach_eta_seconds);
  CHECK(tracker.update(f).empty());
  // At 1150: 600 - 350 = 250 s.
  f = forecast_at(c, at(1150), setup(), rules);
  CHECK(f.rules[0].at_risk);
  CHECK(*f.rules[0].breach_eta_seconds == Approx(250));
  auto tr = tracker.update(f);
  REQUIRE(tr.size() == 1);
  CHECK(tr[0].entered);
  CHECK(*tr[0].breach_eta_seconds == Approx(250));
  CHECK(tracker.update(f).empty());  // no new transition while it stays
  const auto fams = forecast_families(f);
  CHECK(sample(fams, "ccmon_sla_at_risk") == 1);
  CHECK(sample(fams, "ccmon_sla_breach_eta_seconds") == Approx(250));
  // Answered at 1200: nobody waits, no longer at risk.
  c.apply(Ev(EventType::kContactAnswered, at(1200), "c8").agent("a0"));
  f = forecast_at(c, at(1201), setup(), rules);
  CHECK_FALSE(f.rules[0].at_risk);
  tr = tracker.update(f);
  REQUIRE(tr.size() == 1);
  CHECK_FALSE(tr[0].entered);
  CHECK(tr[0].sla == "oldest");
  CHECK(tr[0].queue == "sales");
  CHECK(tr[0].channel == "voice");
}

TEST_CASE("service-level rule: its target feeds staffing; failing now means ETA 0",
          "[prediction]") {
  Center c;
  feed(c);
  SlaRule sl;
  sl.name = "sl";
  sl.kpi = "service_level_ratio";
  sl.comparison = Comparison::kGreaterEqual;
  sl.target = 0.9;
  sl.window = "15m";
  SlaRule unmodelled;
  unmodelled.name = "aht";
  unmodelled.kpi = "average_handle_time_seconds";
  unmodelled.comparison = Comparison::kLessEqual;
  unmodelled.target = 100;
  const Forecast f = forecast_at(c, at(800), setup(), {sl, unmodelled});
  CHECK(sales(f).inputs.target.ratio == 0.9);
  // 6 answered within 20 s / (6 + 2 abandoned) = 0.75 < 0.9: failing now.
  REQUIRE(f.rules.size() == 2);
  CHECK(f.rules[0].at_risk);
  CHECK(*f.rules[0].breach_eta_seconds == 0);
  CHECK_FALSE(f.rules[1].modelled);  // no breach model for AHT: no series
  CHECK(samples(forecast_families(f), "ccmon_sla_at_risk") == 1);
}

}  // namespace ccmon::core

namespace ccmon::core {

TEST_CASE("answer memory: the engine notes each answer in the series it counts it",
          "[prediction]") {
  EngineConfig cfg = config();
  cfg.limits.max_queues = 2;  // sales, vip; a third queue folds into `other`
  Engine e(cfg);
  const auto ans = [](double t, const char* contact) {
    return Ev(EventType::kContactAnswered, at(t), contact);
  };
  // Off by default: nothing noted.
  e.apply(Ev(EventType::kContactQueued, at(0), "c0").queue("sales").channel("voice"));
  e.apply(ans(1, "c0").agent("a0"));
  CHECK(test::taken_answers(e).empty());

  e.note_answers(true);
  e.apply(Ev(EventType::kContactQueued, at(0), "c1").queue("sales").channel("voice"));
  e.apply(Ev(EventType::kContactQueued, at(0), "c2").queue("sales").channel("voice"));
  e.apply(Ev(EventType::kContactQueued, at(0), "c3").queue("sales").channel("voice"));
  // The queue of the contact's queueing; an explicit queue on the answer wins.
  e.apply(ans(5, "c1").agent("a1"));
  e.apply(ans(6, "c2").agent("a2").queue("vip"));
  e.apply(ans(7, "c3"));  // no agent: nothing to remember
  // An answer ahead of its queueing waits for it (lateness 30 s), then counts.
  CHECK(e.apply(ans(9, "c4").agent("a4")) == ApplyResult::kHeld);
  e.apply(Ev(EventType::kContactQueued, at(8), "c4").queue("billing").channel("chat"));
  // Answered twice: it does not fit, so it waits, and is no answer.
  CHECK(e.apply(ans(10, "c1").agent("a9")) == ApplyResult::kHeld);
  CHECK(test::taken_answers(e) ==
        std::vector<std::string>{"sales/voice a1 @" + std::to_string(at(5)),
                                 "vip/voice a2 @" + std::to_string(at(6)),
                                 "other/chat a4 @" + std::to_string(at(9))});
  CHECK(test::taken_answers(e).empty());  // taken once

  // Naming its queue and channel does not make an answer whose queueing
  // never came count: out of sequence once its lateness has passed.
  CHECK(e.apply(ans(30, "c7").agent("a7").queue("sales").channel("voice")) == ApplyResult::kHeld);
  e.advance(at(61));
  CHECK(e.stats().out_of_sequence_total == 2);  // c1's second answer, c7's
  CHECK(test::taken_answers(e).empty());

  // Turned off: what was noted is forgotten, and nothing more is noted.
  e.apply(Ev(EventType::kContactQueued, at(70), "c5").queue("sales").channel("voice"));
  e.apply(ans(71, "c5").agent("a5"));
  CHECK(test::taken_answers(e).size() == 1);  // still noting here
  e.apply(Ev(EventType::kContactQueued, at(72), "c8").queue("sales").channel("voice"));
  e.apply(ans(73, "c8").agent("a8"));  // noted, then forgotten
  e.note_answers(false);
  e.apply(Ev(EventType::kContactQueued, at(74), "c6").queue("sales").channel("voice"));
  e.apply(ans(75, "c6").agent("a6"));
  e.note_answers(true);
  CHECK(test::taken_answers(e).empty());
}

TEST_CASE("answer memory: counts by series, bounded, off with a catch-all mapping",
          "[prediction]") {
  RecentAnswerers a;
  a.answered("vip", "voice", "a1", at(5));
  a.answered("vip", "voice", "a1", at(3));  // an older answer keeps the latest
  a.answered("vip", "voice", "a2", at(4));
  a.answered("sales", "voice", "a1", at(6));
  auto n = a.counts(at(0));
  CHECK(n.size() == 2);
  CHECK(n.at(RecentAnswerers::series_key("vip", "voice")) == 2);
  CHECK(n.at(RecentAnswerers::series_key("sales", "voice")) == 1);
  CHECK(a.counts(at(5)).at(RecentAnswerers::series_key("vip", "voice")) == 1);  // a1 at 5
  // Past kMaxAnswers the oldest tenth goes: the memory stays bounded.
  for (std::size_t i = 0; i <= RecentAnswerers::kMaxAnswers; ++i) {
    a.answered("sales", "voice", agent_id(i), at(10 + static_cast<double>(i)));
  }
  CHECK(a.answers_size() <= RecentAnswerers::kMaxAnswers);
  CHECK(a.answers_size() >= RecentAnswerers::kMaxAnswers * 8 / 10);
  CHECK(a.counts(at(0)).count(RecentAnswerers::series_key("vip", "voice")) == 0);  // oldest

  // Forgetting every answer forgets their agents too.
  a.expire(at(1e9));
  CHECK(a.answers_size() == 0);
  CHECK(a.agents_size() == 0);

  PredictionConfig p;
  CHECK(p.needs_answerers());
  p.queues = {{"sales", "*", {"blue"}}};
  CHECK(p.needs_answerers());
  p.queues.push_back({"*", "*", {"all"}});
  CHECK_FALSE(p.needs_answerers());
}

namespace {

void same_entries(const RecentAnswerers& x, const RecentAnswerers& y) {
  const auto a = x.entries(), b = y.entries();
  REQUIRE(a.answers.size() == b.answers.size());
  for (std::size_t i = 0; i < a.answers.size(); ++i) {
    CHECK(a.answers[i].queue == b.answers[i].queue);
    CHECK(a.answers[i].channel == b.answers[i].channel);
    CHECK(a.answers[i].agent == b.answers[i].agent);
    CHECK(a.answers[i].at == b.answers[i].at);
  }
  CHECK(a.off_since == b.off_since);
}

void away(RecentAnswerers& a, const std::string& agent, double t,
          AgentState state = AgentState::kAway) {
  a.apply(Ev(EventType::kAgentState, at(t)).agent(agent).state(state));
}

}  // namespace

TEST_CASE("answer memory: each answer's agent hash is its name's under the engine's key",
          "[prediction]") {
  const HashKey key{{9, 8, 7}};
  Engine e(config(), key);
  REQUIRE(e.hash_key() == key);
  e.note_answers(true);
  // Ids hashed ahead, as the daemon's io threads do, and an answer held
  // for its queueing, then applied from the held ones.
  const Event q1 = Ev(EventType::kContactQueued, at(0), "c1").queue("sales").channel("voice");
  const Event a1 = Ev(EventType::kContactAnswered, at(5), "c1").agent("a1");
  const Event a2 = Ev(EventType::kContactAnswered, at(6), "c2").agent("a2");
  const Event q2 = Ev(EventType::kContactQueued, at(1), "c2").queue("sales").channel("voice");
  const std::vector<const Event*> batch = {&q1, &a1, &a2, &q2};
  std::vector<HashedIds> ids;
  for (const Event* ev : batch) ids.push_back(hashed_ids_of(key, *ev));
  e.apply(batch, key, ids);
  // taken_answers checks each hash against keyed_hash(key, agent).
  CHECK(test::taken_answers(e) ==
        std::vector<std::string>{"sales/voice a1 @" + std::to_string(at(5)),
                                 "sales/voice a2 @" + std::to_string(at(6))});
  // Into a memory under the same key: found by name afterwards.
  e.apply(Ev(EventType::kContactQueued, at(7), "c3").queue("sales").channel("voice"));
  e.apply(Ev(EventType::kContactAnswered, at(8), "c3").agent("a3"));
  RecentAnswerers memory(key);
  memory.take_answers_of(e);
  away(memory, "a3", 9);
  CHECK(memory.agents_size() == 1);
  CHECK(memory.counts(at(0)).count(RecentAnswerers::series_key("sales", "voice")) == 0);
}

TEST_CASE("answer memory: series found again after they went, and past the memo's size",
          "[prediction]") {
  RecentAnswerers a;
  const auto vip = RecentAnswerers::series_key("vip", "voice");
  // A series erased by expiry (its last answer went) and named again: an
  // answer must land in the new series, not in the one freed.
  a.answered("vip", "voice", "a1", at(1));
  a.expire(at(2));
  CHECK(a.counts(at(0)).empty());
  a.answered("vip", "voice", "a2", at(3));
  auto n = a.counts(at(0));
  CHECK(n.size() == 1);
  CHECK(n.count(vip) == 1);
  CHECK(a.entries().answers.size() == 1);
  CHECK(a.entries().answers.at(0).agent == "a2");
  // A copy's answers land in its own series, not in those it was copied
  // from; a memory moved from and used again, in its own.
  RecentAnswerers copy = a;
  copy.answered("vip", "voice", "a3", at(4));
  CHECK(a.counts(at(0)).at(vip) == 1);
  CHECK(copy.counts(at(0)).at(vip) == 2);
  RecentAnswerers moved = std::move(copy);
  // Abseil's maps are left empty by a move: the moved-from memory holds nothing.
  copy.answered("vip", "voice", "a4", at(4));  // NOLINT(bugprone-use-after-move)
  CHECK(copy.counts(at(0)).at(vip) == 1);
  CHECK(moved.counts(at(0)).at(vip) == 2);
  // A restore replaces every series: answers after it land in the restored ones.
  RecentAnswerers restored;
  restored.answered("vip", "voice", "a5", at(4));
  restored.restore(a.entries());
  restored.answered("vip", "voice", "a6", at(5));
  CHECK(restored.counts(at(0)).at(vip) == 2);  // a2 and a6
  CHECK(restored.answers_size() == 2);
  // 6,000 series, past the memo's 1,024 slots: each queue named in four
  // rounds (voice, chat, voice, chat), so each series twice, in another
  // order each round; the first two rounds make the series (the table
  // grows among lookups), the last two find them: every answer in its own
  // series.
  RecentAnswerers many;
  constexpr std::size_t kSeries = 3000;
  for (std::size_t round = 0; round < 4; ++round) {
    for (std::size_t k = 0; k < kSeries; ++k) {
      const std::size_t i = (k * 7 + round * 1013) % kSeries;  // another order each round
      many.answered(agent_id(i), round % 2 == 0 ? "voice" : "chat", agent_id(round),
                    at(static_cast<double>(round)));
    }
  }
  const auto counts = many.counts(at(0));
  CHECK(counts.size() == 2 * kSeries);
  std::size_t right = 0;
  for (std::size_t i = 0; i < kSeries; ++i) {
    for (const char* channel : {"voice", "chat"}) {
      const auto it = counts.find(RecentAnswerers::series_key(agent_id(i), channel));
      right += it != counts.end() && it->second == 2;
    }
  }
  CHECK(right == 2 * kSeries);
  CHECK(many.answers_size() == 4 * kSeries);
}

TEST_CASE("answer memory: an answer's agent hash serves under the memory's key only",
          "[prediction]") {
  const HashKey mine{{1, 2, 3}}, other{{4, 5, 6}};
  RecentAnswerers a(mine);
  const auto vip = RecentAnswerers::series_key("vip", "voice");
  a.answered("vip", "voice", "a1", keyed_hash(mine, "a1"), mine, at(5));
  // Under another key the hash is not this memory's: the name is hashed.
  a.answered("vip", "voice", "a2", keyed_hash(other, "a2"), other, at(5));
  CHECK(a.agents_size() == 2);
  CHECK(a.counts(at(0)).at(vip) == 2);
  // Found by name afterwards: away, both stop counting, and no second
  // record is made (a record under the other key's hash would not be found).
  away(a, "a1", 6);
  away(a, "a2", 6);
  CHECK(a.agents_size() == 2);
  CHECK(a.counts(at(0)).count(vip) == 0);
}

TEST_CASE("answer memory: agents forgotten and named again keep their own marks", "[prediction]") {
  RecentAnswerers a;
  const auto vip = RecentAnswerers::series_key("vip", "voice");
  a.answered("vip", "voice", "a1", at(5));
  away(a, "a2", 6);  // a mark with no answer: an agent of its own
  CHECK(a.agents_size() == 2);
  a.expire(at(7));  // a1's answer and a2's mark go, and both agents with them
  CHECK(a.agents_size() == 0);
  CHECK(a.off_marks_size() == 0);
  // Named again: a1 now takes the record a2 had last (freed last, reused
  // first), and must not find a2's mark or name there.
  a.answered("vip", "voice", "a1", at(10));
  a.answered("vip", "voice", "a2", at(11));
  away(a, "a1", 12);
  CHECK(a.counts(at(0)).at(vip) == 1);  // a2 only
  auto e = a.entries();
  REQUIRE(e.answers.size() == 2);
  CHECK(e.answers[0].agent == "a1");
  CHECK(e.answers[1].agent == "a2");
  REQUIRE(e.off_since.size() == 1);
  CHECK(e.off_since[0] == std::pair<std::string, Timestamp>("a1", at(12)));
  // Away then offline: still one mark, from the later time.
  away(a, "a1", 13, AgentState::kOffline);
  CHECK(a.off_marks_size() == 1);
  CHECK(a.entries().off_since[0].second == at(13));
  // Back available: the mark goes, the agent stays for its answer.
  away(a, "a1", 14, AgentState::kAvailable);
  CHECK(a.off_marks_size() == 0);
  CHECK(a.agents_size() == 2);
  CHECK(a.counts(at(0)).at(vip) == 2);
  // An agent whose answers are forgotten stays while its mark does.
  a.answered("sales", "voice", "a3", at(15));
  away(a, "a3", 18);
  a.expire(at(17));  // a1's and a2's answers (10, 11) and a3's (15) go
  CHECK(a.agents_size() == 1);
  e = a.entries();
  REQUIRE(e.off_since.size() == 1);
  CHECK(e.off_since[0] == std::pair<std::string, Timestamp>("a3", at(18)));
  // A restore gives the same memory, into a fresh one or a used one.
  a.answered("vip", "voice", "a1", at(20));
  RecentAnswerers fresh;
  fresh.restore(a.entries());
  same_entries(fresh, a);
  RecentAnswerers used;
  for (int i = 0; i < 50; ++i) used.answered("vip", "chat", agent_id(i), at(i));
  used.expire(at(25));  // 25 agents forgotten, their records free
  away(used, "a1", 30);
  used.restore(a.entries());
  same_entries(used, a);
  CHECK(used.agents_size() == 2);
  CHECK(used.counts(at(0)).at(vip) == 1);
}

TEST_CASE("answer memory: agent states with their ids hashed ahead", "[prediction]") {
  // The daemon hands the memory the agents' hashes its io threads made
  // (hashed_ids_of); under the memory's own key they must find the agents
  // the names alone find, and under another key they are not used.
  const HashKey key{{9, 8, 7}}, other{{1}};
  const auto vip = RecentAnswerers::series_key("vip", "voice");
  const std::vector<Event> states = {
      Ev(EventType::kAgentState, at(6)).agent("a1").state(AgentState::kAway).e,
      Ev(EventType::kContactQueued, at(6), "c9").queue("vip").e,
      Ev(EventType::kAgentState, at(7)).agent("a2").state(AgentState::kOffline).e,
      Ev(EventType::kAgentState, at(8)).agent("a1").state(AgentState::kAvailable).e,
      Ev(EventType::kAgentState, at(9)).agent("a3").state(AgentState::kAway).e};
  std::vector<const Event*> batch;
  for (const Event& e : states) batch.push_back(&e);
  auto hashed_under = [&](const HashKey& k) {
    std::vector<HashedIds> ids;
    for (const Event& e : states) ids.push_back(hashed_ids_of(k, e));
    return ids;
  };
  auto answered = [&](RecentAnswerers& m) {
    m.answered("vip", "voice", "a1", at(5));
    m.answered("vip", "voice", "a2", at(5));
    m.answered("vip", "voice", "a3", at(5));
  };
  RecentAnswerers by_name(key), ahead(key), wrong_key(key), short_span(key);
  for (RecentAnswerers* m : {&by_name, &ahead, &wrong_key, &short_span}) answered(*m);
  by_name.apply(batch);
  ahead.apply(batch, key, hashed_under(key));
  // Hashes under another key would find nobody (a2 would stay counted):
  // the memory hashes the names itself instead.
  wrong_key.apply(batch, other, hashed_under(other));
  const std::vector<HashedIds> all = hashed_under(key);
  short_span.apply(batch, key, std::span(all).first(2));
  // By hand: a1 went away at 6 and came back at 8; a2 went offline and a3
  // away after their answers at 5, so only a1 counts.
  CHECK(by_name.counts(at(0)).at(vip) == 1);
  CHECK(by_name.off_marks_size() == 2);
  for (const RecentAnswerers* m : {&ahead, &wrong_key, &short_span}) {
    same_entries(*m, by_name);
    CHECK(m->counts(at(0)).at(vip) == 1);
    CHECK(m->agents_size() == 3);
  }
  // Later lookups by name (an answer, a restore) find the records made
  // with the hashes: no second record for a2.
  ahead.answered("vip", "voice", "a2", at(10));
  CHECK(ahead.agents_size() == 3);
  CHECK(ahead.counts(at(0)).at(vip) == 2);
  ahead.apply(Ev(EventType::kAgentState, at(11)).agent("a3").state(AgentState::kAvailable));
  CHECK(ahead.off_marks_size() == 1);  // a2's mark stays; a3's went
  // An agent with no answer, away and back by its hashes: its record goes
  // (released by name), and a new agent takes it. Had the release missed
  // the record made by hash, a4 going away again would find the stale
  // index and mark a5 off.
  auto by_hash = [&](const std::string& agent, double t, AgentState state) {
    const Event e = Ev(EventType::kAgentState, at(t)).agent(agent).state(state).e;
    const Event* one[] = {&e};
    const HashedIds ids[] = {hashed_ids_of(key, e)};
    ahead.apply(one, key, ids);
  };
  by_hash("a4", 12, AgentState::kAway);
  CHECK(ahead.agents_size() == 4);
  by_hash("a4", 13, AgentState::kAvailable);
  CHECK(ahead.agents_size() == 3);
  ahead.answered("vip", "voice", "a5", at(14));
  by_hash("a4", 15, AgentState::kAway);
  // a1; a2 (answered at 10, after its mark); a3 (back at 11); and a5.
  CHECK(ahead.counts(at(0)).at(vip) == 4);
  CHECK(ahead.off_marks_size() == 2);  // a2 and a4
}

TEST_CASE("answer memory: the agents away or offline are bounded", "[prediction]") {
  const auto vip = RecentAnswerers::series_key("vip", "voice");
  SECTION("a flood of agents with no answer cannot push out those who answered") {
    RecentAnswerers a;
    a.answered("vip", "voice", agent_id(0), at(1));
    a.answered("vip", "voice", "answered-later", at(1));
    away(a, agent_id(0), 2, AgentState::kOffline);
    for (std::size_t i = 1; i <= RecentAnswerers::kMaxOffMarks; ++i) {
      away(a, agent_id(i), 2 + static_cast<double>(i), AgentState::kOffline);
    }
    CHECK(a.off_marks_size() <= RecentAnswerers::kMaxOffMarks);
    CHECK(a.agents_size() <= RecentAnswerers::kMaxOffMarks + 2);
    // Agent 0 answered before going offline: its mark stays, it does not count.
    CHECK(a.counts(at(0)).at(vip) == 1);
  }
  SECTION("when the agents off mostly answered, the oldest tenth of the marks go") {
    RecentAnswerers a;
    const std::size_t answered = RecentAnswerers::kMaxOffMarks - 10;  // under kMaxAnswers
    for (std::size_t i = 0; i < answered; ++i) {
      const double t = static_cast<double>(i);
      a.answered("vip", "voice", agent_id(i), at(t));
      away(a, agent_id(i), t + 0.5, AgentState::kOffline);
    }
    for (std::size_t i = answered; i <= RecentAnswerers::kMaxOffMarks; ++i) {
      away(a, agent_id(i), static_cast<double>(i), AgentState::kOffline);  // no answer
    }
    CHECK(a.off_marks_size() <= RecentAnswerers::kMaxOffMarks);
    CHECK(a.off_marks_size() >= RecentAnswerers::kMaxOffMarks * 8 / 10);
    // The earliest agents' marks went: they count again, the latest do not.
    const auto n = a.counts(at(0)).at(vip);
    CHECK(n >= static_cast<int>(RecentAnswerers::kMaxOffMarks / 20));
    CHECK(n <= static_cast<int>(RecentAnswerers::kMaxOffMarks / 5));
    CHECK(a.counts(at(static_cast<double>(RecentAnswerers::kMaxOffMarks) / 2)).count(vip) == 0);
  }
  SECTION("an image with more marks than the bound keeps the newest") {
    RecentAnswerers::Entries e;
    for (std::size_t i = 0; i < RecentAnswerers::kMaxOffMarks + 10; ++i) {
      e.off_since.emplace_back(agent_id(i), at(static_cast<double>(i)));
    }
    RecentAnswerers a;
    a.restore(e);
    const auto kept = a.entries().off_since;
    REQUIRE(kept.size() == RecentAnswerers::kMaxOffMarks);
    Timestamp oldest = kept.front().second;
    for (const auto& [name, t] : kept) oldest = std::min(oldest, t);
    CHECK(oldest == at(10));
  }
}

}  // namespace ccmon::core
