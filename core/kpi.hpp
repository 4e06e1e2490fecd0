// The KPI catalogue: one descriptor per KPI (key, HELP text, unit and the
// formula over the window fields of core/window_fields.hpp), from which the
// engine computes the values (core/engine/engine_snapshot.cpp), /metrics takes
// its names and HELP texts and /v1/kpis its keys. The key is the metric name
// without the `ccmon_` prefix (docs/metrics.md); the same keys name KPIs in
// SLA rules. docs/kpis.md explains each formula.
//
// Adding a KPI: an enumerator below and its row in the matching table (plus
// its window fields, if new, in core/window_fields.hpp, counted by the
// engine), then a line in docs/kpis.md and docs/metrics.md (a test checks
// both name every key).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "core/time.hpp"
#include "core/window_fields.hpp"

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

// What a value measures. Window fields hold durations in microseconds, so a
// kSeconds mean scales by 1e-6; kNps is in percentage points.
enum class Unit : std::uint8_t {
  kCount,  // contacts, cases, customers
  kRatio,  // 0..1
  kSeconds,
  kScore,    // mean survey score (CSAT 1-5, CES 1-7)
  kNps,      // -100..100
  kPerHour,  // per staffed agent hour
};

// How a value follows from the window sums. The volume is what the value is
// computed over (docs/kpis.md "Undefined values and volume").
enum class Formula : std::uint8_t {
  kCount,         // value = volume = numerator
  kRatio,         // numerator / denominator x value_scale(unit), undefined when the
                  // denominator is 0; volume = denominator (in seconds for durations)
  kPerHour,       // numerator / (denominator in hours); volume = those hours
  kServiceLevel,  // kRatio, numerator and denominator from service_level_ratio()
  kWaitMax,       // the window's longest wait; volume = denominator (the waits)
  kWaitQuantile,  // nearest-rank `quantile` of the window's waits; volume as kWaitMax
  kLive,          // not windowed: the engine's state now
};

// Multiplier from numerator / denominator to the KPI's unit.
constexpr double value_scale(Unit u) {
  if (u == Unit::kSeconds) return 1.0 / kMicrosPerSecond;
  if (u == Unit::kNps) return 100;
  return 1;
}

// A signed sum of up to four window fields, written as a list:
// {kAnswered, kAbandoned, minus(kShortAbandoned)}.
template <typename F>
struct Term {
  constexpr Term(F f, std::int8_t s = 1) : field(f), sign(s) {}  // NOLINT: a field is a + term
  F field;
  std::int8_t sign;
};
template <typename F>
constexpr Term<F> minus(F f) {
  return {f, -1};
}

template <typename F>
struct FieldSum {
  constexpr FieldSum() = default;
  constexpr FieldSum(std::initializer_list<Term<F>> list) {
    for (const Term<F>& t : list) terms[size++] = t;  // more than 4: not a constant
  }
  std::array<Term<F>, 4> terms{Term<F>{F{}}, Term<F>{F{}}, Term<F>{F{}}, Term<F>{F{}}};
  std::size_t size = 0;
};

// The sum over `v`, the window's fields (v[field]).
template <typename F, typename Values>
constexpr std::int64_t total(const FieldSum<F>& s, const Values& v) {
  std::int64_t n = 0;
  for (std::size_t i = 0; i < s.size; ++i) {
    n += s.terms[i].sign * v[static_cast<std::size_t>(s.terms[i].field)];
  }
  return n;
}

// Whether every field of the sum is a duration (microseconds).
template <typename F>
constexpr bool sums_durations(const FieldSum<F>& s) {
  for (std::size_t i = 0; i < s.size; ++i) {
    if (!window_fields::is_duration(s.terms[i].field)) return false;
  }
  return s.size > 0;
}

struct KpiInfo {
  std::string_view key;   // "service_level_ratio"; metric = "ccmon_" + key
  std::string_view help;  // HELP text
  Unit unit = Unit::kCount;
};

// The window fields a KPI of each kind reads.
template <typename Id>
struct FieldsOf {
  using type = window_fields::Field;
};
template <>
struct FieldsOf<TeamKpi> {
  using type = window_fields::TeamField;
};

template <typename Id>
struct KpiDescriptor {
  using Fields = FieldSum<typename FieldsOf<Id>::type>;
  Id id;
  KpiInfo info;
  Formula formula = Formula::kLive;
  Fields numerator;     // kCount, kRatio, kPerHour
  Fields denominator;   // kRatio, kPerHour; the volume of kWaitMax, kWaitQuantile
  double quantile = 0;  // kWaitQuantile, in (0, 1]
};
using WindowKpiDescriptor = KpiDescriptor<Kpi>;
using TeamKpiDescriptor = KpiDescriptor<TeamKpi>;
using LiveKpiDescriptor = KpiDescriptor<LiveKpi>;

