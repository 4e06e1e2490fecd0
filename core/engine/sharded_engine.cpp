#include "core/engine/sharded_engine.hpp"

#include <algorithm>
#include <bit>
#include <optional>
#include <utility>

#include "core/engine/shard_of.hpp"
#include "core/engine/snapshot.hpp"
#include "core/engine/snapshot_merge.hpp"

namespace ccmon::core {

ShardedEngine::ShardedEngine(EngineConfig config, std::uint32_t shards, const HashKey& key)
    : key_(key), router_(shards, config, key) {
  const std::uint32_t n = router_.shards();
  for (std::uint32_t i = 0; i < n; ++i) {
    shards_.push_back(std::make_unique<Engine>(config, key, ShardPlace{i, n}));
  }
  lists_.resize(n);
}

void ShardedEngine::partition(std::span<const Event* const> events,
                              std::vector<std::vector<const Event*>>& out, const HashKey& key,
                              std::span<const HashedIds> hashed,
                              std::vector<std::vector<HashedIds>>* out_hashed) {
  moved_.clear();  // the previous lists were applied
  caught_up_.clear();
  batch_states_.clear();
  if (++batch_ == 0) {  // wrapped: no note may name an old partition as this one
    router_.clear_agent_notes();
    batch_ = 1;
  }
  guessed_.clear();
  router_.between_batches();
  const bool ahead = hashed.size() == events.size() && key == key_;
  Lists lists{out, out_hashed};
  const bool holds = config().holds_events();
  bool followed = false;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Event* e = events[i];
    // The ids' hashes: given, or made here when the lists take them, else
    // made below as the router needs them.
    const bool known = ahead || out_hashed;
    const HashedIds ids = ahead ? hashed[i] : out_hashed ? hashed_ids_of(key_, *e) : HashedIds{};
    const std::uint32_t s = router_.route(*e, known ? &ids.contact : nullptr);
    if (s == ShardRouter::kEveryShard) {
      if (!router_.masked()) {
        for (std::uint32_t k = 0; k < shard_count(); ++k) lists.push(k, e, ids);
        continue;
      }
      const std::uint64_t agent = known ? ids.agent : keyed_hash(key_, e->agent);
      ShardRouter::AgentRoute& r = agent_shards(e->agent, agent, e->time);
      for (ShardRouter::ShardMask m = r.shards; m != 0; m &= m - 1) {
        lists.push(static_cast<std::uint32_t>(std::countr_zero(m)), e, ids);
      }
      // Chained to the agent's previous state of this batch, for a join.
      const bool earlier = (r.note >> 32) == batch_;
      batch_states_.push_back({e, earlier ? static_cast<std::uint32_t>(r.note) : kNoState});
      r.note = std::uint64_t{batch_} << 32 | (batch_states_.size() - 1);
      continue;
    }
    if (router_.masked() && uses_agent(*e)) {
      join_agents(*e, known || e->agent.empty() ? ids.agent : keyed_hash(key_, e->agent), s, lists);
    }
    // Moved after its queueing only where one engine would have held it
    // until then; with nothing held (lateness 0) it is out of sequence in
    // the shard it went to, as one engine counts it.
    const bool guessed = holds && router_.guessed() && needs_earlier_contact_event(e->type);
    const std::uint32_t from = router_.guessed_from();
    const std::uint64_t contact = known || (!guessed && from == ShardRouter::kEveryShard)
                                      ? ids.contact
                                      : keyed_hash(key_, e->contact);
    if (guessed) {
      // May wait where it goes until its contact's queueing.
      guessed_[contact].push_back({s, out[s].size()});
    }
    lists.push(s, e, ids);
    if (from != ShardRouter::kEveryShard) {
      follow(*e, contact, from, s, lists);
      followed = true;
    }
  }
  if (!followed) return;
  for (std::size_t k = 0; k < out.size(); ++k) {  // drop what follow() moved, ids with them
    std::size_t kept = 0;
    for (std::size_t j = 0; j < out[k].size(); ++j) {
      if (out[k][j] == nullptr) continue;
      out[k][kept] = out[k][j];
      if (out_hashed) (*out_hashed)[k][kept] = (*out_hashed)[k][j];
      ++kept;
    }
    out[k].resize(kept);
    if (out_hashed) (*out_hashed)[k].resize(kept);
  }
}

