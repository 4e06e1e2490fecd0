// Every validation error points at the right place. Columns are counted by
// hand from the YAML text of each row (1-based, as editors show them).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "config_error_row.hpp"

using ccmon::config::ConfigError;
using ccmon::config::load_config_string;
using ccmon::config::test::check_single_error;
using ccmon::config::test::Row;

TEST_CASE("server and ingest errors name the key and its position", "[config][errors]") {
  const Row rows[] = {
      // "  listne" -> the key starts at column 3.
      {"server:\n  listne: \"0.0.0.0:1\"\n", 2, 3,
       "server.listne: unknown key (did you mean \"listen\"?)"},
      // "  listen: " is 10 characters.
      {"server:\n  listen: \"host:70000\"\n", 2, 11,
       "server.listen: \"host:70000\" is not HOST:PORT"},
      {"server:\n  listen: \"::1:9477\"\n", 2, 11, "is not HOST:PORT"},
      {"server:\n  listen: \"[::1]9477\"\n", 2, 11, "is not HOST:PORT"},
      {"server:\n  listen: \"host:\"\n", 2, 11, "is not HOST:PORT"},
      // "  metrics_listen: " is 18 characters.
      {"server:\n  metrics_listen: \"host:70000\"\n", 2, 19,
       "server.metrics_listen: \"host:70000\" is not HOST:PORT"},
      // An empty value is reported at its key.
      {"server:\n  listen:\n", 2, 3, "server.listen: missing value"},
      // "server: {" is 9 characters, "log_level: " 11.
      {"server: {log_level: loud}\n", 1, 21, "server.log_level: \"loud\" is not one of"},
      {"server: {clock: sundial}\n", 1, 17, "server.clock: \"sundial\" is not one of wall, event"},
      // "server: {" 9 + "limits: " 8 -> '{' at 18, + "max_body_size: " 15 -> 34.
      {"server: {limits: {max_body_size: 8MB8}}\n", 1, 34,
       "server.limits.max_body_size: \"8MB8\" is not a size"},
      // "    max_connections: " is 21 characters.
      {"server:\n  limits:\n    max_connections: 0\n", 3, 22,
       "server.limits.max_connections: \"0\" is outside 1.."},
      {"server:\n  limits:\n    max_connections: ten\n", 3, 22, "\"ten\" is not an integer"},
      // "    max_connections_per_address: " is 33 characters.
      {"server:\n  limits:\n    max_connections_per_address: 0\n", 3, 34,
       "server.limits.max_connections_per_address: \"0\" is outside 1.."},
      // "    reserved_probe_connections: " is 32 characters.
      {"server:\n  limits:\n    reserved_probe_connections: -1\n", 3, 33,
       "server.limits.reserved_probe_connections: \"-1\" is outside 0.."},
      {"server:\n  limits:\n    idle_timeout: 0s\n", 3, 19,
       "server.limits.idle_timeout: must be greater than 0"},
      // "    message_timeout: " is 21 characters.
      {"server:\n  limits:\n    message_timeout: 0s\n", 3, 22,
       "server.limits.message_timeout: must be greater than 0"},
      {"server:\n  limits:\n    message_timeout: 10\n", 3, 22,
       "server.limits.message_timeout: \"10\" is not a duration"},
      // "    ingest_tokens: " 19 -> '[' at 20, "\"ok\"" 21..24, ", " -> '"' at 27.
      {"server:\n  auth:\n    ingest_tokens: [\"ok\", \"\"]\n", 3, 27,
       "server.auth.ingest_tokens[1]: a token must be a non-empty string"},
      {"server:\n  auth:\n    metrics_tokens: [\"a b\"]\n", 3, 22, "server.auth.metrics_tokens[0]"},
      // "    admin_tokens: " is 18 characters.
      {"server:\n  auth:\n    admin_tokens: [\"\"]\n", 3, 20, "server.auth.admin_tokens[0]"},
      {"server: [1]\n", 1, 9, "server: expected a mapping"},
      {"server:\n  listen: \"a:1\"\n  listen: \"b:2\"\n", 3, 3, "server.listen: duplicate key"},
      {"metrics: {}\n", 1, 1, "metrics: unknown key"},
      // "ingest: {channels: [voice, " -> "voice" at col 21, second "voice" at 28.
      {"ingest: {channels: [voice, voice]}\n", 1, 28,
       "ingest.channels[1]: duplicate channel \"voice\""},
      {"ingest: {channels: []}\n", 1, 20, "ingest.channels: at least one channel is required"},
      // "ingest: {max_clock_skew: " is 25 characters.
      {"ingest: {max_clock_skew: 1.5s}\n", 1, 26,
       "ingest.max_clock_skew: \"1.5s\" is not a duration"},
      // "  dedup: {horizon: 1d, max_ids: " is 32 characters.
      {"ingest:\n  dedup: {horizon: 1d, max_ids: -5}\n", 2, 33, "ingest.dedup.max_ids"},
      // "  per_agent_series: " is 20 characters.
      {"cardinality:\n  per_agent_series: true\n", 2, 21,
       "cardinality.per_agent_series: per-agent series are not available yet"},
      // "cardinality: {max_agents: " is 26 characters. It used to be accepted
      // and cap nothing; state.max_agents caps the tracked agents.
      {"cardinality: {max_agents: 8}\n", 1, 27,
       "cardinality.max_agents: has no effect (agent figures are per team); the number of "
       "tracked agents is capped by state.max_agents"},
  };
  for (const Row& row : rows) check_single_error(row);
}

