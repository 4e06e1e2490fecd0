// The answers an engine attributed and its owner has not taken yet: for the
// forecast's answer memory (core/prediction/recent_answerers.hpp), which
// counts the agents who answered each series lately. The engine knows the
// series of every answer already (the contact record), so the memory keeps
// no table of waiting contacts of its own (docs/forecasting.md, "Inputs the
// models use"). Not thread-safe: part of one engine, and not saved with
// its state (what is noted is taken after every engine call).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace ccmon::core::engine_detail {

class AnswerLog {
 public:
  // Off by default: an engine with no answer memory notes nothing.
  void set_on(bool on) {
    on_ = on;
    if (!on) clear();
  }
  bool on() const { return on_; }

  // `agent`, whose hash under the engine's key is `agent_hash`, answered a
  // contact counted in series (queue, channel) at `at`.
  // The names are copied: the log outlives a restore or reconfiguration of
  // the state they come from, and the agent's record may be evicted. The
  // owner takes the log after every engine call, so it holds one call's
  // answers, a batch's or the held ones an advance or reconfigure gives up
  // (32-bit offsets: far below 4 GiB).
  void add(std::string_view queue, std::string_view channel, std::string_view agent,
           std::uint64_t agent_hash, Timestamp at) {
    const auto offset = static_cast<std::uint32_t>(names_.size());
    names_.append(queue).append(channel).append(agent);
    entries_.push_back({offset, static_cast<std::uint32_t>(queue.size()),
                        static_cast<std::uint32_t>(channel.size()),
                        static_cast<std::uint32_t>(agent.size()), agent_hash, at});
  }

  // Calls f(queue, channel, agent, agent_hash, at) for each answer, in the
  // order noted, then forgets them (keeping the capacity for the next batch).
  template <typename F>
  void take(F&& f) {
    const std::string_view names(names_);
    for (const Entry& e : entries_) {
      f(names.substr(e.offset, e.queue), names.substr(e.offset + e.queue, e.channel),
        names.substr(e.offset + e.queue + e.channel, e.agent), e.agent_hash, e.at);
    }
    clear();
  }

 private:
  struct Entry {
    std::uint32_t offset;                 // in names_: the queue, channel and agent
    std::uint32_t queue, channel, agent;  // their sizes
    std::uint64_t agent_hash;
    Timestamp at;
  };
  void clear() {
    entries_.clear();
    names_.clear();
  }

  bool on_ = false;
  std::vector<Entry> entries_;
  std::string names_;  // each answer's queue, channel and agent, one after another
};

}  // namespace ccmon::core::engine_detail
