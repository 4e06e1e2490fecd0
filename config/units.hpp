// Textual durations and sizes as written in the YAML configuration, following
// Prometheus conventions so operators need not learn a second syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/time.hpp"

namespace ccmon::config {

// "1h30m", "500ms", "20s", "7d", "0": integer amounts with units
// y (365d), w, d, h, m, s, ms, largest first, each at most once. A bare "0" is
// allowed; any other unitless number is not (is "20" seconds or minutes?).
// nullopt when malformed or past the int64 microsecond range.
std::optional<core::Duration> parse_duration(std::string_view text);

// "8MiB", "64KiB", "1GiB", "512B", "1MB", or a plain byte count "65536".
// IEC units (KiB, MiB, GiB, TiB) are powers of 1024; SI units (KB, MB, GB, TB)
// powers of 1000. nullopt when malformed or overflowing.
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace ccmon::config