// The service-level formula (`kpis.service_level`, docs/kpis.md
// "Service level"): answered within T over the contacts that left the queue,
// shaped by four switches, as Genesys's service-level options are. "Within
// T" is wait <= T; a short abandon is wait < S.
//   numerator   = answered within T
//                 + abandoned within T            if abandoned_within_met
//                 - short abandoned               if that and not include_short_abandoned
//   denominator = answered
//                 + abandoned                     if include_abandoned
//                 - short abandoned               if that and not include_short_abandoned
//                 + overflowed                    if include_overflowed
// (with abandoned_within_met and short abandons excluded, the numerator is
// exact when S <= T, so that every short abandon is within T.) The four
// named presets are the formulas of earlier versions, value for value.
struct ServiceLevelFormula {
  bool include_abandoned = true;
  bool include_short_abandoned = false;  // only with include_abandoned
  bool include_overflowed = false;
  bool abandoned_within_met = false;  // only with include_abandoned

  // answered within T / (answered + abandoned - short abandoned)
  static const ServiceLevelFormula kDefault;
  // answered within T / answered (Asterisk)
  static const ServiceLevelFormula kAnsweredOnly;
  // answered within T / (answered + abandoned + overflowed)
  static const ServiceLevelFormula kAll;
  // (answered + abandoned within T) / (answered + abandoned + overflowed)
  // (Amazon Connect)
  static const ServiceLevelFormula kRemovedWithin;

  friend constexpr bool operator==(const ServiceLevelFormula&,
                                   const ServiceLevelFormula&) = default;
};
inline constexpr ServiceLevelFormula ServiceLevelFormula::kDefault{true, false, false, false};
inline constexpr ServiceLevelFormula ServiceLevelFormula::kAnsweredOnly{false, false, false, false};
inline constexpr ServiceLevelFormula ServiceLevelFormula::kAll{true, true, true, false};
inline constexpr ServiceLevelFormula ServiceLevelFormula::kRemovedWithin{true, true, true, true};

struct ServiceLevelRatio {
  FieldSum<window_fields::Field> numerator;
  FieldSum<window_fields::Field> denominator;
};

// The formula's window sums (see ServiceLevelFormula).
constexpr ServiceLevelRatio service_level_ratio(const ServiceLevelFormula& f) {
  using namespace window_fields;  // NOLINT(google-build-using-namespace)
  ServiceLevelRatio r;
  const bool abandons = f.include_abandoned;
  const bool drop_short = abandons && !f.include_short_abandoned;
  r.numerator.terms[r.numerator.size++] = kAnsweredWithin;
  if (abandons && f.abandoned_within_met) {
    r.numerator.terms[r.numerator.size++] = kAbandonedWithin;
    if (drop_short) r.numerator.terms[r.numerator.size++] = minus(kShortAbandoned);
  }
  r.denominator.terms[r.denominator.size++] = kAnswered;
  if (abandons) r.denominator.terms[r.denominator.size++] = kAbandoned;
  if (drop_short) r.denominator.terms[r.denominator.size++] = minus(kShortAbandoned);
  if (f.include_overflowed) r.denominator.terms[r.denominator.size++] = kOverflowed;
  return r;
}

