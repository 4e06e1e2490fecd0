// The KPI engine in shards that own whole queues (docs/architecture.md
// "Sharding"): one Engine per shard, a ShardRouter that sends each event to
// its shard, and snapshots merged into one. Shards share nothing, so a
// caller may apply each shard's events on a thread of its own
// (bench/engine_bench.cpp does); ShardedEngine itself starts no thread.
//
// What sharding changes, against one engine over the same events (the
// rest is equal; tests/core/engine/sharded_engine_test.cpp):
//   - time between contacts: an agent's gap is measured from its last
//     segment end in the same shard, so a gap between contacts of queues in
//     two shards is not seen there;
//   - a contact that moves to a queue of another shard (a transfer) starts
//     afresh there: its later events count in the new queue as they would,
//     but messaging response times measured from its first queueing start
//     at the new queueing;
//   - cardinality caps apply per shard, so up to `shards` times as many
//     queues get series before folding into `other`.
#pragma once

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "core/engine/engine.hpp"
#include "core/engine/hashed_ids.hpp"
#include "core/engine/shard_router.hpp"

namespace ccmon::core {

class ShardedEngine {
 public:
  // `shards` >= 1 engines with `config`; client strings hashed under `key`.
  ShardedEngine(EngineConfig config, std::uint32_t shards, const HashKey& key = {});

  std::uint32_t shard_count() const { return static_cast<std::uint32_t>(shards_.size()); }
  Engine& shard(std::uint32_t i) { return *shards_[i]; }
  const Engine& shard(std::uint32_t i) const { return *shards_[i]; }
  const HashKey& hash_key() const { return key_; }

  // Appends each of `events` to the list of the shard it goes to, in
  // order; `out` has shard_count() lists. An agent.state goes to the
  // agent's home shard and to every shard an event naming the agent (or
  // transferring to it) went to; the first time such an event goes to a
  // shard, the agent's state as its home shard holds it, and this batch's
  // changes of it so far, go there first. When an
  // event names the queue of a contact first sent to the `unknown` queue's
  // shard (ShardRouter::guessed_from), the contact's events that wait there
  // for it follow it to its queue's shard, right after it: those of the
  // lists not applied yet, and those that shard holds (Engine::take_held,
  // kept here until the next partition). So an answer that arrives before
  // its queueing completes as in one engine. With nothing held (lateness 0)
  // no event of the batch follows: one engine counts such an event out of
  // sequence at once, and so does the shard it went to (events held from
  // before a reload to lateness 0 still follow, and are out of sequence
  // where they arrive: docs/architecture.md). The events must outlive the
  // lists; call it again only after the lists were applied.
  // `hashed`, when it has an entry per event and `key` is hash_key(): the
  // events' ids hashed ahead (HashedIds, as Engine::apply's batch form takes
  // them), used instead of hashing them here. `out_hashed`, when given
  // (shard_count() lists), gets the ids of each event listed in `out`, in
  // the same places, for each shard's Engine::apply(list, key, ids).
  void partition(std::span<const Event* const> events, std::vector<std::vector<const Event*>>& out,
                 const HashKey& key = {}, std::span<const HashedIds> hashed = {},
                 std::vector<std::vector<HashedIds>>* out_hashed = nullptr);

  // Applies events in order, each to its shard, on the calling thread.
  void apply(std::span<const Event* const> events);
  // Applies one event; an agent state returns its home shard's result.
  ApplyResult apply(const Event& event);

  void advance(Timestamp now);

  // Engine::reconfigure on every shard; the router takes the new caps.
  void reconfigure(EngineConfig config);
  // The configuration in force (every shard has the same).
  const EngineConfig& config() const { return shards_[0]->config(); }

  // The shard that owns `queue`, placing it when new (QueuePlacement): the
  // events naming it go there from now on.
  std::uint32_t shard_of_queue(std::string_view queue) { return router_.shard_of_queue(queue); }
  // Which shard owns each queue, for a state image; restore_queues() takes
  // it back (same shard count, else std::invalid_argument) before
  // restore_routes(). restore_routes() keeps it.
  const QueuePlacement& queues() const { return router_.queues(); }
  void restore_queues(QueuePlacement queues) { router_.restore_queues(std::move(queues)); }

  // After the shards' state was replaced (a restore): the router learns
  // where every tracked contact and case lives (for a contact tracked in
  // two, the shard where it is placed, then the one that saw it last),
  // takes contacts with held events as guesses, and sends the agents those
  // events name their states where the events wait.
  void restore_routes();

  // Engine::note_answers and take_answers on every shard (an answer is
  // attributed in its contact's shard alone).
  void note_answers(bool on);
  void take_answers(const Engine::AnswerSink& f);

  // Every shard's snapshot at `now`, merged (snapshot_merge.hpp).
  std::shared_ptr<const Snapshot> snapshot(Timestamp now);

 private:
  HashKey key_;
  ShardRouter router_;
  std::vector<std::unique_ptr<Engine>> shards_;
  std::vector<std::vector<const Event*>> lists_;  // apply()'s, kept for their capacity
  std::vector<std::vector<Event>> moved_;         // taken from a shard's held events
  std::deque<Event> caught_up_;                   // agent states made for a shard joining the agent
  // This partition's agent states so far, each chained to its agent's
  // previous one (kNoState: none); an agent's route notes (batch_, index
  // of its latest).
  static constexpr std::uint32_t kNoState = 0xFFFFFFFFu;
  struct BatchState {
    const Event* event;
    std::uint32_t prev;
  };
  std::vector<BatchState> batch_states_;
  std::uint32_t batch_ = 0;                 // partitions so far, never 0 in one
  std::vector<const Event*> join_scratch_;  // join_agents()'s
  // This partition's guessed contacts (keyed hash of the id): where their
  // waiting events are, (shard, position in its list).
  absl::flat_hash_map<std::uint64_t, std::vector<std::pair<std::uint32_t, std::size_t>>> guessed_;
  // partition()'s output: the events' lists, and their ids' when asked.
  struct Lists {
    std::vector<std::vector<const Event*>>& events;
    std::vector<std::vector<HashedIds>>* ids;
    void push(std::uint32_t s, const Event* e, const HashedIds& h) {
      events[s].push_back(e);
      if (ids) (*ids)[s].push_back(h);
    }
  };
  // Whether the engine reads `e`'s agent or to_agent (a contact event's).
  static bool uses_agent(const Event& e);
  // The shards agent `agent` (hashed `hash`) sends its states to.
  ShardRouter::AgentRoute& agent_shards(std::string_view agent, std::uint64_t hash, Timestamp t);
  // Before `e` goes to shard s: brings s up to date with the agents `e`
  // names (its agent hashed `agent_hash`, unused when it has none), when
  // they are new to it.
  void join_agents(const Event& e, std::uint64_t agent_hash, std::uint32_t s, Lists& lists);
  // Moves contact `e.contact`'s (hashed `contact_hash`) waiting events from
  // shard `from` to `to`.
  void follow(const Event& e, std::uint64_t contact_hash, std::uint32_t from, std::uint32_t to,
              Lists& lists);
};

}  // namespace ccmon::core
