// TZif (RFC 8536) zone files -> core::TimeZone transition tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/tz/time_zone.hpp"

namespace ccmon::config {

// Last year for which a TZif footer rule is expanded into explicit transitions;
// past it the offset of the last transition holds.
inline constexpr int kLastExpandedYear = 2100;

// Parses TZif bytes (v1, or the 64-bit section of v2+ with its footer rule).
// nullopt with `error` set when the data is malformed or uses leap seconds.
std::optional<core::TimeZone> parse_tzif(std::string_view data, const std::string& name,
                                         std::string& error);

}  // namespace ccmon::config
