// Which shard of a ShardedEngine an event goes to (docs/architecture.md
// "Sharding"). A shard owns whole queues (QueuePlacement), so every series
// of a queue lives in one shard and the shards' series concatenate.
//
//   - contact.queued goes to its queue's shard and its contact follows it
//     there (a transfer to a queue of another shard); case.opened likewise
//     for its case;
//   - any other contact, message or case event goes where its contact or
//     case lives, whatever queue it names (the engine attributes an outcome
//     naming another queue to that queue, in the contact's shard); one of a
//     contact or case not known yet goes to the queue it names;
//   - agent.state goes to the agent's home shard (shard_of.hpp), which
//     credits its time to the team (ShardPlace), and to every shard a
//     contact event naming the agent went to (agent_shards(): ShardedEngine
//     keeps the masks), where it closes the after-contact work of the
//     agent's contacts and names the team of the contacts it handles;
//   - anything else, and contacts and cases not known and naming no queue,
//     go to the shard of the queue "" (where the `unknown` series lives).
//     A contact is a guess until a contact.queued places it: until then
//     any event naming a queue moves it there, and its waiting events
//     follow it (unordered delivery: an answer before its queueing;
//     ShardedEngine::partition).
//
// The memory of where contacts and cases live is bounded: entries idle for
// longer than the engine's idle timeouts are forgotten at advance(), as the
// engines forget the contacts and cases themselves; past twice the engines'
// caps together (2 x caps x shards) the least recently routed half is
// forgotten, and no guess is remembered past the caps. The agents' masks
// likewise past twice the engines' agent caps together, but only between
// batches (between_batches()): a mask is remade from what the engines
// hold, which lacks what this batch sent them.
//
// Not thread-safe: one router per ShardedEngine, on the thread that feeds it.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>

#include "core/engine/engine_config.hpp"
#include "core/engine/queue_placement.hpp"
#include "core/event.hpp"
#include "core/hash/keyed_hash.hpp"
#include "core/time.hpp"

namespace ccmon::core {

class ShardRouter {
 public:
  static constexpr std::uint32_t kEveryShard = std::numeric_limits<std::uint32_t>::max();
  // Shards an agent's states go to, bit i for shard i. With more shards
  // than bits every shard gets every agent state (masked() is false).
  using ShardMask = std::uint64_t;
  static constexpr std::uint32_t kMaxMaskedShards = 64;

  // `shards` >= 1. `key`: the secret key the memory hashes ids under.
  ShardRouter(std::uint32_t shards, const EngineConfig& config, const HashKey& key);

  // The shard `e` goes to, or kEveryShard; remembers where its contact or
  // case lives. `contact_hash`, when given, is keyed_hash(key, e.contact)
  // made ahead. O(1) expected (amortised over the memory's halvings).
  std::uint32_t route(const Event& e, const std::uint64_t* contact_hash = nullptr);

  // The shard that owns `queue` ("" for the `unknown` series), placing it
  // when new: the events naming it go there from now on.
  std::uint32_t shard_of_queue(std::string_view queue) { return queues_.place(queue); }
  const QueuePlacement& queues() const { return queues_; }
  // For a restore: the placements the state was written with (same shard
  // count; std::invalid_argument otherwise).
  void restore_queues(QueuePlacement queues);

  // After route(): whether its contact is a guess (not placed by a
  // queueing yet), so its waiting events may have to follow it.
  bool guessed() const { return guessed_; }
  // After route(): the shard a contact was sent to as a guess, when this
  // event named its queue and sent it elsewhere (its waiting events must
  // follow it); else kEveryShard.
  std::uint32_t guessed_from() const { return guessed_from_; }

  // Whether agent states go to some shards only (agent_shards()).
  bool masked() const { return shards_ > 1 && shards_ <= kMaxMaskedShards; }
  struct AgentRoute {
    ShardMask shards;    // the shards its states go to
    Timestamp last;      // event time it was last routed at
    std::uint64_t note;  // the caller's, 0 when made
  };
  // Agent `hash`'s (keyed_hash under the router's key) route at event time
  // t; its mask made by known() (the shards holding the agent, and its
  // home) when not remembered. The caller adds the shards it sends events
  // naming the agent to. The reference lasts until the next call. O(1)
  // expected.
  template <typename Known>
  AgentRoute& agent_shards(std::uint64_t hash, Timestamp t, Known&& known) {
    auto [it, fresh] = agents_.try_emplace(hash, AgentRoute{0, t, 0});
    if (fresh) {
      it->second.shards = known();
    } else {
      it->second.last = std::max(it->second.last, t);
    }
    return it->second;
  }
  // Sets every route's note back to 0 (the caller's notes wrapped around).
  void clear_agent_notes() {
    for (auto& [h, r] : agents_) r.note = 0;
  }
  // Forgets the least recently routed half of the agents' masks past twice
  // the engines' agent caps together. Call between batches only.
  void between_batches();
  std::size_t agents_remembered() const { return agents_.size(); }

  // Forgets contacts and cases routed last before now minus the engine's
  // idle timeouts (swept at most once per eighth of the contact idle
  // timeout of event time).
  void advance(Timestamp now);

  // For a restore: a contact tracked in `shard`, last seen at `last`,
  // placed there (its queue known, not transferred away) or not (a guess).
  // A shard where it is placed wins over one where it is not, then the
  // later `last`.
  void remember_contact(std::string_view id, std::uint32_t shard, Timestamp last, bool placed);
  void remember_case(std::string_view id, std::uint32_t shard, Timestamp last);

  // Takes the engine's idle timeouts and caps of a new configuration.
  void configure(const EngineConfig& config);

  std::uint32_t shards() const { return shards_; }
  std::size_t remembered() const { return contacts_.size() + cases_.size(); }

 private:
  struct Place {
    std::uint32_t shard;
    Timestamp last;  // event time it was last routed at
    bool guessed;    // sent to the unknown queue's shard before its queue was named
  };
  using Memory = absl::flat_hash_map<std::uint64_t, Place>;

  // `moves`: this event places its id in the queue it names (contact.queued,
  // case.opened). `guesses`: an unknown id naming no queue is remembered as
  // a guess (contacts).
  std::uint32_t follow(Memory& m, std::size_t cap, std::string_view id, const std::uint64_t* hash,
                       Timestamp t, std::string_view queue, bool moves, bool guesses);
  static void forget_before(Memory& m, Timestamp cutoff);
  template <typename Map>
  static void forget_older_half(Map& m);

  std::uint32_t shards_;
  HashKey key_;
  QueuePlacement queues_;
  Duration contact_idle_ = 0, case_idle_ = 0;
  std::size_t contact_cap_ = 0, case_cap_ = 0, agent_cap_ = 0;  // the engines' caps together
  Memory contacts_, cases_;
  absl::flat_hash_map<std::uint64_t, AgentRoute> agents_;
  bool guessed_ = false;
  std::uint32_t guessed_from_ = kEveryShard;
  Timestamp last_sweep_ = std::numeric_limits<Timestamp>::min();  // none yet
};

}  // namespace ccmon::core
