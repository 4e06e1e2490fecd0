#include "tools/sim/counts.hpp"

#include <nlohmann/json.hpp>

namespace ccmon::sim {

std::string SimCounts::to_json(const std::vector<std::string>& queues) const {
  nlohmann::ordered_json types = nlohmann::ordered_json::object();
  for (int t = 0; t < core::kEventTypeCount; ++t) {
    types[std::string(core::to_string(static_cast<core::EventType>(t)))] = by_type_[t];
  }
  nlohmann::ordered_json series = nlohmann::ordered_json::array();
  for (std::size_t q = 0; q < queues.size(); ++q) {
    for (int c = 0; c < kChannelCount; ++c) {
      const SeriesCounts& s = at(q, static_cast<Channel>(c));
      if (s.created + s.offered == 0) continue;
      series.push_back({{"queue", queues[q]},
                        {"channel", channel_name(static_cast<Channel>(c))},
                        {"created", s.created},
                        {"self_served", s.self_served},
                        {"deflected", s.deflected},
                        {"offered", s.offered},
                        {"answered", s.answered},
                        {"abandoned", s.abandoned},
                        {"short_abandoned", s.short_abandoned},
                        {"overflowed", s.overflowed},
                        {"handled", s.handled}});
    }
  }
  nlohmann::ordered_json out;
  out["events"] = events_;
  out["types"] = std::move(types);
  out["series"] = std::move(series);
  return out.dump();
}

}  // namespace ccmon::sim
