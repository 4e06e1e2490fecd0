// The daemon's own metrics (docs/metrics.md, "The daemon itself"), kept in a
// prometheus-cpp registry. Counters are thread-safe; hot paths add per batch.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <memory>
#include <string_view>

#include "core/codec/codec.hpp"
#include "core/event.hpp"
#include "server/auth.hpp"

namespace ccmon::server {

// kKafka: the Kafka source (server/kafka_source.hpp); it has no connections.
enum class Transport { kHttp, kWebSocket, kKafka };
inline constexpr int kTransportCount = 3;
inline constexpr int kConnectionTransportCount = 2;  // http, websocket
std::string_view to_string(Transport t);

// Why a request, frame, stream or connection was refused as a whole: the
// `reason` label of ccmon_requests_rejected_total (docs/metrics.md). The same
// reason is used whichever transport it happens on.
enum class RequestRejection {
  kUnauthorized,          // 401; a WebSocket stream whose token a reload revoked (close 1008)
  kForbidden,             // 403: another role's token, or a role no token opens
  kNotFound,              // 404
  kMethodNotAllowed,      // 405
  kUpgradeRequired,       // 426: plain HTTP on the WebSocket endpoint
  kMalformedRequest,      // 400: not HTTP/1.1 as parsed, or a bad WebSocket handshake
  kInvalidQuery,          // 400: a query parameter naming nothing configured
  kHeadersTooLarge,       // 431
  kBodyTooLarge,          // 413 / WebSocket close 1009
  kUnsupportedMediaType,  // 415
  kUnreadable,            // 400: a body that cannot be decoded at all
  kOverloaded,            // 503 (HTTP) or a paused read (WebSocket)
  kTimeout,               // a request, response, pong or WebSocket message not completed in time
  kConnectionLimit,       // connection refused at the cap; a non-probe request on a reserved one
  kInternalError,         // 500 / WebSocket close 1011: serving it threw (e.g. out of memory)
  kStateUnavailable,      // 503 / error frame: the journal cannot take it (replaying, disk)
  kAddressLimit,          // connection refused: its address holds max_connections_per_address
};
inline constexpr int kRequestRejectionCount = 17;
std::string_view to_string(RequestRejection r);

// Why a TLS handshake failed: the `reason` label of
// ccmon_tls_handshake_failures_total (docs/metrics.md).
enum class TlsHandshakeFailure {
  kNotTls,             // the client spoke something else, e.g. plain HTTP to the TLS port
  kProtocol,           // no protocol version or cipher in common (e.g. a TLS 1.0-only client)
  kClientCertificate,  // mutual TLS: no client certificate, or one client_ca_file did not sign
  kServerCertificate,  // the client refused ours (unknown CA, expired, bad): check the rotation
  kTimeout,            // not completed within server.limits.header_timeout
  kClosed,             // the client closed or reset the connection during the handshake
  kOther,              // anything else OpenSSL refused
};
inline constexpr int kTlsHandshakeFailureCount = 7;
std::string_view to_string(TlsHandshakeFailure f);

// The state store's metrics (docs/metrics.md, "State"); registered only when
// state.dir is set. Thread-safe like every prometheus-cpp metric.
struct StateMetrics {
  prometheus::Counter* journal_written_bytes = nullptr;
  prometheus::Counter* journal_records = nullptr;
  prometheus::Histogram* fsync_duration = nullptr;
  prometheus::Counter* write_errors = nullptr;
  prometheus::Counter* recovery_cut_records = nullptr;
  prometheus::Counter* snapshot_fallbacks = nullptr;
  prometheus::Gauge* snapshot_age = nullptr;
  prometheus::Gauge* snapshot_duration = nullptr;
  prometheus::Gauge* snapshot_size = nullptr;
  prometheus::Gauge* heap_collapse_duration = nullptr;
  prometheus::Gauge* heap_huge_pages = nullptr;
  prometheus::Gauge* replay_duration = nullptr;
  prometheus::Counter* replayed_records = nullptr;
  prometheus::Gauge* writable = nullptr;
};

class SelfMetrics {
 public:
  explicit SelfMetrics(std::string_view version);

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> registry_ptr() { return registry_; }

