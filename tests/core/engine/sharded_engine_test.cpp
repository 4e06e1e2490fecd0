// The sharded engine against one engine over the same events: equal in
// every KPI but those docs/architecture.md "Sharding" says differ (here:
// time between contacts when an agent serves queues of two shards, the
// tracked contacts, and the waiting gauges of a queueing whose answer was
// given up before it), plus the router's rules and the merge of what
// shards share (teams, agents).
#include "core/engine/sharded_engine.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/shard_of.hpp"
#include "core/engine/shard_router.hpp"
#include "engine_test_util.hpp"
#include "xorshift.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

// The first of prefix0, prefix1, ... that `fits`.
template <typename Fits>
std::string first_name(const std::string& prefix, Fits fits) {
  for (int i = 0; i < 1000; ++i) {
    const std::string name = prefix + std::to_string(i);
    if (fits(name)) return name;
  }
  FAIL("no name fits");
  return {};
}

// Queues are placed where a ShardedEngine or ShardRouter (`placer`) first
// sees them (QueuePlacement): these place their names in `placer` now, as
// the first event naming them would.

// Two queues placed in different shards.
template <typename Placer>
std::pair<std::string, std::string> queues_apart(Placer& placer) {
  const std::string first = "qa";
  const std::uint32_t at = placer.shard_of_queue(first);  // placed first
  const std::string second =
      first_name("qb", [&](const std::string& q) { return placer.shard_of_queue(q) != at; });
  return {first, second};
}

// A queue placed in another shard than `unknown`'s.
template <typename Placer>
std::string queue_away_from_unknown(Placer& placer) {
  const std::uint32_t unknown = placer.shard_of_queue("");
  return first_name("qu",
                    [&](const std::string& q) { return placer.shard_of_queue(q) != unknown; });
}

// A queue placed in shard `shard`.
template <typename Placer>
std::string queue_owned_by(std::uint32_t shard, Placer& placer) {
  return first_name("qq", [&](const std::string& q) { return placer.shard_of_queue(q) == shard; });
}

void same_kpi(const KpiValue& a, const KpiValue& b) {
  REQUIRE(a.value.has_value() == b.value.has_value());
  if (a.value) REQUIRE(*a.value == Approx(*b.value).epsilon(1e-12));
  REQUIRE(a.volume == Approx(b.volume).epsilon(1e-12));
}

// Everything in `a` equals `b`, but time between contacts when `gaps` is
// false, and the waiting gauges when `waiting` is false (a queueing whose
// answer was given up before it waits in its queue's shard: architecture.md).
void same_snapshot(const Snapshot& a, const Snapshot& b, bool gaps, bool waiting = true) {
  REQUIRE(a.windows == b.windows);
  REQUIRE(a.series.size() == b.series.size());
  for (std::size_t i = 0; i < a.series.size(); ++i) {
    const SeriesSnapshot& x = a.series[i];
    const SeriesSnapshot& y = b.series[i];
    INFO(x.queue << "/" << x.channel);
    REQUIRE(x.queue == y.queue);
    REQUIRE(x.channel == y.channel);
    for (std::size_t w = 0; w < x.windows.size(); ++w) {
      for (std::size_t k = 0; k < x.windows[w].kpis.size(); ++k) {
        INFO("window " << a.windows[w] << " kpi " << kKpis[k].info.key);
        same_kpi(x.windows[w].kpis[k], y.windows[w].kpis[k]);
      }
      REQUIRE(x.windows[w].deflected == y.windows[w].deflected);
      REQUIRE(x.windows[w].sums == y.windows[w].sums);  // what /metrics exports as parts
    }
    if (waiting) {
      REQUIRE(x.live == y.live);
    } else {
      for (const LiveKpi k : {LiveKpi::kContactsActive, LiveKpi::kCasesActive}) {
        REQUIRE(x.live[static_cast<std::size_t>(k)] == y.live[static_cast<std::size_t>(k)]);
      }
    }
    REQUIRE(x.offered_total == y.offered_total);
    REQUIRE(x.answered_total == y.answered_total);
    REQUIRE(x.abandoned_total == y.abandoned_total);
    REQUIRE(x.handled_total == y.handled_total);
    REQUIRE(x.wait_answered.cumulative_counts == y.wait_answered.cumulative_counts);
    REQUIRE(x.wait_abandoned.cumulative_counts == y.wait_abandoned.cumulative_counts);
  }
  REQUIRE(a.teams.size() == b.teams.size());
  for (std::size_t i = 0; i < a.teams.size(); ++i) {
    INFO("team " << a.teams[i].team);
    REQUIRE(a.teams[i].team == b.teams[i].team);
    REQUIRE(a.teams[i].agents == b.teams[i].agents);
    for (std::size_t w = 0; w < a.teams[i].windows.size(); ++w) {
      for (std::size_t k = 0; k < kTeamKpiCount; ++k) {
        if (!gaps && k == static_cast<std::size_t>(TeamKpi::kAverageTimeBetweenContacts)) continue;
        INFO("window " << a.windows[w] << " team kpi " << k);
        same_kpi(a.teams[i].windows[w][k], b.teams[i].windows[w][k]);
      }
    }
  }
  REQUIRE(a.agents.size() == b.agents.size());
  for (std::size_t i = 0; i < a.agents.size(); ++i) {
    const AgentSnapshot& x = a.agents[i];
    const AgentSnapshot& y = b.agents[i];
    INFO("agent " << x.agent);
    REQUIRE(x.agent == y.agent);
    REQUIRE(x.team == y.team);
    REQUIRE(x.state == y.state);
    REQUIRE(x.state_since == y.state_since);
    REQUIRE(x.contact.has_value() == y.contact.has_value());
    if (x.contact) REQUIRE(x.contact->contact == y.contact->contact);
    REQUIRE(x.handled_today == y.handled_today);
    REQUIRE(x.handle_seconds_today == Approx(y.handle_seconds_today));
    REQUIRE(x.available_seconds_today == Approx(y.available_seconds_today));
    REQUIRE(x.busy_seconds_today == Approx(y.busy_seconds_today));
    REQUIRE(x.wrap_up_seconds_today == Approx(y.wrap_up_seconds_today));
  }
  REQUIRE(a.intervals.enabled == b.intervals.enabled);
  REQUIRE(a.intervals.starts == b.intervals.starts);
  REQUIRE(a.intervals.series.size() == b.intervals.series.size());
  for (std::size_t i = 0; i < a.intervals.series.size(); ++i) {
    const auto& x = a.intervals.series[i];
    const auto& y = b.intervals.series[i];
    REQUIRE(x.queue == y.queue);
    REQUIRE(x.rows.size() == y.rows.size());
    for (std::size_t r = 0; r < x.rows.size(); ++r) {
      REQUIRE(x.rows[r].offered == y.rows[r].offered);
      REQUIRE(x.rows[r].answered == y.rows[r].answered);
      REQUIRE(x.rows[r].answered_within == y.rows[r].answered_within);
    }
  }
  // A contact transferred to another shard's queue is tracked in both
  // until the first forgets it (idle).
  REQUIRE(a.stats.tracked_contacts >= b.stats.tracked_contacts);
  REQUIRE(a.stats.out_of_sequence_total == b.stats.out_of_sequence_total);
}

