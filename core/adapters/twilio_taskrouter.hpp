// Twilio TaskRouter events -> ccmon events, in both forms Twilio delivers:
// the Workspace EventCallbackUrl (one form-encoded event per POST, TaskRouter
// "Events reference") and Event Streams (a JSON array of CloudEvents whose
// `data.payload` holds the same fields in snake_case). Pure; signature checks
// are in twilio_signature.hpp. The mapping table is in docs/adapters.md.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/adapters/adapter.hpp"
#include "core/time.hpp"

namespace ccmon::core::adapters {

struct TwilioOptions {
  // The workspace's name (valid_source_name): contact ids are
  // "<source>:<TaskSid>", event ids "<source>:<event sid>:<n>" (or the
  // FNV-1a hash of the record when it carries no event sid).
  std::string source = "twilio";
  // Worker activity name (WorkerActivityName) -> agent state. Names are the
  // workspace's own; an activity not listed maps to `unmapped_activity` with
  // the activity name as reason.
  std::vector<std::pair<std::string, AgentState>> activity_map = {
      {"Available", AgentState::kAvailable}, {"Idle", AgentState::kAvailable},
      {"Busy", AgentState::kBusy},           {"Reserved", AgentState::kBusy},
      {"Wrap Up", AgentState::kWrapUp},      {"WrapUp", AgentState::kWrapUp},
      {"Break", AgentState::kAway},          {"Unavailable", AgentState::kAway},
      {"Offline", AgentState::kOffline}};
  AgentState unmapped_activity = AgentState::kAway;
  // Task channel unique name (TaskChannelUniqueName) -> ccmon channel; a name
  // not listed is used lowercased as it is.
  std::vector<std::pair<std::string, std::string>> channel_map = {
      {"voice", "voice"}, {"chat", "chat"}, {"sms", "messaging"}, {"email", "email"}};
  // task.canceled reasons (TaskCanceledReason) that mean routing gave up (a
  // flow-out: contact.overflowed reason "timeout"); any other cancel is the
  // customer leaving (contact.abandoned).
  std::vector<std::string> timeout_cancel_reasons = {"Task TTL Exceeded", "Workflow Timeout"};
  // Agent ids: WorkerSid (default) or, when true, WorkerName.
  bool worker_name_as_agent = false;
  std::size_t max_body_bytes = 1024 * 1024;  // Event Streams batch; a callback is far smaller
};

// One EventCallbackUrl POST body (form-encoded; signature checked before).
// Exactly one record: mapped, ignored, unknown (an EventType not in the
// table) or rejected.
AdapterBatch map_taskrouter_callback(std::string_view form_body, const TwilioOptions& options);

// One Event Streams webhook body: a JSON array of CloudEvents (or one
// object), each a record numbered from 1; a bad element is rejected, its
// neighbours still map. An unreadable body is one rejected record 0.
AdapterBatch map_twilio_event_streams(std::string_view json_body, const TwilioOptions& options);

}  // namespace ccmon::core::adapters
