// Names and HELP texts of the families that are not in the KPI catalogue
// (core/kpi.hpp), shared by both renderers of a snapshot.
#pragma once

#include "core/kpi.hpp"

namespace ccmon::core::family_help {

inline constexpr KpiInfo kDeflected{
    "deflected", "Contacts deflected to another channel in the window, by to_channel."};
inline constexpr KpiInfo kAgents{"agents", "Agents of the team in each state now."};
inline constexpr KpiInfo kOfferedTotal{"contacts_offered_total",
                                       "Contacts offered to the queue since start."};
inline constexpr KpiInfo kAnsweredTotal{"contacts_answered_total",
                                        "Contacts answered by an agent since start."};
inline constexpr KpiInfo kAbandonedTotal{
    "contacts_abandoned_total",
    "Contacts abandoned while waiting since start, short abandons included."};
inline constexpr KpiInfo kHandledTotal{
    "contacts_handled_total",
    "Contacts whose handling (talk, hold, after-contact work) completed since start."};
inline constexpr KpiInfo kWaitSeconds{
    "wait_seconds", "Wait of answered and abandoned contacts since start, by outcome."};
inline constexpr KpiInfo kTrackedContacts{"tracked_contacts",
                                          "Contacts the engine holds in memory now."};
inline constexpr KpiInfo kTrackedCases{"tracked_cases", "Cases the engine holds in memory now."};
inline constexpr KpiInfo kTrackedAgents{"tracked_agents", "Agents the engine holds in memory now."};
inline constexpr KpiInfo kOutOfSequence{
    "events_out_of_sequence_total",
    "Events the engine found out of sequence with the state they apply to."};
inline constexpr KpiInfo kEvictedContacts{"evicted_contacts_total",
                                          "Idle contacts evicted from the engine's memory."};
inline constexpr KpiInfo kEvictedCases{"evicted_cases_total",
                                       "Idle cases evicted from the engine's memory."};
inline constexpr KpiInfo kSeriesFolded{
    "series_folded_total",
    "Label values folded into `other` because a configured cap was reached."};

}  // namespace ccmon::core::family_help
