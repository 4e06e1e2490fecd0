// The event model of docs/events.md, decoded and validated (see codec/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace ccmon::core {

enum class EventType : std::uint8_t {
  kContactCreated,
  kContactQueued,
  kContactAnswered,
  kContactAbandoned,
  kContactOverflowed,
  kContactHeld,
  kContactResumed,
  kContactTransferred,
  kContactEnded,
  kContactWrapped,
  kContactSelfServed,
  kContactDeflected,
  kContactConverted,
  kContactSentiment,
  kMessageReceived,
  kMessageSent,
  kCaseOpened,
  kCaseEscalated,
  kCaseResolved,
  kSurveyAnswered,
  kCustomerChurned,
  kAgentState,
  // Appended, not beside the other case events: the stored type numbers
  // (state records, metrics arrays) of the types above stay as they were.
  kCaseReopened,
};
inline constexpr int kEventTypeCount = static_cast<int>(EventType::kCaseReopened) + 1;

// The wire name ("contact.queued"), also used as the `type` label of metrics.
std::string_view to_string(EventType t);
std::optional<EventType> event_type_from_string(std::string_view s);

enum class AgentState : std::uint8_t { kAvailable, kBusy, kWrapUp, kAway, kOffline };
inline constexpr int kAgentStateCount = static_cast<int>(AgentState::kOffline) + 1;

std::string_view to_string(AgentState s);  // "available", "busy", "wrap_up", "away", "offline"
std::optional<AgentState> agent_state_from_string(std::string_view s);

// One decoded event. Empty strings mean "absent"; the codec guarantees the
// fields required by the type are present and every value is in range.
struct Event {
  std::string id;
  EventType type = EventType::kContactCreated;
  Timestamp time = 0;

  std::string contact;
  std::string case_id;  // `case` on the wire
  std::string channel;
  std::string queue;
  std::string agent;
  std::string team;
  std::string customer;

  std::string to_queue;    // contact.transferred
  std::string to_agent;    // contact.transferred
  std::string to_channel;  // contact.deflected
  std::string reason;      // contact.overflowed, agent.state

  std::optional<std::int64_t> priority;  // contact.queued
  bool automated = false;                // message.sent
  std::optional<double> value;           // contact.converted
  std::optional<double> score;           // contact.sentiment, -1..1
  std::optional<int> csat;               // survey.answered, 1..5
  std::optional<int> nps;                // survey.answered, 0..10
  std::optional<int> ces;                // survey.answered, 1..7
  std::optional<std::int64_t> contacts;  // case.resolved, >= 1
  std::optional<AgentState> state;       // agent.state

  // Back to a default-constructed Event whose strings keep their buffers, so
  // that a decoder writing into a reused Event allocates nothing for values
  // no longer than those it held (docs/ingestion.md, "Reused events").
  void reset();
  // Frees the buffer of each string whose capacity exceeds `max_bytes`: a
  // bound on what an Event kept for reuse holds, whatever it carried.
  void release_strings_above(std::size_t max_bytes);
  bool operator==(const Event&) const = default;
};

}  // namespace ccmon::core
