// What the native-format writers (ConnectWriter, TwilioWriter,
// QueueLogWriter) share: reading the simulator's NDJSON one event at a time.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace ccmon::sim::native {

// The string member `key` of `j`, or "" when it is absent or not a string.
inline std::string str(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Calls `on_event(const nlohmann::json&)` for each line of `ndjson` that is
// a JSON object, in order; other lines are skipped (the simulator writes
// only objects, so there are none in practice).
template <class OnEvent>
void for_each_event(std::string_view ndjson, OnEvent&& on_event) {
  while (!ndjson.empty()) {
    const std::size_t nl = ndjson.find('\n');
    const std::string_view text = ndjson.substr(0, nl);
    ndjson = nl == std::string_view::npos ? std::string_view{} : ndjson.substr(nl + 1);
    const nlohmann::json e = nlohmann::json::parse(text, nullptr, false);
    if (e.is_object()) on_event(e);
  }
}

}  // namespace ccmon::sim::native
