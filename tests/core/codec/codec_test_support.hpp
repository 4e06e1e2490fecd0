// Shared fixtures of the codec tests.
#pragma once

#include <string>
#include <string_view>

#include "core/codec/codec.hpp"

namespace ccmon::core::testing {

// "Now" of every decode: 2026-11-22T09:15:00Z. Days to 2026-01-01: 56 * 365
// + 14 leap days = 20454; + 304 (Jan..Oct) + 21 = 20779; 20779 * 86400 =
// 1795305600 s; + 9 h 15 min (33300 s) = 1795338900 s.
inline constexpr Timestamp kNow = seconds(1'795'338'900);
// The `time` of the fixture events: 2026-11-22T09:00:00Z = kNow - 900 s.
inline constexpr std::string_view kTime = "2026-11-22T09:00:00Z";
inline constexpr Timestamp kTimeMicros = kNow - seconds(900);

// {"id":"<id>","type":"<type>","time":"2026-11-22T09:00:00Z"<extra>};
// `extra` starts with a comma when it adds fields.
inline std::string event_json_with_id(std::string_view id, std::string_view type,
                                      std::string_view extra = "") {
  std::string s = R"({"id":")";
  s += id;
  s += R"(","type":")";
  s += type;
  s += R"(","time":")";
  s += kTime;
  s += '"';
  s += extra;
  s += '}';
  return s;
}

// The same with the id "e1".
inline std::string event_json(std::string_view type, std::string_view extra = "") {
  return event_json_with_id("e1", type, extra);
}

}  // namespace ccmon::core::testing
