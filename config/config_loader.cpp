// The configuration schema: which keys exist, what each must hold, and how it
// maps onto Config. Generic typed reads live in yaml_reader.cpp.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "config/adapters_loader.hpp"
#include "config/config.hpp"
#include "config/kafka_loader.hpp"
#include "config/token_file.hpp"
#include "config/yaml_reader.hpp"
#include "core/kpi.hpp"

namespace ccmon::config {
namespace {

constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;
// state.shards: a thread each; past a few dozen the router is the bottleneck
// (docs/benchmarks.md, "Engine shards").
constexpr std::int64_t kMaxShards = 64;

bool valid_listen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (host.empty() || port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  if (std::stol(port) > 65535) return false;
  if (host.front() == '[') {  // IPv6 literal
    return host.size() > 2 && host.back() == ']' &&
           host.find_first_not_of("0123456789abcdefABCDEF:.", 1) == host.size() - 1;
  }
  // A name or IPv4 address; a bare ':' means an unbracketed IPv6 address.
  return host.find_first_of(":[] \t") == std::string::npos;
}

bool valid_rule_name(const std::string& name) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (name.empty() || !letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

bool has_glob(const std::string& pattern) {
  return pattern.find_first_of("*?") != std::string::npos;
}

// A channel pattern read somewhere, checked once ingest.channels is known.
struct ChannelRef {
  std::string pattern;
  Value where;
};

// An SLA window name, checked once kpis.windows and kpis.today are known.
struct WindowRef {
  std::string window;
  Value where;
  bool defaulted = false;
};

class ConfigLoader {
 public:
  explicit ConfigLoader(YamlReader& r, Config initial = {}) : r_(r), c_(std::move(initial)) {}

  void load(const YAML::Node& root) {
    Value top{root, "", root.Mark()};
    if (!root.IsNull() && !root.IsMap()) {
      r_.error(top, "the configuration must be a mapping of sections");
      return;
    }
    r_.mapping(top, {{"server", [&](const Value& v) { server(v); }},
                     {"ingest", [&](const Value& v) { ingest(v); }},
                     {"kpis", [&](const Value& v) { kpis(v); }},
                     {"state", [&](const Value& v) { state(v); }},
                     {"cardinality", [&](const Value& v) { cardinality(v); }},
                     {"sla", [&](const Value& v) { sla(v); }},
                     {"adapters", [&](const Value& v) { read_adapters(r_, v, c_.adapters); }},
                     {"queues", [&](const Value& v) { queues(v); }},
                     {"forecast", [&](const Value& v) { forecast(v); }},
                     {"wallboard", [&](const Value& v) { wallboard(v); }}});
    cross_checks();
  }

  Config& config() { return c_; }
  // Problems inside token files (they name the token file, not this one).
  std::vector<ConfigError>& errors_in_files() { return errors_in_files_; }
  std::vector<ConfigError>& warnings() { return warnings_; }

 private:
  // Readers that store into `out` only when the value is valid.
  template <typename T>
  static void set(T& out, const std::optional<T>& v) {
    if (v) out = *v;
  }
  void count(const Value& v, std::size_t& out) {
    if (auto n = r_.integer(v, 1, kMaxCount)) out = static_cast<std::size_t>(*n);
  }
  void bytes(const Value& v, std::size_t& out) {
    if (auto n = r_.size(v, 1)) out = static_cast<std::size_t>(*n);
  }
  void seconds(const Value& v, double& out, core::Duration min) {
    if (auto d = r_.duration(v, min)) out = core::to_seconds(*d);
  }
  void string_list(const Value& v, std::vector<std::string>& out, const char* what) {
    out.clear();
    std::vector<std::string> seen;
    r_.sequence(v, [&](const Value& e) {
      auto s = r_.string(e);
      if (!s) return;
      if (s->empty()) {
        r_.error(e, std::string(what) + " must not be empty");
      } else if (std::find(out.begin(), out.end(), *s) != out.end()) {
        r_.error(e, "duplicate " + std::string(what) + " " + quoted(*s));
      } else {
        out.push_back(*s);
      }
    });
  }
  void tokens(const Value& v, std::vector<std::string>& out) {
    out.clear();
    r_.sequence(v, [&](const Value& e) {
      auto s = r_.string(e);
      if (!s) return;
      if (const char* why = token_problem(*s)) {
        r_.error(e, why);  // never the token itself: errors are logged
      } else {
        out.push_back(*s);
      }
    });
  }

  // server.auth.*_token_files: each file's tokens go to `out` (docs/
  // configuration.md, "Token files"). Relative paths are relative to the
  // configuration file's directory. Files are read at every load, so a
  // reload picks up rotated tokens; a file that cannot be used is an error.
  void token_files(const Value& v, std::vector<std::string>& out) {
    r_.sequence(v, [&](const Value& e) {
      auto s = r_.string(e);
      if (!s) return;
      if (s->empty()) return r_.error(e, "a token file path must not be empty");
      const std::string name = token_file_path(*s, r_.file());
      const TokenFileRead read = read_token_file(name);
      if (!read.error.empty()) return r_.error(e, name + ": " + read.error);
      for (const auto& p : read.content.problems) {
        errors_in_files_.push_back({name, p.line, 0, e.path + ": " + p.message});
      }
      if (!read.content.problems.empty()) return;
      if (read.exposed) {
        char mode[16];
        std::snprintf(mode, sizeof mode, "%04o", read.mode);
        warnings_.push_back({name, 0, 0,
                             e.path + ": the token file is readable by group or others (mode " +
                                 mode +
                                 "); chmod 600 it (docs/configuration.md, \"Token files\")"});
      }
      for (const auto& t : read.content.tokens) {
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
      }
    });
  }

  void auth(const Value& section) {
    AuthConfig& a = c_.auth;
    std::vector<std::string> from_files[3];  // merged after the inline lists
    r_.mapping(section,
               {{"ingest_tokens", [&](const Value& t) { tokens(t, a.ingest_tokens); }},
                {"metrics_tokens", [&](const Value& t) { tokens(t, a.metrics_tokens); }},
                {"admin_tokens", [&](const Value& t) { tokens(t, a.admin_tokens); }},
                {"ingest_token_files", [&](const Value& t) { token_files(t, from_files[0]); }},
                {"metrics_token_files", [&](const Value& t) { token_files(t, from_files[1]); }},
                {"admin_token_files", [&](const Value& t) { token_files(t, from_files[2]); }},
                {"allow_removing_all_tokens",
                 [&](const Value& t) { set(a.allow_removing_all_tokens, r_.boolean(t)); }}});
    std::vector<std::string>* lists[3] = {&a.ingest_tokens, &a.metrics_tokens, &a.admin_tokens};
    for (int i = 0; i < 3; ++i) {
      for (auto& t : from_files[i]) {
        if (std::find(lists[i]->begin(), lists[i]->end(), t) == lists[i]->end()) {
          lists[i]->push_back(std::move(t));
        }
      }
    }
  }

  void server(const Value& section) {
    r_.mapping(section, {{"listen", [&](const Value& v) { listen(v); }},
                         {"plain_listen", [&](const Value& v) { plain_listen(v); }},
                         {"metrics_listen", [&](const Value& v) { metrics_listen(v); }},
                         {"tls", [&](const Value& v) { tls(v); }},
                         {"log_level", [&](const Value& v) { log_level(v); }},
                         {"clock", [&](const Value& v) { clock(v); }},
                         {"limits", [&](const Value& v) { limits(v); }},
                         {"auth", [&](const Value& v) { auth(v); }}});
  }

 public:
  // The keys the command line may override (apply_overrides), read by the
  // same functions as in the file.
  bool read_override(const std::string& key, const Value& v) {
    if (key == "server.listen") {
      listen(v);
    } else if (key == "server.log_level") {
      log_level(v);
    } else if (key == "server.clock") {
      clock(v);
    } else if (key == "state.dir") {
      set(c_.durable.dir, r_.string(v));
    } else {
      return false;
    }
    return true;
  }

 private:
  void listen(const Value& v) {
    auto s = r_.string(v);
    if (s && !valid_listen(*s)) {
      r_.error(v, quoted(*s) + " is not HOST:PORT (port 0..65535, IPv6 as [::1]:9477)");
    } else if (s) {
      c_.listen = *s;
    }
  }

  void plain_listen(const Value& v) { optional_listen(v, c_.plain_listen); }
  void metrics_listen(const Value& v) { optional_listen(v, c_.metrics_listen); }

  // A second listener's HOST:PORT; "" (the default) for none.
  void optional_listen(const Value& v, std::string& out) {
    auto s = r_.string(v);
    if (s && !s->empty() && !valid_listen(*s)) {
      r_.error(v, quoted(*s) + " is not HOST:PORT (port 0..65535, IPv6 as [::1]:9478)");
    } else if (s) {
      out = *s;
    }
  }

  // The files themselves are read by the server (server/tls_context.hpp),
  // at start, on reload and by --check-config.
  void tls(const Value& section) {
    TlsConfig& t = c_.tls;
    auto file = [&](const Value& v, std::string& out) {
      auto s = r_.string(v);
      if (s && s->empty()) {
        r_.error(v, "must name a PEM file (leave the key out to go without)");
      } else if (s) {
        out = *s;
      }
    };
    r_.mapping(section, {{"cert_file", [&](const Value& v) { file(v, t.cert_file); }},
                         {"key_file", [&](const Value& v) { file(v, t.key_file); }},
                         {"client_ca_file", [&](const Value& v) { file(v, t.client_ca_file); }}});
    if (t.cert_file.empty() != t.key_file.empty()) {
      r_.error(section, "cert_file and key_file go together: set both for TLS, or neither");
    } else if (!t.client_ca_file.empty() && t.cert_file.empty()) {
      r_.error(section, "client_ca_file (mutual TLS) needs cert_file and key_file");
    }
  }

  void log_level(const Value& v) {
    static constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                                   "error", "critical", "off"};
    auto s = r_.string(v);
    if (!s) return;
    if (std::find(std::begin(kLevels), std::end(kLevels), *s) == std::end(kLevels)) {
      r_.error(v, quoted(*s) + " is not one of trace, debug, info, warn, error, critical, off");
    } else {
      c_.log_level = *s;
    }
  }

  void clock(const Value& v) {
    auto s = r_.string(v);
    if (!s) return;
    if (*s == "wall") {
      c_.clock = ClockMode::kWall;
    } else if (*s == "event") {
      c_.clock = ClockMode::kEvent;
    } else {
      r_.error(v, quoted(*s) + " is not one of wall, event");
    }
  }

  void limits(const Value& section) {
    ServerLimits& l = c_.limits;
    r_.mapping(
        section,
        {{"max_body_size", [&](const Value& v) { bytes(v, l.max_body_bytes); }},
         {"max_ws_message_size", [&](const Value& v) { bytes(v, l.max_ws_message_bytes); }},
         {"max_connections", [&](const Value& v) { count(v, l.max_connections); }},
         {"max_connections_per_address",
          [&](const Value& v) { count(v, l.max_connections_per_address); }},
         {"reserved_probe_connections",
          [&](const Value& v) {
            if (auto n = r_.integer(v, 0, kMaxCount)) {
              l.reserved_probe_connections = static_cast<std::size_t>(*n);
            }
          }},
         {"header_timeout", [&](const Value& v) { set(l.header_timeout, r_.duration(v, 1)); }},
         {"idle_timeout", [&](const Value& v) { set(l.idle_timeout, r_.duration(v, 1)); }},
         {"message_timeout", [&](const Value& v) { set(l.message_timeout, r_.duration(v, 1)); }},
         {"max_events_in_flight", [&](const Value& v) { count(v, l.max_events_in_flight); }}});
  }

  void ingest(const Value& section) {
    r_.mapping(
        section,
        {{"channels",
          [&](const Value& v) {
            string_list(v, c_.codec.channels, "channel");
            if (c_.codec.channels.empty()) r_.error(v, "at least one channel is required");
            for (const auto& ch : c_.codec.channels) {
              if (has_glob(ch)) r_.error(v, "channel " + quoted(ch) + " must not contain * or ?");
            }
          }},
         {"max_clock_skew",
          [&](const Value& v) { set(c_.codec.max_clock_skew, r_.duration(v, 0)); }},
         {"lateness", [&](const Value& v) { set(c_.engine.lateness, r_.duration(v, 0)); }},
         {"max_event_size", [&](const Value& v) { bytes(v, c_.codec.max_event_bytes); }},
         {"max_event_age", [&](const Value& v) { set(c_.codec.max_event_age, r_.duration(v, 0)); }},
         {"max_label_size", [&](const Value& v) { bytes(v, c_.codec.max_label_bytes); }},
         {"max_id_size", [&](const Value& v) { bytes(v, c_.codec.max_id_bytes); }},
         {"max_rejections_listed",
          [&](const Value& v) { count(v, c_.codec.max_rejection_details); }},
         {"kafka", [&](const Value& v) { read_kafka(r_, v, c_.kafka); }},
         {"dedup", [&](const Value& v) {
            r_.mapping(
                v, {{"horizon", [&](const Value& h) { set(c_.dedup.horizon, r_.duration(h, 0)); }},
                    {"max_ids", [&](const Value& m) {
                       // 0 turns deduplication off (docs/events.md, "Duplicates").
                       if (auto n = r_.integer(m, 0, kMaxCount)) {
                         c_.dedup.max_ids = static_cast<std::size_t>(*n);
                       }
                     }}});
          }}});
  }

  void kpis(const Value& section) {
    core::EngineConfig& e = c_.engine;
    r_.mapping(section,
               {{"windows", [&](const Value& v) { windows(v); }},
                {"today", [&](const Value& v) { set(e.today_window, r_.boolean(v)); }},
                {"time_zone",
                 [&](const Value& v) {
                   auto s = r_.string(v);
                   if (!s) return;
                   std::string why;
                   if (auto tz = load_time_zone(*s, why)) {
                     e.time_zone = std::move(*tz);
                   } else {
                     r_.error(v, why);
                   }
                 }},
                {"day_start_hour",
                 [&](const Value& v) {
                   if (auto h = r_.integer(v, 0, 23)) e.day_start_hour = static_cast<int>(*h);
                 }},
                {"service_level", [&](const Value& v) { service_level(v); }},
                {"wait_buckets", [&](const Value& v) { wait_buckets(v); }},
                {"negative_sentiment_threshold",
                 [&](const Value& v) {
                   auto x = r_.number(v);
                   if (x && (*x < -1 || *x > 1)) {
                     r_.error(v, "must be between -1 and 1 (sentiment scores are -1..1)");
                   } else {
                     set(e.negative_sentiment_threshold, x);
                   }
                 }},
                {"acw_timeout", [&](const Value& v) { set(e.acw_timeout, r_.duration(v, 1)); }},
                {"interval", [&](const Value& v) {
                   auto d = r_.duration(v, 1);
                   if (d && *d != core::minutes(15) && *d != core::minutes(30)) {
                     r_.error(v, "must be 15m or 30m (the fixed intervals of /v1/intervals)");
                   } else {
                     set(e.interval_length, d);
                   }
                 }}});
  }

  void wallboard(const Value& section) {
    WallboardConfig& w = c_.wallboard;
    r_.mapping(section, {{"max_viewers", [&](const Value& v) { count(v, w.max_viewers); }},
                         {"feed_agents",
                          [&](const Value& v) {
                            if (auto n = r_.integer(v, 0, 5000))
                              w.feed_agents = static_cast<std::size_t>(*n);
                          }},
                         {"feed_stale_after",
                          [&](const Value& v) { set(w.feed_stale_after, r_.duration(v, 0)); }},
                         {"at_risk_margin", [&](const Value& v) {
                            auto x = r_.number(v);
                            if (x && !(*x >= 0 && *x <= 1)) {
                              r_.error(v, "must be between 0 and 1 (a fraction of the target)");
                            } else {
                              set(w.at_risk_margin, x);
                            }
                          }}});
  }

  void windows(const Value& v) {
    std::vector<core::TrailingWindow> out;
    r_.sequence(v, [&](const Value& e) {
      auto name = r_.string(e);
      if (!name) return;
      if (*name == "today") {
        r_.error(e, "\"today\" is not a trailing window; it is enabled by kpis.today");
        return;
      }
      auto length = r_.duration(e, 0);
      if (!length) return;
      if (*length < core::minutes(1) || *length > core::hours(24 * 7)) {
        // Buckets of W/60 must be whole seconds; a week bounds memory.
        r_.error(e, quoted(*name) + " must be between 1m and 7d");
        return;
      }
      for (const auto& w : out) {
        if (w.length == *length) {
          r_.error(e, quoted(*name) + " repeats window " + quoted(w.name));
          return;
        }
      }
      out.push_back({*name, *length});
    });
    if (v.node.IsNull() || (v.node.IsSequence() && v.node.size() == 0)) {
      r_.error(v, "at least one window is required");
    }
    if (!out.empty()) c_.engine.windows = std::move(out);
  }

  // `formula` names a preset of the four switches; a switch given beside it
  // wins over the preset's value, whatever the order of the keys
  // (docs/configuration.md, docs/kpis.md "Service level").
  void service_level(const Value& section) {
    core::EngineConfig& e = c_.engine;
    core::ServiceLevelFormula f = e.service_level_formula;
    std::optional<bool> abandoned, short_abandoned, overflowed, within_met;
    r_.mapping(
        section,
        {{"formula",
          [&](const Value& v) {
            auto s = r_.string(v);
            if (!s) return;
            if (*s == "default") {
              f = core::ServiceLevelFormula::kDefault;
            } else if (*s == "answered_only") {
              f = core::ServiceLevelFormula::kAnsweredOnly;
            } else if (*s == "all") {
              f = core::ServiceLevelFormula::kAll;
            } else if (*s == "removed_within") {
              f = core::ServiceLevelFormula::kRemovedWithin;
            } else {
              r_.error(v,
                       quoted(*s) + " is not one of default, answered_only, all, removed_within");
            }
          }},
         {"include_abandoned", [&](const Value& v) { abandoned = r_.boolean(v); }},
         {"include_short_abandoned", [&](const Value& v) { short_abandoned = r_.boolean(v); }},
         {"include_overflowed", [&](const Value& v) { overflowed = r_.boolean(v); }},
         {"abandoned_within_met", [&](const Value& v) { within_met = r_.boolean(v); }},
         {"threshold", [&](const Value& v) { seconds(v, e.service_level_threshold_s, 1); }},
         {"short_abandon", [&](const Value& v) { seconds(v, e.short_abandon_threshold_s, 0); }},
         {"overrides", [&](const Value& v) {
            e.service_level_overrides.clear();
            r_.sequence(v, [&](const Value& o) { override_entry(o); });
          }}});
    set(f.include_abandoned, abandoned);
    set(f.include_short_abandoned, short_abandoned);
    set(f.include_overflowed, overflowed);
    set(f.abandoned_within_met, within_met);
    if (!f.include_abandoned && (f.include_short_abandoned || f.abandoned_within_met)) {
      r_.error(section,
               "include_short_abandoned and abandoned_within_met need include_abandoned: true");
      return;
    }
    e.service_level_formula = f;
  }

  void override_entry(const Value& v) {
    core::ServiceLevelOverride o;
    const auto keys = r_.mapping(v, {{"queue", [&](const Value& q) { glob(q, o.queue); }},
                                     {"channel",
                                      [&](const Value& ch) {
                                        if (glob(ch, o.channel))
                                          channel_refs_.push_back({o.channel, ch});
                                      }},
                                     {"threshold",
                                      [&](const Value& t) {
                                        if (auto d = r_.duration(t, 1))
                                          o.threshold_s = core::to_seconds(*d);
                                      }},
                                     {"short_abandon", [&](const Value& s) {
                                        if (auto d = r_.duration(s, 0))
                                          o.short_abandon_s = core::to_seconds(*d);
                                      }}});
    if (v.node.IsMap() && !keys.contains("threshold") && !keys.contains("short_abandon")) {
      r_.error(v, "an override needs threshold or short_abandon");
    }
    c_.engine.service_level_overrides.push_back(std::move(o));
  }

  bool glob(const Value& v, std::string& out) {
    auto s = r_.string(v);
    if (!s) return false;
    if (s->empty()) {
      r_.error(v, "must not be empty (use \"*\" to match everything)");
      return false;
    }
    out = *s;
    return true;
  }

  void wait_buckets(const Value& v) {
    std::vector<double> out;
    r_.sequence(v, [&](const Value& e) {
      auto x = r_.number(e);
      if (!x) return;
      if (*x <= 0) {
        r_.error(e, "bucket bounds are seconds and must be greater than 0");
      } else if (!out.empty() && *x <= out.back()) {
        r_.error(e, "bucket bounds must be in increasing order");
      } else {
        out.push_back(*x);
      }
    });
    c_.engine.extra_wait_buckets_s = std::move(out);
  }

  void state(const Value& section) {
    core::EngineConfig& e = c_.engine;
    r_.mapping(section,
               {{"contact_idle_timeout",
                 [&](const Value& v) { set(e.contact_idle_timeout, r_.duration(v, 1)); }},
                {"case_idle_timeout",
                 [&](const Value& v) { set(e.case_idle_timeout, r_.duration(v, 1)); }},
                {"max_contacts", [&](const Value& v) { count(v, e.max_tracked_contacts); }},
                {"max_cases", [&](const Value& v) { count(v, e.max_tracked_cases); }},
                {"max_agents", [&](const Value& v) { count(v, e.max_tracked_agents); }},
                {"max_held_events", [&](const Value& v) { count(v, e.max_held_events); }},
                {"max_tracked_bytes",
                 [&](const Value& v) {
                   // Below 1 MiB a few thousand contacts would not fit.
                   if (auto n = r_.size(v, 1 << 20)) {
                     e.max_tracked_bytes = static_cast<std::size_t>(*n);
                   }
                 }},
                {"dir", [&](const Value& v) { set(c_.durable.dir, r_.string(v)); }},
                {"shards",
                 [&](const Value& v) {
                   if (auto n = r_.integer(v, 1, kMaxShards))
                     c_.shards = static_cast<std::uint32_t>(*n);
                 }},
                {"sync", [&](const Value& v) { sync_mode(v); }},
                {"sync_interval",
                 [&](const Value& v) { set(c_.durable.sync_interval, r_.duration(v, 1000)); }},
                {"snapshot_interval",
                 [&](const Value& v) {
                   set(c_.durable.snapshot_interval, r_.duration(v, core::seconds(1)));
                 }},
                {"snapshot_journal_bytes", [&](const Value& v) {
                   if (auto n = r_.size(v, 1 << 20)) c_.durable.snapshot_journal_bytes = *n;
                 }}});
  }

  void sync_mode(const Value& v) {
    auto s = r_.string(v);
    if (!s) return;
    if (*s == "always") {
      c_.durable.sync = SyncMode::kAlways;
    } else if (*s == "interval") {
      c_.durable.sync = SyncMode::kInterval;
    } else {
      r_.error(v, quoted(*s) + " is not one of always, interval");
    }
  }

  void cardinality(const Value& section) {
    core::CardinalityLimits& l = c_.engine.limits;
    r_.mapping(section, {{"queues", [&](const Value& v) { string_list(v, l.queues, "queue"); }},
                         {"max_queues", [&](const Value& v) { count(v, l.max_queues); }},
                         {"teams", [&](const Value& v) { string_list(v, l.teams, "team"); }},
                         {"max_teams", [&](const Value& v) { count(v, l.max_teams); }},
                         {"max_channels", [&](const Value& v) { count(v, l.max_channels); }},
                         {"per_agent_series",
                          [&](const Value& v) {
                            set(l.per_agent_series, r_.boolean(v));
                            // Agent figures are per team today; refuse rather
                            // than silently ignore a request for more.
                            if (l.per_agent_series) {
                              r_.error(v, "per-agent series are not available yet; use false");
                            }
                          }},
                         {"max_agents", [&](const Value& v) {
                            // Reserved for per-agent series; it capped nothing,
                            // so refuse it rather than let it look effective.
                            r_.error(v,
                                     "has no effect (agent figures are per team); the number of "
                                     "tracked agents is capped by state.max_agents");
                          }}});
  }

  void sla(const Value& v) {
    c_.sla_rules.clear();
    r_.sequence(v, [&](const Value& e) { sla_rule(e); });
  }

  void sla_rule(const Value& v) {
    core::SlaRule rule;
    bool live = false;
    std::optional<Value> window;
    const auto keys = r_.mapping(
        v, {{"name",
             [&](const Value& n) {
               auto s = r_.string(n);
               if (!s) return;
               if (!valid_rule_name(*s)) {
                 r_.error(n, quoted(*s) + " is not a name matching [a-zA-Z_][a-zA-Z0-9_]*");
                 return;
               }
               for (const auto& [other, line] : sla_names_) {
                 if (other == *s) {
                   r_.error(n, "duplicate SLA name " + quoted(*s) + " (first at line " +
                                   std::to_string(line) + ")");
                   return;
                 }
               }
               sla_names_.emplace_back(*s, n.mark.line + 1);
               rule.name = *s;
             }},
            {"kpi",
             [&](const Value& k) {
               auto s = r_.string(k);
               if (!s) return;
               if (core::kpi_from_key(*s)) {
                 rule.kpi = *s;
               } else if (core::live_kpi_from_key(*s)) {
                 rule.kpi = *s;
                 live = true;
               } else {
                 r_.error(k, quoted(*s) +
                                 " is not a KPI key (a metric name of docs/metrics.md without "
                                 "ccmon_, e.g. service_level_ratio, oldest_waiting_seconds)");
               }
             }},
            {"op",
             [&](const Value& o) {
               auto s = r_.string(o);
               if (!s) return;
               if (*s == ">=") {
                 rule.comparison = core::Comparison::kGreaterEqual;
               } else if (*s == ">") {
                 rule.comparison = core::Comparison::kGreater;
               } else if (*s == "<=") {
                 rule.comparison = core::Comparison::kLessEqual;
               } else if (*s == "<") {
                 rule.comparison = core::Comparison::kLess;
               } else {
                 r_.error(o, quoted(*s) + " is not one of >=, >, <=, < (quote it in YAML)");
               }
             }},
            {"target", [&](const Value& t) { set(rule.target, r_.number(t)); }},
            {"window",
             [&](const Value& w) {
               if (auto s = r_.string(w)) {
                 rule.window = *s;
                 window = w;
               }
             }},
            {"queue", [&](const Value& q) { glob(q, rule.queue); }},
            {"channel",
             [&](const Value& ch) {
               if (glob(ch, rule.channel)) channel_refs_.push_back({rule.channel, ch});
             }},
            {"min_volume",
             [&](const Value& m) {
               auto x = r_.number(m);
               if (x && *x < 0) {
                 r_.error(m, "must be at least 0");
               } else {
                 set(rule.min_volume, x);
               }
             }},
            {"for", [&](const Value& f) { set(rule.for_duration, r_.duration(f, 0)); }},
            {"clear_margin", [&](const Value& m) {
               auto x = r_.number(m);
               if (x && *x < 0) {
                 r_.error(m, "must be at least 0");
               } else {
                 set(rule.clear_margin, x);
               }
             }}});
    if (!v.node.IsMap()) return;
    for (const char* required : {"name", "kpi", "op", "target"}) {
      if (!keys.contains(required)) r_.error(v, std::string("missing required key ") + required);
    }
    if (window) {
      window_refs_.push_back({rule.window, *window, false});
    } else if (!live) {
      window_refs_.push_back({rule.window, v, true});
    }
    c_.sla_rules.push_back(std::move(rule));
  }

  // `queues:` (docs/configuration.md, "Forecast"): team -> queue mapping.
  void queues(const Value& v) {
    c_.forecast.queues.clear();
    r_.sequence(v, [&](const Value& e) {
      core::QueueTeams q;
      const auto keys = r_.mapping(e, {{"queue", [&](const Value& x) { glob(x, q.queue); }},
                                       {"channel",
                                        [&](const Value& x) {
                                          if (glob(x, q.channel))
                                            channel_refs_.push_back({q.channel, x});
                                        }},
                                       {"teams", [&](const Value& x) {
                                          string_list(x, q.teams, "team");
                                          if (q.teams.empty() && x.node.IsSequence())
                                            r_.error(x, "must name a team");
                                        }}});
      if (!e.node.IsMap()) return;
      if (!keys.contains("teams")) r_.error(e, "missing required key teams");
      c_.forecast.queues.push_back(std::move(q));
    });
  }

  // `forecast:` (docs/configuration.md, "Forecast").
  void forecast(const Value& section) {
    core::PredictionConfig& f = c_.forecast;
    const auto window = [&](const Value& v, std::string& out) {
      if (auto s = r_.string(v)) {
        out = *s;
        forecast_window_refs_.push_back({*s, v, false});
      }
    };
    r_.mapping(
        section,
        {{"arrival_window", [&](const Value& v) { window(v, f.arrival_window); }},
         {"handle_time_window", [&](const Value& v) { window(v, f.handle_time_window); }},
         {"handle_time_fallback_window",
          [&](const Value& v) { window(v, f.handle_time_fallback_window); }},
         {"min_handled",
          [&](const Value& v) {
            if (auto n = r_.integer(v, 1, 1'000'000)) f.min_handled = static_cast<double>(*n);
          }},
         {"horizon", [&](const Value& v) { seconds(v, f.horizon_seconds, core::seconds(1)); }},
         {"service_level_target",
          [&](const Value& v) {
            auto x = r_.number(v);
            if (x && !(*x > 0 && *x < 1)) {
              r_.error(v, "must be above 0 and below 1 (100 % needs infinitely many agents)");
            } else {
              set(f.target_ratio, x);
            }
          }},
         {"max_occupancy",
          [&](const Value& v) {
            if (v.node.IsNull()) {
              f.max_occupancy.reset();
              return;
            }
            auto x = r_.number(v);
            if (x && !(*x > 0 && *x <= 1)) {
              r_.error(v, "must be above 0 and at most 1 (or null: no cap)");
            } else if (x) {
              f.max_occupancy = *x;
            }
          }},
         {"concurrency", [&](const Value& v) {
            f.concurrency.clear();
            if (!v.node.IsNull() && !v.node.IsMap()) {
              r_.error(v, "must be a mapping of channel: contacts per agent");
              return;
            }
            for (const auto& kv : v.node) {
              if (!kv.first.IsScalar()) {
                r_.error(v, "keys must be channel names");
                continue;
              }
              const std::string channel = kv.first.as<std::string>();
              if (std::any_of(f.concurrency.begin(), f.concurrency.end(),
                              [&](const auto& e) { return e.first == channel; })) {
                r_.error(Value{kv.first, v.path + "." + channel, kv.first.Mark()}, "duplicate key");
                continue;
              }
              const Value value{kv.second, v.path + "." + channel, kv.second.Mark()};
              if (auto n = r_.integer(value, 1, 1000)) {
                f.concurrency.emplace_back(channel, static_cast<int>(*n));
                channel_refs_.push_back(
                    {channel, Value{kv.first, v.path + "." + channel, kv.first.Mark()}});
              }
            }
          }}});
  }

  // Checks that need more than one section.
  void cross_checks() {
    // Forecast windows must be trailing windows (a rate needs a length).
    for (const auto& ref : forecast_window_refs_) {
      const auto& ws = c_.engine.windows;
      if (std::any_of(ws.begin(), ws.end(), [&](const auto& w) { return w.name == ref.window; })) {
        continue;
      }
      std::string known;
      for (const auto& w : ws) known += (known.empty() ? "" : ", ") + w.name;
      r_.error(ref.where, "window " + quoted(ref.window) +
                              " is not a configured trailing window (" + known + ")");
    }
    const auto& windows = c_.engine.windows;
    for (const auto& ref : window_refs_) {
      const bool found = (ref.window == "today" && c_.engine.today_window) ||
                         std::any_of(windows.begin(), windows.end(),
                                     [&](const auto& w) { return w.name == ref.window; });
      if (found) continue;
      std::string known;
      for (const auto& w : windows) known += (known.empty() ? "" : ", ") + w.name;
      if (c_.engine.today_window) known += ", today";
      r_.error(ref.where, (ref.defaulted ? "no window given and the default " : "window ") +
                              quoted(ref.window) + " is not a configured window (" + known + ")");
    }
    // A literal channel outside the allow-list can never match: a typo.
    const auto& channels = c_.codec.channels;
    for (const auto& ref : channel_refs_) {
      if (has_glob(ref.pattern)) continue;
      if (std::find(channels.begin(), channels.end(), ref.pattern) == channels.end()) {
        r_.error(ref.where, "channel " + quoted(ref.pattern) + " is not one of ingest.channels");
      }
    }
  }

  YamlReader& r_;
  Config c_;
  std::vector<std::pair<std::string, int>> sla_names_;  // name, line
  std::vector<WindowRef> window_refs_;
  std::vector<WindowRef> forecast_window_refs_;
  std::vector<ChannelRef> channel_refs_;
  std::vector<ConfigError> errors_in_files_;
  std::vector<ConfigError> warnings_;
};

}  // namespace

LoadResult load_config_string(std::string_view yaml, const std::string& name) {
  YamlReader reader(name);
  LoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    reader.error(e.mark, "", "YAML syntax error: " + e.msg);
    result.errors = std::move(reader.errors());
    return result;
  }
  result.empty_document = root.IsNull();
  Config initial;
  initial.durable.dir = kDefaultStateDir;  // a file without state.dir
  ConfigLoader loader(reader, std::move(initial));
  loader.load(root);
  for (auto& e : loader.errors_in_files()) reader.errors().push_back(std::move(e));
  result.warnings = std::move(loader.warnings());
  // Cross-section checks run last; list problems in file order all the same.
  std::stable_sort(reader.errors().begin(), reader.errors().end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     return std::pair(a.line, a.column) < std::pair(b.line, b.column);
                   });
  if (reader.errors().empty()) {
    result.config = std::move(loader.config());
    result.config->source = name;
  }
  result.errors = std::move(reader.errors());
  return result;
}