namespace catalogue {

using namespace window_fields;  // NOLINT(google-build-using-namespace): the tables name fields

template <typename Id>
constexpr KpiDescriptor<Id> count(Id id, std::string_view key, std::string_view help,
                                  typename KpiDescriptor<Id>::Fields n) {
  return {id, {key, help, Unit::kCount}, Formula::kCount, n, {}, 0};
}
template <typename Id>
constexpr KpiDescriptor<Id> ratio(Id id, std::string_view key, std::string_view help, Unit unit,
                                  typename KpiDescriptor<Id>::Fields num,
                                  typename KpiDescriptor<Id>::Fields den) {
  return {id, {key, help, unit}, Formula::kRatio, num, den, 0};
}
constexpr LiveKpiDescriptor live(LiveKpi id, std::string_view key, std::string_view help,
                                 Unit unit) {
  return {id, {key, help, unit}, Formula::kLive, {}, {}, 0};
}
constexpr WindowKpiDescriptor of_waits(Kpi id, std::string_view key, std::string_view help,
                                       Formula formula, double quantile = 0) {
  return {id, {key, help, Unit::kSeconds}, formula, {}, {kAnswered, kAbandoned}, quantile};
}

inline constexpr std::array<WindowKpiDescriptor, kKpiCount> kKpis = {{
    count(Kpi::kOffered, "offered", "Contacts offered to the queue (contact.queued) in the window.",
          {kOffered}),
    count(Kpi::kAnswered, "answered", "Contacts answered by an agent in the window.", {kAnswered}),
    count(Kpi::kAbandoned, "abandoned",
          "Contacts abandoned while waiting in the window, short abandons included.", {kAbandoned}),
    count(Kpi::kShortAbandoned, "short_abandoned",
          "Contacts abandoned before the short-abandon threshold in the window.",
          {kShortAbandoned}),
    count(Kpi::kOverflowed, "overflowed",
          "Contacts removed from the queue by routing without an agent in the window.",
          {kOverflowed}),
    count(Kpi::kHandled, "handled",
          "Contacts whose handling (talk, hold, after-contact work) completed in the window.",
          {kHandled}),
    ratio(Kpi::kAnswerRatio, "answer_ratio", "Answered / (answered + abandoned + overflowed).",
          Unit::kRatio, {kAnswered}, {kAnswered, kAbandoned, kOverflowed}),
    ratio(Kpi::kAbandonRatio, "abandon_ratio",
          "(Abandoned - short abandoned) / (answered + abandoned - short abandoned + "
          "overflowed).",
          Unit::kRatio, {kAbandoned, minus(kShortAbandoned)},
          {kAnswered, kAbandoned, minus(kShortAbandoned), kOverflowed}),
    {Kpi::kServiceLevelRatio,
     {"service_level_ratio", "Share of contacts answered within the service-level threshold.",
      Unit::kRatio},
     Formula::kServiceLevel,
     {},
     {}},
    ratio(Kpi::kAverageSpeedOfAnswer, "average_speed_of_answer_seconds",
          "Mean wait of answered contacts.", Unit::kSeconds, {kWaitAnsweredSum}, {kAnswered}),
    of_waits(Kpi::kWaitMax, "wait_max_seconds", "Longest wait of answered and abandoned contacts.",
             Formula::kWaitMax),
    of_waits(Kpi::kWaitP50, "wait_p50_seconds", "Median wait of answered and abandoned contacts.",
             Formula::kWaitQuantile, 0.5),
    of_waits(Kpi::kWaitP90, "wait_p90_seconds",
             "90th percentile wait of answered and abandoned contacts.", Formula::kWaitQuantile,
             0.9),
    ratio(Kpi::kAverageAbandonTime, "average_abandon_time_seconds",
          "Mean wait of abandoned contacts.", Unit::kSeconds, {kWaitAbandonedSum}, {kAbandoned}),
    ratio(Kpi::kAverageHandleTime, "average_handle_time_seconds",
          "Mean talk + hold + after-contact work of handled contacts.", Unit::kSeconds,
          {kTalkSum, kHoldSum, kAcwSum}, {kHandled}),
    ratio(Kpi::kAverageTalkTime, "average_talk_time_seconds", "Mean talk time of handled contacts.",
          Unit::kSeconds, {kTalkSum}, {kHandled}),
    ratio(Kpi::kAverageHoldTime, "average_hold_time_seconds", "Mean hold time of handled contacts.",
          Unit::kSeconds, {kHoldSum}, {kHandled}),
    ratio(Kpi::kAverageAfterContactWork, "average_after_contact_work_seconds",
          "Mean after-contact work of handled contacts.", Unit::kSeconds, {kAcwSum}, {kHandled}),
    ratio(Kpi::kTransferRatio, "transfer_ratio", "Transferred / handled.", Unit::kRatio,
          {kTransferred}, {kHandled}),
    ratio(Kpi::kAverageFirstResponse, "average_first_response_seconds",
          "Mean time from queueing to the first agent reply.", Unit::kSeconds, {kFirstResponseSum},
          {kFirstResponses}),
    ratio(Kpi::kAverageResponse, "average_response_seconds",
          "Mean delay of agent replies to the oldest unanswered message.", Unit::kSeconds,
          {kResponseSum}, {kResponses}),
    ratio(Kpi::kSelfServiceRatio, "self_service_ratio",
          "Contacts completed by self-service / contacts created.", Unit::kRatio, {kSelfServed},
          {kCreated}),
    ratio(Kpi::kFirstContactResolutionRatio, "first_contact_resolution_ratio",
          "Cases resolved in one contact / cases resolved.", Unit::kRatio, {kResolvedInOne},
          {kCasesResolved}),
    ratio(Kpi::kAverageResolution, "average_resolution_seconds",
          "Mean time from case opened to resolved.", Unit::kSeconds, {kResolutionSum},
          {kResolutionTimed}),
    count(Kpi::kResolvedCases, "resolved_cases", "Cases resolved in the window.", {kCasesResolved}),
    ratio(Kpi::kEscalationRatio, "escalation_ratio", "Cases escalated / cases opened.",
          Unit::kRatio, {kCasesEscalated}, {kCasesOpened}),
    ratio(Kpi::kCsatRatio, "csat_ratio", "Survey answers with CSAT 4 or 5 / answers with CSAT.",
          Unit::kRatio, {kCsatTop2}, {kCsatCount}),
    ratio(Kpi::kCsatAverage, "csat_average", "Mean CSAT score (1-5).", Unit::kScore, {kCsatSum},
          {kCsatCount}),
    ratio(Kpi::kNps, "nps", "Net promoter score: % promoters (9-10) - % detractors (0-6).",
          Unit::kNps, {kNpsPromoters, minus(kNpsDetractors)}, {kNpsCount}),
    ratio(Kpi::kCesAverage, "ces_average", "Mean customer effort score (1-7).", Unit::kScore,
          {kCesSum}, {kCesCount}),
    ratio(Kpi::kNegativeSentimentRatio, "negative_sentiment_ratio",
          "Contacts scored at or below the negative threshold / scored.", Unit::kRatio,
          {kSentimentNegative}, {kSentimentScored}),
    ratio(Kpi::kConversionRatio, "conversion_ratio", "Converted contacts / handled contacts.",
          Unit::kRatio, {kConverted}, {kHandled}),
    count(Kpi::kChurnedCustomers, "churned_customers",
          "Customers who left (customer.churned) in the window.", {kChurned}),
}};

inline constexpr std::array<TeamKpiDescriptor, kTeamKpiCount> kTeamKpis = {{
    ratio(TeamKpi::kOccupancyRatio, "occupancy_ratio",
          "Time busy or in wrap-up / time available, busy or in wrap-up.", Unit::kRatio,
          {kTimeBusy, kTimeWrapUp}, {kTimeAvailable, kTimeBusy, kTimeWrapUp}),
    {TeamKpi::kContactsPerAgentHour,
     {"contacts_per_agent_hour", "Contacts handled per staffed agent hour.", Unit::kPerHour},
     Formula::kPerHour,
     {kTeamHandled},
     {kTimeAvailable, kTimeBusy, kTimeWrapUp}},
    ratio(TeamKpi::kAverageTimeBetweenContacts, "average_time_between_contacts_seconds",
          "Mean time from an agent's contact wrap-up to its next answer.", Unit::kSeconds,
          {kBetweenContactsSum}, {kBetweenContactsCount}),
}};

inline constexpr std::array<LiveKpiDescriptor, kLiveKpiCount> kLiveKpis = {{
    live(LiveKpi::kContactsWaiting, "contacts_waiting", "Contacts waiting in the queue now.",
         Unit::kCount),
    live(LiveKpi::kOldestWaiting, "oldest_waiting_seconds",
         "Age of the oldest contact waiting now (0 when none waits).", Unit::kSeconds),
    live(LiveKpi::kContactsActive, "contacts_active", "Contacts answered and not yet ended now.",
         Unit::kCount),
    live(LiveKpi::kCasesActive, "cases_active", "Cases opened and not yet resolved now.",
         Unit::kCount),
}};

}  // namespace catalogue

// The tables, indexed by their enum.
using catalogue::kKpis;
using catalogue::kLiveKpis;
using catalogue::kTeamKpis;

constexpr const WindowKpiDescriptor& descriptor(Kpi k) {
  return kKpis[static_cast<std::size_t>(k)];
}
constexpr const TeamKpiDescriptor& descriptor(TeamKpi k) {
  return kTeamKpis[static_cast<std::size_t>(k)];
}
constexpr const LiveKpiDescriptor& descriptor(LiveKpi k) {
  return kLiveKpis[static_cast<std::size_t>(k)];
}

constexpr const KpiInfo& info(Kpi k) {
  return descriptor(k).info;
}
constexpr const KpiInfo& info(TeamKpi k) {
  return descriptor(k).info;
}
constexpr const KpiInfo& info(LiveKpi k) {
  return descriptor(k).info;
}

std::optional<Kpi> kpi_from_key(std::string_view key);
std::optional<TeamKpi> team_kpi_from_key(std::string_view key);
std::optional<LiveKpi> live_kpi_from_key(std::string_view key);

}  // namespace ccmon::core
