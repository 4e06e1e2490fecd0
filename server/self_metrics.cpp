#include "server/self_metrics.hpp"

#include <string>

namespace ccmon::server {

std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::kHttp:
      return "http";
    case Transport::kWebSocket:
      return "websocket";
    case Transport::kKafka:
      return "kafka";
  }
  return "http";
}

std::string_view to_string(RequestRejection r) {
  switch (r) {
    case RequestRejection::kUnauthorized:
      return "unauthorized";
    case RequestRejection::kForbidden:
      return "forbidden";
    case RequestRejection::kNotFound:
      return "not_found";
    case RequestRejection::kMethodNotAllowed:
      return "method_not_allowed";
    case RequestRejection::kUpgradeRequired:
      return "upgrade_required";
    case RequestRejection::kMalformedRequest:
      return "malformed_request";
    case RequestRejection::kInvalidQuery:
      return "invalid_query";
    case RequestRejection::kHeadersTooLarge:
      return "headers_too_large";
    case RequestRejection::kBodyTooLarge:
      return "body_too_large";
    case RequestRejection::kUnsupportedMediaType:
      return "unsupported_media_type";
    case RequestRejection::kUnreadable:
      return "unreadable";
    case RequestRejection::kOverloaded:
      return "overloaded";
    case RequestRejection::kTimeout:
      return "timeout";
    case RequestRejection::kConnectionLimit:
      return "connection_limit";
    case RequestRejection::kInternalError:
      return "internal_error";
    case RequestRejection::kAddressLimit:
      return "address_limit";
    case RequestRejection::kStateUnavailable:
      return "state_unavailable";
  }
  return "unknown";
}

std::string_view to_string(TlsHandshakeFailure f) {
  switch (f) {
    case TlsHandshakeFailure::kNotTls:
      return "not_tls";
    case TlsHandshakeFailure::kProtocol:
      return "protocol";
    case TlsHandshakeFailure::kClientCertificate:
      return "client_certificate";
    case TlsHandshakeFailure::kServerCertificate:
      return "server_certificate";
    case TlsHandshakeFailure::kTimeout:
      return "timeout";
    case TlsHandshakeFailure::kClosed:
      return "closed";
    case TlsHandshakeFailure::kOther:
      return "other";
  }
  return "other";
}

void SelfMetrics::auth_rejected(Role role, AuthRefusal why) {
  request_rejected(is_forbidden(why) ? RequestRejection::kForbidden
                                     : RequestRejection::kUnauthorized);
  auth_rejected_[static_cast<int>(role)][static_cast<int>(why)]->Increment();
}

void SelfMetrics::decoded(Transport t, const core::DecodedBatch& batch) {
  received(t, static_cast<double>(batch.events.size() + batch.rejected));
  for (int i = 0; i < core::kRejectReasonCount; ++i) {
    const std::size_t n = batch.rejected_by_reason[static_cast<std::size_t>(i)];
    if (n != 0) rejected(static_cast<core::RejectReason>(i), static_cast<double>(n));
  }
}

const prometheus::Histogram::BucketBoundaries& SelfMetrics::lag_bounds() {
  static const prometheus::Histogram::BucketBoundaries bounds = {
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600, 86400};
  return bounds;
}

