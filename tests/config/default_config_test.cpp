// The embedded default and config/ccmon.example.yml must describe the same
// configuration: the example documents what ccmond runs with out of the box.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"

using ccmon::config::Config;
using namespace ccmon::core;

namespace {

Config require_loaded(const ccmon::config::LoadResult& result) {
  for (const auto& e : result.errors) FAIL_CHECK(to_string(e));
  REQUIRE(result.errors.empty());
  REQUIRE(result.config);
  return *result.config;
}

void check_same_sla(const SlaRule& a, const SlaRule& b) {
  CHECK(a.name == b.name);
  CHECK(a.kpi == b.kpi);
  CHECK(a.comparison == b.comparison);
  CHECK(a.target == b.target);
  CHECK(a.window == b.window);
  CHECK(a.queue == b.queue);
  CHECK(a.channel == b.channel);
  CHECK(a.min_volume == b.min_volume);
  CHECK(a.for_duration == b.for_duration);
  CHECK(a.clear_margin == b.clear_margin);
}

// Every field, so a key added to one text and not the other shows up here.
void check_same(const Config& a, const Config& b, bool with_sla = true) {
  CHECK(a.listen == b.listen);
  CHECK(a.plain_listen == b.plain_listen);
  CHECK(a.metrics_listen == b.metrics_listen);
  CHECK(a.tls == b.tls);
  CHECK(a.log_level == b.log_level);
  CHECK(a.clock == b.clock);
  // durable.dir differs by design: the embedded default keeps its state in
  // ./ccmon-state, the example (the packaged /etc/ccmon/ccmon.yml) in
  // /var/lib/ccmon, Config{} nowhere; checked on its own below.
  CHECK(a.durable.sync == b.durable.sync);
  CHECK(a.durable.sync_interval == b.durable.sync_interval);
  CHECK(a.durable.snapshot_interval == b.durable.snapshot_interval);
  CHECK(a.durable.snapshot_journal_bytes == b.durable.snapshot_journal_bytes);
  CHECK(a.limits.max_body_bytes == b.limits.max_body_bytes);
  CHECK(a.limits.max_ws_message_bytes == b.limits.max_ws_message_bytes);
  CHECK(a.limits.max_connections == b.limits.max_connections);
  CHECK(a.limits.max_connections_per_address == b.limits.max_connections_per_address);
  CHECK(a.limits.reserved_probe_connections == b.limits.reserved_probe_connections);
  CHECK(a.limits.header_timeout == b.limits.header_timeout);
  CHECK(a.limits.idle_timeout == b.limits.idle_timeout);
  CHECK(a.limits.message_timeout == b.limits.message_timeout);
  CHECK(a.limits.max_events_in_flight == b.limits.max_events_in_flight);
  CHECK(a.auth.ingest_tokens == b.auth.ingest_tokens);
  CHECK(a.auth.metrics_tokens == b.auth.metrics_tokens);
  CHECK(a.auth.admin_tokens == b.auth.admin_tokens);
  CHECK(a.codec.channels == b.codec.channels);
  CHECK(a.engine.interval_length == b.engine.interval_length);
  CHECK(a.wallboard == b.wallboard);
  CHECK(a.codec.max_clock_skew == b.codec.max_clock_skew);
  CHECK(a.codec.max_event_bytes == b.codec.max_event_bytes);
  CHECK(a.dedup.horizon == b.dedup.horizon);
  CHECK(a.dedup.max_ids == b.dedup.max_ids);
  const EngineConfig& x = a.engine;
  const EngineConfig& y = b.engine;
  REQUIRE(x.windows.size() == y.windows.size());
  for (std::size_t i = 0; i < x.windows.size(); ++i) {
    CHECK(x.windows[i].name == y.windows[i].name);
    CHECK(x.windows[i].length == y.windows[i].length);
  }
  CHECK(x.today_window == y.today_window);
  CHECK(x.time_zone.name == y.time_zone.name);
  CHECK(x.day_start_hour == y.day_start_hour);
  CHECK(x.service_level_formula == y.service_level_formula);
  CHECK(x.service_level_threshold_s == y.service_level_threshold_s);
  CHECK(x.short_abandon_threshold_s == y.short_abandon_threshold_s);
  CHECK(x.service_level_overrides.size() == y.service_level_overrides.size());
  CHECK(x.extra_wait_buckets_s == y.extra_wait_buckets_s);
  CHECK(x.negative_sentiment_threshold == y.negative_sentiment_threshold);
  CHECK(x.acw_timeout == y.acw_timeout);
  CHECK(x.contact_idle_timeout == y.contact_idle_timeout);
  CHECK(x.case_idle_timeout == y.case_idle_timeout);
  CHECK(x.max_tracked_contacts == y.max_tracked_contacts);
  CHECK(x.max_tracked_cases == y.max_tracked_cases);
  CHECK(x.max_tracked_agents == y.max_tracked_agents);
  CHECK(x.max_tracked_bytes == y.max_tracked_bytes);
  CHECK(x.limits.queues == y.limits.queues);
  CHECK(x.limits.max_queues == y.limits.max_queues);
  CHECK(x.limits.teams == y.limits.teams);
  CHECK(x.limits.max_teams == y.limits.max_teams);
  CHECK(x.limits.max_channels == y.limits.max_channels);
  CHECK(x.limits.per_agent_series == y.limits.per_agent_series);
  const auto& f = a.forecast;
  const auto& g = b.forecast;
  CHECK(f.arrival_window == g.arrival_window);
  CHECK(f.handle_time_window == g.handle_time_window);
  CHECK(f.handle_time_fallback_window == g.handle_time_fallback_window);
  CHECK(f.min_handled == g.min_handled);
  CHECK(f.answered_lookback == g.answered_lookback);
  CHECK(f.horizon_seconds == g.horizon_seconds);
  CHECK(f.target_ratio == g.target_ratio);
  CHECK(f.max_occupancy == g.max_occupancy);
  CHECK(f.concurrency == g.concurrency);
  CHECK(f.queues.size() == g.queues.size());
  if (!with_sla) return;
  REQUIRE(a.sla_rules.size() == b.sla_rules.size());
  for (std::size_t i = 0; i < a.sla_rules.size(); ++i)
    check_same_sla(a.sla_rules[i], b.sla_rules[i]);
}

}  // namespace