TEST_CASE("kpi errors name the key and its position", "[config][errors]") {
  const Row rows[] = {
      // "  windows: [5m, 15m, " -> "7x" at column 22.
      {"kpis:\n  windows: [5m, 15m, 7x]\n", 2, 22, "kpis.windows[2]: \"7x\" is not a duration"},
      // "kpis: {windows: [" -> first element at column 18.
      {"kpis: {windows: [30s]}\n", 1, 18, "kpis.windows[0]: \"30s\" must be between 1m and 7d"},
      {"kpis: {windows: [8d]}\n", 1, 18, "must be between 1m and 7d"},
      // "kpis: {windows: [1h, " -> "60m" at column 22.
      {"kpis: {windows: [1h, 60m]}\n", 1, 22, "kpis.windows[1]: \"60m\" repeats window \"1h\""},
      {"kpis: {windows: []}\n", 1, 17, "kpis.windows: at least one window is required"},
      {"kpis: {windows: [today]}\n", 1, 18, "is enabled by kpis.today"},
      // "kpis: {today: " -> column 15.
      {"kpis: {today: yes}\n", 1, 15, "kpis.today: \"yes\" is not true or false"},
      // "  day_start_hour: " is 18 characters.
      {"kpis:\n  day_start_hour: 24\n", 2, 19, "kpis.day_start_hour: \"24\" is outside 0..23"},
      // "  time_zone: " is 13 characters.
      {"kpis:\n  time_zone: Mars/Olympus\n", 2, 14, "kpis.time_zone: unknown time zone"},
      // "  interval: " is 12 characters.
      {"kpis:\n  interval: 20m\n", 2, 13, "kpis.interval: must be 15m or 30m"},
      // "wallboard: {at_risk_margin: " is 28 characters.
      {"wallboard: {at_risk_margin: 1.5}\n", 1, 29,
       "wallboard.at_risk_margin: must be between 0 and 1"},
      // "wallboard: {max_viewers: " is 25 characters.
      {"wallboard: {max_viewers: 0}\n", 1, 26, "wallboard.max_viewers"},
      {"kpis:\n  time_zone: ../etc/passwd\n", 2, 14, "is not a valid time zone name"},
      // "    formula: " is 13 characters.
      {"kpis:\n  service_level:\n    formula: fastest\n", 3, 14,
       "kpis.service_level.formula: \"fastest\" is not one of"},
      // "  service_level: {threshold: " is 29 characters.
      {"kpis:\n  service_level: {threshold: 0s}\n", 2, 30,
       "kpis.service_level.threshold: must be greater than 0"},
      {"kpis:\n  service_level: {short_abandon: -1s}\n", 2, 34,
       "kpis.service_level.short_abandon: \"-1s\" is not a duration"},
      // "      - {" is 9 characters: the mapping starts at column 9.
      {"kpis:\n  service_level:\n    overrides:\n      - {queue: \"vip*\"}\n", 4, 9,
       "kpis.service_level.overrides[0]: an override needs threshold or short_abandon"},
      // "      - {channel: voice, threshold: " is 36 characters.
      {"kpis:\n  service_level:\n    overrides:\n      - {channel: voice, threshold: 10}\n", 4, 37,
       "overrides[0].threshold: \"10\" is not a duration"},
      // "      - {channel: " is 18 characters.
      {"kpis:\n  service_level:\n    overrides:\n      - {channel: vioce, threshold: 10s}\n", 4, 19,
       "overrides[0].channel: channel \"vioce\" is not one of ingest.channels"},
      // "kpis: {wait_buckets: [1, " -> "0.5" at column 26.
      {"kpis: {wait_buckets: [1, 0.5]}\n", 1, 26,
       "kpis.wait_buckets[1]: bucket bounds must be in increasing order"},
      {"kpis: {negative_sentiment_threshold: 2}\n", 1, 38, "must be between -1 and 1"},
      {"kpis: {acw_timeout: 10}\n", 1, 21, "kpis.acw_timeout: \"10\" is not a duration"},
      {"state: {max_contacts: 1e6}\n", 1, 23, "state.max_contacts: \"1e6\" is not an integer"},
      {"state: {case_idle_timeout: 30days}\n", 1, 28, "is not a duration"},
      {"cardinality: {queues: [a, a]}\n", 1, 27, "cardinality.queues[1]: duplicate queue"},
      {"cardinality: {per_agent_series: 1}\n", 1, 33, "is not true or false"},
      {"cardinality: {max_team: 5}\n", 1, 15, "unknown key (did you mean \"max_teams\"?)"},
  };
  for (const Row& row : rows) check_single_error(row);
}

