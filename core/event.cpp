#include "core/event.hpp"

#include <array>
#include <cstdint>

namespace ccmon::core {
namespace {

constexpr std::array<std::string_view, kEventTypeCount> kTypeNames = {
    "contact.created",    "contact.queued",    "contact.answered",    "contact.abandoned",
    "contact.overflowed", "contact.held",      "contact.resumed",     "contact.transferred",
    "contact.ended",      "contact.wrapped",   "contact.self_served", "contact.deflected",
    "contact.converted",  "contact.sentiment", "message.received",    "message.sent",
    "case.opened",        "case.escalated",    "case.resolved",       "survey.answered",
    "customer.churned",   "agent.state",       "case.reopened",
};

// Type indices grouped by name length: a type is compared with the few
// names of its length (at most four) instead of all of them, on every event.
struct TypesByLength {
  static constexpr std::size_t kMaxLength = 24;
  std::array<std::array<std::uint8_t, 6>, kMaxLength + 1> types{};
  std::array<std::uint8_t, kMaxLength + 1> count{};
};

constexpr TypesByLength types_by_length() {
  TypesByLength t;
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    const std::size_t n = kTypeNames[i].size();
    t.types[n][t.count[n]++] = static_cast<std::uint8_t>(i);
  }
  return t;
}

constexpr TypesByLength kTypesByLength = types_by_length();

constexpr std::array<std::string_view, kAgentStateCount> kStateNames = {
    "available", "busy", "wrap_up", "away", "offline"};

}  // namespace

std::string_view to_string(EventType t) {
  return kTypeNames[static_cast<std::size_t>(t)];
}

std::optional<EventType> event_type_from_string(std::string_view s) {
  if (s.size() > TypesByLength::kMaxLength) return std::nullopt;
  for (std::uint8_t j = 0; j < kTypesByLength.count[s.size()]; ++j) {
    const std::uint8_t i = kTypesByLength.types[s.size()][j];
    if (kTypeNames[i] == s) return static_cast<EventType>(i);
  }
  return std::nullopt;
}

std::string_view to_string(AgentState s) {
  return kStateNames[static_cast<std::size_t>(s)];
}

std::optional<AgentState> agent_state_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == s) return static_cast<AgentState>(i);
  }
  return std::nullopt;
}

namespace {

constexpr std::string Event::*kStrings[] = {
    &Event::id,       &Event::contact,  &Event::case_id,    &Event::channel,
    &Event::queue,    &Event::agent,    &Event::team,       &Event::customer,
    &Event::to_queue, &Event::to_agent, &Event::to_channel, &Event::reason,
};

}  // namespace

void Event::reset() {
  // Member by member: swapping the strings into a fresh Event and assigning
  // it cost ten times more per event (callgrind). decode_reuse_test.cpp
  // checks the result equals Event{}, and fails to compile when a member is
  // added or removed.
  for (const auto m : kStrings) (this->*m).clear();
  type = EventType::kContactCreated;
  time = 0;
  priority.reset();
  automated = false;
  value.reset();
  score.reset();
  csat.reset();
  nps.reset();
  ces.reset();
  contacts.reset();
  state.reset();
}

void Event::release_strings_above(std::size_t max_bytes) {
  for (const auto m : kStrings) {
    if ((this->*m).capacity() > max_bytes) std::string().swap(this->*m);
  }
}

}  // namespace ccmon::core
