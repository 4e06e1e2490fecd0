#include "tools/bank/bank_mapping.hpp"

#include <algorithm>

namespace ccmon::bank {
namespace {

using core::EventType;

constexpr int kHalfDay = 12 * 3600;

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xf];
      out += kHex[c & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  append_json_string(out, value);
}

}  // namespace

std::vector<PlannedEvent> plan_events(const BankRecord& r) {
  if (r.outcome == Outcome::kPhantom) return {};

  const LocalSeconds midnight = local_midnight(r.date);
  auto at = [&](int clock) {
    return midnight + clock + (clock < r.vru_entry - kHalfDay ? kSecondsPerDay : 0);
  };
  // A few hundred AGENT records a year have no service times (both 0:00:00,
  // ser_time 0): the call was served, for 0 s as far as the bank knows.
  const bool service_recorded = r.ser_start != 0 || r.ser_exit != 0;
  const LocalSeconds service =
      service_recorded ? std::max<LocalSeconds>(0, at(r.ser_exit) - at(r.ser_start)) : 0;

  std::vector<PlannedEvent> out;
  out.push_back({EventType::kContactCreated, at(r.vru_entry)});
  if (r.queued()) {
    const LocalSeconds queued = at(r.q_start);
    const LocalSeconds left = std::max(queued, at(r.q_exit));
    out.push_back({EventType::kContactQueued, queued});
    if (r.outcome == Outcome::kAgent) {
      out.push_back({EventType::kContactAnswered, left});
      out.push_back({EventType::kContactEnded, left + service});
      out.push_back({EventType::kContactWrapped, left + service});
    } else {
      out.push_back({EventType::kContactAbandoned, left});
    }
  } else if (r.outcome == Outcome::kAgent) {
    // Without service times, the VRU handed the call over at vru_exit.
    const LocalSeconds start = service_recorded ? at(r.ser_start) : at(r.vru_exit);
    out.push_back({EventType::kContactQueued, start});
    out.push_back({EventType::kContactAnswered, start});
    out.push_back({EventType::kContactEnded, start + service});
    out.push_back({EventType::kContactWrapped, start + service});
  } else {
    out.push_back({EventType::kContactSelfServed, at(r.vru_exit)});
  }
  // A VRU clock behind the queue's (negative vru_time) must not put created
  // after the call's first real step.
  out.front().at = std::min(out.front().at, out[1].at);
  return out;
}

std::string contact_id(const BankRecord& r) {
  return "bank-" + r.date_text + "-" + r.call_id + "-" + r.vru_line;
}

std::string event_json(const BankRecord& r, const PlannedEvent& e, std::int32_t offset_s) {
  const std::string contact = contact_id(r);
  const std::string_view type = core::to_string(e.type);
  // "contact.answered" -> id suffix "answered"; unique since a call has at
  // most one event of each type.
  const std::string_view suffix = type.substr(type.find('.') + 1);

  std::string out = "{\"id\":";
  append_json_string(out, contact + "-" + std::string(suffix));
  append_field(out, "type", type);
  append_field(out, "time", format_rfc3339(e.at, offset_s));
  append_field(out, "contact", contact);
  append_field(out, "channel", "voice");
  append_field(out, "queue", r.type);
  if (e.type == EventType::kContactQueued) {
    out += ",\"priority\":";
    out += std::to_string(r.priority);
  }
  if (e.type == EventType::kContactAnswered) append_field(out, "agent", r.server);
  out += '}';
  return out;
}

}  // namespace ccmon::bank
