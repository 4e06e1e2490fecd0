// Which shard of a ShardedEngine an event goes to (docs/architecture.md
// "Sharding"). A shard owns whole queues (shard_of.hpp), so every series of
// a queue lives in one shard and the shards' series concatenate.
//
//   - contact.queued goes to its queue's shard and its contact follows it
//     there (a transfer to a queue of another shard); case.opened likewise
//     for its case;
//   - any other contact, message or case event goes where its contact or
//     case lives, whatever queue it names (the engine attributes an outcome
//     naming another queue to that queue, in the contact's shard); one of a
//     contact or case not known yet goes to the queue it names;
//   - agent.state goes to every shard (kEveryShard): each shard closes its
//     own contacts' after-contact work at the agent's next state, and only
//     the agent's home shard credits its time to the team (ShardPlace);
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
// forgotten, and no guess is remembered past the caps.
//
// Not thread-safe: one router per ShardedEngine, on the thread that feeds it.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <limits>
#include <string_view>

#include "core/engine/engine_config.hpp"
#include "core/engine/shard_of.hpp"
#include "core/event.hpp"
#include "core/hash/keyed_hash.hpp"
#include "core/time.hpp"

namespace ccmon::core {

class ShardRouter {
 public:
  static constexpr std::uint32_t kEveryShard = std::numeric_limits<std::uint32_t>::max();

  // `shards` >= 1. `key`: the secret key the memory hashes ids under.
  ShardRouter(std::uint32_t shards, const EngineConfig& config, const HashKey& key);

  // The shard `e` goes to, or kEveryShard; remembers where its contact or
  // case lives. O(1) expected (amortised over the memory's halvings).
  std::uint32_t route(const Event& e);

  // The shard that owns `queue` ("" for the `unknown` series).
  std::uint32_t shard_of_queue(std::string_view queue) const { return shard_of(queue, shards_); }

  // After route(): whether its contact is a guess (not placed by a
  // queueing yet), so its waiting events may have to follow it.
  bool guessed() const { return guessed_; }
  // After route(): the shard a contact was sent to as a guess, when this
  // event named its queue and sent it elsewhere (its waiting events must
  // follow it); else kEveryShard.
  std::uint32_t guessed_from() const { return guessed_from_; }

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
  std::uint32_t follow(Memory& m, std::size_t cap, std::string_view id, Timestamp t,
                       std::string_view queue, bool moves, bool guesses);
  static void forget_before(Memory& m, Timestamp cutoff);
  static void forget_older_half(Memory& m);

  std::uint32_t shards_;
  HashKey key_;
  Duration contact_idle_ = 0, case_idle_ = 0;
  std::size_t contact_cap_ = 0, case_cap_ = 0;  // the engines' caps together
  Memory contacts_, cases_;
  bool guessed_ = false;
  std::uint32_t guessed_from_ = kEveryShard;
  Timestamp last_sweep_ = std::numeric_limits<Timestamp>::min();  // none yet
};

}  // namespace ccmon::core
