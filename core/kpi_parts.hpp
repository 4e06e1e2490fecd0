// The parts of the windowed ratios and means: the window sums a KPI of the
// catalogue (core/kpi.hpp) divides, exported as gauges beside it so that a
// KPI split across several ccmond instances is recomputed exactly in
// Prometheus as sum(numerator) / sum(denominator), never as an average of
// ratios (docs/metrics.md "Aggregating across instances"). A part that is a
// KPI already (`ccmon_answered`, `ccmon_handled`, ...) is not repeated here;
// kpi.cpp checks that every field of every ratio is covered by one or the
// other.
//
// Names: counts are nouns or participles like the count KPIs; sums of
// durations end in `_seconds` (a total, not a mean: the means are named
// `average_...`); sums of survey scores end in `_points`. None ends in
// `_total`, `_sum` or `_count`, which name counters and histogram series.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "core/kpi.hpp"

namespace ccmon::core {

// What a part sums: its own fields, or the numerator or denominator of the
// configured service-level formula (core/kpi.hpp service_level_ratio).
enum class PartKind : std::uint8_t { kFields, kServiceLevelMet, kServiceLevelEligible };

template <typename Id>
struct KpiPart {
  using Fields = typename KpiDescriptor<Id>::Fields;
  KpiInfo info;  // unit kCount, or kSeconds for a sum of durations
  // The KPI it is a part of: the part is exported where that KPI is defined
  // (zeros included) and wherever it is non-zero, so that the parts of a
  // defined KPI are all there and a sum across instances misses nothing.
  Id kpi;
  Fields fields;  // kFields: the window fields it adds up
  PartKind kind = PartKind::kFields;
};
using WindowKpiPart = KpiPart<Kpi>;
using TeamKpiPart = KpiPart<TeamKpi>;

namespace catalogue {

template <typename Id>
constexpr KpiPart<Id> part(std::string_view key, std::string_view help, Id kpi,
                           typename KpiPart<Id>::Fields fields) {
  return {{key, help, sums_durations(fields) ? Unit::kSeconds : Unit::kCount}, kpi, fields};
}

inline constexpr std::array<WindowKpiPart, 30> kKpiParts = {{
    {{"service_level_met",
      "Contacts within service level in the window: the numerator of "
      "ccmon_service_level_ratio under the configured formula.",
      Unit::kCount},
     Kpi::kServiceLevelRatio,
     {},
     PartKind::kServiceLevelMet},
    {{"service_level_eligible",
      "Contacts the service-level formula counts in the window: the denominator of "
      "ccmon_service_level_ratio.",
      Unit::kCount},
     Kpi::kServiceLevelRatio,
     {},
     PartKind::kServiceLevelEligible},
    part("answered_wait_seconds", "Total wait of the contacts answered in the window.",
         Kpi::kAverageSpeedOfAnswer, {kWaitAnsweredSum}),
    part("abandoned_wait_seconds", "Total wait of the contacts abandoned in the window.",
         Kpi::kAverageAbandonTime, {kWaitAbandonedSum}),
    part("talk_time_seconds", "Total talk time of the contacts handled in the window.",
         Kpi::kAverageTalkTime, {kTalkSum}),
    part("hold_time_seconds", "Total hold time of the contacts handled in the window.",
         Kpi::kAverageHoldTime, {kHoldSum}),
    part("after_contact_work_seconds",
         "Total after-contact work of the contacts handled in the window.",
         Kpi::kAverageAfterContactWork, {kAcwSum}),
    part("transferred", "Handled contacts that were transferred, in the window.",
         Kpi::kTransferRatio, {kTransferred}),
    part("first_responses", "Contacts given a first agent reply in the window.",
         Kpi::kAverageFirstResponse, {kFirstResponses}),
    part("first_response_time_seconds",
         "Total time from queueing to the first agent reply, of the first replies in the window.",
         Kpi::kAverageFirstResponse, {kFirstResponseSum}),
    part("responses", "Agent replies to an unanswered customer message in the window.",
         Kpi::kAverageResponse, {kResponses}),
    part("response_time_seconds", "Total delay of the agent replies in the window.",
         Kpi::kAverageResponse, {kResponseSum}),
    part("created", "Contacts created in the window.", Kpi::kSelfServiceRatio, {kCreated}),
    part("self_served", "Contacts completed by self-service in the window.", Kpi::kSelfServiceRatio,
         {kSelfServed}),
    part("first_contact_resolved_cases", "Cases resolved in one contact, in the window.",
         Kpi::kFirstContactResolutionRatio, {kResolvedInOne}),
    part("resolution_timed_cases", "Cases resolved in the window whose opening is known.",
         Kpi::kAverageResolution, {kResolutionTimed}),
    part("resolution_time_seconds",
         "Total time from opened to resolved of the timed cases resolved in the window.",
         Kpi::kAverageResolution, {kResolutionSum}),
    part("opened_cases", "Cases opened in the window.", Kpi::kEscalationRatio, {kCasesOpened}),
    part("escalated_cases", "Cases escalated in the window.", Kpi::kEscalationRatio,
         {kCasesEscalated}),
    part("csat_answers", "Survey answers with a CSAT score in the window.", Kpi::kCsatRatio,
         {kCsatCount}),
    part("csat_satisfied_answers", "Survey answers with CSAT 4 or 5 in the window.",
         Kpi::kCsatRatio, {kCsatTop2}),
    part("csat_points", "Sum of the CSAT scores (1-5) answered in the window.", Kpi::kCsatAverage,
         {kCsatSum}),
    part("nps_answers", "Survey answers with an NPS score in the window.", Kpi::kNps, {kNpsCount}),
    part("nps_promoters", "Survey answers with NPS 9 or 10 in the window.", Kpi::kNps,
         {kNpsPromoters}),
    part("nps_detractors", "Survey answers with NPS 0 to 6 in the window.", Kpi::kNps,
         {kNpsDetractors}),
    part("ces_answers", "Survey answers with a CES score in the window.", Kpi::kCesAverage,
         {kCesCount}),
    part("ces_points", "Sum of the CES scores (1-7) answered in the window.", Kpi::kCesAverage,
         {kCesSum}),
    part("sentiment_scored", "Contacts given a sentiment score in the window.",
         Kpi::kNegativeSentimentRatio, {kSentimentScored}),
    part("sentiment_negative",
         "Contacts scored at or below the negative-sentiment threshold in the window.",
         Kpi::kNegativeSentimentRatio, {kSentimentNegative}),
    part("converted", "Handled contacts that converted, in the window.", Kpi::kConversionRatio,
         {kConverted}),
}};

inline constexpr std::array<TeamKpiPart, 5> kTeamKpiParts = {{
    part("team_staffed_seconds",
         "Time the team's agents were available, busy or in wrap-up in the window.",
         TeamKpi::kOccupancyRatio, {kTimeAvailable, kTimeBusy, kTimeWrapUp}),
    part("team_occupied_seconds", "Time the team's agents were busy or in wrap-up in the window.",
         TeamKpi::kOccupancyRatio, {kTimeBusy, kTimeWrapUp}),
    part("team_handled", "Contacts the team's agents handled in the window.",
         TeamKpi::kContactsPerAgentHour, {kTeamHandled}),
    part("team_between_contacts",
         "Intervals from an agent's wrap-up to its next answer that ended in the window.",
         TeamKpi::kAverageTimeBetweenContacts, {kBetweenContactsCount}),
    part("team_between_contacts_seconds",
         "Total length of the intervals from an agent's wrap-up to its next answer that ended "
         "in the window.",
         TeamKpi::kAverageTimeBetweenContacts, {kBetweenContactsSum}),
}};

}  // namespace catalogue

using catalogue::kKpiParts;
using catalogue::kTeamKpiParts;

// The window fields `p` adds up under the service-level formula `sl`.
template <typename Id>
constexpr typename KpiPart<Id>::Fields part_fields(const KpiPart<Id>& p,
                                                   const ServiceLevelFormula& sl) {
  if constexpr (std::is_same_v<Id, Kpi>) {
    if (p.kind == PartKind::kServiceLevelMet) return service_level_ratio(sl).numerator;
    if (p.kind == PartKind::kServiceLevelEligible) return service_level_ratio(sl).denominator;
  }
  return p.fields;
}

// The part's value over a window's sums (`sums[field]`): a count, or
// seconds for durations (fields hold microseconds). Pure.
template <typename Id, typename Values>
constexpr double part_value(const KpiPart<Id>& p, const Values& sums,
                            const ServiceLevelFormula& sl) {
  const double n = static_cast<double>(total(part_fields(p, sl), sums));
  return p.info.unit == Unit::kSeconds ? n / kMicrosPerSecond : n;
}

}  // namespace ccmon::core
