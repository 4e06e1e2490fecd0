#include "core/kpi.hpp"

#include "core/kpi_parts.hpp"

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

// Every ratio and mean can be recomputed from exported sums
// (core/kpi_parts.hpp): each of its numerator and denominator is a part as a
// whole, or each of its fields is a single-field count KPI or part.
template <typename F>
constexpr bool same_sum(const FieldSum<F>& a, const FieldSum<F>& b) {
  if (a.size != b.size) return false;
  for (std::size_t i = 0; i < a.size; ++i) {
    if (a.terms[i].field != b.terms[i].field || a.terms[i].sign != b.terms[i].sign) return false;
  }
  return true;
}
template <typename Id, std::size_t N, std::size_t M>
constexpr bool exported(const FieldSum<typename FieldsOf<Id>::type>& s,
                        const std::array<KpiDescriptor<Id>, N>& kpis,
                        const std::array<KpiPart<Id>, M>& parts) {
  for (const KpiPart<Id>& p : parts) {
    if (p.kind == PartKind::kFields && same_sum(p.fields, s)) return true;
  }
  for (std::size_t i = 0; i < s.size; ++i) {
    const FieldSum<typename FieldsOf<Id>::type> one{s.terms[i].field};
    bool found = false;
    for (const KpiDescriptor<Id>& d : kpis) {
      found = found || (d.formula == Formula::kCount && same_sum(d.numerator, one));
    }
    for (const KpiPart<Id>& p : parts) {
      found = found || (p.kind == PartKind::kFields && same_sum(p.fields, one));
    }
    if (!found) return false;
  }
  return true;
}
template <typename Id, std::size_t N, std::size_t M>
constexpr bool every_ratio_exported(const std::array<KpiDescriptor<Id>, N>& kpis,
                                    const std::array<KpiPart<Id>, M>& parts) {
  bool met = false, eligible = false;
  for (const KpiPart<Id>& p : parts) {
    met = met || p.kind == PartKind::kServiceLevelMet;
    eligible = eligible || p.kind == PartKind::kServiceLevelEligible;
    if (p.kind == PartKind::kFields && p.fields.size == 0) return false;
  }
  for (const KpiDescriptor<Id>& d : kpis) {
    if (d.formula == Formula::kServiceLevel && !(met && eligible)) return false;
    if ((d.formula == Formula::kRatio || d.formula == Formula::kPerHour) &&
        !(exported(d.numerator, kpis, parts) && exported(d.denominator, kpis, parts))) {
      return false;
    }
  }
  return true;
}
static_assert(every_ratio_exported(kKpis, kKpiParts));
static_assert(every_ratio_exported(kTeamKpis, kTeamKpiParts));

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
