// The `forecast` and `queues` keys (docs/configuration.md, "Forecast"):
// values land in Config::forecast, mistakes are reported at file:line:column.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"

using ccmon::config::load_config_string;

namespace {

ccmon::core::PredictionConfig load_ok(const std::string& yaml) {
  auto result = load_config_string(yaml, "ok.yml");
  for (const auto& e : result.errors) FAIL_CHECK(to_string(e));
  REQUIRE(result.config);
  return result.config->forecast;
}

}  // namespace

TEST_CASE("forecast keys map onto PredictionConfig", "[config][forecast]") {
  const auto f = load_ok(R"(
kpis:
  windows: [5m, 15m, 1h, 24h]
forecast:
  arrival_window: 5m
  handle_time_window: 15m
  handle_time_fallback_window: 1h
  min_handled: 25
  horizon: 10m
  service_level_target: 0.9
  max_occupancy: 0.85
  concurrency:
    chat: 3
    email: 5
queues:
  - queue: "sales*"
    teams: [blue, green]
  - queue: support
    channel: chat
    teams: [red]
)");
  CHECK(f.arrival_window == "5m");
  CHECK(f.handle_time_window == "15m");
  CHECK(f.handle_time_fallback_window == "1h");
  CHECK(f.min_handled == 25);
  CHECK(f.horizon_seconds == 600);
  CHECK(f.target_ratio == 0.9);
  CHECK(f.max_occupancy == 0.85);
  CHECK(f.concurrency_of("chat") == 3);
  CHECK(f.concurrency_of("email") == 5);
  CHECK(f.concurrency_of("voice") == 1);
  REQUIRE(f.queues.size() == 2);
  CHECK(f.queues[0].queue == "sales*");
  CHECK(f.queues[0].channel == "*");
  CHECK(f.queues[0].teams == std::vector<std::string>{"blue", "green"});
  CHECK(f.queues[1].channel == "chat");
}

TEST_CASE("forecast defaults", "[config][forecast]") {
  const auto f = load_ok("kpis:\n  windows: [5m]\n");  // default windows absent: allowed
  CHECK(f.arrival_window == "15m");
  CHECK(f.handle_time_window == "1h");
  CHECK(f.handle_time_fallback_window == "24h");
  CHECK(f.min_handled == 10);
  CHECK(f.horizon_seconds == 300);
  CHECK(f.target_ratio == 0.8);
  CHECK_FALSE(f.max_occupancy);
  CHECK(f.concurrency.empty());
  CHECK(f.queues.empty());
}

TEST_CASE("forecast and queues errors name the key and its position", "[config][forecast]") {
  struct Row {
    const char* yaml;
    int line, column;
    const char* message;
  };
  const Row rows[] = {
      // "  arrival_window: " is 18 characters.
      {"forecast:\n  arrival_window: 30m\n", 2, 19,
       "forecast.arrival_window: window \"30m\" is not a configured trailing window"},
      {"forecast:\n  arrival_window: today\n", 2, 19, "is not a configured trailing window"},
      // "  service_level_target: " is 24 characters.
      {"forecast:\n  service_level_target: 1\n", 2, 25,
       "forecast.service_level_target: must be above 0 and below 1"},
      {"forecast:\n  max_occupancy: 1.5\n", 2, 18, "forecast.max_occupancy: must be above 0"},
      {"forecast:\n  horizon: 500ms\n", 2, 12, "forecast.horizon"},
      {"forecast:\n  min_handled: 0\n", 2, 16, "forecast.min_handled"},
      // "    chat: " is 10 characters.
      {"forecast:\n  concurrency:\n    chat: 0\n", 3, 11, "forecast.concurrency.chat"},
      {"forecast:\n  concurrency:\n    fax: 2\n", 3, 5,
       "channel \"fax\" is not one of ingest.channels"},
      {"forecast:\n  concurrency:\n    chat: 2\n    chat: 3\n", 4, 5,
       "forecast.concurrency.chat: duplicate key"},
      {"forecast:\n  horizn: 5m\n", 2, 3,
       "forecast.horizn: unknown key (did you mean \"horizon\"?)"},
      {"queues:\n  - queue: sales\n", 2, 5, "queues[0]: missing required key teams"},
      {"queues:\n  - queue: sales\n    teams: []\n", 3, 12, "queues[0].teams: must name a team"},
      {"queues:\n  - queue: \"\"\n    teams: [a]\n", 2, 12, "queues[0].queue: must not be empty"},
  };
  for (const Row& row : rows) {
    INFO("YAML:\n" << row.yaml);
    const auto result = load_config_string(row.yaml, "test.yml");
    CHECK_FALSE(result.config);
    REQUIRE(result.errors.size() == 1);
    INFO(to_string(result.errors[0]));
    CHECK(result.errors[0].line == row.line);
    CHECK(result.errors[0].column == row.column);
    CHECK(result.errors[0].message.find(row.message) != std::string::npos);
  }
}
