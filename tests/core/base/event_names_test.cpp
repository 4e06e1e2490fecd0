// The wire names of event types and agent states are part of the ingestion
// contract (docs/events.md) and metric labels: pin every one of them.
#include <catch2/catch.hpp>

#include "core/event.hpp"

namespace {

using ccmon::core::AgentState;
using ccmon::core::EventType;

struct TypeRow {
  EventType type;
  std::string_view name;
};

// Written from the tables of docs/events.md, in enum order.
constexpr TypeRow kTypes[] = {
    {EventType::kContactCreated, "contact.created"},
    {EventType::kContactQueued, "contact.queued"},
    {EventType::kContactAnswered, "contact.answered"},
    {EventType::kContactAbandoned, "contact.abandoned"},
    {EventType::kContactOverflowed, "contact.overflowed"},
    {EventType::kContactHeld, "contact.held"},
    {EventType::kContactResumed, "contact.resumed"},
    {EventType::kContactTransferred, "contact.transferred"},
    {EventType::kContactEnded, "contact.ended"},
    {EventType::kContactWrapped, "contact.wrapped"},
    {EventType::kContactSelfServed, "contact.self_served"},
    {EventType::kContactDeflected, "contact.deflected"},
    {EventType::kContactConverted, "contact.converted"},
    {EventType::kContactSentiment, "contact.sentiment"},
    {EventType::kMessageReceived, "message.received"},
    {EventType::kMessageSent, "message.sent"},
    {EventType::kCaseOpened, "case.opened"},
    {EventType::kCaseEscalated, "case.escalated"},
    {EventType::kCaseResolved, "case.resolved"},
    {EventType::kSurveyAnswered, "survey.answered"},
    {EventType::kCustomerChurned, "customer.churned"},
    {EventType::kAgentState, "agent.state"},
    {EventType::kCaseReopened, "case.reopened"},
};

TEST_CASE("every event type has its spec name and parses back", "[event]") {
  STATIC_REQUIRE(std::size(kTypes) == ccmon::core::kEventTypeCount);
  for (const TypeRow& row : kTypes) {
    INFO(row.name);
    CHECK(ccmon::core::to_string(row.type) == row.name);
    const auto parsed = ccmon::core::event_type_from_string(row.name);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == row.type);
  }
}

TEST_CASE("event type names are matched exactly", "[event]") {
  const std::string_view bad =
      GENERATE(as<std::string_view>{}, "", "contact", "contact.", "Contact.queued",
               "contact.queued ", " contact.queued", "contact_queued", "contact.queue",
               "agent.states", "contact.transferred.to.another.queue");
  INFO('"' << bad << '"');
  CHECK_FALSE(ccmon::core::event_type_from_string(bad).has_value());
}

TEST_CASE("every agent state has its spec name and parses back", "[event]") {
  struct Row {
    AgentState state;
    std::string_view name;
  };
  constexpr Row kStates[] = {{AgentState::kAvailable, "available"},
                             {AgentState::kBusy, "busy"},
                             {AgentState::kWrapUp, "wrap_up"},
                             {AgentState::kAway, "away"},
                             {AgentState::kOffline, "offline"}};
  STATIC_REQUIRE(std::size(kStates) == ccmon::core::kAgentStateCount);
  for (const Row& row : kStates) {
    INFO(row.name);
    CHECK(ccmon::core::to_string(row.state) == row.name);
    const auto parsed = ccmon::core::agent_state_from_string(row.name);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == row.state);
  }
  for (std::string_view bad : {"", "Available", "wrap-up", "wrapup", "lunch", "busy "}) {
    INFO('"' << bad << '"');
    CHECK_FALSE(ccmon::core::agent_state_from_string(bad).has_value());
  }
}

}  // namespace
