// Time in the core is plain integers: microseconds since the Unix epoch (UTC).
// Nothing in core/ reads a clock; "now" is always an argument.
#pragma once

#include <cstdint>

namespace ccmon::core {

using Timestamp = std::int64_t;  // microseconds since 1970-01-01T00:00:00Z
using Duration = std::int64_t;   // microseconds

inline constexpr Duration kMicrosPerSecond = 1'000'000;

constexpr Duration seconds(std::int64_t s) {
  return s * kMicrosPerSecond;
}
constexpr Duration minutes(std::int64_t m) {
  return seconds(m * 60);
}
constexpr Duration hours(std::int64_t h) {
  return seconds(h * 3600);
}
constexpr double to_seconds(Duration d) {
  return static_cast<double>(d) / kMicrosPerSecond;
}

}  // namespace ccmon::core
