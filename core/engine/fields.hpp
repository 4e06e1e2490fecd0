// The additive quantities a window bucket keeps per queue x channel and per
// team. Every KPI is a ratio of these, so a window is exact at bucket
// granularity: counts are plain integers, durations integer microseconds.
#pragma once

#include <cstdint>

namespace ccmon::core::engine_detail {

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

}  // namespace ccmon::core::engine_detail