TEST_CASE("sla errors name the rule key and its position", "[config][errors]") {
  const Row rows[] = {
      // "    op: " is 8 characters.
      {"sla:\n  - name: a\n    kpi: offered\n    op: \"==\"\n    target: 1\n", 4, 9,
       "sla[0].op: \"==\" is not one of >=, >, <=, <"},
      // "  - {name: " is 11 characters.
      {"sla:\n  - {name: 9lives, kpi: offered, op: \"<\", target: 1}\n", 2, 12,
       "sla[0].name: \"9lives\" is not a name"},
      // "    kpi: " is 9 characters.
      {"sla:\n  - name: a\n    kpi: service_level\n    op: \">=\"\n    target: 0.8\n", 3, 10,
       // The message points into the repository's docs/, not a file outside it.
       "sla[0].kpi: \"service_level\" is not a KPI key (a metric name of docs/metrics.md "
       "without ccmon_"},
      // Team KPIs have no queue x channel: not valid SLA KPIs.
      {"sla:\n  - name: a\n    kpi: occupancy_ratio\n    op: \">=\"\n    target: 0.8\n", 3, 10,
       "is not a KPI key"},
      // "    target: " is 12 characters.
      {"sla:\n  - name: a\n    kpi: offered\n    op: \"<\"\n    target: high\n", 5, 13,
       "sla[0].target: \"high\" is not a number"},
      // "    window: " is 12 characters.
      {"kpis:\n  windows: [5m]\nsla:\n  - name: a\n    kpi: offered\n    op: \">=\"\n"
       "    target: 1\n    window: 1h\n",
       8, 13, "sla[0].window: window \"1h\" is not a configured window (5m, today)"},
      {"kpis:\n  today: false\nsla:\n  - name: a\n    kpi: offered\n    op: \">=\"\n"
       "    target: 1\n    window: today\n",
       8, 13, "window \"today\" is not a configured window"},
      // No window: the rule (block mapping at "name", column 5) is blamed.
      {"kpis: {windows: [5m]}\nsla:\n  - name: a\n    kpi: offered\n    op: \">=\"\n"
       "    target: 1\n",
       3, 5, "sla[0]: no window given and the default \"15m\" is not a configured window"},
      // "  - {name: a, kpi: offered, op: \"<\", target: 1, channel: " is 57 characters.
      {"sla:\n  - {name: a, kpi: offered, op: \"<\", target: 1, channel: vioce}\n", 2, 58,
       "sla[0].channel: channel \"vioce\" is not one of ingest.channels"},
      // "  - {name: a, kpi: offered, op: \"<\", target: 1, for: " is 53 characters.
      {"sla:\n  - {name: a, kpi: offered, op: \"<\", target: 1, for: 30}\n", 2, 54,
       "sla[0].for: \"30\" is not a duration"},
      {"sla:\n  - {name: a, kpi: offered, op: \"<\", target: 1, min_volume: -1}\n", 2, 61,
       "sla[0].min_volume: must be at least 0"},
      {"sla:\n  - {name: a, kpi: offered, op: \"<\", target: 1, clear_margin: -0.1}\n", 2, 63,
       "sla[0].clear_margin: must be at least 0"},
      {"sla:\n  - {name: a, kpi: offered, op: \"<\", target: 1, queue: \"\"}\n", 2, 56,
       "sla[0].queue: must not be empty"},
      {"sla:\n  - {name: a, kpi: offered, op: \"<\", target: 1, treshold: 1}\n", 2, 49,
       "sla[0].treshold: unknown key"},
      {"sla: {name: a}\n", 1, 6, "sla: expected a list"},
  };
  for (const Row& row : rows) check_single_error(row);
}