  void received(Transport t, double n) { received_[static_cast<int>(t)]->Increment(n); }
  // A body or frame decoded and admitted: its events received, its invalid
  // ones rejected by reason. Both transports count here, at the same stage.
  void decoded(Transport t, const core::DecodedBatch& batch);
  void accepted(core::EventType type, double n) { accepted_[static_cast<int>(type)]->Increment(n); }
  void rejected(core::RejectReason r, double n = 1) {
    rejected_[static_cast<int>(r)]->Increment(n);
  }
  void duplicates(double n) { duplicates_->Increment(n); }
  void request_rejected(RequestRejection r) { request_rejected_[static_cast<int>(r)]->Increment(); }
  // A refused token: ccmon_auth_rejected_total{role, reason}, and
  // ccmon_requests_rejected_total{reason="unauthorized"|"forbidden"}.
  void auth_rejected(Role role, AuthRefusal why);
  void connection_opened(Transport t) { connections_[static_cast<int>(t)]->Increment(); }
  void connection_closed(Transport t) { connections_[static_cast<int>(t)]->Decrement(); }
  void last_event_time(double unix_seconds) { last_event_->Set(unix_seconds); }
  void in_flight(double n) { in_flight_->Set(n); }
  void reload(bool ok) { (ok ? reload_ok_ : reload_failed_)->Increment(); }
  void config_success_time(double unix_seconds) { config_success_time_->Set(unix_seconds); }
  // SLA transitions that got no log line of their own.
  void sla_transitions_dropped(double n) { sla_transitions_dropped_->Increment(n); }
  void tls_handshake_failed(TlsHandshakeFailure f) {
    tls_handshake_failures_[static_cast<int>(f)]->Increment();
  }
  // One engine tick done: live values advanced and SLA rules evaluated.
  void engine_tick() { engine_ticks_->Increment(); }
  // A tick the wallboard feed did not render: the one before was still
  // rendering, and a later one replaced it (LivePublisher).
  void live_tick_skipped() { live_ticks_skipped_->Increment(); }
  // The wallboard feed (docs/wallboard.md, "Slow viewers"): a message not
  // sent to a viewer still writing an older one (superseded by the latest
  // state), and a viewer closed because a write did not finish within
  // server.limits.idle_timeout.
  void live_message_dropped() { live_dropped_->Increment(); }
  void live_viewer_timed_out() { live_timed_out_->Increment(); }
  // A connection closed to make room at max_connections: idle, or reading
  // its request's headers (a slow sender).
  void connection_reclaimed(bool idle) {
    (idle ? reclaimed_idle_ : reclaimed_reading_)->Increment();
  }

  // A /v1/stream session stopped reading for a client that does not read
  // its replies: at the bound on unanswered frames, or on unsent reply bytes
  // (WebSocketSession). Counted once per pause, not per event held back.
  void websocket_reads_paused(bool unanswered_frames) {
    (unanswered_frames ? paused_frames_ : paused_replies_)->Increment();
  }

  // Registers the state store's metrics (once; later calls return them).
  StateMetrics& enable_state();

  // Bounds of ccmon_event_lag_seconds; lag_histogram() takes per-bucket
  // increments (see prometheus::Histogram::ObserveMultiple).
  static const prometheus::Histogram::BucketBoundaries& lag_bounds();
  prometheus::Histogram& lag_histogram() { return *lag_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::array<prometheus::Counter*, kTransportCount> received_{};
  std::array<prometheus::Counter*, core::kEventTypeCount> accepted_{};
  std::array<prometheus::Counter*, core::kRejectReasonCount> rejected_{};
  std::array<prometheus::Counter*, kRequestRejectionCount> request_rejected_{};
  std::array<std::array<prometheus::Counter*, kAuthRefusalCount>, kRoleCount> auth_rejected_{};
  std::array<prometheus::Gauge*, kConnectionTransportCount> connections_{};
  std::array<prometheus::Counter*, kTlsHandshakeFailureCount> tls_handshake_failures_{};
  prometheus::Counter* duplicates_ = nullptr;
  prometheus::Gauge* last_event_ = nullptr;
  prometheus::Gauge* in_flight_ = nullptr;
  prometheus::Counter* reload_ok_ = nullptr;
  prometheus::Counter* reload_failed_ = nullptr;
  prometheus::Gauge* config_success_time_ = nullptr;
  prometheus::Counter* sla_transitions_dropped_ = nullptr;
  prometheus::Counter* live_ticks_skipped_ = nullptr;
  prometheus::Counter* engine_ticks_ = nullptr;
  prometheus::Counter* live_dropped_ = nullptr;
  prometheus::Counter* live_timed_out_ = nullptr;
  prometheus::Counter* reclaimed_idle_ = nullptr;
  prometheus::Counter* reclaimed_reading_ = nullptr;
  prometheus::Counter* paused_frames_ = nullptr;
  prometheus::Counter* paused_replies_ = nullptr;
  prometheus::Histogram* lag_ = nullptr;
  std::unique_ptr<StateMetrics> state_;
};

}  // namespace ccmon::server
