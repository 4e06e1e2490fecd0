// The KPI catalogue (core/kpi.hpp): keys, units and formulas agree with each
// other and with the definitions of docs/kpis.md.
#include <array>
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "core/kpi.hpp"

namespace ccmon::core {
namespace {

using namespace window_fields;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

template <typename Table>
void check_names(const Table& table, std::set<std::string>& seen) {
  for (const auto& d : table) {
    INFO(d.info.key);
    CHECK(seen.emplace(d.info.key).second);  // keys are unique across the tables
    // Prometheus practice (docs/metrics.md): the unit is in the name.
    CHECK(ends_with(d.info.key, "_seconds") == (d.info.unit == Unit::kSeconds));
    CHECK(ends_with(d.info.key, "_ratio") == (d.info.unit == Unit::kRatio));
    CHECK(ends_with(d.info.key, "_per_agent_hour") == (d.info.unit == Unit::kPerHour));
    CHECK_FALSE(ends_with(d.info.key, "_total"));  // windowed or live: gauges
    CHECK(d.info.help.back() == '.');
  }
}

TEST_CASE("catalogue keys are unique and carry their unit") {
  std::set<std::string> seen;
  check_names(kKpis, seen);
  check_names(kTeamKpis, seen);
  check_names(kLiveKpis, seen);
  CHECK(seen.size() == kKpiCount + kTeamKpiCount + kLiveKpiCount);
}

TEST_CASE("keys look up their KPI, and only theirs") {
  for (const auto& d : kKpis) CHECK(kpi_from_key(d.info.key) == d.id);
  for (const auto& d : kTeamKpis) CHECK(team_kpi_from_key(d.info.key) == d.id);
  for (const auto& d : kLiveKpis) CHECK(live_kpi_from_key(d.info.key) == d.id);
  CHECK(kpi_from_key("service_level") == std::nullopt);  // the SLA rule of that name, not a KPI
  CHECK(kpi_from_key("oldest_waiting_seconds") == std::nullopt);  // live, not windowed
  CHECK(live_kpi_from_key("oldest_waiting_seconds") == LiveKpi::kOldestWaiting);
  CHECK(team_kpi_from_key("offered") == std::nullopt);
  CHECK(info(Kpi::kServiceLevelRatio).key == "service_level_ratio");
}

TEST_CASE("a mean in seconds divides durations by a count; a ratio compares like with like") {
  auto check = [](const auto& d) {
    INFO(d.info.key);
    if (d.formula != Formula::kRatio) return;
    if (d.info.unit == Unit::kSeconds) {
      CHECK(sums_durations(d.numerator));
      for (std::size_t i = 0; i < d.denominator.size; ++i) {
        CHECK_FALSE(is_duration(d.denominator.terms[i].field));
      }
    } else {
      CHECK(sums_durations(d.numerator) == sums_durations(d.denominator));
    }
  };
  for (const auto& d : kKpis) check(d);
  for (const auto& d : kTeamKpis) check(d);
}

// Window sums for the formula checks: field f holds (f + 1) * 10, so every
// term of a sum is recognisable: answered 20, abandoned 30, short 40 ...
std::array<std::int64_t, kFieldCount> sums() {
  std::array<std::int64_t, kFieldCount> v{};
  for (std::size_t f = 0; f < v.size(); ++f) v[f] = static_cast<std::int64_t>(f + 1) * 10;
  return v;
}

TEST_CASE("formulas read the window fields of docs/kpis.md") {
  const auto v = sums();
  // offered 10, answered 20, abandoned 30, short abandoned 40, overflowed 50,
  // answered within 60, abandoned within 70, handled 160, transferred 170,
  // talk 180, hold 190, ACW 200, NPS answers 300, promoters 310, detractors 320.
  auto num = [&](Kpi k) { return total(descriptor(k).numerator, v); };
  auto den = [&](Kpi k) { return total(descriptor(k).denominator, v); };
  CHECK(num(Kpi::kOffered) == 10);
  CHECK(num(Kpi::kAnswerRatio) == 20);
  CHECK(den(Kpi::kAnswerRatio) == 20 + 30 + 50);
  CHECK(num(Kpi::kAbandonRatio) == 30 - 40);
  CHECK(den(Kpi::kAbandonRatio) == 20 + 30 - 40 + 50);
  CHECK(num(Kpi::kAverageHandleTime) == 180 + 190 + 200);
  CHECK(den(Kpi::kAverageHandleTime) == 160);
  CHECK(num(Kpi::kTransferRatio) == 170);
  CHECK(num(Kpi::kNps) == 310 - 320);
  CHECK(den(Kpi::kNps) == 300);
  CHECK(den(Kpi::kWaitP90) == 20 + 30);  // answered and abandoned waits
  CHECK(descriptor(Kpi::kWaitP50).quantile == 0.5);
  CHECK(descriptor(Kpi::kWaitP90).quantile == 0.9);
  CHECK(descriptor(Kpi::kServiceLevelRatio).formula == Formula::kServiceLevel);

  // The four service-level formulas.
  auto sl = [&](ServiceLevelFormula f) {
    const ServiceLevelRatio& r = service_level_ratio(f);
    return std::pair{total(r.numerator, v), total(r.denominator, v)};
  };
  CHECK(sl(ServiceLevelFormula::kDefault) ==
        std::pair<std::int64_t, std::int64_t>{60, 20 + 30 - 40});
  CHECK(sl(ServiceLevelFormula::kAnsweredOnly) == std::pair<std::int64_t, std::int64_t>{60, 20});
  CHECK(sl(ServiceLevelFormula::kAll) == std::pair<std::int64_t, std::int64_t>{60, 20 + 30 + 50});
  CHECK(sl(ServiceLevelFormula::kRemovedWithin) ==
        std::pair<std::int64_t, std::int64_t>{60 + 70, 20 + 30 + 50});

  // Team: time available 10, busy 20, wrap-up 30, handled 40.
  std::array<std::int64_t, kTeamFieldCount> t{};
  for (std::size_t f = 0; f < t.size(); ++f) t[f] = static_cast<std::int64_t>(f + 1) * 10;
  const auto& occupancy = descriptor(TeamKpi::kOccupancyRatio);
  CHECK(total(occupancy.numerator, t) == 20 + 30);
  CHECK(total(occupancy.denominator, t) == 10 + 20 + 30);
  const auto& per_hour = descriptor(TeamKpi::kContactsPerAgentHour);
  CHECK(per_hour.formula == Formula::kPerHour);
  CHECK(total(per_hour.numerator, t) == 40);
  CHECK(total(per_hour.denominator, t) == 10 + 20 + 30);
}

TEST_CASE("value scales: microseconds to seconds, NPS in points") {
  CHECK(value_scale(Unit::kSeconds) * 1'500'000 == 1.5);
  CHECK(value_scale(Unit::kNps) == 100);
  CHECK(value_scale(Unit::kRatio) == 1);
  CHECK(value_scale(Unit::kScore) == 1);
}

}  // namespace
}  // namespace ccmon::core
