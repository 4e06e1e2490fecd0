#include "core/sla/sla_exposition.hpp"

#include <catch2/catch.hpp>

namespace ccmon::core {
namespace {

std::vector<SlaState> two_states() {
  SlaState breached;
  breached.sla = "sl80";
  breached.queue = "sales";
  breached.channel = "voice";
  breached.kpi = "service_level_ratio";
  breached.window = "15m";
  breached.comparison = Comparison::kGreaterEqual;
  breached.value = 0.75;
  breached.target = 0.8;
  breached.breached = true;
  breached.breaches_total = 3;
  breached.since = seconds(1'700'000'000) + 500'000;  // half a second past

  SlaState skipped;
  skipped.sla = "oldest";
  skipped.queue = "support";
  skipped.channel = "chat";
  skipped.kpi = "oldest_waiting_seconds";
  skipped.comparison = Comparison::kLess;
  skipped.target = 120;
  skipped.since = seconds(1'700'000'100);
  return {breached, skipped};
}

const MetricFamily& find(const std::vector<MetricFamily>& fams, const std::string& name) {
  for (const auto& f : fams) {
    if (f.name == name) return f;
  }
  FAIL("no family " << name);
  throw;
}

TEST_CASE("sla_families: four families with {sla, queue, channel} labels", "[sla][exposition]") {
  const auto fams = sla_families(two_states());
  REQUIRE(fams.size() == 4);
  const Labels first = {{"sla", "sl80"}, {"queue", "sales"}, {"channel", "voice"}};
  const Labels second = {{"sla", "oldest"}, {"queue", "support"}, {"channel", "chat"}};

  const auto& breached = find(fams, "ccmon_sla_breached");
  CHECK(breached.type == MetricType::kGauge);
  REQUIRE(breached.samples.size() == 2);
  CHECK(breached.samples[0].labels == first);
  CHECK(breached.samples[0].value == 1);
  CHECK(breached.samples[1].labels == second);
  CHECK(breached.samples[1].value == 0);

  // The skipped state has no value: only one sample.
  const auto& value = find(fams, "ccmon_sla_value");
  CHECK(value.type == MetricType::kGauge);
  REQUIRE(value.samples.size() == 1);
  CHECK(value.samples[0].labels == first);
  CHECK(value.samples[0].value == 0.75);

  const auto& target = find(fams, "ccmon_sla_target");
  REQUIRE(target.samples.size() == 2);
  CHECK(target.samples[0].value == 0.8);
  CHECK(target.samples[1].value == 120);

  const auto& total = find(fams, "ccmon_sla_breaches_total");
  CHECK(total.type == MetricType::kCounter);
  REQUIRE(total.samples.size() == 2);
  CHECK(total.samples[0].value == 3);
  CHECK(total.samples[1].value == 0);

  for (const auto& f : fams) {
    CHECK_FALSE(f.help.empty());
    CHECK(f.histograms.empty());
  }
}

TEST_CASE("sla_families with no states still names the families", "[sla][exposition]") {
  const auto fams = sla_families({});
  REQUIRE(fams.size() == 4);
  for (const auto& f : fams) CHECK(f.samples.empty());
}

TEST_CASE("sla_json: one object per state, nulls for skipped values and live windows",
          "[sla][exposition]") {
  const nlohmann::json j = sla_json(two_states());
  REQUIRE(j.is_array());
  REQUIRE(j.size() == 2);
  const auto& a = j[0];
  CHECK(a["sla"] == "sl80");
  CHECK(a["queue"] == "sales");
  CHECK(a["channel"] == "voice");
  CHECK(a["kpi"] == "service_level_ratio");
  CHECK(a["window"] == "15m");
  CHECK(a["value"] == 0.75);
  CHECK(a["target"] == 0.8);
  CHECK(a["op"] == ">=");
  CHECK(a["breached"] == true);
  CHECK(a["breaches_total"] == 3);
  // 1 700 000 000 s + 500 000 us = 1700000000.5 s
  CHECK(a["since"].get<double>() == 1700000000.5);

  const auto& b = j[1];
  CHECK(b["window"].is_null());
  CHECK(b["value"].is_null());
  CHECK(b["op"] == "<");
  CHECK(b["breached"] == false);
  CHECK(b["since"].get<double>() == 1700000100.0);
  CHECK(b.size() == 11);  // no stray fields
}

TEST_CASE("comparison operators print as in the rule", "[sla]") {
  CHECK(to_string(Comparison::kGreaterEqual) == ">=");
  CHECK(to_string(Comparison::kGreater) == ">");
  CHECK(to_string(Comparison::kLessEqual) == "<=");
  CHECK(to_string(Comparison::kLess) == "<");
}

TEST_CASE("sla_json of nothing is an empty array", "[sla][exposition]") {
  const nlohmann::json j = sla_json({});
  CHECK(j.is_array());
  CHECK(j.empty());
}

}  // namespace
}  // namespace ccmon::core
