// The daemon's typed, validated configuration (YAML; see config/ccmon.example.yml).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/adapters_config.hpp"
#include "config/kafka_config.hpp"
#include "core/codec/codec.hpp"
#include "core/dedup/deduplicator.hpp"
#include "core/engine/engine_config.hpp"
#include "core/prediction/prediction_config.hpp"
#include "core/sla/sla_rule.hpp"
#include "core/time.hpp"

namespace ccmon::config {

enum class ClockMode { kWall, kEvent };

struct ServerLimits {
  std::size_t max_body_bytes = 8 * 1024 * 1024;    // HTTP request body -> 413
  std::size_t max_ws_message_bytes = 1024 * 1024;  // WebSocket message -> close 1009
  std::size_t max_connections = 1024;              // further connections are refused
  std::size_t max_connections_per_address = 128;   // from one IPv4 address or IPv6 /64
  // Beyond max_connections, only for GET /metrics, /-/ready and /-/healthy
  // (docs/security.md, "Connections"); 0: none.
  std::size_t reserved_probe_connections = 8;
  // Headers within this of a request's first byte, its body within this of
  // the headers' end; bytes arriving never extend either.
  core::Duration header_timeout = core::seconds(10);
  core::Duration idle_timeout = core::seconds(120);  // keep-alive / WebSocket silence
  // A WebSocket message whole within this of its first bytes; bytes arriving
  // never extend it -> close 1008.
  core::Duration message_timeout = core::seconds(10);
  std::size_t max_events_in_flight = 200'000;  // decoded, not yet applied -> 503 / backpressure
};

// Bearer tokens per role (docs/ingestion.md, "Authentication"). Each list
// holds the tokens written in the file and those read from the role's
// `*_token_files` (config/token_file.hpp), without duplicates.
struct AuthConfig {
  std::vector<std::string> ingest_tokens;  // empty: ingestion open
  // The read role: /metrics, /v1/kpis and the wallboard feed /v1/live.
  // Empty: open.
  std::vector<std::string> metrics_tokens;
  // /-/reload. Empty: open only while no token of any role is set, else
  // refused (403); see docs/ingestion.md, "Authentication".
  std::vector<std::string> admin_tokens;
  // A reload that leaves a role with no token while it had some would switch
  // authentication off for it; refused unless this is true in the new file
  // (docs/configuration.md, "Reloading").
  bool allow_removing_all_tokens = false;

  bool any() const {
    return !ingest_tokens.empty() || !metrics_tokens.empty() || !admin_tokens.empty();
  }
};

// TLS for server.listen (docs/security.md, "Running with TLS"). PEM files,
// read at start and again on every reload (a renewed certificate at the
// same path is taken up); relative paths are from the working directory.
struct TlsConfig {
  std::string cert_file;       // the server certificate, then its chain; empty: TLS off
  std::string key_file;        // its private key (unencrypted PEM)
  std::string client_ca_file;  // empty: no client certificate asked; else mutual TLS