void ShardedEngine::follow(const Event& e, std::uint64_t contact_hash, std::uint32_t from,
                           std::uint32_t to, Lists& lists) {
  // Held by the shard already (earlier batches), then in the lists (this
  // batch, `e` itself included when it waits): each moves to the end of
  // `to`'s list, in the order it came, indexed again while the contact is
  // still a guess (it may move on before its queueing).
  std::vector<std::pair<const Event*, HashedIds>> moving;
  for (const Event& h : moved_.emplace_back(shards_[from]->take_held(e.contact))) {
    moving.emplace_back(&h, hashed_ids_of(key_, h));
  }
  if (const auto it = guessed_.find(contact_hash); it != guessed_.end()) {
    for (const auto& [shard, i] : it->second) {
      moving.emplace_back(
          lists.events[shard][i],
          lists.ids ? (*lists.ids)[shard][i] : hashed_ids_of(key_, *lists.events[shard][i]));
      lists.events[shard][i] = nullptr;
    }
    guessed_.erase(it);
  }
  for (const auto& [x, ids] : moving) {
    if (router_.masked() && uses_agent(*x)) join_agents(*x, ids.agent, to, lists);
    if (router_.guessed()) guessed_[contact_hash].push_back({to, lists.events[to].size()});
    lists.push(to, x, ids);
  }
}

ShardRouter::AgentRoute& ShardedEngine::agent_shards(std::string_view agent, std::uint64_t hash,
                                                     Timestamp t) {
  return router_.agent_shards(hash, t, [&] {
    // Not remembered (new, forgotten, or restored): every shard that holds
    // the agent keeps getting its states, as it did.
    ShardRouter::ShardMask m = ShardRouter::ShardMask{1} << shard_of(agent, shard_count());
    for (std::uint32_t i = 0; i < shard_count(); ++i) {
      if (shards_[i]->knows_agent(agent, hash)) m |= ShardRouter::ShardMask{1} << i;
    }
    return m;
  });
}

bool ShardedEngine::uses_agent(const Event& e) {
  switch (e.type) {
    case EventType::kAgentState:  // routed by the masks themselves
    case EventType::kMessageReceived:
    case EventType::kMessageSent:
    case EventType::kCaseOpened:
    case EventType::kCaseEscalated:
    case EventType::kCaseResolved:
    case EventType::kCaseReopened:
    case EventType::kSurveyAnswered:
    case EventType::kCustomerChurned:
      return false;  // their agent, if any, is not the engine's (attribution.cpp)
    default:
      return !e.agent.empty() || !e.to_agent.empty();  // a contact's (Apply::contact)
  }
}

