// The daemon's typed, validated configuration (YAML; see config/ccmon.example.yml).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/codec/codec.hpp"
#include "core/dedup/deduplicator.hpp"
#include "core/engine/engine_config.hpp"
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
  std::size_t max_events_in_flight = 200'000;  // decoded, not yet applied -> 503 / backpressure
};

struct AuthConfig {
  std::vector<std::string> ingest_tokens;   // empty: ingestion open
  std::vector<std::string> metrics_tokens;  // empty: /metrics and /v1/kpis open
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
  std::uint64_t snapshot_journal_bytes = 256ull
                                         << 20;  // a snapshot once the journal grew this much
};

struct Config {
  std::string source = "<embedded>";      // file the configuration came from
  std::string listen = "127.0.0.1:9477";  // HOST:PORT
  std::string log_level = "info";         // spdlog level name
  ClockMode clock = ClockMode::kWall;
  ServerLimits limits;
  AuthConfig auth;
  core::CodecOptions codec;
  core::DedupOptions dedup;
  core::EngineConfig engine;
  std::vector<core::SlaRule> sla_rules;
  DurableConfig durable;
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