TEST_CASE("the example file and the embedded default agree", "[config][default]") {
  const Config example =
      require_loaded(ccmon::config::load_config_file(CCMON_SOURCE_DIR "/config/ccmon.example.yml"));
  const Config embedded = require_loaded(
      ccmon::config::load_config_string(ccmon::config::embedded_default_config(), "<embedded>"));
  check_same(example, embedded);
  CHECK(embedded.source == "<embedded>");
  CHECK(embedded.durable.dir == "./ccmon-state");
  CHECK(example.durable.dir == "/var/lib/ccmon");  // the systemd unit's StateDirectory
}

TEST_CASE("the embedded default holds the documented values", "[config][default]") {
  const Config c = require_loaded(
      ccmon::config::load_config_string(ccmon::config::embedded_default_config(), "<embedded>"));
  // Apart from its SLA rules (Config{} has none) it equals the struct
  // defaults, so code that builds a Config by hand starts from the same place.
  check_same(c, Config{}, /*with_sla=*/false);

  CHECK(c.listen == "127.0.0.1:9477");
  CHECK(c.durable.sync == ccmon::config::SyncMode::kAlways);
  CHECK(c.durable.sync_interval == 100'000);              // 100 ms
  CHECK(c.durable.snapshot_interval == 300'000'000);      // 5 m
  CHECK(c.durable.snapshot_journal_bytes == 67'108'864);  // 64 MiB
  CHECK(c.engine.max_tracked_bytes == 1'073'741'824);     // 1 GiB
  CHECK(Config{}.durable.dir.empty());                    // code-built: no files
  CHECK(c.clock == ccmon::config::ClockMode::kWall);
  CHECK(c.auth.ingest_tokens.empty());
  CHECK(c.auth.metrics_tokens.empty());
  CHECK(c.auth.admin_tokens.empty());
  CHECK(c.engine.time_zone.name == "UTC");
  CHECK(c.engine.interval_length == 900'000'000);  // 15 min
  CHECK(c.wallboard.max_viewers == 200);
  CHECK(c.wallboard.feed_agents == 500);
  CHECK(c.wallboard.at_risk_margin == 0.1);
  CHECK(c.wallboard.feed_stale_after == 300'000'000);  // 5 min
  REQUIRE(c.engine.windows.size() == 4);
  CHECK(c.engine.windows[3].name == "24h");
  CHECK(c.engine.windows[3].length == 86'400'000'000);  // 24 * 3600 s

  REQUIRE(c.sla_rules.size() == 4);
  const SlaRule& voice = c.sla_rules[0];
  CHECK(voice.kpi == "service_level_ratio");
  CHECK(voice.comparison == Comparison::kGreaterEqual);
  CHECK(voice.target == 0.8);
  CHECK(voice.window == "15m");
  CHECK(voice.channel == "voice");
  CHECK(voice.min_volume == 10);
  CHECK(c.engine.service_level_threshold_s == 20.0);  // "at 20 s"

  const SlaRule& oldest = c.sla_rules[1];
  CHECK(oldest.kpi == "oldest_waiting_seconds");
  CHECK(oldest.comparison == Comparison::kLessEqual);
  CHECK(oldest.target == 120);
  CHECK(oldest.queue == "*");
  CHECK(oldest.channel == "*");

  const SlaRule& chat = c.sla_rules[2];
  CHECK(chat.kpi == "average_first_response_seconds");
  CHECK(chat.comparison == Comparison::kLessEqual);
  CHECK(chat.target == 60);
  CHECK(chat.window == "15m");
  CHECK(chat.channel == "chat");

  const SlaRule& abandon = c.sla_rules[3];
  CHECK(abandon.kpi == "abandon_ratio");
  CHECK(abandon.comparison == Comparison::kLessEqual);
  CHECK(abandon.target == 0.05);
  CHECK(abandon.window == "15m");
  CHECK(abandon.min_volume == 20);
}