// A day-like stream: contacts queued on six queues and two channels, most
// answered by one of six agents of two teams (agents serve every queue),
// ended, wrapped or left to the agent's next state; some abandoned, some
// transferred to another queue; agents change state between contacts.
std::vector<Event> day_stream(std::uint64_t seed, int contacts) {
  XorShift rnd{seed};
  std::vector<Event> out;
  auto add = [&](Ev ev) { out.push_back(ev.e); };
  const char* queues[] = {"sales", "support", "billing", "retention", "claims", "vip"};
  const char* channels[] = {"voice", "chat"};
  for (int a = 0; a < 6; ++a) {
    add(Ev(EventType::kAgentState, at(0), "")
            .agent('a' + std::to_string(a))
            .team(a < 3 ? "north" : "south")
            .state(AgentState::kAvailable));
  }
  for (int i = 0; i < contacts; ++i) {
    const std::string c = 'c' + std::to_string(i);
    const double tq = 1 + static_cast<double>(i) * 7 + static_cast<double>(rnd(5));
    const std::string q = queues[rnd(6)];
    const std::string ch = channels[rnd(2)];
    const std::string agent = 'a' + std::to_string(rnd(6));
    add(Ev(EventType::kContactQueued, at(tq), c).queue(q).channel(ch));
    const double wait = static_cast<double>(rnd(60));
    if (rnd(8) == 0) {
      add(Ev(EventType::kContactAbandoned, at(tq + wait), c));
      continue;
    }
    add(Ev(EventType::kContactAnswered, at(tq + wait), c).agent(agent));
    const double talk = 20 + static_cast<double>(rnd(200));
    if (rnd(10) == 0) {  // to another queue, answered there by another agent
      const std::string q2 = queues[rnd(6)];
      add(Ev(EventType::kContactTransferred, at(tq + wait + talk), c).to_queue(q2));
      add(Ev(EventType::kContactQueued, at(tq + wait + talk), c).queue(q2).channel(ch));
      add(Ev(EventType::kContactAnswered, at(tq + wait + talk + 5), c)
              .agent('a' + std::to_string(rnd(6))));
      add(Ev(EventType::kContactEnded, at(tq + wait + talk + 65), c));
      continue;
    }
    add(Ev(EventType::kContactEnded, at(tq + wait + talk), c));
    if (rnd(2) == 0) {
      add(Ev(EventType::kContactWrapped, at(tq + wait + talk + 15), c));
    } else {  // ACW ends at the agent's next state
      add(Ev(EventType::kAgentState, at(tq + wait + talk + 20), "")
              .agent(agent)
              .state(rnd(3) == 0 ? AgentState::kAway : AgentState::kAvailable));
    }
    if (rnd(5) == 0) add(Ev(EventType::kSurveyAnswered, at(tq + wait + talk + 30), c).csat(4));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  return out;
}

// As day_stream, but each of twelve agents serves two of the six queues
// (so most shards never see most agents), and every 10th agent state is
// followed by a late one 20 s before it (history re-split at the home
// shard).
std::vector<Event> served_day_stream(std::uint64_t seed, int contacts) {
  XorShift rnd{seed};
  std::vector<Event> out;
  auto add = [&](Ev ev) { out.push_back(ev.e); };
  const char* queues[] = {"sales", "support", "billing", "retention", "claims", "vip"};
  for (int a = 0; a < 12; ++a) {
    add(Ev(EventType::kAgentState, at(0), "")
            .agent('a' + std::to_string(a))
            .team(a % 3 == 0   ? "north"
                  : a % 3 == 1 ? "south"
                               : "east")
            .state(AgentState::kAvailable));
  }
  for (int i = 0; i < contacts; ++i) {
    const std::string c = 'c' + std::to_string(i);
    const double tq = 1 + static_cast<double>(i) * 7 + static_cast<double>(rnd(5));
    const std::uint64_t q = rnd(6);
    // Agents 2q and 2q + 1 serve queue q, and each serves queue q + 1 too.
    const std::uint64_t a = (2 * q + rnd(2) + (rnd(3) == 0 ? 10 : 0)) % 12;
    const std::string agent = 'a' + std::to_string(a);
    add(Ev(EventType::kContactQueued, at(tq), c).queue(queues[q]).channel("voice"));
    const double wait = static_cast<double>(rnd(60));
    if (rnd(8) == 0) {
      add(Ev(EventType::kContactAbandoned, at(tq + wait), c));
      continue;
    }
    add(Ev(EventType::kContactAnswered, at(tq + wait), c).agent(agent));
    const double talk = 20 + static_cast<double>(rnd(200));
    add(Ev(EventType::kContactEnded, at(tq + wait + talk), c));
    if (rnd(3) == 0) {
      add(Ev(EventType::kContactWrapped, at(tq + wait + talk + 15), c));
    } else {  // ACW ends at the agent's next state, which may move its team
      Ev state = Ev(EventType::kAgentState, at(tq + wait + talk + 20), "")
                     .agent(agent)
                     .state(rnd(3) == 0 ? AgentState::kAway : AgentState::kAvailable);
      if (rnd(7) == 0) state.team(rnd(2) == 0 ? "north" : "west");
      add(state);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Event& a, const Event& b) { return a.time < b.time; });
  std::vector<Event> with_late;
  int states = 0;
  for (const Event& e : out) {
    with_late.push_back(e);
    if (e.type == EventType::kAgentState && e.time > at(0) && ++states % 10 == 0) {
      Event late = e;
      late.time = e.time - seconds(20);
      late.state = AgentState::kBusy;
      with_late.push_back(late);
    }
  }
  return with_late;
}

// An agent id whose home shard of `n` is not `shard`.
std::string agent_away_from(std::uint32_t shard, std::uint32_t n) {
  return first_name("a", [&](const std::string& a) { return shard_of(a, n) != shard; });
}

// Partitions `events` with their ids hashed ahead, checks that each listed
// event carries its own ids, and applies each shard's list with them, as
// the engine runner does.
void apply_hashed(ShardedEngine& sharded, std::span<const Event* const> events) {
  const HashKey& key = sharded.hash_key();
  auto ids_of = [&](const Event& e) {
    return HashedIds{keyed_hash(key, e.contact), e.agent.empty() ? 0 : keyed_hash(key, e.agent)};
  };
  std::vector<HashedIds> ids;
  for (const Event* e : events) ids.push_back(ids_of(*e));
  std::vector<std::vector<const Event*>> lists(sharded.shard_count());
  std::vector<std::vector<HashedIds>> list_ids(sharded.shard_count());
  sharded.partition(events, lists, key, ids, &list_ids);
  for (std::uint32_t k = 0; k < sharded.shard_count(); ++k) {
    REQUIRE(list_ids[k].size() == lists[k].size());
    for (std::size_t j = 0; j < lists[k].size(); ++j) {
      REQUIRE(list_ids[k][j].contact == ids_of(*lists[k][j]).contact);
      REQUIRE(list_ids[k][j].agent == ids_of(*lists[k][j]).agent);
    }
    sharded.shard(k).apply(lists[k], key, list_ids[k]);
  }
}

EngineConfig day_config() {
  EngineConfig c = small_config();
  c.today_window = true;
  return c;
}

}  // namespace

