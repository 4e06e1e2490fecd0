// Client-supplied text made safe for where it is written: JSON answers
// (built without a DOM) and log lines (escaped and truncated, so a queue name
// cannot forge a line or reach a terminal as an escape sequence).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ccmon::server {

// Appends `s` as a quoted JSON string (RFC 8259 §7): `"` `\` and control
// characters escaped; bytes that are not UTF-8 become U+FFFD, as
// nlohmann::json's error_handler_t::replace does.
void append_json_string(std::string& out, std::string_view s);

// Longest client-supplied value written to a log line, in bytes, before
// `loggable` cuts it (docs/security.md).
inline constexpr std::size_t kMaxLoggedBytes = 128;

// `s` for a log line: printable ASCII kept, `\` doubled, every other byte
// (control characters, DEL, bytes of multi-byte UTF-8 included) written as
// \xNN; cut after `max_bytes` of input with "...(N bytes)" naming the full
// size. Use it for every client-supplied string that reaches spdlog.
std::string loggable(std::string_view s, std::size_t max_bytes = kMaxLoggedBytes);

}  // namespace ccmon::server
