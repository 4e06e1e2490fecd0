#include "core/event.hpp"

#include <array>

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

constexpr std::array<std::string_view, kAgentStateCount> kStateNames = {
    "available", "busy", "wrap_up", "away", "offline"};

}  // namespace

std::string_view to_string(EventType t) {
  return kTypeNames[static_cast<std::size_t>(t)];
}

std::optional<EventType> event_type_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
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

}  // namespace ccmon::core
