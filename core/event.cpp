#include "core/event.hpp"

#include <array>

#include "core/names_by_length.hpp"

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

constexpr NamesByLength<kEventTypeCount, 24, 6> kTypesByLength{kTypeNames};

constexpr std::array<std::string_view, kAgentStateCount> kStateNames = {
    "available", "busy", "wrap_up", "away", "offline"};

}  // namespace

std::string_view to_string(EventType t) {
  return kTypeNames[static_cast<std::size_t>(t)];
}

std::optional<EventType> event_type_from_string(std::string_view s) {
  const std::optional<std::size_t> i = kTypesByLength.find(s);
  if (!i) return std::nullopt;
  return static_cast<EventType>(*i);
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

}  // namespace ccmon::core
