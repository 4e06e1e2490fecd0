// Catch2 helpers of the state codec tests over world.hpp: a round trip
// into fresh objects and snapshot lookups.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/persist/state_codec.hpp"
#include "world.hpp"

namespace ccmon::core::test {

// The encoded world decoded into fresh objects built with another
// configuration (decode must replace it).
inline std::unique_ptr<World> roundtrip(const World& w) {
  EngineConfig other;
  other.windows = {{"15m", minutes(15)}};
  auto copy = std::make_unique<World>(other, DedupOptions{hours(1), 5}, std::vector<SlaRule>{});
  const std::string image = persist::encode_state(w.engine, w.dedup, w.sla, "x");
  REQUIRE(persist::decode_state(image, copy->engine, copy->dedup, copy->sla) == "x");
  return copy;
}

inline const SeriesSnapshot& series_of(const Snapshot& s, std::string_view q, std::string_view ch) {
  for (const auto& x : s.series) {
    if (x.queue == q && x.channel == ch) return x;
  }
  FAIL("no series " << q << "/" << ch);
  throw std::logic_error("unreachable");
}

inline std::optional<double> value(const Snapshot& s, std::string_view q, std::string_view ch,
                                   std::string_view window, Kpi k) {
  const SeriesSnapshot& x = series_of(s, q, ch);
  for (std::size_t w = 0; w < s.windows.size(); ++w) {
    if (s.windows[w] == window) return x.windows[w].kpis[static_cast<std::size_t>(k)].value;
  }
  FAIL("no window " << window);
  return std::nullopt;
}

inline double live(const Snapshot& s, std::string_view q, std::string_view ch, LiveKpi k) {
  return series_of(s, q, ch).live[static_cast<std::size_t>(k)];
}

}  // namespace ccmon::core::test