TEST_CASE("shards route whole queues, contacts follow their queue", "[engine][shard]") {
  ShardRouter r(4, small_config(), {});
  const std::uint32_t sales = r.shard_of_queue("sales");
  const Event queued = Ev(EventType::kContactQueued, at(0), "c1").queue("sales");
  REQUIRE(r.route(queued) == sales);
  // Later events name no queue: they go where the contact went.
  REQUIRE(r.route(Ev(EventType::kContactAnswered, at(5), "c1").agent("a1")) == sales);
  REQUIRE(r.route(Ev(EventType::kAgentState, at(6), "").agent("a1")) == ShardRouter::kEveryShard);
  // A contact never seen, without a queue, goes to the `unknown` series' shard,
  // as a guess: when its queue comes, its waiting events follow it there.
  REQUIRE(r.route(Ev(EventType::kContactEnded, at(7), "c9")) == r.shard_of_queue(""));
  REQUIRE(r.guessed());
  REQUIRE(r.guessed_from() == ShardRouter::kEveryShard);
  const std::string away = queue_away_from_unknown(r);
  REQUIRE(r.route(Ev(EventType::kContactQueued, at(7), "c9").queue(away)) ==
          r.shard_of_queue(away));
  REQUIRE(r.guessed_from() == r.shard_of_queue(""));
  REQUIRE(r.route(Ev(EventType::kContactEnded, at(7), "c9")) == r.shard_of_queue(away));
  // Only a queueing moves a known contact: an outcome naming another queue
  // stays where the contact lives.
  REQUIRE(r.route(Ev(EventType::kContactWrapped, at(7), "c1").queue(away)) == sales);
  // A case follows the queue it was opened in.
  REQUIRE(r.route(Ev(EventType::kCaseOpened, at(8), "").case_id("k1").queue("sales")) == sales);
  REQUIRE(r.route(Ev(EventType::kCaseResolved, at(9), "").case_id("k1")) == sales);
  // Idle past the contact idle timeout: forgotten, as the engine forgets it.
  r.advance(at(8) + small_config().contact_idle_timeout);
  REQUIRE(r.remembered() == 1);  // the case, whose idle timeout is longer
  REQUIRE(r.route(Ev(EventType::kContactEnded, at(10), "c1")) == r.shard_of_queue(""));
}

TEST_CASE("the router's memory stays within the engines' caps", "[engine][shard]") {
  EngineConfig c = small_config();
  c.max_tracked_contacts = 100;  // per shard: 200 over two, halved past 400
  ShardRouter r(2, c, {});
  const std::uint32_t q = r.shard_of_queue("q");
  for (int i = 0; i < 1000; ++i) {
    r.route(Ev(EventType::kContactQueued, at(i), 'c' + std::to_string(i)).queue("q"));
    REQUIRE(r.remembered() <= 401);
  }
  // At least the 200 most recent (what the engines can track) are kept and
  // still routed to their queue's shard.
  for (int i = 800; i < 1000; ++i) {
    REQUIRE(r.route(Ev(EventType::kContactEnded, at(1000), 'c' + std::to_string(i))) == q);
    REQUIRE_FALSE(r.guessed());
  }
  // All at one time (event times are the client's): still halved.
  ShardRouter same(2, c, {});
  for (int i = 0; i < 1000; ++i) {
    same.route(Ev(EventType::kContactQueued, at(5), 'c' + std::to_string(i)).queue("q"));
    REQUIRE(same.remembered() <= 401);
  }
}

TEST_CASE("an outcome naming another queue stays with its contact, as in one engine",
          "[engine][shard]") {
  ShardedEngine sharded(small_config(), 2);
  const auto [qa, qb] = queues_apart(sharded);
  Engine one(small_config());
  const Event events[] = {
      Ev(EventType::kContactQueued, at(0), "x").queue(qa).channel("voice"),
      Ev(EventType::kContactAnswered, at(5), "x").agent("a1").queue(qb),
      Ev(EventType::kContactEnded, at(35), "x"),
      Ev(EventType::kContactWrapped, at(40), "x"),
  };
  for (const Event& e : events) {
    REQUIRE(sharded.apply(e) == ApplyResult::kApplied);
    REQUIRE(one.apply(e) == ApplyResult::kApplied);
  }
  const auto s = sharded.snapshot(at(60));
  // By hand: offered in qa; the answer (5 s) and its handling in qb, where
  // the outcome named it; nothing out of sequence.
  REQUIRE(*val(*s, qa, "voice", "5m", Kpi::kOffered) == 1);
  REQUIRE(*val(*s, qb, "voice", "5m", Kpi::kAverageSpeedOfAnswer) == 5);
  REQUIRE(*val(*s, qb, "voice", "5m", Kpi::kHandled) == 1);
  REQUIRE(s->stats.out_of_sequence_total == 0);
  same_snapshot(*s, *one.snapshot(at(60)), true);
}