TEST_CASE("duplicate SLA names point at the second one", "[config][errors]") {
  const auto result = load_config_string(
      "sla:\n"
      "  - {name: dup, kpi: offered, op: \"<\", target: 1}\n"
      "  - {name: dup, kpi: answered, op: \">\", target: 1}\n",
      "t.yml");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].line == 3);
  CHECK(result.errors[0].column == 12);  // "  - {name: " is 11 characters
  CHECK(result.errors[0].message == "sla[1].name: duplicate SLA name \"dup\" (first at line 2)");
}

TEST_CASE("missing required SLA keys are each reported", "[config][errors]") {
  const auto result = load_config_string("sla:\n  - name: a\n    kpi: offered\n", "t.yml");
  REQUIRE(result.errors.size() == 2);
  for (const auto& e : result.errors) {
    CHECK(e.line == 2);  // the rule's mapping starts at "name", column 5
    CHECK(e.column == 5);
  }
  CHECK(result.errors[0].message == "sla[0]: missing required key op");
  CHECK(result.errors[1].message == "sla[0]: missing required key target");
}

TEST_CASE("every problem in a file is reported, in file order", "[config][errors]") {
  const char* yaml =
      "server:\n"                  // 1
      "  listen: nowhere\n"        // 2: col 11, no port
      "  log_levl: info\n"         // 3: col 3, typo
      "kpis:\n"                    // 4
      "  windows: [5m, 7x, 1h]\n"  // 5: "7x" at col 17
      "  day_start_hour: -1\n"     // 6: col 19
      "sla:\n"                     // 7
      "  - name: voice\n"          // 8
      "    kpi: offered\n"         // 9
      "    op: \">=\"\n"           // 10
      "    target: 1\n"            // 11
      "    window: 2h\n";          // 12: col 13, not configured
  const auto result = load_config_string(yaml, "many.yml");
  CHECK_FALSE(result.config);
  REQUIRE(result.errors.size() == 5);
  const std::pair<int, int> where[] = {{2, 11}, {3, 3}, {5, 17}, {6, 19}, {12, 13}};
  for (std::size_t i = 0; i < 5; ++i) {
    INFO(to_string(result.errors[i]));
    CHECK(result.errors[i].file == "many.yml");
    CHECK(result.errors[i].line == where[i].first);
    CHECK(result.errors[i].column == where[i].second);
  }
  CHECK(to_string(result.errors[1]) ==
        "many.yml:3:3: server.log_levl: unknown key (did you mean \"log_level\"?)");
  // The bad window does not make the rule's window check cascade into others:
  // 5m and 1h are still configured, 2h is not.
  CHECK(result.errors[4].message.find("(5m, 1h, today)") != std::string::npos);
}

TEST_CASE("YAML syntax errors carry line and column", "[config][errors]") {
  // "  today:" on line 2: a mapping value where a scalar was being read; the
  // ':' is at column 8.
  const auto result = load_config_string("kpis: 1\n  today: true\n", "bad.yml");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].line == 2);
  CHECK(result.errors[0].column == 8);
  CHECK(result.errors[0].message.find("YAML syntax error") == 0);
}

TEST_CASE("a configuration that is not a mapping is refused", "[config][errors]") {
  const auto result = load_config_string("- server\n", "list.yml");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].line == 1);
  CHECK(result.errors[0].column == 1);
}

TEST_CASE("an unreadable file is an error naming it", "[config][errors]") {
  const auto result = ccmon::config::load_config_file("/nonexistent/ccmon.yml");
  CHECK_FALSE(result.config);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].file == "/nonexistent/ccmon.yml");
  CHECK(result.errors[0].line == 0);
  CHECK(to_string(result.errors[0]).find("/nonexistent/ccmon.yml: cannot read") == 0);
}

