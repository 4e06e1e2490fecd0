#include "core/kpi.hpp"

namespace ccmon::core {
namespace {

// Each table lists its KPIs in enum order, so the enum indexes it; a
// formula reads only what its kind needs.
template <typename Id, std::size_t N>
constexpr bool well_formed(const std::array<KpiDescriptor<Id>, N>& table) {
  for (std::size_t i = 0; i < N; ++i) {
    const KpiDescriptor<Id>& d = table[i];
    if (static_cast<std::size_t>(d.id) != i || d.info.key.empty() || d.info.help.empty()) {
      return false;
    }
    switch (d.formula) {
      case Formula::kCount:
        if (d.numerator.size == 0 || d.denominator.size != 0) return false;
        break;
      case Formula::kRatio:
      case Formula::kPerHour:
        if (d.numerator.size == 0 || d.denominator.size == 0) return false;
        break;
      case Formula::kWaitQuantile:
        if (!(d.quantile > 0 && d.quantile <= 1)) return false;
        [[fallthrough]];
      case Formula::kWaitMax:
        if (d.denominator.size == 0) return false;
        break;
      case Formula::kServiceLevel:
      case Formula::kLive:
        if (d.numerator.size != 0 || d.denominator.size != 0) return false;
        break;
    }
  }
  return true;
}
static_assert(well_formed(kKpis));
static_assert(well_formed(kTeamKpis));
static_assert(well_formed(kLiveKpis));

template <typename Id, std::size_t N>
std::optional<Id> from_key(const std::array<KpiDescriptor<Id>, N>& table, std::string_view key) {
  for (const KpiDescriptor<Id>& d : table) {
    if (d.info.key == key) return d.id;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Kpi> kpi_from_key(std::string_view key) {
  return from_key(kKpis, key);
}
std::optional<TeamKpi> team_kpi_from_key(std::string_view key) {
  return from_key(kTeamKpis, key);
}
std::optional<LiveKpi> live_kpi_from_key(std::string_view key) {
  return from_key(kLiveKpis, key);
}

}  // namespace ccmon::core