TEST_CASE("an agent's time counts once over the shards", "[engine][shard]") {
  ShardedEngine sharded(small_config(), 2);
  const auto [qa, qb] = queues_apart(sharded);
  Engine one(small_config());
  auto both = [&](const Event& e) {
    sharded.apply(e);
    one.apply(e);
  };
  // a1 is available 60 s, then handles a contact of each queue for 30 s.
  both(Ev(EventType::kAgentState, at(0), "").agent("a1").team("t").state(AgentState::kAvailable));
  both(Ev(EventType::kContactQueued, at(50), "x").queue(qa).channel("voice"));
  both(Ev(EventType::kContactQueued, at(55), "y").queue(qb).channel("voice"));
  both(Ev(EventType::kAgentState, at(60), "").agent("a1").state(AgentState::kBusy));
  both(Ev(EventType::kContactAnswered, at(60), "x").agent("a1"));
  both(Ev(EventType::kContactEnded, at(90), "x"));
  both(Ev(EventType::kContactWrapped, at(90), "x"));
  both(Ev(EventType::kContactAnswered, at(90), "y").agent("a1"));
  both(Ev(EventType::kContactEnded, at(120), "y"));
  both(Ev(EventType::kContactWrapped, at(120), "y"));
  both(Ev(EventType::kAgentState, at(120), "").agent("a1").state(AgentState::kAvailable));
  const auto s = sharded.snapshot(at(180));
  // By hand: available 0-60 and 120-180 (120 s), busy 60-120 (60 s):
  // occupancy 60 / 180, not counted once per shard; two contacts handled.
  REQUIRE(*team_kpi(*s, "t", "5m", TeamKpi::kOccupancyRatio).value == Approx(60.0 / 180));
  REQUIRE(team_kpi(*s, "t", "5m", TeamKpi::kOccupancyRatio).volume == Approx(180));
  REQUIRE(find_team(*s, "t")->agents[static_cast<std::size_t>(AgentState::kAvailable)] == 1);
  REQUIRE(s->agents.size() == 1);
  REQUIRE(s->agents[0].handled_today == 0);  // no today window in small_config
  REQUIRE(*val(*s, qa, "voice", "5m", Kpi::kHandled) == 1);
  REQUIRE(*val(*s, qb, "voice", "5m", Kpi::kHandled) == 1);
  // The gap between x's end (90) and y's answer (90) is 0 s in one engine;
  // y's shard never saw x's end, so it measures no gap (the documented
  // difference).
  REQUIRE(
      *team_kpi(*one.snapshot(at(180)), "t", "5m", TeamKpi::kAverageTimeBetweenContacts).value ==
      0);
  REQUIRE(team_kpi(*s, "t", "5m", TeamKpi::kAverageTimeBetweenContacts).volume == 0);
}

TEST_CASE("a contact transferred to a queue of another shard counts as in one engine",
          "[engine][shard]") {
  ShardedEngine sharded(small_config(), 2);
  const auto [qa, qb] = queues_apart(sharded);
  sharded.apply(Ev(EventType::kContactQueued, at(0), "x").queue(qa).channel("voice"));
  sharded.apply(Ev(EventType::kContactAnswered, at(10), "x").agent("a1"));
  sharded.apply(Ev(EventType::kContactTransferred, at(40), "x").to_queue(qb));
  REQUIRE(sharded.apply(Ev(EventType::kContactQueued, at(40), "x").queue(qb).channel("voice")) ==
          ApplyResult::kApplied);
  REQUIRE(sharded.apply(Ev(EventType::kContactAnswered, at(52), "x").agent("a2")) ==
          ApplyResult::kApplied);
  const auto s = sharded.snapshot(at(60));
  // By hand: offered once in each queue; qa handled and transferred the
  // first segment (30 s talk); qb answered after 12 s and is active now.
  REQUIRE(*val(*s, qa, "voice", "5m", Kpi::kOffered) == 1);
  REQUIRE(*val(*s, qb, "voice", "5m", Kpi::kOffered) == 1);
  REQUIRE(*val(*s, qa, "voice", "5m", Kpi::kTransferRatio) == 1);  // 1 of 1 handled
  REQUIRE(*val(*s, qb, "voice", "5m", Kpi::kAverageSpeedOfAnswer) == 12);
  REQUIRE(find_series(*s, qb, "voice")->live[static_cast<std::size_t>(LiveKpi::kContactsActive)] ==
          1);
  REQUIRE(find_series(*s, qa, "voice")->live[static_cast<std::size_t>(LiveKpi::kContactsActive)] ==
          0);
}

