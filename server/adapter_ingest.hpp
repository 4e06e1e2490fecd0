// The path every adapter delivery takes into the engine, HTTP endpoint or
// queue_log file alike: the adapter's events are written back to ccmon NDJSON
// and decoded by the same codec as POST /v1/events (channels, clock skew,
// event age, limits), then admitted, deduplicated, journaled and applied
// exactly as /v1/events batches are, with the same acknowledgement.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/adapters/adapter.hpp"
#include "core/codec/codec.hpp"
#include "server/adapter_hub.hpp"
#include "server/server_context.hpp"

namespace ccmon::server {

struct AdapterOutcome {
  enum class Failure {
    kNone,
    kRestoring,    // the state is being restored at start: retry (503)
    kOverloaded,   // too many events in flight: retry (503)
    kStateFailed,  // the journal refused the batch (disk): nothing applied, retry (503)
    kInternal,     // applying threw: unknown what was applied (500)
  };
  Failure failure = Failure::kNone;
  AdapterTally tally;
  std::size_t unknown = 0;  // of tally.ignored: records of a kind the adapter does not know
  // Why records or events were refused, at most kMaxDetails: `record` (from
  // 1) for a native record the adapter refused, else 0 with `event` the
  // position of the mapped event the codec refused.
  struct Detail {
    std::size_t record = 0;
    std::size_t event = 0;
    std::string reason;
    std::string message;
  };
  std::vector<Detail> details;
  std::size_t details_dropped = 0;
  std::vector<std::pair<std::string, std::size_t>> unknown_kinds;
  core::Timestamp newest_event = 0;  // of the events submitted; 0 when none

  static constexpr std::size_t kMaxDetails = 100;
};

// Takes one mapped delivery of `source` through the ingest path; `done`
// gets the outcome once the engine applied it (on the engine thread: hop
// before doing more), or inline when nothing is to be applied or it is
// refused. `transport`: counted in ccmon_events_received_total when set
// (HTTP endpoints, Kafka); the file follower has none. Like every body
// taken in (docs/metrics.md), a delivery once admitted counts in
// ccmon_events_received_total and ccmon_events_rejected_total, and its
// malformed records are logged, whatever the engine then answers; the
// adapter's own metrics (ccmon_adapter_events_total, unknown kinds, the
// source's last event time) count on success only, since a refused
// delivery is sent again. `decoder` is used before return only.
// `reserved`: room for that many events the caller already holds in
// admission (at least the batch's events; what is not used is given back),
// so a caller that waited for room is never refused as overloaded; 0: ask
// admission here, and refuse when it is full. `partition`: the Kafka
// partition the records came from, with partition-owned state (Batch).
void ingest_adapter_batch(ServerContext& ctx, const config::Config& config, core::Decoder& decoder,
                          AdapterKind adapter, const std::string& source,
                          core::adapters::AdapterBatch batch, std::optional<Transport> transport,
                          std::string_view record_name, std::function<void(AdapterOutcome)> done,
                          std::size_t reserved = 0,
                          std::optional<Batch::Partition> partition = std::nullopt);

// The /v1/events-shaped JSON answer: {"accepted", "duplicates", "rejected":
// [{"record"|"event", "reason", "message"}], "ignored", "unknown": {kind: n}}.
std::string adapter_reply_json(const AdapterOutcome& outcome);

}  // namespace ccmon::server
