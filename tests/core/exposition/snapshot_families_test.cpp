#include "core/exposition/snapshot_families.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "core/exposition/text_format.hpp"
#include "tests/core/exposition/small_snapshot.hpp"

namespace ccmon::core {
namespace {

// HELP and TYPE lines; catalogue KPIs take their HELP from core/kpi.cpp, the
// single source of that text.
template <typename K>
std::string header(const char* name, K kpi) {
  return std::string("# HELP ") + name + " " + std::string(info(kpi).help) + "\n# TYPE " + name +
         " gauge\n";
}

std::string render(const Snapshot& snap) {
  std::string out;
  append_text(out, snapshot_families(snap));
  return out;
}

TEST_CASE("the small snapshot renders to exactly the hand-written exposition") {
  const std::string expected =
      // Windowed KPIs, series (sales/voice, support/chat) x window (5m, 1h).
      header("ccmon_offered", Kpi::kOffered) +
      "ccmon_offered{queue=\"sales\",channel=\"voice\",window=\"5m\"} 3\n"
      "ccmon_offered{queue=\"sales\",channel=\"voice\",window=\"1h\"} 10\n"
      "ccmon_offered{queue=\"support\",channel=\"chat\",window=\"5m\"} 0\n"
      "ccmon_offered{queue=\"support\",channel=\"chat\",window=\"1h\"} 4\n" +
      header("ccmon_answered", Kpi::kAnswered) +
      "ccmon_answered{queue=\"sales\",channel=\"voice\",window=\"5m\"} 2\n"
      "ccmon_answered{queue=\"sales\",channel=\"voice\",window=\"1h\"} 8\n"
      "ccmon_answered{queue=\"support\",channel=\"chat\",window=\"5m\"} 0\n"
      "ccmon_answered{queue=\"support\",channel=\"chat\",window=\"1h\"} 3\n" +
      // support/chat 5m is undefined: no sample.
      header("ccmon_service_level_ratio", Kpi::kServiceLevelRatio) +
      "ccmon_service_level_ratio{queue=\"sales\",channel=\"voice\",window=\"5m\"} 0.5\n"
      "ccmon_service_level_ratio{queue=\"sales\",channel=\"voice\",window=\"1h\"} 0.75\n"
      "ccmon_service_level_ratio{queue=\"support\",channel=\"chat\",window=\"1h\"} 1\n"
      "# HELP ccmon_deflected Contacts deflected to another channel in the window, by "
      "to_channel.\n"
      "# TYPE ccmon_deflected gauge\n"
      "ccmon_deflected{queue=\"sales\",channel=\"voice\",window=\"5m\",to_channel=\"messaging\"} "
      "1\n"
      "# HELP ccmon_service_level_threshold_seconds Service-level threshold T of the queue and "
      "channel: a contact answered after waiting at most T is within service level.\n"
      "# TYPE ccmon_service_level_threshold_seconds gauge\n"
      "ccmon_service_level_threshold_seconds{queue=\"sales\",channel=\"voice\"} 20\n"
      "ccmon_service_level_threshold_seconds{queue=\"support\",channel=\"chat\"} 60\n" +
      // Team KPIs.
      header("ccmon_occupancy_ratio", TeamKpi::kOccupancyRatio) +
      "ccmon_occupancy_ratio{team=\"a\",window=\"5m\"} 0.625\n"
      "ccmon_occupancy_ratio{team=\"a\",window=\"1h\"} 0.5\n" +
      header("ccmon_contacts_per_agent_hour", TeamKpi::kContactsPerAgentHour) +
      "ccmon_contacts_per_agent_hour{team=\"a\",window=\"1h\"} 7.5\n" +
      header("ccmon_average_time_between_contacts_seconds", TeamKpi::kAverageTimeBetweenContacts) +
      "ccmon_average_time_between_contacts_seconds{team=\"a\",window=\"1h\"} 42\n" +
      // Live state.
      header("ccmon_contacts_waiting", LiveKpi::kContactsWaiting) +
      "ccmon_contacts_waiting{queue=\"sales\",channel=\"voice\"} 2\n"
      "ccmon_contacts_waiting{queue=\"support\",channel=\"chat\"} 0\n" +
      header("ccmon_oldest_waiting_seconds", LiveKpi::kOldestWaiting) +
      "ccmon_oldest_waiting_seconds{queue=\"sales\",channel=\"voice\"} 31.5\n"
      "ccmon_oldest_waiting_seconds{queue=\"support\",channel=\"chat\"} 0\n" +
      header("ccmon_contacts_active", LiveKpi::kContactsActive) +
      "ccmon_contacts_active{queue=\"sales\",channel=\"voice\"} 4\n"
      "ccmon_contacts_active{queue=\"support\",channel=\"chat\"} 1\n" +
      header("ccmon_cases_active", LiveKpi::kCasesActive) +
      "ccmon_cases_active{queue=\"sales\",channel=\"voice\"} 0\n"
      "ccmon_cases_active{queue=\"support\",channel=\"chat\"} 2\n"
      // All five states, zeros included.
      "# HELP ccmon_agents Agents of the team in each state now.\n"
      "# TYPE ccmon_agents gauge\n"
      "ccmon_agents{team=\"a\",state=\"available\"} 1\n"
      "ccmon_agents{team=\"a\",state=\"busy\"} 2\n"
      "ccmon_agents{team=\"a\",state=\"wrap_up\"} 0\n"
      "ccmon_agents{team=\"a\",state=\"away\"} 0\n"
      "ccmon_agents{team=\"a\",state=\"offline\"} 3\n"
      // Since start.
      "# HELP ccmon_contacts_offered_total Contacts offered to the queue since start.\n"
      "# TYPE ccmon_contacts_offered_total counter\n"
      "ccmon_contacts_offered_total{queue=\"sales\",channel=\"voice\"} 10\n"
      "ccmon_contacts_offered_total{queue=\"support\",channel=\"chat\"} 4\n"
      "# HELP ccmon_contacts_answered_total Contacts answered by an agent since start.\n"
      "# TYPE ccmon_contacts_answered_total counter\n"
      "ccmon_contacts_answered_total{queue=\"sales\",channel=\"voice\"} 8\n"
      "ccmon_contacts_answered_total{queue=\"support\",channel=\"chat\"} 3\n"
      "# HELP ccmon_contacts_abandoned_total Contacts abandoned while waiting since start, short "
      "abandons included.\n"
      "# TYPE ccmon_contacts_abandoned_total counter\n"
      "ccmon_contacts_abandoned_total{queue=\"sales\",channel=\"voice\"} 1\n"
      "ccmon_contacts_abandoned_total{queue=\"support\",channel=\"chat\"} 0\n"
      "# HELP ccmon_contacts_handled_total Contacts whose handling (talk, hold, after-contact "
      "work) completed since start.\n"
      "# TYPE ccmon_contacts_handled_total counter\n"
      "ccmon_contacts_handled_total{queue=\"sales\",channel=\"voice\"} 7\n"
      "ccmon_contacts_handled_total{queue=\"support\",channel=\"chat\"} 3\n"
      "# HELP ccmon_wait_seconds Wait of answered and abandoned contacts since start, by "
      "outcome.\n"
      "# TYPE ccmon_wait_seconds histogram\n"
      "ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\",outcome=\"answered\",le=\"0.5\"}"
      " 1\n"
      "ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\",outcome=\"answered\",le=\"20\"} "
      "6\n"
      "ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\",outcome=\"answered\",le=\"60\"} "
      "8\n"
      "ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\",outcome=\"answered\",le=\"+"
      "Inf\"} 8\n"
      "ccmon_wait_seconds_sum{queue=\"sales\",channel=\"voice\",outcome=\"answered\"} 95.5\n"
      "ccmon_wait_seconds_count{queue=\"sales\",channel=\"voice\",outcome=\"answered\"} 8\n"
      "ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\",outcome=\"abandoned\",le=\"0."
      "5\"} 0\n"
      "ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\",outcome=\"abandoned\",le=\"20\"}"
      " 0\n"
      "ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\",outcome=\"abandoned\",le=\"60\"}"
      " 1\n"
      "ccmon_wait_seconds_bucket{queue=\"sales\",channel=\"voice\",outcome=\"abandoned\",le=\"+"
      "Inf\"} 1\n"
      "ccmon_wait_seconds_sum{queue=\"sales\",channel=\"voice\",outcome=\"abandoned\"} 42\n"
      "ccmon_wait_seconds_count{queue=\"sales\",channel=\"voice\",outcome=\"abandoned\"} 1\n"
      "ccmon_wait_seconds_bucket{queue=\"support\",channel=\"chat\",outcome=\"answered\",le=\"0."
      "5\"} 1\n"
      "ccmon_wait_seconds_bucket{queue=\"support\",channel=\"chat\",outcome=\"answered\",le=\"20\"}"
      " 2\n"
      "ccmon_wait_seconds_bucket{queue=\"support\",channel=\"chat\",outcome=\"answered\",le=\"60\"}"
      " 3\n"
      "ccmon_wait_seconds_bucket{queue=\"support\",channel=\"chat\",outcome=\"answered\",le=\"+"
      "Inf\"} 3\n"
      "ccmon_wait_seconds_sum{queue=\"support\",channel=\"chat\",outcome=\"answered\"} 25.25\n"
      "ccmon_wait_seconds_count{queue=\"support\",channel=\"chat\",outcome=\"answered\"} 3\n"
      "ccmon_wait_seconds_bucket{queue=\"support\",channel=\"chat\",outcome=\"abandoned\",le=\"0."
      "5\"} 0\n"
      "ccmon_wait_seconds_bucket{queue=\"support\",channel=\"chat\",outcome=\"abandoned\",le="
      "\"20\"} 0\n"
      "ccmon_wait_seconds_bucket{queue=\"support\",channel=\"chat\",outcome=\"abandoned\",le="
      "\"60\"} 0\n"
      "ccmon_wait_seconds_bucket{queue=\"support\",channel=\"chat\",outcome=\"abandoned\",le=\"+"
      "Inf\"} 0\n"
      "ccmon_wait_seconds_sum{queue=\"support\",channel=\"chat\",outcome=\"abandoned\"} 0\n"
      "ccmon_wait_seconds_count{queue=\"support\",channel=\"chat\",outcome=\"abandoned\"} 0\n"
      // Engine stats.
      "# HELP ccmon_tracked_contacts Contacts the engine holds in memory now.\n"
      "# TYPE ccmon_tracked_contacts gauge\n"
      "ccmon_tracked_contacts 12\n"
      "# HELP ccmon_tracked_cases Cases the engine holds in memory now.\n"
      "# TYPE ccmon_tracked_cases gauge\n"
      "ccmon_tracked_cases 2\n"
      "# HELP ccmon_tracked_agents Agents the engine holds in memory now.\n"
      "# TYPE ccmon_tracked_agents gauge\n"
      "ccmon_tracked_agents 6\n"
      "# HELP ccmon_events_out_of_sequence_total Events the engine found out of sequence with "
      "the state they apply to.\n"
      "# TYPE ccmon_events_out_of_sequence_total counter\n"
      "ccmon_events_out_of_sequence_total 1\n"
      "# HELP ccmon_evicted_contacts_total Idle contacts evicted from the engine's memory.\n"
      "# TYPE ccmon_evicted_contacts_total counter\n"
      "ccmon_evicted_contacts_total 3\n"
      "# HELP ccmon_evicted_cases_total Idle cases evicted from the engine's memory.\n"
      "# TYPE ccmon_evicted_cases_total counter\n"
      "ccmon_evicted_cases_total 0\n"
      "# HELP ccmon_series_folded_total Label values folded into `other` because a configured "
      "cap was reached.\n"
      "# TYPE ccmon_series_folded_total counter\n"
      "ccmon_series_folded_total 0\n";
  CHECK(render(testing::small_snapshot()) == expected);
}

TEST_CASE("an empty snapshot exposes only the engine stats") {
  const std::vector<MetricFamily> families = snapshot_families(Snapshot{});
  std::vector<std::string> names;
  for (const MetricFamily& f : families) names.push_back(f.name);
  // No series, no team: every labelled family is empty and left out.
  CHECK(names == std::vector<std::string>{
                     "ccmon_tracked_contacts", "ccmon_tracked_cases", "ccmon_tracked_agents",
                     "ccmon_events_out_of_sequence_total", "ccmon_evicted_contacts_total",
                     "ccmon_evicted_cases_total", "ccmon_series_folded_total"});
}

TEST_CASE("family names and types follow the catalogue; counters end in _total") {
  for (const MetricFamily& f : snapshot_families(testing::small_snapshot())) {
    INFO(f.name);
    CHECK(f.name.rfind("ccmon_", 0) == 0);
    CHECK_FALSE(f.help.empty());
    const bool total = f.name.size() > 6 && f.name.substr(f.name.size() - 6) == "_total";
    CHECK(total == (f.type == MetricType::kCounter));
  }
}

TEST_CASE("a series carrying fewer windows than the snapshot lists is read safely") {
  Snapshot snap = testing::small_snapshot();
  snap.series[0].windows.resize(1);  // sales/voice: 5m only
  snap.teams[0].windows.clear();
  const auto families = snapshot_families(snap);
  const auto offered = std::find_if(families.begin(), families.end(), [](const MetricFamily& f) {
    return f.name == "ccmon_offered";
  });
  REQUIRE(offered != families.end());
  // sales 5m + support 5m and 1h = 3 samples.
  CHECK(offered->samples.size() == 3);
  const auto occupancy = std::find_if(families.begin(), families.end(), [](const MetricFamily& f) {
    return f.name == "ccmon_occupancy_ratio";
  });
  CHECK(occupancy == families.end());  // no team window left: family absent
}

}  // namespace
}  // namespace ccmon::core