TEST_CASE("state store errors name the key and its position", "[config][errors]") {
  const Row rows[] = {
      // "state: {" is 8 characters, "sync: " 6.
      {"state: {sync: sometimes}\n", 1, 15,
       "state.sync: \"sometimes\" is not one of always, interval"},
      // "  sync_interval: " is 17 characters.
      {"state:\n  sync_interval: 0s\n", 2, 18, "state.sync_interval: must be at least 1000us"},
      // "  snapshot_interval: " is 21 characters.
      {"state:\n  snapshot_interval: 500ms\n", 2, 22, "state.snapshot_interval: must be at least"},
      // "  snapshot_journal_bytes: " is 26 characters; the floor is 1 MiB.
      {"state:\n  snapshot_journal_bytes: 64KiB\n", 2, 27,
       "state.snapshot_journal_bytes: must be at least 1048576 bytes"},
      {"state:\n  dir: [a, b]\n", 2, 8, "state.dir"},
      // "  max_tracked_bytes: " is 21 characters; the floor is 1 MiB.
      {"state:\n  max_tracked_bytes: 1023KiB\n", 2, 22,
       "state.max_tracked_bytes: must be at least 1048576 bytes"},
      {"state:\n  max_tracked_bytes: 0\n", 2, 22,
       "state.max_tracked_bytes: must be at least 1048576 bytes"},
      {"state:\n  max_tracked_bytes: 1GB5\n", 2, 22,
       "state.max_tracked_bytes: \"1GB5\" is not a size (e.g. 65536, 64KiB, 8MiB)"},
      {"state:\n  max_tracked_bytes: -1\n", 2, 22, "state.max_tracked_bytes: \"-1\" is not a size"},
      // "  shards: " is 10 characters.
      {"state:\n  shards: 0\n", 2, 11, "state.shards: \"0\" is outside 1..64"},
      {"state:\n  shards: 65\n", 2, 11, "state.shards: \"65\" is outside 1..64"},
      {"state:\n  shards: two\n", 2, 11, "state.shards: \"two\" is not an integer"},
  };
  for (const auto& row : rows) check_single_error(row);
}

TEST_CASE("state store keys are read; an empty state.dir turns persistence off", "[config]") {
  auto r = load_config_string(
      "state: {dir: \"\", sync: interval, sync_interval: 250ms, snapshot_interval: 1m,"
      " snapshot_journal_bytes: 48MiB}\n",
      "test.yml");
  REQUIRE(r.config);
  CHECK(r.config->durable.dir.empty());
  CHECK(r.config->durable.sync == ccmon::config::SyncMode::kInterval);
  CHECK(r.config->durable.sync_interval == 250'000);
  CHECK(r.config->durable.snapshot_interval == 60'000'000);
  CHECK(r.config->durable.snapshot_journal_bytes == 48u << 20);
  CHECK(r.config->shards == 1);  // one engine unless asked
  // A file without the key keeps its state beside the daemon.
  r = load_config_string("kpis: {today: true}\n", "test.yml");
  REQUIRE(r.config);
  CHECK(r.config->durable.dir == "./ccmon-state");
  r = load_config_string("state: {shards: 4}\n", "test.yml");
  REQUIRE(r.config);
  CHECK(r.config->shards == 4);
}

TEST_CASE("state.max_tracked_bytes takes any size syntax from 1 MiB up", "[config]") {
  const std::pair<const char*, std::size_t> rows[] = {
      {"1048576", 1'048'576},       // the floor, as a plain byte count
      {"1MiB", 1'048'576},          // the floor, in IEC units
      {"2GB", 2'000'000'000},       // SI units are powers of 1000
      {"1GiB", 1'073'741'824},      // the default
      {"3TiB", 3'298'534'883'328},  // 3 * 1024^4
  };
  for (const auto& [text, bytes] : rows) {
    INFO(text);
    std::string yaml = "state: {max_tracked_bytes: ";
    yaml += text;
    yaml += "}\n";
    const auto r = load_config_string(yaml, "test.yml");
    for (const auto& e : r.errors) FAIL_CHECK(to_string(e));
    REQUIRE(r.config);
    CHECK(r.config->engine.max_tracked_bytes == bytes);
  }
}
