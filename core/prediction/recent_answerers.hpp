// Which agents answered each queue x channel recently: the agents serving a
// queue that no `queues:` entry maps to teams (docs/forecasting.md, "Inputs
// the models use"). Fed the answers the engine attributes
// (Engine::take_answers: the engine knows each answer's series from its
// contact record) and every applied event, in order, for agent states; pure
// (time is the events'). Not thread-safe: one owner (the engine runner).
// Saved in the state image's extra record (server/state_records.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "core/engine/hashed_ids.hpp"
#include "core/event.hpp"
#include "core/hash/keyed_hash.hpp"
#include "core/time.hpp"

namespace ccmon::core {

class RecentAnswerers {
 public:
  // Client strings (agent, queue names) are hashed under `key`
  // (docs/security.md, "Hash flooding"); the default key is for tests.
  explicit RecentAnswerers(const HashKey& key = {})
      : series_(0, KeyedStringHash{key}), agent_index_(0, AgentHash{{key}}), key_(key) {}

  // Bound on the (series, agent) answers remembered. Past it the oldest
  // tenth is dropped at once (amortised O(1) per answer even under a flood
  // of new agent ids).
  static constexpr std::size_t kMaxAnswers = 200'000;
  // Bound on the agents remembered as away or offline. Past it the marks
  // of agents with no answer kept are forgotten when they are a tenth or
  // more of the marks (a flood of made-up agents), else the oldest tenth
  // (those agents count again for the answers they gave before going off).
  static constexpr std::size_t kMaxOffMarks = 200'000;

  // `agent` answered a contact of (queue, channel) at `at`: an answer the
  // engine attributed (Engine::take_answers), in the series it counted it.
  void answered(std::string_view queue, std::string_view channel, std::string_view agent,
                Timestamp at);
  // The same, with `agent_hash` the agent's hash under `key` (the engine's,
  // Engine::take_answers gives it): under this memory's own key the agent
  // is looked up by it instead of being hashed again (SipHash of the name
  // was a sixth of this call's instructions: docs/forecasting.md, "Agents
  // serving"); under another key the name is hashed here.
  void answered(std::string_view queue, std::string_view channel, std::string_view agent,
                std::uint64_t agent_hash, const HashKey& key, Timestamp at);
  // Takes every answer `engine` (an Engine or a ShardedEngine) noted since
  // its last take, in order, each with its agent's hash under the engine's
  // key: what the engine runner does after each engine call.
  template <typename E>
  void take_answers_of(E& engine) {
    const HashKey& key = engine.hash_key();
    engine.take_answers([&](std::string_view queue, std::string_view channel,
                            std::string_view agent, std::uint64_t agent_hash, Timestamp at) {
      answered(queue, channel, agent, agent_hash, key, at);
    });
  }
  // Agent states: an agent gone away or offline after its last answer
  // stops counting. Other events change nothing.
  void apply(std::span<const Event* const> events);
  void apply(const Event& e);
  // The same, with hashed[i] events[i]'s ids hashed under `key`
  // (hashed_ids_of, made on the daemon's io threads; the argument order of
  // Engine::apply): under this memory's own key, agents are looked up by
  // those hashes instead of being hashed again (hashing them again was
  // half of this call's instructions: docs/benchmarks.md, "Analysis of the
  // misses", the answer memory's agent hashes). Other keys, or spans of
  // unequal sizes, are ignored and the names hashed here.
  void apply(std::span<const Event* const> events, const HashKey& key,
             std::span<const HashedIds> hashed);

  // Per series_key(queue, channel): agents who answered it at or after
  // `since` and have not gone away or offline after their last answer
  // there. One pass over the answers kept, with neither a hash nor an
  // allocation per answer (once a tick, not per series); series with none
  // are left out.
  using Counts = std::unordered_map<std::string, int, KeyedStringHash, std::equal_to<>>;
  Counts counts(Timestamp since) const;
  // Length-prefixed ("5:sales5:voice"): no two (queue, channel) pairs share one.
  static std::string series_key(std::string_view queue, std::string_view channel);

  // Forgets answers before `since` (call once a tick with now - lookback).
  void expire(Timestamp since);

  // Everything remembered, sorted (so equal memories give equal bytes):
  // answers, agents away or offline.
  struct Entries {
    struct Answer {
      std::string queue, channel, agent;
      Timestamp at = 0;
    };
    std::vector<Answer> answers;
    std::vector<std::pair<std::string, Timestamp>> off_since;
  };
  Entries entries() const;
  void restore(Entries e);

  std::size_t answers_size() const { return answers_; }
  // Agents away or offline remembered (at most kMaxOffMarks).
  std::size_t off_marks_size() const { return off_marks_; }
  // Agents remembered: named by an answer kept or an off mark, no other.
  std::size_t agents_size() const { return agents_.size() - free_agents_.size(); }