  bool enabled() const { return !cert_file.empty(); }
  bool operator==(const TlsConfig&) const = default;
};

// Where and how the state is kept across restarts (docs/configuration.md,
// "state"; docs/ingestion.md, "Acknowledgements").
enum class SyncMode {
  kAlways,    // acknowledge a batch only once an fdatasync covers its journal record
  kInterval,  // acknowledge at once; fdatasync every sync_interval
};

inline constexpr std::string_view kDefaultStateDir = "./ccmon-state";

struct DurableConfig {
  // Empty: nothing is kept (no files, no overhead). A configuration file or
  // the embedded default without state.dir gets kDefaultStateDir; a Config
  // built in code gets "" so that tests never write by accident.
  std::string dir;
  SyncMode sync = SyncMode::kAlways;
  core::Duration sync_interval = 100'000;  // 100 ms
  core::Duration snapshot_interval = core::minutes(5);
  // A snapshot once the journal grew this much: bounds the replay after a
  // crash. 64 MiB: the measured trade-off of docs/operations.md ("Snapshots
  // and restart time").
  std::uint64_t snapshot_journal_bytes = 64ull << 20;
};

// The built-in wallboard's feed (docs/wallboard.md, `wallboard:`).
struct WallboardConfig {
  std::size_t max_viewers = 200;  // further /v1/live viewers are closed with 1013
  std::size_t feed_agents = 500;  // agents in the feed's `agents` (the first by id)
  // An SLA rule is at risk when it is not breached and its value is within
  // this fraction of |target| of the target (the feed's `at_risk`).
  double at_risk_margin = 0.1;
  // An input feed with no event for longer than this is reported stale in
  // the feed's `feeds` (the page then says STALE); 0: never.
  core::Duration feed_stale_after = core::minutes(5);
  bool operator==(const WallboardConfig&) const = default;
};

struct Config {
  std::string source = "<embedded>";      // file the configuration came from
  std::string listen = "127.0.0.1:9477";  // HOST:PORT; TLS when tls.enabled()
  // HOST:PORT of a second listener that never uses TLS (e.g. /metrics on
  // loopback beside ingest over TLS); empty: none.
  std::string plain_listen;
  // HOST:PORT of a listener serving only GET /metrics, /-/ready and
  // /-/healthy, with its own accept queue and connection budget, so a flood
  // of the ingest listener never delays the scrape; TLS when tls.enabled().
  // Empty: none (docs/security.md, "Connections").
  std::string metrics_listen;
  std::string log_level = "info";  // spdlog level name
  ClockMode clock = ClockMode::kWall;
  ServerLimits limits;
  TlsConfig tls;
  AuthConfig auth;
  core::CodecOptions codec;
  core::DedupOptions dedup;
  core::EngineConfig engine;
  std::vector<core::SlaRule> sla_rules;
  DurableConfig durable;
  // state.shards: the engine in this many shards, each applied on a thread
  // of its own (docs/configuration.md, "Engine shards"); at start only.
  std::uint32_t shards = 1;
  AdaptersConfig adapters;  // docs/adapters.md
  KafkaConfig kafka;        // ingest.kafka (docs/kafka.md); at start only
  // `forecast:` and `queues:` (docs/configuration.md, "Forecast").
  core::PredictionConfig forecast;
  WallboardConfig wallboard;
};

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string message;
};

// "file:line:column: message"
std::string to_string(const ConfigError& e);

struct LoadResult {
  std::optional<Config> config;     // set iff errors is empty
  std::vector<ConfigError> errors;  // every problem found, not just the first
  // The document holds no setting at all (empty, blank or only comments):
  // valid at start (all defaults) but refused by reload_refusals().
  bool empty_document = false;
  // Not errors, worth logging at start and reload and printing with
  // --check-config: a token file readable by group or others.
  std::vector<ConfigError> warnings;
};

LoadResult load_config_file(const std::string& path);

// Why `next` (loaded without errors) must not replace the running
// configuration on a reload; empty when it may. Refused: an empty document
// (a file truncated while being written would otherwise reload as all
// defaults, authentication off), and a role's tokens all removed while it had
// some, unless `next` sets server.auth.allow_removing_all_tokens.
std::vector<std::string> reload_refusals(const Config& running, const LoadResult& next);
LoadResult load_config_string(std::string_view yaml, const std::string& name);

// A configuration value given on the command line instead of in the file.
struct Override {
  std::string flag;   // as typed, e.g. "--listen"; errors name it
  std::string key;    // the YAML path it replaces: server.listen, server.clock, server.log_level
  std::string value;  // the text, read like a YAML string scalar
};

// Applies `overrides` to `config` with exactly the validation the file's key
// gets. Returns every problem (ConfigError::file is the flag, line 0); an
// invalid value leaves its field unchanged.
std::vector<ConfigError> apply_overrides(Config& config, const std::vector<Override>& overrides);

// The configuration ccmond runs with when given no --config (YAML text).
std::string_view embedded_default_config();

// Reads /usr/share/zoneinfo (or $TZDIR) for an IANA zone name.
std::optional<core::TimeZone> load_time_zone(const std::string& name, std::string& error);

}  // namespace ccmon::config