void ShardedEngine::join_agents(const Event& e, std::uint64_t agent_hash, std::uint32_t s,
                                Lists& lists) {
  for (const std::string* id : {&e.agent, &e.to_agent}) {
    if (id->empty() || (id == &e.to_agent && e.type != EventType::kContactTransferred)) continue;
    const std::uint64_t h = id == &e.agent ? agent_hash : keyed_hash(key_, *id);  // to_agent: rare
    ShardRouter::AgentRoute& r = agent_shards(*id, h, e.time);
    const ShardRouter::ShardMask bit = ShardRouter::ShardMask{1} << s;
    if (r.shards & bit) continue;
    r.shards |= bit;
    // Shard s joins the agent: it gets the agent's current state first, as
    // one engine would hold it after every change so far (those its home
    // shard applied before this batch, then this batch's), so that it names
    // the same team and closes after-contact work from the same state.
    std::optional<Event> now = shards_[shard_of(*id, shard_count())]->agent_state_now(*id, h);
    std::vector<const Event*>& changes = join_scratch_;
    changes.clear();
    if ((r.note >> 32) == batch_) {
      for (auto i = static_cast<std::uint32_t>(r.note); i != kNoState; i = batch_states_[i].prev) {
        changes.push_back(batch_states_[i].event);
      }
    }
    for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
      const Event& c = **it;
      if (now && c.time < now->time) continue;  // late: the current state stays (Apply::agent)
      if (!now) {
        now.emplace();
        now->type = EventType::kAgentState;
        now->agent = *id;
      }
      now->time = c.time;
      now->state = c.state.value_or(AgentState::kOffline);
      if (!c.team.empty()) now->team = c.team;  // a change without a team keeps it
      now->reason = c.reason;
    }
    if (now) {
      const Event& made = caught_up_.emplace_back(std::move(*now));
      lists.push(s, &made, hashed_ids_of(key_, made));
    }
  }
}

void ShardedEngine::apply(std::span<const Event* const> events) {
  for (auto& list : lists_) list.clear();
  partition(events, lists_);
  for (std::size_t i = 0; i < shards_.size(); ++i) shards_[i]->apply(lists_[i]);
}

ApplyResult ShardedEngine::apply(const Event& event) {
  for (auto& list : lists_) list.clear();
  const Event* one = &event;
  partition({&one, 1}, lists_);
  // An agent state's verdict is its home shard's (late ones are judged there).
  const std::size_t judge = event.type == EventType::kAgentState && router_.masked()
                                ? shard_of(event.agent, shard_count())
                                : shards_.size();
  std::optional<ApplyResult> result;
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    for (const Event* e : lists_[i]) {
      const ApplyResult r = shards_[i]->apply(*e);
      if (e == &event && (i == judge || (!result && judge == shards_.size()))) result = r;
    }
  }
  return result.value_or(ApplyResult::kApplied);
}

void ShardedEngine::advance(Timestamp now) {
  router_.advance(now);
  for (auto& s : shards_) s->advance(now);
}

void ShardedEngine::reconfigure(EngineConfig config) {
  router_.configure(config);
  for (auto& s : shards_) s->reconfigure(config);
}

void ShardedEngine::note_answers(bool on) {
  for (auto& s : shards_) s->note_answers(on);
}

void ShardedEngine::take_answers(const Engine::AnswerSink& f) {
  for (auto& s : shards_) s->take_answers(f);
}

void ShardedEngine::restore_routes() {
  QueuePlacement queues = router_.queues();
  router_ = ShardRouter(shard_count(), config(), key_);
  router_.restore_queues(std::move(queues));
  if (shard_count() == 1) return;
  for (std::uint32_t i = 0; i < shard_count(); ++i) {
    shards_[i]->for_each_tracked(
        [&](std::string_view id, Timestamp last, bool has_queue) {
          router_.remember_contact(id, i, last, has_queue);
        },
        [&](const Event& e) {
          // An event held for a contact no shard knows: a guess, as when it came.
          router_.remember_contact(e.contact, i, e.time, false);
          // The agents it names get their states here, as before the restore
          // (the shard may have no record of them yet).
          if (!router_.masked() || !uses_agent(e)) return;
          for (const std::string* id : {&e.agent, &e.to_agent}) {
            if (id->empty()) continue;
            agent_shards(*id, keyed_hash(key_, *id), e.time).shards |= ShardRouter::ShardMask{1}
                                                                       << i;
          }
        },
        [&](std::string_view id, Timestamp last) { router_.remember_case(id, i, last); });
  }
}

std::shared_ptr<const Snapshot> ShardedEngine::snapshot(Timestamp now) {
  std::vector<std::shared_ptr<const Snapshot>> parts;
  parts.reserve(shards_.size());
  for (auto& s : shards_) parts.push_back(s->snapshot(now));
  return merge_snapshots(parts);
}

}  // namespace ccmon::core
