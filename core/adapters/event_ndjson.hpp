// Adapter events back to the ccmon wire form (docs/events.md), one JSON
// object a line, so that the daemon validates them with exactly the codec
// that /v1/events uses (channels allowed, clock skew, event age, limits)
// instead of a second set of checks that could drift. Pure.
#pragma once

#include <string>
#include <vector>

#include "core/event.hpp"

namespace ccmon::core::adapters {

// NDJSON: one line per event, in order, each ending in '\n'; line k (from 0)
// is events[k]. Times are Unix seconds with the microseconds the Event holds
// written as an exact decimal fraction. Absent fields (empty strings, unset
// optionals) are left out.
std::string events_ndjson(const std::vector<Event>& events);

}  // namespace ccmon::core::adapters
