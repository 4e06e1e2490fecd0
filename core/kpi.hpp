// The KPI catalogue of spec/kpis.md as a table: one key per KPI, equal to its
// metric name (spec/metrics.md) without the `ccmon_` prefix. The same keys
// name KPIs in /v1/kpis JSON and in SLA rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ccmon::core {

// Windowed KPIs per queue x channel, in metrics.md order.
enum class Kpi : std::uint8_t {
  kOffered,
  kAnswered,
  kAbandoned,
  kShortAbandoned,
  kOverflowed,
  kHandled,
  kAnswerRatio,
  kAbandonRatio,
  kServiceLevelRatio,
  kAverageSpeedOfAnswer,
  kWaitMax,
  kWaitP50,
  kWaitP90,
  kAverageAbandonTime,
  kAverageHandleTime,
  kAverageTalkTime,
  kAverageHoldTime,
  kAverageAfterContactWork,
  kTransferRatio,
  kAverageFirstResponse,
  kAverageResponse,
  kSelfServiceRatio,
  kFirstContactResolutionRatio,
  kAverageResolution,
  kResolvedCases,
  kEscalationRatio,
  kCsatRatio,
  kCsatAverage,
  kNps,
  kCesAverage,
  kNegativeSentimentRatio,
  kConversionRatio,
  kChurnedCustomers,
};
inline constexpr int kKpiCount = static_cast<int>(Kpi::kChurnedCustomers) + 1;

// Windowed agent KPIs per team.
enum class TeamKpi : std::uint8_t {
  kOccupancyRatio,
  kContactsPerAgentHour,
  kAverageTimeBetweenContacts
};
inline constexpr int kTeamKpiCount = static_cast<int>(TeamKpi::kAverageTimeBetweenContacts) + 1;

// Live (not windowed) values per queue x channel.
enum class LiveKpi : std::uint8_t {
  kContactsWaiting,
  kOldestWaiting,
  kContactsActive,
  kCasesActive
};
inline constexpr int kLiveKpiCount = static_cast<int>(LiveKpi::kCasesActive) + 1;

struct KpiInfo {
  std::string_view key;   // "service_level_ratio"; metric = "ccmon_" + key
  std::string_view help;  // HELP text
};

const KpiInfo& info(Kpi k);
const KpiInfo& info(TeamKpi k);
const KpiInfo& info(LiveKpi k);

std::optional<Kpi> kpi_from_key(std::string_view key);
std::optional<TeamKpi> team_kpi_from_key(std::string_view key);
std::optional<LiveKpi> live_kpi_from_key(std::string_view key);

}  // namespace ccmon::core
