// The platform adapters' HTTP endpoints (docs/adapters.md, "In the daemon";
// spec/api.md): Asterisk queue_log lines, Twilio TaskRouter callbacks and
// Event Streams, Amazon Connect EventBridge events and Firehose agent
// records. Called by route() (router.cpp) for the paths below, after the
// ingest token check of the queue_log endpoint; each adapter checks its own
// credential here.
#pragma once

#include <memory>
#include <string_view>

#include "server/router.hpp"

namespace ccmon::server {

inline constexpr std::string_view kQueueLogPath = "/v1/adapters/asterisk/queue_log";
inline constexpr std::string_view kTwilioPath = "/v1/adapters/twilio/taskrouter";
inline constexpr std::string_view kConnectEventsPath = "/v1/adapters/amazon-connect/events";
inline constexpr std::string_view kConnectAgentPath = "/v1/adapters/amazon-connect/agent-events";

bool is_adapter_path(std::string_view path);

// Answers a POST to one of the adapter paths (the caller checked the path
// and the method). Refusals are counted like route()'s.
Routed route_adapter(const Request& req, const RequestContext& rc,
                     std::shared_ptr<Responder> responder);

}  // namespace ccmon::server