TEST_CASE("an answer that arrives before its queueing follows it to the queue's shard",
          "[engine][shard]") {
  // Each section's engine places q away from the unknown queue's shard first.
  const std::string q = "qu0";
  const auto place_q = [&](ShardedEngine& sharded) {
    REQUIRE(queue_away_from_unknown(sharded) == q);
  };
  const Event answered = Ev(EventType::kContactAnswered, at(12), "c1").agent("a1");
  const Event queued = Ev(EventType::kContactQueued, at(0), "c1").queue(q).channel("voice");
  const Event ended = Ev(EventType::kContactEnded, at(40), "c1");
  // By hand: offered 1, answered after 12 s, nothing held or out of sequence.
  const auto answered_after_12s = [&](const Snapshot& s) {
    REQUIRE(*val(s, q, "voice", "5m", Kpi::kAverageSpeedOfAnswer) == 12);
    REQUIRE(s.stats.held_events == 0);
    REQUIRE(s.stats.out_of_sequence_total == 0);
  };
  SECTION("in an earlier batch: held by the unknown queue's shard, then moved") {
    ShardedEngine sharded(small_config(), 2);
    place_q(sharded);
    REQUIRE(sharded.apply(answered) == ApplyResult::kHeld);
    REQUIRE(sharded.snapshot(at(13))->stats.held_events == 1);
    REQUIRE(sharded.apply(queued) == ApplyResult::kApplied);
    REQUIRE(sharded.apply(ended) == ApplyResult::kApplied);
    answered_after_12s(*sharded.snapshot(at(60)));
  }
  SECTION("in the same batch: moved before any shard applies it") {
    ShardedEngine sharded(small_config(), 2);
    place_q(sharded);
    const std::vector<const Event*> batch = {&answered, &queued, &ended};
    sharded.apply(batch);
    answered_after_12s(*sharded.snapshot(at(60)));
  }
  SECTION("two waiting events, the queueing last in the same batch") {
    ShardedEngine sharded(small_config(), 2);
    place_q(sharded);
    const std::vector<const Event*> batch = {&answered, &ended, &queued};
    sharded.apply(batch);
    const auto s = sharded.snapshot(at(60));
    answered_after_12s(*s);
    REQUIRE(find_series(*s, q, "voice")->live[static_cast<std::size_t>(LiveKpi::kContactsActive)] ==
            0);  // ended: in after-contact work, not active
  }
  SECTION("one waiting event held, the next with the queueing in a later batch") {
    ShardedEngine sharded(small_config(), 2);
    place_q(sharded);
    REQUIRE(sharded.apply(answered) == ApplyResult::kHeld);
    const std::vector<const Event*> batch = {&ended, &queued};
    sharded.apply(batch);
    answered_after_12s(*sharded.snapshot(at(60)));
  }
  SECTION("ids hashed ahead move with their events, and an agent's made state has its own") {
    ShardedEngine sharded(small_config(), 2, HashKey{{9, 9}});
    place_q(sharded);
    const Event state =
        Ev(EventType::kAgentState, at(0), "").agent("a1").team("t").state(AgentState::kAvailable);
    const std::vector<const Event*> first = {&state};
    apply_hashed(sharded, first);
    // c2 stays in the unknown queue's shard, after the events that leave it.
    const Event other = Ev(EventType::kContactCreated, at(1), "c2");
    const std::vector<const Event*> batch = {&answered, &ended, &other, &queued};
    apply_hashed(sharded, batch);
    answered_after_12s(*sharded.snapshot(at(60)));
  }
  SECTION("nothing held (lateness 0): out of sequence where it went, as in one engine") {
    EngineConfig c = small_config();
    c.lateness = 0;
    ShardedEngine sharded(c, 2);
    place_q(sharded);
    Engine one(c);
    const std::vector<const Event*> batch = {&answered, &queued, &ended};
    sharded.apply(batch);
    one.apply(batch);
    // By hand: the answer came before anything of c1 and nothing waits, so
    // it is out of sequence; c1 is offered and never answered, so its end
    // (of a conversation that never began) is out of sequence too.
    const auto s = sharded.snapshot(at(60));
    REQUIRE(s->stats.out_of_sequence_total == 2);
    REQUIRE(!val(*s, q, "voice", "5m", Kpi::kAverageSpeedOfAnswer).has_value());
    REQUIRE(find_series(*s, q, "voice")->offered_total == 1);
    REQUIRE(find_series(*s, q, "voice")->answered_total == 0);
    // The given-up answer left no trace in q's shard: c1 waits there.
    same_snapshot(*s, *one.snapshot(at(60)), true, false);
  }
  SECTION("never queued: out of sequence once its lateness passed, as in one engine") {
    ShardedEngine sharded(small_config(), 2);
    place_q(sharded);
    Engine one(small_config());
    REQUIRE(sharded.apply(answered) == ApplyResult::kHeld);
    REQUIRE(one.apply(answered) == ApplyResult::kHeld);
    sharded.advance(at(12) + small_config().lateness + 1);
    one.advance(at(12) + small_config().lateness + 1);
    REQUIRE(one.stats().out_of_sequence_total == 1);
    REQUIRE(sharded.snapshot(at(60))->stats.out_of_sequence_total == 1);
  }
}

TEST_CASE("each shard notes its own answers, an answer moved with its contact once",
          "[engine][shard]") {
  ShardedEngine sharded(small_config(), 2);
  const auto [q0, q1] = queues_apart(sharded);
  const std::string away = queue_away_from_unknown(sharded);
  sharded.note_answers(true);
  const Event early = Ev(EventType::kContactAnswered, at(12), "c2").agent("a2");
  REQUIRE(sharded.apply(early) == ApplyResult::kHeld);  // in the unknown queue's shard
  const Event q0c = Ev(EventType::kContactQueued, at(0), "c0").queue(q0).channel("voice");
  const Event q1c = Ev(EventType::kContactQueued, at(0), "c1").queue(q1).channel("voice");
  const Event awayc = Ev(EventType::kContactQueued, at(0), "c2").queue(away).channel("voice");
  const Event a0 = Ev(EventType::kContactAnswered, at(5), "c0").agent("a0");
  const Event a1 = Ev(EventType::kContactAnswered, at(6), "c1").agent("a1");
  const std::vector<const Event*> batch = {&q0c, &q1c, &awayc, &a0, &a1};
  sharded.apply(batch);
  std::vector<std::string> noted = taken_answers(sharded);
  std::sort(noted.begin(), noted.end());
  std::vector<std::string> expected = {q0 + "/voice a0 @" + std::to_string(at(5)),
                                       q1 + "/voice a1 @" + std::to_string(at(6)),
                                       away + "/voice a2 @" + std::to_string(at(12))};
  std::sort(expected.begin(), expected.end());
  CHECK(noted == expected);
}

TEST_CASE("a contact stays a guess until its queueing, however many queues its events name",
          "[engine][shard]") {
  // Two queues in two shards of four, neither the unknown queue's (placed
  // first in each engine below, and checked).
  const std::string q1 = "q1", q0 = "q0";
  const Event events[] = {
      Ev(EventType::kContactAnswered, at(12), "c").agent("a1"),
      Ev(EventType::kContactEnded, at(40), "c").queue(q1),  // names q1: moves, still a guess
      Ev(EventType::kContactQueued, at(0), "c").queue(q0).channel("voice"),
  };
  for (const bool one_batch : {true, false}) {
    INFO((one_batch ? "one batch" : "event by event"));
    ShardedEngine sharded(small_config(), 4);
    const std::uint32_t unknown = sharded.shard_of_queue("");
    const std::uint32_t s1 = sharded.shard_of_queue(q1), s0 = sharded.shard_of_queue(q0);
    REQUIRE((s1 != unknown && s0 != unknown && s1 != s0));
    Engine one(small_config());
    std::vector<const Event*> batch;
    for (const Event& e : events) batch.push_back(&e);
    if (one_batch) {
      sharded.apply(batch);
    } else {
      for (const Event& e : events) sharded.apply(e);
    }
    for (const Event& e : events) one.apply(e);
    const auto s = sharded.snapshot(at(60));
    // By hand, as one engine: offered in q0, answered after 12 s, and the
    // ended outcome names q1, so the contact's series becomes q1's there.
    REQUIRE(s->stats.held_events == 0);
    REQUIRE(s->stats.out_of_sequence_total == 0);
    REQUIRE(*val(*s, q0, "voice", "5m", Kpi::kAverageSpeedOfAnswer) == 12);
    same_snapshot(*s, *one.snapshot(at(60)), true);
  }
}