SelfMetrics::SelfMetrics(std::string_view version)
    : registry_(std::make_shared<prometheus::Registry>()) {
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  auto& received = BuildCounter()
                       .Name("ccmon_events_received_total")
                       .Help("Events received, valid or not, by transport.")
                       .Register(*registry_);
  auto& connections = BuildGauge()
                          .Name("ccmon_connections")
                          .Help("Open client connections by transport.")
                          .Register(*registry_);
  for (int t = 0; t < kTransportCount; ++t) {
    std::string name(to_string(static_cast<Transport>(t)));
    received_[t] = &received.Add({{"transport", name}});
    if (t < kConnectionTransportCount) connections_[t] = &connections.Add({{"transport", name}});
  }
  auto& accepted = BuildCounter()
                       .Name("ccmon_events_accepted_total")
                       .Help("Events accepted (valid, not duplicate) by type.")
                       .Register(*registry_);
  for (int i = 0; i < core::kEventTypeCount; ++i) {
    accepted_[i] =
        &accepted.Add({{"type", std::string(to_string(static_cast<core::EventType>(i)))}});
  }
  auto& rejected = BuildCounter()
                       .Name("ccmon_events_rejected_total")
                       .Help("Events rejected by the codec, by reason code.")
                       .Register(*registry_);
  for (int i = 0; i < core::kRejectReasonCount; ++i) {
    rejected_[i] =
        &rejected.Add({{"reason", std::string(to_string(static_cast<core::RejectReason>(i)))}});
  }
  auto& requests =
      BuildCounter()
          .Name("ccmon_requests_rejected_total")
          .Help("Requests, frames, streams or connections refused as a whole, by reason.")
          .Register(*registry_);
  for (int i = 0; i < kRequestRejectionCount; ++i) {
    request_rejected_[i] =
        &requests.Add({{"reason", std::string(to_string(static_cast<RequestRejection>(i)))}});
  }
  auto& auth = BuildCounter()
                   .Name("ccmon_auth_rejected_total")
                   .Help("Requests and streams refused for their token, by role and reason.")
                   .Register(*registry_);
  for (int r = 0; r < kRoleCount; ++r) {
    for (int w = 0; w < kAuthRefusalCount; ++w) {
      auth_rejected_[r][w] =
          &auth.Add({{"role", std::string(to_string(static_cast<Role>(r)))},
                     {"reason", std::string(to_string(static_cast<AuthRefusal>(w)))}});
    }
  }
  duplicates_ = &BuildCounter()
                     .Name("ccmon_events_duplicate_total")
                     .Help("Events whose id was already accepted within the dedup horizon.")
                     .Register(*registry_)
                     .Add({});
  last_event_ = &BuildGauge()
                     .Name("ccmon_last_event_timestamp_seconds")
                     .Help("Event time of the latest accepted event (Unix seconds).")
                     .Register(*registry_)
                     .Add({});
  in_flight_ = &BuildGauge()
                    .Name("ccmon_events_in_flight")
                    .Help("Events decoded and admitted but not yet applied to the engine.")
                    .Register(*registry_)
                    .Add({});
  auto& reloads = BuildCounter()
                      .Name("ccmon_config_reloads_total")
                      .Help("Configuration reloads by result.")
                      .Register(*registry_);
  reload_ok_ = &reloads.Add({{"result", "success"}});
  reload_failed_ = &reloads.Add({{"result", "failure"}});
  config_success_time_ = &BuildGauge()
                              .Name("ccmon_config_last_reload_success_timestamp_seconds")
                              .Help("When the running configuration was loaded (Unix seconds).")
                              .Register(*registry_)
                              .Add({});
  sla_transitions_dropped_ =
      &BuildCounter()
           .Name("ccmon_sla_transitions_dropped_total")
           .Help(
               "SLA breach and recovery transitions without a log line of their own: beyond "
               "the lines logged per evaluation, or more than 10000 piled up.")
           .Register(*registry_)
           .Add({});
  auto& tls_failures =
      BuildCounter()
          .Name("ccmon_tls_handshake_failures_total")
          .Help("TLS handshakes that failed, by reason (no connection was served).")
          .Register(*registry_);
  for (int i = 0; i < kTlsHandshakeFailureCount; ++i) {
    tls_handshake_failures_[i] = &tls_failures.Add(
        {{"reason", std::string(to_string(static_cast<TlsHandshakeFailure>(i)))}});
  }
  engine_ticks_ = &BuildCounter()
                       .Name("ccmon_engine_ticks_total")
                       .Help(
                           "Engine ticks run (one a second): live values advanced and SLA "
                           "rules evaluated.")
                       .Register(*registry_)
                       .Add({});
  live_ticks_skipped_ =
      &BuildCounter()
           .Name("ccmon_live_ticks_skipped_total")
           .Help(
               "Engine ticks the wallboard feed did not render: the render of an earlier tick "
               "was still running, and a later tick replaced this one.")
           .Register(*registry_)
           .Add({});
  live_dropped_ =
      &BuildCounter()
           .Name("ccmon_live_messages_dropped_total")
           .Help(
               "Wallboard feed messages not sent to a slow viewer: superseded by "
               "the latest state when more than three waited behind the one it was writing.")
           .Register(*registry_)
           .Add({});
  live_timed_out_ = &BuildCounter()
                         .Name("ccmon_live_viewers_timed_out_total")
                         .Help(
                             "Wallboard viewers closed because they neither read a message nor "
                             "answered a ping within server.limits.idle_timeout.")
                         .Register(*registry_)
                         .Add({});
  auto& reclaimed =
      BuildCounter()
          .Name("ccmon_connections_reclaimed_total")
          .Help(
              "Connections closed to make room for a new one at server.limits.max_connections, "
              "by what they were doing: idle (waiting for a request) or reading (a request's "
              "headers, slowly).")
          .Register(*registry_);
  reclaimed_idle_ = &reclaimed.Add({{"state", "idle"}});
  reclaimed_reading_ = &reclaimed.Add({{"state", "reading"}});
  auto& paused =
      BuildCounter()
          .Name("ccmon_websocket_reads_paused_total")
          .Help(
              "Times a /v1/stream session stopped reading because its client does not read its "
              "replies, by the bound reached: unanswered_frames (1,024 frames read, not yet "
              "answered) or unsent_replies (1 MiB of replies not yet written).")
          .Register(*registry_);
  paused_frames_ = &paused.Add({{"reason", "unanswered_frames"}});
  paused_replies_ = &paused.Add({{"reason", "unsent_replies"}});
  lag_ = &prometheus::BuildHistogram()
              .Name("ccmon_event_lag_seconds")
              .Help("Arrival time minus event time of accepted events.")
              .Register(*registry_)
              .Add({}, lag_bounds());
  BuildGauge()
      .Name("ccmon_build_info")
      .Help("Build information; the value is always 1.")
      .Register(*registry_)
      .Add({{"version", std::string(version)}})
      .Set(1);
}

