// A valid configuration lands in the right Config fields, with units converted.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"

using ccmon::config::ClockMode;
using ccmon::config::Config;
using ccmon::config::load_config_string;
using namespace ccmon::core;

namespace {

Config load_ok(const std::string& yaml) {
  auto result = load_config_string(yaml, "ok.yml");
  for (const auto& e : result.errors) FAIL_CHECK(to_string(e));
  REQUIRE(result.config);
  return *result.config;
}

}  // namespace

TEST_CASE("every key maps onto its Config field", "[config][values]") {
  const Config c = load_ok(R"(
server:
  listen: "[::1]:0"
  log_level: debug
  clock: event
  limits:
    max_body_size: 2MiB
    max_ws_message_size: 64KiB
    max_connections: 10
    max_connections_per_address: 3
    reserved_probe_connections: 0
    header_timeout: 1500ms
    idle_timeout: 1h30m
    message_timeout: 2500ms
    max_events_in_flight: 500
  auth:
    ingest_tokens: [tok1, "tok2"]
    metrics_tokens: [scrape]
    admin_tokens: [root]
ingest:
  channels: [voice, video]
  max_clock_skew: 0
  max_event_size: 1KB
  dedup: {horizon: 2h, max_ids: 1000}
kpis:
  windows: [1m, 30m, 7d]
  today: false
  time_zone: Europe/Paris
  day_start_hour: 6
  service_level:
    formula: removed_within
    threshold: 30s
    short_abandon: 0s
  wait_buckets: [0.5, 10, 300]
  negative_sentiment_threshold: -0.5
  acw_timeout: 90s
state:
  contact_idle_timeout: 2h
  case_idle_timeout: 7d
  max_contacts: 100
  max_cases: 200
  max_agents: 300
  max_tracked_bytes: 256MiB
cardinality:
  queues: [sales, support]
  max_queues: 5
  teams: [blue]
  max_teams: 6
  max_channels: 7
  per_agent_series: false
sla:
  - name: fast_answer
    kpi: average_speed_of_answer_seconds
    op: "<"
    target: 45.5
    window: 30m
    queue: "sales*"
    channel: video
    min_volume: 3
    for: 1m
    clear_margin: 2.5
)");
  CHECK(c.source == "ok.yml");
  CHECK(c.listen == "[::1]:0");
  CHECK(c.log_level == "debug");
  CHECK(c.clock == ClockMode::kEvent);
  CHECK(c.limits.max_body_bytes == 2 * 1048576);
  CHECK(c.limits.max_ws_message_bytes == 65536);
  CHECK(c.limits.max_connections == 10);
  CHECK(c.limits.max_connections_per_address == 3);
  CHECK(c.limits.reserved_probe_connections == 0);  // 0 allowed: no reserve
  CHECK(c.limits.header_timeout == 1'500'000);      // 1.5 s in us
  CHECK(c.limits.idle_timeout == 5'400'000'000);    // 5400 s
  CHECK(c.limits.message_timeout == 2'500'000);     // 2.5 s in us
  CHECK(c.limits.max_events_in_flight == 500);
  CHECK(c.auth.ingest_tokens == std::vector<std::string>{"tok1", "tok2"});
  CHECK(c.auth.metrics_tokens == std::vector<std::string>{"scrape"});
  CHECK(c.auth.admin_tokens == std::vector<std::string>{"root"});
  CHECK(c.codec.channels == std::vector<std::string>{"voice", "video"});
  CHECK(c.codec.max_clock_skew == 0);
  CHECK(c.codec.max_event_bytes == 1000);
  CHECK(c.dedup.horizon == hours(2));
  CHECK(c.dedup.max_ids == 1000);

  const EngineConfig& e = c.engine;
  REQUIRE(e.windows.size() == 3);
  CHECK(e.windows[0].name == "1m");
  CHECK(e.windows[0].length == 60'000'000);
  CHECK(e.windows[1].name == "30m");
  CHECK(e.windows[2].name == "7d");
  CHECK(e.windows[2].length == 604'800'000'000);  // 7 * 86400 s
  CHECK_FALSE(e.today_window);
  CHECK(e.time_zone.name == "Europe/Paris");
  CHECK_FALSE(e.time_zone.transitions.empty());
  CHECK(e.day_start_hour == 6);
  CHECK(e.service_level_formula == ServiceLevelFormula::kRemovedWithin);
  CHECK(e.service_level_threshold_s == 30.0);
  CHECK(e.short_abandon_threshold_s == 0.0);
  CHECK(e.extra_wait_buckets_s == std::vector<double>{0.5, 10, 300});
  CHECK(e.negative_sentiment_threshold == -0.5);
  CHECK(e.acw_timeout == seconds(90));
  CHECK(e.contact_idle_timeout == hours(2));
  CHECK(e.case_idle_timeout == hours(7 * 24));
  CHECK(e.max_tracked_contacts == 100);
  CHECK(e.max_tracked_cases == 200);
  CHECK(e.max_tracked_agents == 300);
  CHECK(e.max_tracked_bytes == 268'435'456);  // 256 * 1024 * 1024
  CHECK(e.limits.queues == std::vector<std::string>{"sales", "support"});
  CHECK(e.limits.max_queues == 5);
  CHECK(e.limits.teams == std::vector<std::string>{"blue"});
  CHECK(e.limits.max_teams == 6);
  CHECK(e.limits.max_channels == 7);
  CHECK_FALSE(e.limits.per_agent_series);  // `true` is refused (config_errors_test)

  REQUIRE(c.sla_rules.size() == 1);
  const SlaRule& r = c.sla_rules[0];
  CHECK(r.name == "fast_answer");
  CHECK(r.kpi == "average_speed_of_answer_seconds");
  CHECK(r.comparison == Comparison::kLess);
  CHECK(r.target == 45.5);
  CHECK(r.window == "30m");
  CHECK(r.queue == "sales*");
  CHECK(r.channel == "video");
  CHECK(r.min_volume == 3);
  CHECK(r.for_duration == minutes(1));
  CHECK(r.clear_margin == 2.5);
}

TEST_CASE("ingest.dedup.max_ids: 0 turns deduplication off, as documented", "[config][values]") {
  // docs/events.md, "Duplicates"; the engine runner then remembers no id.
  CHECK(load_ok("ingest:\n  dedup: {max_ids: 0}\n").dedup.max_ids == 0);
  CHECK(load_ok("ingest:\n  dedup: {max_ids: 1}\n").dedup.max_ids == 1);
  CHECK_FALSE(load_config_string("ingest:\n  dedup: {max_ids: -1}\n", "bad.yml").config);
}

TEST_CASE("service-level overrides keep their file order", "[config][values]") {
  // Later entries win in the engine, so the order must survive loading.
  const Config c = load_ok(R"(
kpis:
  service_level:
    overrides:
      - { queue: "*", channel: voice, threshold: 30s }
      - { queue: "vip*", channel: voice, threshold: 10s, short_abandon: 3s }
      - { queue: "vip-gold", short_abandon: 1500ms }
)");
  const auto& o = c.engine.service_level_overrides;
  REQUIRE(o.size() == 3);
  CHECK(o[0].queue == "*");
  CHECK(o[0].channel == "voice");
  CHECK(o[0].threshold_s == 30.0);
  CHECK_FALSE(o[0].short_abandon_s);
  CHECK(o[1].queue == "vip*");
  CHECK(o[1].threshold_s == 10.0);
  CHECK(o[1].short_abandon_s == 3.0);
  CHECK(o[2].queue == "vip-gold");
  CHECK(o[2].channel == "*");  // default glob
  CHECK_FALSE(o[2].threshold_s);
  CHECK(o[2].short_abandon_s == 1.5);
}

TEST_CASE("listen addresses", "[config][values]") {
  struct Row {
    const char* listen;
    bool ok;
  };
  const Row rows[] = {
      {"127.0.0.1:9477", true}, {"0.0.0.0:0", true}, {"localhost:65535", true},
      {"[::]:9477", true},      {"[::1]:80", true},  {"host:65536", false},
      {"9477", false},          {":9477", false},    {"::1:9477", false},
      {"[::1]:", false},        {"host:-1", false},  {"host:9a", false},
      {"[zz::1]:80", false},    {"a b:80", false},
  };
  for (const Row& row : rows) {
    INFO("listen " << row.listen);
    const auto result =
        load_config_string(std::string("server: {listen: \"") + row.listen + "\"}", "l.yml");
    CHECK(result.errors.empty() == row.ok);
  }
}

TEST_CASE("an empty file keeps every default", "[config][values]") {
  const Config c = load_ok("# nothing\n");
  const Config defaults;
  CHECK(c.listen == defaults.listen);
  CHECK(c.engine.windows.size() == 4);
  CHECK(c.sla_rules.empty());
}

TEST_CASE("SLA rules on live KPIs need no window", "[config][values]") {
  // Live KPIs have no window, so a configuration without 15m still accepts
  // a rule that leaves `window` out.
  const Config c = load_ok(R"(
kpis: {windows: [5m], today: false}
sla:
  - {name: waiting, kpi: contacts_waiting, op: "<=", target: 10}
  - {name: today_offered, kpi: offered, op: ">", target: 0, window: 5m}
)");
  REQUIRE(c.sla_rules.size() == 2);
  CHECK(c.sla_rules[0].kpi == "contacts_waiting");
  CHECK(c.sla_rules[0].comparison == Comparison::kLessEqual);
  CHECK(c.sla_rules[1].comparison == Comparison::kGreater);
}

TEST_CASE("unordered delivery keys and the service-level switches", "[config][values]") {
  // Defaults: 30 s, 100000, the default preset.
  const Config d = load_ok("");
  CHECK(d.engine.lateness == seconds(30));
  CHECK(d.engine.max_held_events == 100000);
  CHECK(d.engine.service_level_formula == ServiceLevelFormula::kDefault);

  const Config c = load_ok(R"(
ingest:
  lateness: 2m
state:
  max_held_events: 5000
kpis:
  service_level:
    include_overflowed: true
    formula: answered_only
)");
  CHECK(c.engine.lateness == minutes(2));
  CHECK(c.engine.max_held_events == 5000);
  // The preset, then the switch given beside it, whatever the key order.
  ServiceLevelFormula f = ServiceLevelFormula::kAnsweredOnly;
  f.include_overflowed = true;
  CHECK(c.engine.service_level_formula == f);
  CHECK_FALSE(c.engine.service_level_formula.include_abandoned);

  const Config z = load_ok("ingest:\n  lateness: 0s\n");
  CHECK(z.engine.lateness == 0);

  auto bad = load_config_string(
      "kpis:\n  service_level:\n    formula: answered_only\n    abandoned_within_met: true\n",
      "bad.yml");
  REQUIRE(bad.errors.size() == 1);
  CHECK(to_string(bad.errors[0]).find("need include_abandoned: true") != std::string::npos);
}
