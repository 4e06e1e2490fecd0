#include "core/adapters/event_ndjson.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>

namespace ccmon::core::adapters {
namespace {

// "1700000000" or "1700000000.000250": exact, never through a double's
// rounding of the fraction.
void append_time(std::string& out, Timestamp t) {
  const bool negative = t < 0;  // the codec refuses it; written faithfully anyway
  const std::uint64_t abs =
      negative ? 0 - static_cast<std::uint64_t>(t) : static_cast<std::uint64_t>(t);
  const std::uint64_t whole = abs / static_cast<std::uint64_t>(kMicrosPerSecond);
  const std::uint64_t micros = abs % static_cast<std::uint64_t>(kMicrosPerSecond);
  char buf[32];
  if (negative) out += '-';
  auto r = std::to_chars(buf, buf + sizeof buf, whole);
  out.append(buf, r.ptr);
  if (micros == 0) return;
  r = std::to_chars(buf, buf + sizeof buf, micros);
  const auto digits = static_cast<std::size_t>(r.ptr - buf);
  out += '.';
  out.append(6 - digits, '0');
  out.append(buf, r.ptr);
}

}  // namespace

std::string events_ndjson(const std::vector<Event>& events) {
  std::string out;
  for (const Event& e : events) {
    nlohmann::json j = nlohmann::json::object();
    j["id"] = e.id;
    j["type"] = to_string(e.type);
    const std::pair<const char*, const std::string*> text[] = {
        {"contact", &e.contact},       {"case", &e.case_id},      {"channel", &e.channel},
        {"queue", &e.queue},           {"agent", &e.agent},       {"team", &e.team},
        {"customer", &e.customer},     {"to_queue", &e.to_queue}, {"to_agent", &e.to_agent},
        {"to_channel", &e.to_channel}, {"reason", &e.reason}};
    for (const auto& [name, value] : text) {
      if (!value->empty()) j[name] = *value;
    }
    if (e.priority) j["priority"] = *e.priority;
    if (e.automated) j["automated"] = true;
    if (e.value) j["value"] = *e.value;
    if (e.score) j["score"] = *e.score;
    if (e.csat) j["csat"] = *e.csat;
    if (e.nps) j["nps"] = *e.nps;
    if (e.ces) j["ces"] = *e.ces;
    if (e.contacts) j["contacts"] = *e.contacts;
    if (e.state) j["state"] = to_string(*e.state);
    // Names were checked as UTF-8 by the adapters; replace guards the rest.
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // Splice the time in as a number before the closing brace.
    line.pop_back();
    line += ",\"time\":";
    append_time(line, e.time);
    line += "}\n";
    out += line;
  }
  return out;
}

}  // namespace ccmon::core::adapters