StateMetrics& SelfMetrics::enable_state() {
  if (state_) return *state_;
  using prometheus::BuildCounter;
  using prometheus::BuildGauge;
  auto m = std::make_unique<StateMetrics>();
  auto counter = [this](const char* name, const char* help) {
    return &BuildCounter().Name(name).Help(help).Register(*registry_).Add({});
  };
  auto gauge = [this](const char* name, const char* help) {
    return &BuildGauge().Name(name).Help(help).Register(*registry_).Add({});
  };
  m->journal_written_bytes =
      counter("ccmon_journal_written_bytes_total", "Bytes appended to the journal.");
  m->journal_records = counter("ccmon_journal_records_total",
                               "Records appended to the journal (batches and ticks).");
  m->fsync_duration = &prometheus::BuildHistogram()
                           .Name("ccmon_journal_fsync_duration_seconds")
                           .Help("Duration of one group commit (fdatasync of the journal).")
                           .Register(*registry_)
                           .Add({}, prometheus::Histogram::BucketBoundaries{
                                        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                        0.05, 0.1, 0.25, 0.5, 1, 2.5, 10});
  m->write_errors = counter("ccmon_journal_write_errors_total",
                            "Journal writes and syncs that failed (disk full, I/O error).");
  m->recovery_cut_records =
      counter("ccmon_state_recovery_cut_records_total",
              "Journal records cut at start because they were torn or corrupt, or followed one.");
  m->snapshot_fallbacks =
      counter("ccmon_state_snapshot_fallbacks_total",
              "Snapshots skipped at start because they were damaged or unreadable.");
  m->snapshot_age = gauge("ccmon_state_snapshot_age_seconds",
                          "Age of the newest snapshot (since start while there is none).");
  m->snapshot_duration = gauge("ccmon_state_snapshot_duration_seconds",
                               "Duration of the last snapshot (encoding and writing).");
  m->snapshot_size = gauge("ccmon_state_snapshot_size_bytes", "Size of the last snapshot file.");
  m->heap_collapse_duration =
      gauge("ccmon_state_heap_collapse_duration_seconds",
            "Duration of the last collapse of the heap back into huge pages after a snapshot "
            "process (MADV_COLLAPSE).");
  m->heap_huge_pages =
      gauge("ccmon_state_heap_huge_pages_bytes",
            "Bytes of the heap the last collapse found or put in huge pages (0 when it could "
            "not run).");
  m->replay_duration = gauge("ccmon_state_replay_duration_seconds",
                             "Duration of the last start's recovery (snapshot and journal).");
  m->replayed_records =
      counter("ccmon_state_replayed_records_total", "Journal records replayed at start.");
  m->writable = gauge("ccmon_state_writable",
                      "1 while the journal accepts writes; 0 after a write error until one "
                      "succeeds again.");
  state_ = std::move(m);
  return *state_;
}

}  // namespace ccmon::server
