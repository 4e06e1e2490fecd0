// The `adapters` section (docs/configuration.md, "adapters";
// docs/adapters.md): platform adapters' credentials and the queue_log files
// the daemon follows.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace ccmon::config {

// One queue_log file followed like `tail -F` (server/queue_log_follower.hpp).
struct QueueLogFile {
  std::string path;    // as written; relative paths are from the working directory
  std::string source;  // the PBX's source name (unique among the files)
  bool operator==(const QueueLogFile&) const = default;
};

struct AdaptersConfig {
  // Distinct sources per adapter that get their own `source` label on the
  // adapter metrics; later ones are counted under source="other"
  // (ccmon_adapter_sources_folded_total). Files' sources count too.
  std::size_t max_sources = 32;

  struct QueueLog {
    std::vector<QueueLogFile> files;
    core::Duration poll_interval = core::seconds(1);
    // queues.conf `wrapuptime` (core/adapters/asterisk_queue_log.hpp).
    core::Duration wrapup = 0;
    bool strip_member_technology = true;
    // Bytes read from one file per poll (then the next poll goes on at once
    // once the engine has taken them): bounds memory while catching up.
    std::size_t max_read_bytes = 1 << 20;
  } asterisk_queue_log;

  struct Twilio {
    // Empty: POST /v1/adapters/twilio/taskrouter answers 404 (disabled).
    std::string auth_token;
    // The scheme, host and port (and path prefix) Twilio calls, e.g.
    // "https://ccmon.example.com"; the request's path and query follow it
    // in the signed URL. Empty: http(s)://<Host header>.
    std::string public_base_url;
    bool worker_name_as_agent = false;
  } twilio;

  struct AmazonConnect {
    // Empty: the endpoint answers 404 (disabled).
    std::string api_key;              // /v1/adapters/amazon-connect/events
    std::string firehose_access_key;  // /v1/adapters/amazon-connect/agent-events
  } amazon_connect;
};

}  // namespace ccmon::config
