// Which agents answered each queue x channel recently: the agents serving a
// queue that no `queues:` entry maps to teams (docs/forecasting.md, "Inputs
// the models use"). Fed the answers the engine attributes
// (Engine::take_answers: the engine knows each answer's series from its
// contact record) and every applied event, in order, for agent states; pure
// (time is the events'). Not thread-safe: one owner (the engine runner).
// Saved in the state image's extra record (server/state_records.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/event.hpp"
#include "core/hash/keyed_hash.hpp"
#include "core/time.hpp"

namespace ccmon::core {

class RecentAnswerers {
 public:
  // Client strings (agent, queue names) are hashed under `key`
  // (docs/security.md, "Hash flooding"); the default key is for tests.
  explicit RecentAnswerers(const HashKey& key = {})
      : series_(0, KeyedStringHash{key}), off_since_(0, KeyedStringHash{key}), key_(key) {}

  // Bound on the (series, agent) answers remembered. Past it the oldest
  // tenth is dropped at once (amortised O(1) per answer even under a flood
  // of new agent ids).
  static constexpr std::size_t kMaxAnswers = 200'000;

  // `agent` answered a contact of (queue, channel) at `at`: an answer the
  // engine attributed (Engine::take_answers), in the series it counted it.
  void answered(std::string_view queue, std::string_view channel, std::string_view agent,
                Timestamp at);
  // Agent states: an agent gone away or offline after its last answer
  // stops counting. Other events change nothing.
  void apply(std::span<const Event* const> events);
  void apply(const Event& e);

  // Per series_key(queue, channel): agents who answered it at or after
  // `since` and have not gone away or offline after their last answer
  // there. One pass over the answers kept, no allocation per answer (once a
  // tick, not per series); series with none are left out.
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

 private:
  // Open addressing (Abseil's Swiss table): no node allocated per entry;
  // it takes every answer (its cost: docs/forecasting.md, "Agents serving").
  template <typename V>
  using Map = absl::flat_hash_map<std::string, V, KeyedStringHash, std::equal_to<>>;
  struct Series {
    std::string queue;
    std::string channel;
    Map<Timestamp> agents;  // agent -> time of the latest answer
  };

  Series& series(std::string_view queue, std::string_view channel);
  void drop_oldest_answers();
  // Erases the answers with time < cut (<= cut when `inclusive`), and
  // series left without any.
  void erase_answers(Timestamp cut, bool inclusive);

  Map<Series> series_;      // by series_key
  std::string key_buffer_;  // series()'s
  std::size_t answers_ = 0;
  Map<Timestamp> off_since_;  // agent -> went away/offline at
  HashKey key_;
};

}  // namespace ccmon::core
