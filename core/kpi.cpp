#include "core/kpi.hpp"

#include <array>

namespace ccmon::core {
namespace {

constexpr std::array<KpiInfo, kKpiCount> kKpis = {{
    {"offered", "Contacts offered to the queue (contact.queued) in the window."},
    {"answered", "Contacts answered by an agent in the window."},
    {"abandoned", "Contacts abandoned while waiting in the window, short abandons included."},
    {"short_abandoned", "Contacts abandoned before the short-abandon threshold in the window."},
    {"overflowed", "Contacts removed from the queue by routing without an agent in the window."},
    {"handled",
     "Contacts whose handling (talk, hold, after-contact work) completed in the window."},
    {"answer_ratio", "Answered / (answered + abandoned + overflowed)."},
    {"abandon_ratio",
     "(Abandoned - short abandoned) / (answered + abandoned - short abandoned + overflowed)."},
    {"service_level_ratio", "Share of contacts answered within the service-level threshold."},
    {"average_speed_of_answer_seconds", "Mean wait of answered contacts."},
    {"wait_max_seconds", "Longest wait of answered and abandoned contacts."},
    {"wait_p50_seconds", "Median wait of answered and abandoned contacts."},
    {"wait_p90_seconds", "90th percentile wait of answered and abandoned contacts."},
    {"average_abandon_time_seconds", "Mean wait of abandoned contacts."},
    {"average_handle_time_seconds", "Mean talk + hold + after-contact work of handled contacts."},
    {"average_talk_time_seconds", "Mean talk time of handled contacts."},
    {"average_hold_time_seconds", "Mean hold time of handled contacts."},
    {"average_after_contact_work_seconds", "Mean after-contact work of handled contacts."},
    {"transfer_ratio", "Transferred / handled."},
    {"average_first_response_seconds", "Mean time from queueing to the first agent reply."},
    {"average_response_seconds", "Mean delay of agent replies to the oldest unanswered message."},
    {"self_service_ratio", "Contacts completed by self-service / contacts created."},
    {"first_contact_resolution_ratio", "Cases resolved in one contact / cases resolved."},
    {"average_resolution_seconds", "Mean time from case opened to resolved."},
    {"resolved_cases", "Cases resolved in the window."},
    {"escalation_ratio", "Cases escalated / cases opened."},
    {"csat_ratio", "Survey answers with CSAT 4 or 5 / answers with CSAT."},
    {"csat_average", "Mean CSAT score (1-5)."},
    {"nps", "Net promoter score: % promoters (9-10) - % detractors (0-6)."},
    {"ces_average", "Mean customer effort score (1-7)."},
    {"negative_sentiment_ratio", "Contacts scored at or below the negative threshold / scored."},
    {"conversion_ratio", "Converted contacts / handled contacts."},
    {"churned_customers", "Customers who left (customer.churned) in the window."},
}};

constexpr std::array<KpiInfo, kTeamKpiCount> kTeamKpis = {{
    {"occupancy_ratio", "Time busy or in wrap-up / time available, busy or in wrap-up."},
    {"contacts_per_agent_hour", "Contacts handled per staffed agent hour."},
    {"average_time_between_contacts_seconds",
     "Mean time from an agent's contact wrap-up to its next answer."},
}};

constexpr std::array<KpiInfo, kLiveKpiCount> kLiveKpis = {{
    {"contacts_waiting", "Contacts waiting in the queue now."},
    {"oldest_waiting_seconds", "Age of the oldest contact waiting now (0 when none waits)."},
    {"contacts_active", "Contacts answered and not yet ended now."},
    {"cases_active", "Cases opened and not yet resolved now."},
}};

template <typename E, std::size_t N>
std::optional<E> from_key(const std::array<KpiInfo, N>& table, std::string_view key) {
  for (std::size_t i = 0; i < N; ++i) {
    if (table[i].key == key) return static_cast<E>(i);
  }
  return std::nullopt;
}

}  // namespace

const KpiInfo& info(Kpi k) {
  return kKpis[static_cast<std::size_t>(k)];
}
const KpiInfo& info(TeamKpi k) {
  return kTeamKpis[static_cast<std::size_t>(k)];
}
const KpiInfo& info(LiveKpi k) {
  return kLiveKpis[static_cast<std::size_t>(k)];
}

std::optional<Kpi> kpi_from_key(std::string_view key) {
  return from_key<Kpi>(kKpis, key);
}
std::optional<TeamKpi> team_kpi_from_key(std::string_view key) {
  return from_key<TeamKpi>(kTeamKpis, key);
}
std::optional<LiveKpi> live_kpi_from_key(std::string_view key) {
  return from_key<LiveKpi>(kLiveKpis, key);
}

}  // namespace ccmon::core
