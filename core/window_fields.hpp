// The additive quantities a window bucket keeps per queue x channel and per
// team. Every windowed KPI of the catalogue (core/kpi.hpp) is a formula over
// these, so a window is exact at bucket granularity: counts are plain
// integers, durations integer microseconds. The engine counts them
// (core/engine), the catalogue reads them.
#pragma once

#include <cstdint>

namespace ccmon::core::window_fields {

enum Field : std::uint8_t {
  // Accessibility.
  kOffered,
  kAnswered,
  kAbandoned,
  kShortAbandoned,
  kOverflowed,
  kAnsweredWithin,   // wait <= T
  kAbandonedWithin,  // wait <= T, for the removed_within formula
  kWaitAnsweredSum,  // us
  kWaitAbandonedSum,
  kFirstResponses,
  kFirstResponseSum,
  kResponses,
  kResponseSum,
  kCreated,
  kSelfServed,
  // Efficiency.
  kHandled,
  kTransferred,
  kTalkSum,
  kHoldSum,
  kAcwSum,
  // Resolution.
  kCasesOpened,
  kCasesEscalated,
  kCasesResolved,
  kResolvedInOne,
  kResolutionTimed,  // resolved cases whose opening is known
  kResolutionSum,
  // Quality and outcomes.
  kCsatCount,
  kCsatSum,
  kCsatTop2,
  kNpsCount,
  kNpsPromoters,
  kNpsDetractors,
  kCesCount,
  kCesSum,
  kSentimentScored,
  kSentimentNegative,
  kConverted,
  kChurned,
  kFieldCount
};

// Per team: time in state (us) and agent activity.
enum TeamField : std::uint8_t {
  kTimeAvailable,
  kTimeBusy,
  kTimeWrapUp,
  kTeamHandled,
  kBetweenContactsCount,
  kBetweenContactsSum,
  kTeamFieldCount
};

// Whether a field holds microseconds (a sum of durations) rather than a count
// or a sum of scores.
constexpr bool is_duration(Field f) {
  switch (f) {
    case kWaitAnsweredSum:
    case kWaitAbandonedSum:
    case kFirstResponseSum:
    case kResponseSum:
    case kTalkSum:
    case kHoldSum:
    case kAcwSum:
    case kResolutionSum:
      return true;
    default:
      return false;
  }
}
constexpr bool is_duration(TeamField f) {
  return f == kTimeAvailable || f == kTimeBusy || f == kTimeWrapUp || f == kBetweenContactsSum;
}

}  // namespace ccmon::core::window_fields
