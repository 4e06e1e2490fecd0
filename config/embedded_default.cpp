// The configuration ccmond runs with when given no --config. It must mean the
// same as config/ccmon.example.yml (a test checks both load to equal values);
// the example file carries the explanations.
#include "config/config.hpp"

namespace ccmon::config {

std::string_view embedded_default_config() {
  return R"yaml(
server:
  listen: "127.0.0.1:9477"
  log_level: info
  clock: wall
  limits:
    max_body_size: 8MiB
    max_ws_message_size: 1MiB
    max_connections: 1024
    max_connections_per_address: 128
    reserved_probe_connections: 8
    header_timeout: 10s
    idle_timeout: 2m
    message_timeout: 10s
    max_events_in_flight: 200000
  auth:
    ingest_tokens: []
    metrics_tokens: []
    admin_tokens: []
    ingest_token_files: []
    metrics_token_files: []
    admin_token_files: []
ingest:
  channels: [voice, chat, messaging, email, social]
  max_clock_skew: 60s
  max_event_size: 64KiB
  dedup: {horizon: 24h, max_ids: 2000000}
kpis:
  windows: [5m, 15m, 1h, 24h]
  today: true
  time_zone: UTC
  day_start_hour: 0
  service_level: {formula: default, threshold: 20s, short_abandon: 5s, overrides: []}
  wait_buckets: []
  negative_sentiment_threshold: -0.25
  acw_timeout: 10m
  interval: 15m
state:
  contact_idle_timeout: 12h
  case_idle_timeout: 720h
  max_contacts: 2000000
  max_cases: 2000000
  max_agents: 100000
  max_tracked_bytes: 1GiB
  dir: ./ccmon-state
  sync: always
  sync_interval: 100ms
  snapshot_interval: 5m
  snapshot_journal_bytes: 64MiB
cardinality:
  queues: []
  max_queues: 200
  teams: []
  max_teams: 100
  max_channels: 16
  per_agent_series: false
forecast:
  arrival_window: 15m
  handle_time_window: 1h
  handle_time_fallback_window: 24h
  min_handled: 10
  horizon: 5m
  service_level_target: 0.8
  max_occupancy: null
  concurrency: {}
queues: []
sla:
  - {name: voice_service_level, kpi: service_level_ratio, op: ">=", target: 0.8,
     window: 15m, queue: "*", channel: voice, min_volume: 10}
  - {name: oldest_waiting, kpi: oldest_waiting_seconds, op: "<=", target: 120,
     queue: "*", channel: "*"}
  - {name: chat_first_response, kpi: average_first_response_seconds, op: "<=", target: 60,
     window: 15m, queue: "*", channel: chat}
  - {name: abandon_rate, kpi: abandon_ratio, op: "<=", target: 0.05,
     window: 15m, queue: "*", channel: "*", min_volume: 20}
wallboard:
  max_viewers: 200
  feed_agents: 500
  at_risk_margin: 0.1
  feed_stale_after: 5m
)yaml";
}

}  // namespace ccmon::config