TEST_CASE("sharded engines equal one engine over a day of mixed traffic", "[engine][shard]") {
  const std::vector<Event> events = day_stream(20261201, 3000);
  std::vector<const Event*> ptrs;
  for (const Event& e : events) ptrs.push_back(&e);
  for (std::uint32_t n : {1u, 2u, 3u, 5u}) {
    INFO(n << " shards");
    Engine one(day_config());
    ShardedEngine sharded(day_config(), n);
    // Batches of 64, as the engine thread applies them, with time passing.
    for (std::size_t i = 0; i < ptrs.size(); i += 64) {
      const auto part = std::span(ptrs).subspan(i, std::min<std::size_t>(64, ptrs.size() - i));
      one.apply(part);
      sharded.apply(part);
      if (i % 1024 == 0) {
        one.advance(part.back()->time);
        sharded.advance(part.back()->time);
      }
    }
    const Timestamp end = events.back().time + seconds(30);
    same_snapshot(*sharded.snapshot(end), *one.snapshot(end), n == 1);
  }
}

TEST_CASE("sharded engines equal one engine when agents serve a few queues", "[engine][shard]") {
  const std::vector<Event> events = served_day_stream(20261205, 3000);
  std::vector<const Event*> ptrs;
  for (const Event& e : events) ptrs.push_back(&e);
  for (std::uint32_t n : {2u, 3u, 5u}) {
    for (const int mode : {0, 1, 2}) {
      const bool restored = mode == 1, hashed = mode == 2;
      INFO(n << " shards" << (restored ? ", routes rebuilt halfway" : "")
             << (hashed ? ", ids hashed ahead" : ""));
      Engine one(day_config());
      ShardedEngine sharded(day_config(), n, HashKey{{7, 1, 2, 3}});
      std::size_t applies = 0;
      std::vector<std::vector<const Event*>> lists(n);
      for (std::size_t i = 0; i < ptrs.size(); i += 64) {
        const auto part = std::span(ptrs).subspan(i, std::min<std::size_t>(64, ptrs.size() - i));
        one.apply(part);
        if (hashed) {
          apply_hashed(sharded, part);
        } else {
          for (auto& l : lists) l.clear();
          sharded.partition(part, lists);
          for (std::uint32_t k = 0; k < n; ++k) {
            sharded.shard(k).apply(lists[k]);
            applies += lists[k].size();
          }
        }
        // As after a restore: every agent's route is made again from what
        // the shards hold.
        if (restored && i == ptrs.size() / 2 / 64 * 64) sharded.restore_routes();
        if (i % 1024 == 0) {
          one.advance(part.back()->time);
          sharded.advance(part.back()->time);
        }
      }
      const Timestamp end = events.back().time + seconds(30);
      const auto s = sharded.snapshot(end);
      same_snapshot(*s, *one.snapshot(end), false);  // out of sequence counts too
      // Agent states reach at most their home and the shards of two queues:
      // fewer applies than every state to every shard.
      std::size_t states = 0;
      for (const Event& e : events) states += e.type == EventType::kAgentState;
      if (!hashed) REQUIRE(applies < events.size() + states * (n - 1));
    }
  }
}

TEST_CASE("a shard joining an agent gets its state as one engine holds it", "[engine][shard]") {
  constexpr std::uint32_t n = 4;
  ShardedEngine sharded(small_config(), n);
  const std::string q = "q0";
  const std::uint32_t qs = sharded.shard_of_queue(q);
  const std::string agent = agent_away_from(qs, n);
  const std::uint32_t home = shard_of(agent, n);
  std::vector<std::vector<const Event*>> lists(n);

  // One batch: the change at 5 names no team, so the agent stays in north;
  // the one at 3 is late (before 5) and changes nothing now.
  const Event s1 = Ev(EventType::kAgentState, at(0), "")
                       .agent(agent)
                       .team("north")
                       .state(AgentState::kAvailable);
  const Event s2 = Ev(EventType::kAgentState, at(5), "").agent(agent).state(AgentState::kBusy);
  const Event late = Ev(EventType::kAgentState, at(3), "").agent(agent).team("south");
  const Event queued = Ev(EventType::kContactQueued, at(6), "c1").queue(q).channel("voice");
  const Event answered = Ev(EventType::kContactAnswered, at(8), "c1").agent(agent);
  const Event s3 = Ev(EventType::kAgentState, at(9), "").agent(agent).state(AgentState::kAway);
  const Event* batch[] = {&s1, &s2, &late, &queued, &answered, &s3};
  sharded.partition(batch, lists);
  REQUIRE(lists[home] == std::vector<const Event*>{&s1, &s2, &late, &s3});
  REQUIRE(lists[qs].size() == 4);
  REQUIRE(lists[qs][0] == &queued);
  const Event& joined = *lists[qs][1];  // made by the router
  REQUIRE(joined.type == EventType::kAgentState);
  REQUIRE(joined.agent == agent);
  REQUIRE(joined.time == at(5));
  REQUIRE(joined.state == AgentState::kBusy);
  REQUIRE(joined.team == "north");
  REQUIRE(lists[qs][2] == &answered);
  REQUIRE(lists[qs][3] == &s3);  // a member now: its later states go there too
  for (std::uint32_t k = 0; k < n; ++k) {
    if (k != home && k != qs) REQUIRE(lists[k].empty());
  }
  for (std::uint32_t k = 0; k < n; ++k) sharded.shard(k).apply(lists[k]);

  // A later batch: a contact in a third shard's queue; the agent's state
  // comes from its home shard (away since 9, still north).
  const std::string q2 = first_name("q", [&](const std::string& c) {
    return sharded.shard_of_queue(c) != home && sharded.shard_of_queue(c) != qs;
  });
  const std::uint32_t q2s = sharded.shard_of_queue(q2);
  for (auto& l : lists) l.clear();
  const Event queued2 = Ev(EventType::kContactQueued, at(20), "c2").queue(q2).channel("voice");
  const Event answered2 = Ev(EventType::kContactAnswered, at(21), "c2").agent(agent);
  const Event* batch2[] = {&queued2, &answered2};
  sharded.partition(batch2, lists);
  REQUIRE(lists[q2s].size() == 3);
  const Event& joined2 = *lists[q2s][1];
  REQUIRE(joined2.time == at(9));
  REQUIRE(joined2.state == AgentState::kAway);
  REQUIRE(joined2.team == "north");
  REQUIRE(lists[q2s][2] == &answered2);
}

