// Which agents answered each queue x channel recently: the agents serving a
// queue that no `queues:` entry maps to teams (docs/forecasting.md, "Inputs
// the models use"). Fed with every applied event, in order; pure (time is
// the events'). Not thread-safe: one owner (the engine runner). Not part of
// the state image: after a restart from a snapshot it fills again from the
// journal replayed after it and from new answers.
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
  // Client strings (contact, agent, queue names) are hashed under `key`
  // (docs/security.md, "Hash flooding"); the default key is for tests.
  explicit RecentAnswerers(const HashKey& key = {})
      : waiting_(0, KeyedStringHash{key}),
        series_(0, KeyedStringHash{key}),
        off_since_(0, KeyedStringHash{key}),
        key_(key) {}

  // Bounds on what is remembered: contacts waiting (to learn the series of a
  // contact.answered, which names only the contact) and (series, agent)
  // answers. Past a bound the oldest tenth is dropped at once (amortised
  // O(1) per event even under a flood of new ids).
  static constexpr std::size_t kMaxWaiting = 200'000;
  static constexpr std::size_t kMaxAnswers = 200'000;

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
  // contacts waiting, answers, agents away or offline.
  struct Entries {
    struct Waiting {
      std::string contact, queue, channel;
      Timestamp queued = 0;
    };
    struct Answer {
      std::string queue, channel, agent;
      Timestamp at = 0;
    };
    std::vector<Waiting> waiting;
    std::vector<Answer> answers;
    std::vector<std::pair<std::string, Timestamp>> off_since;
  };
  Entries entries() const;
  void restore(Entries e);

  std::size_t waiting_size() const { return waiting_.size(); }
  std::size_t answers_size() const { return answers_; }

 private:
  // Open addressing (Abseil's Swiss table): no node allocated per entry;
  // it applies with every event (docs/benchmarks.md, "Where the time goes").
  template <typename V>
  using Map = absl::flat_hash_map<std::string, V, KeyedStringHash, std::equal_to<>>;
  struct Waiting {
    std::string series;  // series_key
    Timestamp queued = 0;
  };
  struct Series {
    std::string queue;
    std::string channel;
    Map<Timestamp> agents;  // agent -> time of the latest answer
  };

  void answered(std::string_view queue, std::string_view channel, const std::string& agent,
                Timestamp at);
  Series& series(std::string_view queue, std::string_view channel);
  void drop_oldest_waiting();
  void drop_oldest_answers();
  // Erases the answers with time < cut (<= cut when `inclusive`), and
  // series left without any.
  void erase_answers(Timestamp cut, bool inclusive);

  Map<Waiting> waiting_;  // by contact id
  Map<Series> series_;    // by series_key
  std::size_t answers_ = 0;
  Map<Timestamp> off_since_;  // agent -> went away/offline at
  HashKey key_;
};

}  // namespace ccmon::core
