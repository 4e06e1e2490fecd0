// What the simulator emitted, per queue x channel and per event type: the
// figures an end-to-end test compares with the daemon's counters.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/event.hpp"
#include "tools/sim/sim_config.hpp"

namespace ccmon::sim {

// Counted the way docs/kpis.md attributes them: offered at each
// contact.queued (a transfer or callback re-queue offers again), answered /
// abandoned / overflowed in the queue the contact waited in, handled per
// completed segment (contact.wrapped, or contact.transferred).
struct SeriesCounts {
  std::uint64_t created = 0;
  std::uint64_t self_served = 0;
  std::uint64_t deflected = 0;
  std::uint64_t offered = 0;
  std::uint64_t answered = 0;
  std::uint64_t abandoned = 0;  // short abandons included, like the daemon's counter
  std::uint64_t short_abandoned = 0;
  std::uint64_t overflowed = 0;
  std::uint64_t handled = 0;
};

class SimCounts {
 public:
  explicit SimCounts(std::size_t queues) : series_(queues * kChannelCount) {}

  SeriesCounts& at(std::size_t queue, Channel c) {
    return series_[queue * kChannelCount + static_cast<std::size_t>(c)];
  }
  const SeriesCounts& at(std::size_t queue, Channel c) const {
    return series_[queue * kChannelCount + static_cast<std::size_t>(c)];
  }
  void event(core::EventType t) {
    ++by_type_[static_cast<std::size_t>(t)];
    ++events_;
  }
  std::uint64_t events() const { return events_; }
  std::uint64_t of_type(core::EventType t) const { return by_type_[static_cast<std::size_t>(t)]; }

  // {"events": n, "types": {...}, "series": [{"queue", "channel", counts...}]}
  // Series with no contact at all are left out.
  std::string to_json(const std::vector<std::string>& queues) const;

 private:
  std::vector<SeriesCounts> series_;
  std::array<std::uint64_t, core::kEventTypeCount> by_type_{};
  std::uint64_t events_ = 0;
};

}  // namespace ccmon::sim
