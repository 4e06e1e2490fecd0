// Amazon Connect -> ccmon events: contact events as EventBridge delivers them
// (detail-type "Amazon Connect Contact Event", Amazon Connect Administrator
// Guide, "Amazon Connect contact events") and agent event stream records as
// Amazon Data Firehose delivers them to an HTTP endpoint (Firehose Developer
// Guide, "HTTP endpoint delivery request and response specifications").
// Pure: no I/O, no clock (the response timestamp is an argument). The
// mapping tables are in docs/adapters.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/adapters/adapter.hpp"

namespace ccmon::core::adapters {

struct ConnectOptions {
  // The instance's name (valid_source_name): contact ids
  // "<source>:<ContactId>", event ids "<source>:<EventBridge id or agent
  // EventId>:<n>".
  std::string source = "connect";
  // Queue ARN id (the part after ".../queue/") -> queue name; an id not
  // listed is the queue name itself. Contact events carry no queue name.
  std::vector<std::pair<std::string, std::string>> queue_names;
  // Agent ARN id (after ".../agent/") -> agent id, for both contact events
  // and agent records; an id not listed is the agent id itself.
  std::vector<std::pair<std::string, std::string>> agent_names;
  // Connect channel -> ccmon channel.
  std::vector<std::pair<std::string, std::string>> channel_map = {
      {"VOICE", "voice"}, {"CHAT", "chat"}, {"TASK", "task"}, {"EMAIL", "email"}};
  std::size_t max_body_bytes = 4 * 1024 * 1024;  // one POST (EventBridge, Firehose)
  std::size_t max_record_bytes = 256 * 1024;     // one decoded Firehose record
};

// One EventBridge delivery: one event object or a JSON array of them, each a
// record numbered from 1. An unreadable body is one rejected record 0.
AdapterBatch map_connect_contact_events(std::string_view json_body, const ConnectOptions& options);

// A Firehose HTTP endpoint request: {"requestId", "timestamp" (ms),
// "records": [{"data": base64}]}.
struct FirehoseRequest {
  std::string request_id;
  std::int64_t timestamp_ms = 0;
  std::vector<std::string> records;        // decoded `data`; empty on a bad record
  std::vector<std::string> record_errors;  // per record: "" or why it is unreadable
};

// Parses a Firehose request body; nullopt with `error` when the body is not
// such a request (not JSON, no requestId, records not an array...).
std::optional<FirehoseRequest> parse_firehose_request(std::string_view body, std::string& error,
                                                      const ConnectOptions& options = {});

// Firehose's expected response body: {"requestId": <echoed>, "timestamp":
// now_ms} and, on failure, "errorMessage". Firehose retries unless the HTTP
// status is 200.
std::string firehose_response(std::string_view request_id, std::int64_t now_ms,
                              std::string_view error_message = {});

// The agent event stream endpoint's single entry point: a Firehose request
// body whose records are agent event stream records (STATE_CHANGE, LOGIN,
// LOGOUT, HEART_BEAT). `request_id` is set whenever the body could be read
// (to echo); an unreadable body is one rejected record 0.
struct ConnectAgentResult {
  AdapterBatch batch;
  std::string request_id;
  bool readable = false;
  std::string error;
};
ConnectAgentResult map_connect_agent_firehose(std::string_view body, const ConnectOptions& options);

}  // namespace ccmon::core::adapters