std::vector<ConfigError> apply_overrides(Config& config, const std::vector<Override>& overrides) {
  std::vector<ConfigError> errors;
  for (const auto& o : overrides) {
    YamlReader reader(o.flag);
    ConfigLoader loader(reader, config);
    // A plain scalar node: the text is never parsed as YAML ("[::1]:9477" is
    // an address, not a sequence), but read as the file's string would be.
    const Value value{YAML::Node(o.value), o.key, YAML::Mark::null_mark()};
    if (!loader.read_override(o.key, value)) {
      reader.error(value, "cannot be set from the command line");
    }
    if (reader.errors().empty()) {
      config = std::move(loader.config());
    } else {
      errors.insert(errors.end(), reader.errors().begin(), reader.errors().end());
    }
  }
  return errors;
}

LoadResult load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.errors.push_back({path, 0, 0, std::string("cannot read: ") + std::strerror(errno)});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_config_string(text.str(), path);
}

std::vector<std::string> reload_refusals(const Config& running, const LoadResult& next) {
  std::vector<std::string> why;
  if (next.empty_document) {
    why.emplace_back("the configuration file is empty; refusing to reload it as all defaults");
  }
  if (!next.config || next.config->auth.allow_removing_all_tokens) return why;
  const auto& was = running.auth;
  const auto& now = next.config->auth;
  const std::pair<const char*, bool> roles[] = {
      {"ingest_tokens", !was.ingest_tokens.empty() && now.ingest_tokens.empty()},
      {"metrics_tokens", !was.metrics_tokens.empty() && now.metrics_tokens.empty()},
      {"admin_tokens", !was.admin_tokens.empty() && now.admin_tokens.empty()},
  };
  for (const auto& [key, dropped] : roles) {
    if (!dropped) continue;
    std::string m = "server.auth.";
    m += key;
    m += " would become empty, turning authentication off for it; set "
         "server.auth.allow_removing_all_tokens: true to mean it";
    why.push_back(std::move(m));
  }
  return why;
}

}  // namespace ccmon::config
