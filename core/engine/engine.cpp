// Engine: the public API over EngineState, configuration and time passing.
// The attribution of events lives in attribution.cpp, snapshots in
// engine_snapshot.cpp, the parts of the state in *_book.* and window_store.*.
#include "core/engine/engine.hpp"

#include <array>
#include <utility>

#include "core/engine/assert.hpp"
#include "core/engine/engine_state.hpp"
#include "core/engine/snapshot.hpp"

namespace ccmon::core {

namespace engine_detail {

void EngineState::configure(EngineConfig c) {
  config = std::move(c);
  contacts.set_cap(config.max_tracked_contacts);
  cases.set_cap(config.max_tracked_cases);
  agents.set_cap(config.max_tracked_agents);
  store.configure(config);
  enforce_byte_bound();  // a lowered bound applies at once
  release_held(kNever);  // a lowered max_held_events applies at once
}

void EngineState::enforce_byte_bound() {
  while (tracked_bytes() > config.max_tracked_bytes) {
    // The kind holding the most bytes pays: a flood of one kind (say,
    // contacts with long ids) evicts its own kind, not the few agents.
    const std::size_t in_contacts = contacts.bytes(), in_cases = cases.bytes(),
                      in_agents = agents.bytes();
    if (in_contacts >= in_cases && in_contacts >= in_agents && contacts.size() > 0) {
      contacts.evict_oldest_for_bytes();
    } else if (in_cases >= in_agents && cases.size() > 0) {
      cases.evict_oldest_for_bytes();
    } else if (agents.size() > 0) {
      agents.evict_oldest_for_bytes();
    } else {
      break;  // nothing tracked: bytes() are 0 (cannot happen)
    }
  }
}

void EngineState::advance(Timestamp now) {
  contacts.expire_acw(now, [&](std::uint32_t c, Timestamp due) { close_acw(c, due); });
  contacts.evict_idle(now - config.contact_idle_timeout);
  cases.evict_idle(now - config.case_idle_timeout);
  release_held(now);
  store.roll_day_if_due(now);
}

EngineStats EngineState::stats() const {
  EngineStats s;
  s.tracked_contacts = contacts.size();
  s.tracked_cases = cases.size();
  s.tracked_agents = agents.size();
  s.out_of_sequence_total = out_of_sequence_total;
  s.evicted_contacts_total = contacts.evicted_total();
  s.evicted_cases_total = cases.evicted_total();
  s.evicted_agents_total = agents.evicted_total();
  s.contact_byte_bound_evictions_total = contacts.byte_bound_evictions_total();
  s.case_byte_bound_evictions_total = cases.byte_bound_evictions_total();
  s.agent_byte_bound_evictions_total = agents.byte_bound_evictions_total();
  s.tracked_state_bytes = tracked_bytes();
  s.series_folded_total = series_folded_total;
  s.held_events = held.size();
  s.held_events_evicted_total = held.evicted_total();
  return s;
}

}  // namespace engine_detail

bool needs_earlier_contact_event(EventType t) {
  switch (t) {
    case EventType::kContactAnswered:
    case EventType::kContactAbandoned:
    case EventType::kContactOverflowed:
    case EventType::kContactHeld:
    case EventType::kContactResumed:
    case EventType::kContactTransferred:
    case EventType::kContactEnded:
    case EventType::kContactWrapped:
      return true;
    default:
      return false;
  }
}

Engine::Engine(EngineConfig config, const HashKey& hash_key, ShardPlace place)
    : state_(std::make_unique<State>(std::move(config), hash_key)) {
  state_->place = place;
}
Engine::~Engine() = default;

ApplyResult Engine::apply(const Event& event) {
  return state_->apply(event);
}

void Engine::apply(std::span<const Event* const> events) {
  apply(events, state_->contacts.table().hash_key(), {});
}

void Engine::apply(std::span<const Event* const> events, const HashKey& key,
                   std::span<const HashedIds> hashed) {
  // Two-stage software pipeline over the contact table: the probe cell of
  // the event kAhead places on, then the record of the one kAhead / 2 on.
  constexpr std::size_t kAhead = 8;
  const auto& table = state_->contacts.table();
  const bool ahead = hashed.size() == events.size() && key == table.hash_key();
  // One key for every table (set in EngineState's constructor), so the agent
  // hashes made ahead are the agent book's too.
  CCMON_ASSERT(!ahead || state_->agents.table().hash_key() == key);
  std::array<std::uint64_t, kAhead> hashes{};  // ring: hash of events[j] at j % kAhead
  auto stage1 = [&](std::size_t j) {
    if (j >= events.size()) return;
    // Kept for apply(), which looks the contact up with it.
    hashes[j % kAhead] = ahead ? hashed[j].contact : table.hash_of(events[j]->contact);
    if (!events[j]->contact.empty()) table.prefetch_cell(hashes[j % kAhead]);
  };
  for (std::size_t j = 0; j < kAhead && j < events.size(); ++j) stage1(j);
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::size_t half = i + kAhead / 2;
    if (half < events.size() && !events[half]->contact.empty()) {
      table.prefetch_record(hashes[half % kAhead]);
    }
    // stage1(i) stored the hash of events[i]'s contact at i % kAhead.
    const std::uint64_t contact = hashes[i % kAhead];
    if (ahead) {
      state_->apply(*events[i], contact, hashed[i].agent);
    } else {
      state_->apply(*events[i], contact);
    }
    stage1(i + kAhead);
  }
}

