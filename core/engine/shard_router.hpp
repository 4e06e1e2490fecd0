// Which shard of a ShardedEngine an event goes to (docs/architecture.md
// "Sharding"). A shard owns whole queues: every series of a queue lives in
// one shard, so the shards' series never overlap and their snapshots
// concatenate.
//
//   - an event naming a queue goes to that queue's shard (keyed hash of the
//     queue name modulo the shard count), and its contact or case follows
//     it there (the engine attributes the contact's later events to that
//     queue); a survey, which arrives late, does not move its contact;
//   - a contact or message event without a queue goes where its contact
//     went last; a case event without one where its case went last;
//   - agent.state goes to every shard (kEveryShard): each shard closes its
//     own contacts' after-contact work at the agent's next state, and only
//     the agent's home shard credits its time to the team (ShardPlace);
//   - anything else, and contacts and cases not remembered, goes to the
//     shard of the queue "" (where the engine's `unknown` series lives); a
//     contact sent there before its queue was known is a guess, and when
//     an event names its queue (unordered delivery: an answer before its
//     queueing), the events it has waiting there follow it
//     (ShardedEngine::partition).
//
// The memory of where contacts and cases went is bounded: entries idle for
// longer than the engine's idle timeouts are forgotten at advance(), as the
// engine forgets the contacts and cases themselves, and past the engine's
// caps the least recently routed half is forgotten (O(n), once per n/2
// insertions).
//
// Not thread-safe: one router per ShardedEngine, on the thread that feeds it.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <limits>

#include "core/engine/engine_config.hpp"
#include "core/event.hpp"
#include "core/hash/keyed_hash.hpp"
#include "core/time.hpp"

namespace ccmon::core {

class ShardRouter {
 public:
  static constexpr std::uint32_t kEveryShard = std::numeric_limits<std::uint32_t>::max();

  // `shards` >= 1. `key`: the secret key client strings are hashed under.
  ShardRouter(std::uint32_t shards, const EngineConfig& config, const HashKey& key);

  // The shard `e` goes to, or kEveryShard; remembers where its contact or
  // case went. O(1) expected.
  std::uint32_t route(const Event& e);

  // The shard that owns `queue` ("" for the `unknown` series).
  std::uint32_t shard_of_queue(std::string_view queue) const;

  // Forgets contacts and cases routed last before now minus the engine's
  // idle timeouts (swept at most once per eighth of the contact idle
  // timeout of event time).
  void advance(Timestamp now);

  // Remembers that a contact (or a case) lives in `shard`, last routed at
  // `last`; the later of two calls for one id wins. For a restore.
  void remember_contact(std::string_view id, std::uint32_t shard, Timestamp last);
  void remember_case(std::string_view id, std::uint32_t shard, Timestamp last);

  // Takes the engine's idle timeouts and caps of a new configuration.
  void configure(const EngineConfig& config);

  // After route(): the shard a contact was sent to while its queue was
  // unknown, when this event, naming its queue, sent it elsewhere (the
  // events it has waiting there must follow it: ShardedEngine::partition);
  // else kEveryShard.
  std::uint32_t guessed_from() const { return guessed_from_; }

  std::uint32_t shards() const { return shards_; }
  std::size_t remembered() const { return contacts_.size() + cases_.size(); }

 private:
  struct Place {
    std::uint32_t shard;
    Timestamp last;  // event time it was last routed at
    bool guessed;    // routed before any event named its queue
  };
  using Memory = absl::flat_hash_map<std::uint64_t, Place>;

  std::uint32_t follow(Memory& m, std::size_t cap, std::string_view id, Timestamp t,
                       std::string_view queue);
  void remember(Memory& m, std::string_view id, std::uint32_t shard, Timestamp last);
  static void forget_before(Memory& m, Timestamp cutoff);
  static void forget_older_half(Memory& m);

  std::uint32_t shards_;
  HashKey key_;
  Duration contact_idle_, case_idle_;
  std::size_t contact_cap_, case_cap_;
  Memory contacts_, cases_;
  std::uint32_t guessed_from_ = kEveryShard;
  Timestamp last_sweep_ = std::numeric_limits<Timestamp>::min();  // none yet
};

}  // namespace ccmon::core