TEST_CASE("a late agent state counts out of sequence once over the shards", "[engine][shard]") {
  constexpr std::uint32_t n = 2;
  ShardedEngine sharded(small_config(), n);
  const std::string q = "q0";
  const std::string agent = agent_away_from(sharded.shard_of_queue(q), n);
  Engine one(small_config());
  auto both = [&](const Event& e) {
    sharded.apply(e);
    one.apply(e);
  };
  both(
      Ev(EventType::kAgentState, at(100), "").agent(agent).team("t").state(AgentState::kAvailable));
  both(Ev(EventType::kContactQueued, at(110), "x").queue(q).channel("voice"));
  both(Ev(EventType::kContactAnswered, at(115), "x").agent(agent));
  both(Ev(EventType::kAgentState, at(120), "").agent(agent).state(AgentState::kBusy));
  // Before everything the agent's history holds: out of sequence, once.
  both(Ev(EventType::kAgentState, at(50), "").agent(agent).state(AgentState::kAway));
  REQUIRE(one.stats().out_of_sequence_total == 1);
  REQUIRE(sharded.snapshot(at(130))->stats.out_of_sequence_total == 1);
}

TEST_CASE("the router's agent memory stays within the engines' caps", "[engine][shard]") {
  EngineConfig c = small_config();
  c.max_tracked_agents = 50;  // per shard: 100 over two, halved past 200 between batches
  ShardRouter r(2, c, {});
  int made = 0;
  auto known = [&] {
    ++made;
    return ShardRouter::ShardMask{1};
  };
  for (std::uint64_t i = 0; i < 1000; ++i) {
    r.agent_shards(i, at(static_cast<double>(i)), known).shards |= 2;
    if (i % 10 == 9) {
      r.between_batches();
      REQUIRE(r.agents_remembered() <= 200);
    }
  }
  REQUIRE(made == 1000);
  // The 100 most recent (what the engines can track) keep their masks.
  for (std::uint64_t i = 900; i < 1000; ++i)
    REQUIRE(r.agent_shards(i, at(1000), known).shards == 3);
  REQUIRE(made == 1000);
}