 private:
  // Open addressing (Abseil's Swiss table): no node allocated per entry;
  // every answer reaches its series through it, or through series_memo_
  // in front of it (their cost: docs/forecasting.md, "Agents serving").
  template <typename V>
  using Map = absl::flat_hash_map<std::string, V, KeyedStringHash, std::equal_to<>>;
  // An agent's name with its hash under key_, made elsewhere: looked up in
  // agent_index_ without hashing the name again.
  struct Hashed {
    std::string_view name;
    std::uint64_t hash;
    operator std::string_view() const { return name; }  // NOLINT: stored as the name
  };
  struct AgentHash : KeyedStringHash {
    using KeyedStringHash::operator();
    std::size_t operator()(const Hashed& h) const { return h.hash; }
  };
  struct AgentEq {
    using is_transparent = void;
    static std::string_view name(std::string_view s) { return s; }
    static std::string_view name(const Hashed& h) { return h.name; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return name(a) == name(b);
    }
  };
  // One per agent named by an answer kept or an off mark: looked up by its
  // name's hash, made here only when the caller did not make it (an answer
  // from the engine or an agent state hashed ahead brings it), and the
  // mark read by index once a tick.
  struct Agent {
    std::string name;
    Timestamp off_since = 0;  // went away or offline at, when `off`
    bool off = false;
    std::uint32_t series_answered = 0;  // series whose answers kept name it
  };
  struct Series {
    std::string queue;
    std::string channel;
    // Agent index -> time of its latest answer, under Abseil's own hash
    // (seeded per process): a client sets which index an agent gets only by
    // the order it names agents, and the tables hold at most kMaxAnswers.
    // 16-byte slots, where a string-keyed table's took 40.
    absl::flat_hash_map<std::uint32_t, Timestamp> agents;
  };

  Series& series(std::string_view queue, std::string_view channel);
  void answered(std::string_view queue, std::string_view channel, const Hashed& agent,
                Timestamp at);
  // The agent's index, its record made if absent.
  std::uint32_t intern(std::string_view agent);
  std::uint32_t intern(const Hashed& agent);
  // apply(e) with e.agent's hash under key_.
  void apply(const Event& e, std::uint64_t agent_hash);
  // Forgets the agent's record once nothing names it (no answer, no mark).
  void release_if_unused(std::uint32_t index);
  // Marks the agent away or offline since `at` (kMaxOffMarks kept).
  void mark_off(const Hashed& agent, Timestamp at);
  void clear_off(std::uint32_t index);
  void drop_oldest_answers();
  void drop_off_marks();
  // Erases the answers with time < cut (<= cut when `inclusive`), and
  // series left without any.
  void erase_answers(Timestamp cut, bool inclusive);
  // Clears the off marks with time < cut (<= cut when `inclusive`): a walk
  // over the agents, skipped when none is off.
  void erase_off_marks(Timestamp cut, bool inclusive);

  Map<Series> series_;      // by series_key
  std::string key_buffer_;  // series()'s
  // A direct-mapped memo of the series looked up last, in front of
  // series_, as the engine's label memo (core/engine/labels.hpp): a hit
  // costs Abseil's hash of the two names and two comparisons, where
  // series_ costs building the series key and SipHash-2-4 of it (over half
  // of an answer's instructions: docs/forecasting.md, "Agents serving").
  // Abseil's hash need not be keyed: a colliding pair only misses the memo
  // and takes series_. series_ moves its values when it grows and frees
  // them on erase, so an entry holds only in the generation it was made
  // in; every insert into series_ and every erase starts a new one. A copy
  // or move of the memory starts with an empty memo, and a move empties
  // the memo moved from too: their entries would point into the other
  // memory's series. 16 KiB inside the memory (one per engine runner).
  struct SeriesMemo {
    struct Entry {
      Series* series = nullptr;
      std::uint64_t generation = 0;  // 0: empty (generations start at 1)
    };
    static constexpr std::size_t kSize = 1024;
    std::array<Entry, kSize> entries{};

    SeriesMemo() = default;
    SeriesMemo(const SeriesMemo&) : SeriesMemo() {}
    SeriesMemo(SeriesMemo&& o) noexcept : SeriesMemo() { o.clear(); }
    SeriesMemo& operator=(const SeriesMemo&) {
      clear();
      return *this;
    }
    SeriesMemo& operator=(SeriesMemo&& o) noexcept {
      clear();
      o.clear();
      return *this;
    }
    void clear() { entries.fill(Entry{}); }
    Entry& slot(std::string_view queue, std::string_view channel) {
      return entries[absl::HashOf(queue, channel) & (kSize - 1)];
    }
  };
  SeriesMemo series_memo_;
  std::uint64_t series_generation_ = 1;
  std::size_t answers_ = 0;
  // Name -> index in agents_.
  absl::flat_hash_map<std::string, std::uint32_t, AgentHash, AgentEq> agent_index_;
  std::vector<Agent> agents_;               // at most kMaxAnswers + kMaxOffMarks in use
  std::vector<std::uint32_t> free_agents_;  // indices of forgotten agents, reused first
  std::size_t off_marks_ = 0;
  HashKey key_;
};

}  // namespace ccmon::core