// Advancing can note spans (held events given up, idle agents evicted).
void Engine::advance(Timestamp now) {
  state_->advance(now);
  state_->store.flush_deferred();
}

// Windows expire only in a snapshot, after the split: a bucket gets its
// share before it can leave the window.
std::shared_ptr<const Snapshot> Engine::snapshot(Timestamp now) {
  state_->store.flush_deferred();
  return state_->snapshot(now);
}

void Engine::reconfigure(EngineConfig config) {
  state_->store.flush_deferred();
  state_->configure(std::move(config));
  state_->store.flush_deferred();
}

void Engine::flush_deferred() const {
  state_->store.flush_deferred();  // state_ is owned: its windows are this engine's
}

const EngineConfig& Engine::config() const {
  return state_->config;
}

const HashKey& Engine::hash_key() const {
  return state_->agents.table().hash_key();  // every table has it; answers hand over agents' hashes
}

void Engine::note_answers(bool on) {
  state_->answers.set_on(on);
}

void Engine::take_answers(const AnswerSink& f) {
  state_->answers.take(f);
}

EngineStats Engine::stats() const {
  return state_->stats();
}

bool Engine::knows_agent(std::string_view id, std::uint64_t hash) const {
  return state_->agents.table().find(id, hash) != engine_detail::kNil;
}

std::optional<Event> Engine::agent_state_now(std::string_view id, std::uint64_t hash) const {
  const std::uint32_t a = state_->agents.table().find(id, hash);
  if (a == engine_detail::kNil) return std::nullopt;
  const engine_detail::Agent& agent = state_->agents[a];
  if (!agent.has_state) return std::nullopt;
  Event e;
  e.type = EventType::kAgentState;
  e.time = agent.since;
  e.agent.assign(id);
  e.state = agent.state;
  if (agent.team != engine_detail::kNoLabel) {
    e.team.assign(state_->store.labels().teams.name(agent.team));
  }
  e.reason = agent.reason;
  return e;
}

std::vector<Event> Engine::take_held(std::string_view contact) {
  std::vector<Event> out;
  auto& held = state_->held;
  for (auto& h : held.take(engine_detail::HeldKind::kContact, contact, held.id_hash(contact))) {
    out.push_back(std::move(h.event));
  }
  return out;
}

void Engine::for_each_tracked(const std::function<void(std::string_view, Timestamp, bool)>& contact,
                              const std::function<void(const Event&)>& held,
                              const std::function<void(std::string_view, Timestamp)>& case_) const {
  const auto& contacts = state_->contacts.table();
  contacts.for_each([&](std::uint32_t slot, const engine_detail::Contact& k) {
    contact(contacts.key(slot), k.last_event,
            k.queue != engine_detail::kNoLabel && k.phase != engine_detail::Phase::kTransferred);
  });
  state_->held.for_each(engine_detail::HeldKind::kContact, [&](const Event& e) { held(e); });
  const auto& cases = state_->cases.table();
  cases.for_each([&](std::uint32_t slot, const engine_detail::Case& k) {
    case_(cases.key(slot), k.last_event);
  });
}

}  // namespace ccmon::core