namespace {

// An agent id whose home shard of `n` is `shard`.
std::string agent_homed_at(std::uint32_t shard, std::uint32_t n) {
  return first_name("ag", [&](const std::string& a) { return shard_of(a, n) == shard; });
}

// Agents answering two of six queues, some answers before their queueing
// (moved by follow()), direct transfers to an agent, agents with no state,
// late and team-changing states, reasons: arrival order, not time order.
std::vector<Event> mixed_agent_stream(std::uint64_t seed, int contacts, bool stateless_agents,
                                      bool direct_transfers, bool answers_first) {
  XorShift rnd{seed};
  std::vector<std::pair<double, Event>> out;  // (arrival, event)
  const char* queues[] = {"sales", "support", "billing", "retention", "claims", "vip"};
  const char* teams[] = {"north", "south", "east"};
  for (int a = 0; a < 12; ++a) {
    if (stateless_agents && a % 4 == 3) continue;
    out.emplace_back(0, Ev(EventType::kAgentState, at(0), "")
                            .agent('a' + std::to_string(a))
                            .team(teams[a % 3])
                            .state(AgentState::kAvailable)
                            .e);
  }
  for (int i = 0; i < contacts; ++i) {
    const std::string c = 'c' + std::to_string(i);
    const double tq = 1 + static_cast<double>(i) * 5 + static_cast<double>(rnd(5));
    const std::uint64_t q = rnd(6);
    const std::string agent = 'a' + std::to_string((2 * q + rnd(2) + (rnd(3) == 0 ? 10 : 0)) % 12);
    const Event queued = Ev(EventType::kContactQueued, at(tq), c).queue(queues[q]).channel("voice");
    const double wait = static_cast<double>(rnd(20));
    if (rnd(8) == 0) {
      out.emplace_back(tq, queued);
      out.emplace_back(tq + wait, Ev(EventType::kContactAbandoned, at(tq + wait), c).e);
      continue;
    }
    const Event answered = Ev(EventType::kContactAnswered, at(tq + wait), c).agent(agent);
    if (answers_first && rnd(4) == 0) {
      out.emplace_back(tq - 0.5, answered);
      out.emplace_back(tq, queued);
    } else {
      out.emplace_back(tq, queued);
      out.emplace_back(tq + wait, answered);
    }
    double t = tq + wait + 10 + static_cast<double>(rnd(60));
    std::string now = agent;
    if (direct_transfers && rnd(4) == 0) {
      const std::string to = 'a' + std::to_string(rnd(12));
      out.emplace_back(t, Ev(EventType::kContactTransferred, at(t), c).agent(now).to_agent(to).e);
      now = to;
      t += 10 + static_cast<double>(rnd(60));
    }
    out.emplace_back(t, Ev(EventType::kContactEnded, at(t), c).e);
    if (rnd(3) == 0) {
      out.emplace_back(t + 15, Ev(EventType::kContactWrapped, at(t + 15), c).e);
      continue;
    }
    Ev state = Ev(EventType::kAgentState, at(t + 20), "")
                   .agent(now)
                   .state(rnd(3) == 0 ? AgentState::kAway : AgentState::kAvailable);
    if (rnd(7) == 0) state.team(rnd(2) == 0 ? "north" : "west");
    if (rnd(5) == 0) state.e.reason = 'r' + std::to_string(rnd(3));
    out.emplace_back(t + 20, state.e);
    if (rnd(10) == 0) {  // late: before the change just made
      Event late = state.e;
      late.time = state.e.time - seconds(25);
      late.state = AgentState::kBusy;
      if (rnd(2) == 0) late.team = "south";
      out.emplace_back(t + 20.1, late);
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Event> events;
  for (auto& [arrival, e] : out) events.push_back(std::move(e));
  return events;
}

}  // namespace

TEST_CASE("sharded engines equal one engine over agents' edge cases, routes rebuilt",
          "[engine][shard]") {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    // Variants 8-11: answers first with nothing held (lateness 0).
    for (int variant = 0; variant < 12; ++variant) {
      const bool holds = variant < 8;
      const std::vector<Event> events = mixed_agent_stream(
          seed * 7919, 400, variant & 1, variant & 2, !holds || (variant & 4) != 0);
      std::vector<const Event*> ptrs;
      for (const Event& e : events) ptrs.push_back(&e);
      EngineConfig config = day_config();
      if (!holds) config.lateness = 0;
      for (std::uint32_t n : {2u, 3u, 4u}) {
        INFO("seed " << seed << " variant " << variant << ", " << n << " shards");
        Engine one(config);
        ShardedEngine sharded(config, n, HashKey{{static_cast<std::uint8_t>(seed), 5}});
        std::uint64_t y = seed;
        int batches = 0;
        for (std::size_t i = 0; i < ptrs.size();) {
          y = y * 6364136223846793005ULL + 1442695040888963407ULL;
          const auto part = std::span(ptrs).subspan(
              i, std::min<std::size_t>(1 + (y >> 33) % 40, ptrs.size() - i));
          one.apply(part);
          if (++batches % 2 == 0) {
            apply_hashed(sharded, part);
          } else {
            sharded.apply(part);
          }
          i += part.size();
          if (batches % 13 == 0) sharded.restore_routes();  // as after a restart
          if (batches % 17 == 0) {
            one.advance(part.back()->time - seconds(60));
            sharded.advance(part.back()->time - seconds(60));
          }
        }
        const Timestamp end = events.back().time + seconds(30);
        same_snapshot(*sharded.snapshot(end), *one.snapshot(end), false, holds);
      }
    }
  }
}

TEST_CASE("a transfer waiting for its answer keeps its agent's states across a restore",
          "[engine][shard]") {
  constexpr std::uint32_t n = 2;
  const std::string x = agent_homed_at(0, n);
  const std::string b = agent_homed_at(1, n);  // has no state when the transfer comes
  for (const bool restore : {false, true}) {
    INFO((restore ? "routes rebuilt while the transfer waits" : "no restore"));
    ShardedEngine sharded(small_config(), n);
    const std::string q = queue_owned_by(0, sharded);
    Engine one(small_config());
    auto both = [&](const Event& e) {
      sharded.apply(e);
      one.apply(e);
    };
    both(Ev(EventType::kAgentState, at(0), "").agent(x).team("TX").state(AgentState::kAvailable));
    both(Ev(EventType::kContactQueued, at(1), "c").queue(q).channel("voice"));
    // Before its answer: held in q's shard, which joins b with no state to give.
    both(Ev(EventType::kContactTransferred, at(10), "c").agent(x).to_agent(b));
    if (restore) sharded.restore_routes();
    both(Ev(EventType::kAgentState, at(11), "").agent(b).team("TB").state(AgentState::kAvailable));
    both(Ev(EventType::kContactAnswered, at(5), "c").agent(x));
    both(Ev(EventType::kContactEnded, at(30), "c"));
    // Ends b's after-contact work in q's shard: handled at 40 by team TB.
    both(Ev(EventType::kAgentState, at(40), "").agent(b).state(AgentState::kAvailable));
    const auto s = sharded.snapshot(at(60));
    REQUIRE(*val(*s, q, "voice", "5m", Kpi::kHandled) == 2);  // x's segment and b's
    same_snapshot(*s, *one.snapshot(at(60)), true);
  }
}

TEST_CASE("one late agent state applied alone answers as its home shard judges it",
          "[engine][shard]") {
  constexpr std::uint32_t n = 2;
  ShardedEngine sharded(small_config(), n);
  const std::string q = queue_owned_by(0, sharded);
  const std::string x = agent_homed_at(1, n);
  sharded.apply(
      Ev(EventType::kAgentState, at(100), "").agent(x).team("t").state(AgentState::kAvailable));
  sharded.apply(Ev(EventType::kContactQueued, at(110), "c").queue(q).channel("voice"));
  sharded.apply(Ev(EventType::kContactAnswered, at(115), "c").agent(x));  // shard 0 joins x
  // Before x's whole history: out of sequence (shard 0 ignores it).
  REQUIRE(sharded.apply(Ev(EventType::kAgentState, at(50), "").agent(x).state(AgentState::kAway)) ==
          ApplyResult::kOutOfSequence);
}

TEST_CASE("an agent state's folded team counts once, at its home shard", "[engine][shard]") {
  constexpr std::uint32_t n = 2;
  EngineConfig c = small_config();
  c.limits.max_teams = 1;  // per shard
  ShardedEngine sharded(c, n);
  const std::string q = queue_owned_by(0, sharded);
  const std::string x = agent_homed_at(1, n);
  // Another agent homed at 1, whose team comes first there.
  const std::string z = first_name("z", [&](const std::string& a) { return shard_of(a, n) == 1; });
  const std::string y = agent_homed_at(0, n);  // its team comes first at shard 0
  sharded.apply(
      Ev(EventType::kAgentState, at(0), "").agent(y).team("B").state(AgentState::kAvailable));
  sharded.apply(
      Ev(EventType::kAgentState, at(0), "").agent(z).team("C").state(AgentState::kAvailable));
  sharded.apply(Ev(EventType::kAgentState, at(1), "")
                    .agent(x)
                    .team("A")
                    .state(AgentState::kAvailable));  // A folded at x's home
  sharded.apply(Ev(EventType::kContactQueued, at(2), "c").queue(q).channel("voice"));
  sharded.apply(Ev(EventType::kContactAnswered, at(3), "c").agent(x));  // shard 0 joins x
  sharded.apply(Ev(EventType::kAgentState, at(4), "")
                    .agent(x)
                    .team("A")
                    .state(AgentState::kBusy));  // folded at home again; shard 0 gets it too
  // By hand: x's two states folded at its home shard; shard 0 folds A too
  // (B came first there) but does not count it.
  REQUIRE(sharded.snapshot(at(10))->stats.series_folded_total == 2);
}
