// The one /metrics writer of a snapshot, append_snapshot_text, against
// expositions written by hand and, for generated snapshots, against what an
// independent reader of the text format (exposition_reader.hpp) finds in its
// output compared with the snapshot itself.
#include "core/exposition/snapshot_text.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "core/exposition/engine_families.hpp"
#include "core/kpi_parts.hpp"
#include "tests/core/exposition/exposition_reader.hpp"
#include "tests/core/exposition/random_snapshot.hpp"
#include "tests/core/exposition/small_snapshot.hpp"

namespace ccmon::core {
namespace {

using testing::Exposition;
using testing::read_exposition;
using testing::SeriesKey;

// HELP and TYPE lines; catalogue KPIs take their HELP from core/kpi.hpp, the
// single source of that text.
template <typename K>
std::string header(const char* name, K kpi) {
  return std::string("# HELP ") + name + " " + std::string(info(kpi).help) + "\n# TYPE " + name +
         " gauge\n";
}

std::string render(const Snapshot& snap) {
  std::string out;
  append_snapshot_text(out, snap);
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
      // Its parts: within T and answered (+ abandoned - short, none here); no
      // sample where the ratio is undefined and they are 0 (support 5m).
      "# HELP ccmon_service_level_met Contacts within service level in the window: the "
      "numerator of ccmon_service_level_ratio under the configured formula.\n"
      "# TYPE ccmon_service_level_met gauge\n"
      "ccmon_service_level_met{queue=\"sales\",channel=\"voice\",window=\"5m\"} 1\n"
      "ccmon_service_level_met{queue=\"sales\",channel=\"voice\",window=\"1h\"} 6\n"
      "ccmon_service_level_met{queue=\"support\",channel=\"chat\",window=\"1h\"} 3\n"
      "# HELP ccmon_service_level_eligible Contacts the service-level formula counts in the "
      "window: the denominator of ccmon_service_level_ratio.\n"
      "# TYPE ccmon_service_level_eligible gauge\n"
      "ccmon_service_level_eligible{queue=\"sales\",channel=\"voice\",window=\"5m\"} 2\n"
      "ccmon_service_level_eligible{queue=\"sales\",channel=\"voice\",window=\"1h\"} 8\n"
      "ccmon_service_level_eligible{queue=\"support\",channel=\"chat\",window=\"1h\"} 3\n"
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
      "ccmon_average_time_between_contacts_seconds{team=\"a\",window=\"1h\"} 42\n"
      // Their parts, in seconds.
      "# HELP ccmon_team_staffed_seconds Time the team's agents were available, busy or in "
      "wrap-up in the window.\n"
      "# TYPE ccmon_team_staffed_seconds gauge\n"
      "ccmon_team_staffed_seconds{team=\"a\",window=\"5m\"} 80\n"
      "ccmon_team_staffed_seconds{team=\"a\",window=\"1h\"} 7200\n"
      "# HELP ccmon_team_occupied_seconds Time the team's agents were busy or in wrap-up in the "
      "window.\n"
      "# TYPE ccmon_team_occupied_seconds gauge\n"
      "ccmon_team_occupied_seconds{team=\"a\",window=\"5m\"} 50\n"
      "ccmon_team_occupied_seconds{team=\"a\",window=\"1h\"} 3600\n"
      "# HELP ccmon_team_handled Contacts the team's agents handled in the window.\n"
      "# TYPE ccmon_team_handled gauge\n"
      "ccmon_team_handled{team=\"a\",window=\"1h\"} 15\n"
      "# HELP ccmon_team_between_contacts Intervals from an agent's wrap-up to its next answer "
      "that ended in the window.\n"
      "# TYPE ccmon_team_between_contacts gauge\n"
      "ccmon_team_between_contacts{team=\"a\",window=\"1h\"} 5\n"
      "# HELP ccmon_team_between_contacts_seconds Total length of the intervals from an agent's "
      "wrap-up to its next answer that ended in the window.\n"
      "# TYPE ccmon_team_between_contacts_seconds gauge\n"
      "ccmon_team_between_contacts_seconds{team=\"a\",window=\"1h\"} 210\n" +
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
      "# HELP ccmon_contacts_short_abandoned_total Contacts abandoned before the short-abandon "
      "threshold since start.\n"
      "# TYPE ccmon_contacts_short_abandoned_total counter\n"
      "ccmon_contacts_short_abandoned_total{queue=\"sales\",channel=\"voice\"} 1\n"
      "ccmon_contacts_short_abandoned_total{queue=\"support\",channel=\"chat\"} 0\n"
      "# HELP ccmon_contacts_overflowed_total Contacts removed from the queue by routing without "
      "an agent since start.\n"
      "# TYPE ccmon_contacts_overflowed_total counter\n"
      "ccmon_contacts_overflowed_total{queue=\"sales\",channel=\"voice\"} 2\n"
      "ccmon_contacts_overflowed_total{queue=\"support\",channel=\"chat\"} 0\n"
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
      "# HELP ccmon_tracked_state_bytes Estimated bytes of the contacts, cases and agents the "
      "engine holds in memory now.\n"
      "# TYPE ccmon_tracked_state_bytes gauge\n"
      "ccmon_tracked_state_bytes 5120\n"
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
      "# HELP ccmon_evicted_agents_total Agents evicted from the engine's memory because "
      "state.max_agents or state.max_tracked_bytes was reached.\n"
      "# TYPE ccmon_evicted_agents_total counter\n"
      "ccmon_evicted_agents_total 4\n"
      "# HELP ccmon_series_folded_total Label values folded into `other` because a configured "
      "cap was reached.\n"
      "# TYPE ccmon_series_folded_total counter\n"
      "ccmon_series_folded_total 0\n"
      "# HELP ccmon_held_events Events held now for unordered delivery, waiting for the event "
      "they depend on (ingest.lateness).\n"
      "# TYPE ccmon_held_events gauge\n"
      "ccmon_held_events 3\n"
      "# HELP ccmon_held_events_evicted_total Held events given up before their lateness passed "
      "because state.max_held_events was reached.\n"
      "# TYPE ccmon_held_events_evicted_total counter\n"
      "ccmon_held_events_evicted_total 1\n"
      "# HELP ccmon_byte_bound_evictions_total Records evicted from the engine's memory because "
      "state.max_tracked_bytes was reached, by kind (also counted in "
      "ccmon_evicted_<kind>s_total).\n"
      "# TYPE ccmon_byte_bound_evictions_total counter\n"
      "ccmon_byte_bound_evictions_total{kind=\"contact\"} 2\n"
      "ccmon_byte_bound_evictions_total{kind=\"case\"} 0\n"
      "ccmon_byte_bound_evictions_total{kind=\"agent\"} 1\n";
  CHECK(render(testing::small_snapshot()) == expected);
}

TEST_CASE("append_snapshot_text appends after what the string already holds") {
  const Snapshot snap = testing::small_snapshot();
  std::string out = "# prefix\n";
  append_snapshot_text(out, snap);
  CHECK(out == "# prefix\n" + render(snap));
}

TEST_CASE("an empty snapshot exposes only the engine stats") {
  const Exposition e = read_exposition(render(Snapshot{}));
  CHECK(e.errors.empty());
  std::vector<std::string> names;
  for (const auto& f : e.families) names.push_back(f.name);
  // No series, no team: every labelled family is empty and left out.
  CHECK(names == std::vector<std::string>{
                     "ccmon_tracked_contacts", "ccmon_tracked_cases", "ccmon_tracked_agents",
                     "ccmon_tracked_state_bytes", "ccmon_events_out_of_sequence_total",
                     "ccmon_evicted_contacts_total", "ccmon_evicted_cases_total",
                     "ccmon_evicted_agents_total", "ccmon_series_folded_total", "ccmon_held_events",
                     "ccmon_held_events_evicted_total", "ccmon_byte_bound_evictions_total"});
  CHECK(e.samples.size() == 14);  // 11 unlabelled, 3 kinds
  CHECK(e.samples.at({"ccmon_byte_bound_evictions_total", {{"kind", "agent"}}}).text == "0");
  CHECK(e.samples.at({"ccmon_tracked_contacts", {}}).text == "0");
}

TEST_CASE("family names and types follow Prometheus practice; counters end in _total") {
  const Exposition e = read_exposition(render(testing::small_snapshot()));
  CHECK(e.errors.empty());
  CHECK(e.families.size() > 10);
  for (const auto& f : e.families) {
    INFO(f.name);
    CHECK(f.name.rfind("ccmon_", 0) == 0);
    CHECK_FALSE(f.help.empty());
    const bool total = f.name.size() > 6 && f.name.substr(f.name.size() - 6) == "_total";
    CHECK(total == (f.type == "counter"));
  }
}

TEST_CASE("a series carrying fewer windows than the snapshot lists is read safely") {
  Snapshot snap = testing::small_snapshot();
  snap.series[0].windows.resize(1);  // sales/voice: 5m only
  snap.teams[0].windows.clear();
  const Exposition e = read_exposition(render(snap));
  CHECK(e.errors.empty());
  std::size_t offered = 0;
  for (const auto& [key, sample] : e.samples) offered += key.first == "ccmon_offered" ? 1 : 0;
  // sales 5m + support 5m and 1h = 3 samples.
  CHECK(offered == 3);
  for (const auto& f : e.families) CHECK(f.name != "ccmon_occupancy_ratio");  // no team window
}

TEST_CASE("the exposition reader finds broken text") {
  // The oracle below is only as good as its reader: each of these breaks a rule.
  const char* broken[] = {
      "ccmon_x 1\n",                                                     // no HELP / TYPE
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\nccmon_x 1\nccmon_x 2\n",  // same series twice
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\nccmon_y 1\n",             // another family's sample
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\nccmon_x{a=\"b} 1\n",      // unterminated value
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\nccmon_x{a=\"\\q\"} 1\n",  // bad escape
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\nccmon_x 1.0.0\n",         // bad number
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\nccmon_x inf\n",           // not the format's +Inf
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\nccmon_x 1\n"
      "# HELP ccmon_y y\n# TYPE ccmon_y gauge\nccmon_y 1\n"
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\n",           // family split in two
      "# HELP ccmon_x x\n# TYPE ccmon_x gauge\nccmon_x 1",  // no final newline
  };
  for (const char* text : broken) {
    INFO(text);
    CHECK_FALSE(read_exposition(text).errors.empty());
  }
  const Exposition ok = read_exposition(
      "# HELP ccmon_x a \\\\ b\\n\n# TYPE ccmon_x histogram\n"
      "ccmon_x_bucket{q=\"a\\\"b\\\\c\\nd\",le=\"+Inf\"} 3\nccmon_x_sum{q=\"a\"} NaN\n"
      "ccmon_x_count{q=\"a\"} 3\n");
  CHECK(ok.errors.empty());
  REQUIRE(ok.families.size() == 1);
  CHECK(ok.families[0].help == "a \\ b\n");
  CHECK(ok.samples.count({"ccmon_x_bucket", {{"q", "a\"b\\c\nd"}, {"le", "+Inf"}}}) == 1);
}

// --- Generated snapshots: the reader's view of the text against the snapshot.

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Every sample the text must hold for `snap`, with its family, from the
// snapshot's own fields: the value as a double, or exactly as text for the
// integer counts of a histogram.
struct Expected {
  std::vector<std::pair<std::string, std::string>> families;  // name, type; in order
  std::map<SeriesKey, double> values;
  std::map<SeriesKey, std::string> texts;
};

Expected expected_from(const Snapshot& snap) {
  Expected x;
  std::size_t before = 0;
  auto family = [&](std::string_view key, const char* type) {
    // A family is listed only once a sample of it was added.
    x.families.emplace_back("ccmon_" + std::string(key), type);
    before = x.values.size() + x.texts.size();
  };
  auto end_family = [&] {
    if (x.values.size() + x.texts.size() == before) x.families.pop_back();
  };
  auto windows = [&](std::size_t carried) { return std::min(snap.windows.size(), carried); };
  auto qc = [](const SeriesSnapshot& s) {
    return std::map<std::string, std::string>{{"queue", s.queue}, {"channel", s.channel}};
  };

  for (int k = 0; k < kKpiCount; ++k) {
    family(info(static_cast<Kpi>(k)).key, "gauge");
    for (const SeriesSnapshot& s : snap.series) {
      for (std::size_t w = 0; w < windows(s.windows.size()); ++w) {
        const KpiValue& v = s.windows[w].kpis[static_cast<std::size_t>(k)];
        auto labels = qc(s);
        labels["window"] = snap.windows[w];
        if (v.value) x.values[{x.families.back().first, labels}] = *v.value;
      }
    }
    end_family();
  }
  // A part: the window's sum of its fields, seconds for durations; present
  // where it is non-zero or its KPI is defined.
  auto part_of = [&](const auto& part, const auto& fields, const auto& sums) {
    double n = 0;
    for (std::size_t i = 0; i < fields.size; ++i) {
      n += fields.terms[i].sign *
           static_cast<double>(sums[static_cast<std::size_t>(fields.terms[i].field)]);
    }
    return part.info.unit == Unit::kSeconds ? n / 1e6 : n;
  };
  for (const WindowKpiPart& part : kKpiParts) {
    family(part.info.key, "gauge");
    const ServiceLevelRatio sl = service_level_ratio(snap.service_level_formula);
    const auto& fields = part.kind == PartKind::kServiceLevelMet        ? sl.numerator
                         : part.kind == PartKind::kServiceLevelEligible ? sl.denominator
                                                                        : part.fields;
    for (const SeriesSnapshot& s : snap.series) {
      for (std::size_t w = 0; w < windows(s.windows.size()); ++w) {
        const double v = part_of(part, fields, s.windows[w].sums);
        if (v == 0 && !s.windows[w].kpis[static_cast<std::size_t>(part.kpi)].value) continue;
        auto labels = qc(s);
        labels["window"] = snap.windows[w];
        x.values[{x.families.back().first, labels}] = v;
      }
    }
    end_family();
  }
  family("deflected", "gauge");
  for (const SeriesSnapshot& s : snap.series) {
    for (std::size_t w = 0; w < windows(s.windows.size()); ++w) {
      for (const auto& [to, n] : s.windows[w].deflected) {
        auto labels = qc(s);
        labels["window"] = snap.windows[w];
        labels["to_channel"] = to;
        x.values[{"ccmon_deflected", labels}] = static_cast<double>(n);
      }
    }
  }
  end_family();
  family("service_level_threshold_seconds", "gauge");
  for (const SeriesSnapshot& s : snap.series) {
    x.values[{"ccmon_service_level_threshold_seconds", qc(s)}] = s.service_level_threshold_s;
  }
  end_family();
  for (int k = 0; k < kTeamKpiCount; ++k) {
    family(info(static_cast<TeamKpi>(k)).key, "gauge");
    for (const TeamSnapshot& t : snap.teams) {
      for (std::size_t w = 0; w < windows(t.windows.size()); ++w) {
        const KpiValue& v = t.windows[w][static_cast<std::size_t>(k)];
        if (v.value) {
          x.values[{x.families.back().first, {{"team", t.team}, {"window", snap.windows[w]}}}] =
              *v.value;
        }
      }
    }
    end_family();
  }
  for (const TeamKpiPart& part : kTeamKpiParts) {
    family(part.info.key, "gauge");
    for (const TeamSnapshot& t : snap.teams) {
      for (std::size_t w = 0; w < std::min(windows(t.windows.size()), t.sums.size()); ++w) {
        const double v = part_of(part, part.fields, t.sums[w]);
        if (v == 0 && !t.windows[w][static_cast<std::size_t>(part.kpi)].value) continue;
        x.values[{x.families.back().first, {{"team", t.team}, {"window", snap.windows[w]}}}] = v;
      }
    }
    end_family();
  }
  for (int k = 0; k < kLiveKpiCount; ++k) {
    family(info(static_cast<LiveKpi>(k)).key, "gauge");
    for (const SeriesSnapshot& s : snap.series) {
      x.values[{x.families.back().first, qc(s)}] = s.live[static_cast<std::size_t>(k)];
    }
    end_family();
  }
  family("agents", "gauge");
  for (const TeamSnapshot& t : snap.teams) {
    for (int st = 0; st < kAgentStateCount; ++st) {
      x.values[{
          "ccmon_agents",
          {{"team", t.team}, {"state", std::string(to_string(static_cast<AgentState>(st)))}}}] =
          static_cast<double>(t.agents[static_cast<std::size_t>(st)]);
    }
  }
  end_family();
  const std::pair<const char*, std::uint64_t SeriesSnapshot::*> counters[] = {
      {"contacts_offered_total", &SeriesSnapshot::offered_total},
      {"contacts_answered_total", &SeriesSnapshot::answered_total},
      {"contacts_abandoned_total", &SeriesSnapshot::abandoned_total},
      {"contacts_short_abandoned_total", &SeriesSnapshot::short_abandoned_total},
      {"contacts_overflowed_total", &SeriesSnapshot::overflowed_total},
      {"contacts_handled_total", &SeriesSnapshot::handled_total},
  };
  for (const auto& [key, member] : counters) {
    family(key, "counter");
    for (const SeriesSnapshot& s : snap.series) {
      x.values[{x.families.back().first, qc(s)}] = static_cast<double>(s.*member);
    }
    end_family();
  }
  family("wait_seconds", "histogram");
  for (const SeriesSnapshot& s : snap.series) {
    for (const auto& [outcome, h] :
         {std::pair<const char*, const Histogram*>{"answered", &s.wait_answered},
          {"abandoned", &s.wait_abandoned}}) {
      auto labels = qc(s);
      labels["outcome"] = outcome;
      const std::size_t n = std::min(snap.wait_bucket_bounds.size(), h->cumulative_counts.size());
      for (std::size_t i = 0; i < n; ++i) {
        auto le = labels;
        // The bounds are read back as numbers below, so their spelling is free here.
        le["le"] = "#" + std::to_string(i);
        x.texts[{"ccmon_wait_seconds_bucket", le}] = std::to_string(h->cumulative_counts[i]);
      }
      auto inf = labels;
      inf["le"] = "+Inf";
      x.texts[{"ccmon_wait_seconds_bucket", inf}] = std::to_string(h->count);
      x.texts[{"ccmon_wait_seconds_count", labels}] = std::to_string(h->count);
      x.values[{"ccmon_wait_seconds_sum", labels}] = h->sum;
    }
  }
  end_family();
  const std::pair<const char*, std::uint64_t EngineStats::*> stats[] = {
      {"tracked_contacts", &EngineStats::tracked_contacts},
      {"tracked_cases", &EngineStats::tracked_cases},
      {"tracked_agents", &EngineStats::tracked_agents},
      {"tracked_state_bytes", &EngineStats::tracked_state_bytes},
      {"events_out_of_sequence_total", &EngineStats::out_of_sequence_total},
      {"evicted_contacts_total", &EngineStats::evicted_contacts_total},
      {"evicted_cases_total", &EngineStats::evicted_cases_total},
      {"evicted_agents_total", &EngineStats::evicted_agents_total},
      {"series_folded_total", &EngineStats::series_folded_total},
      {"held_events", &EngineStats::held_events},
      {"held_events_evicted_total", &EngineStats::held_events_evicted_total},
  };
  for (const auto& [key, member] : stats) {
    const std::string name = key;
    family(key, name.size() > 6 && name.substr(name.size() - 6) == "_total" ? "counter" : "gauge");
    x.values[{x.families.back().first, {}}] = static_cast<double>(snap.stats.*member);
    end_family();
  }
  family("byte_bound_evictions_total", "counter");
  for (const auto& [kind, member] :
       {std::pair{"contact", &EngineStats::contact_byte_bound_evictions_total},
        std::pair{"case", &EngineStats::case_byte_bound_evictions_total},
        std::pair{"agent", &EngineStats::agent_byte_bound_evictions_total}}) {
    x.values[{x.families.back().first, {{"kind", kind}}}] = static_cast<double>(snap.stats.*member);
  }
  end_family();
  return x;
}

// Bucket bounds in the text are numbers: "le" values become "#<index>" of
// the snapshot's bounds, so that the comparison above need not spell them.
void index_bounds(const Snapshot& snap, Exposition& e, std::vector<std::string>& problems) {
  std::map<SeriesKey, testing::ReadSample> out;
  for (const auto& [read, sample] : e.samples) {
    SeriesKey key = read;
    auto it = key.second.find("le");
    if (key.first == "ccmon_wait_seconds_bucket" && it != key.second.end() &&
        it->second != "+Inf") {
      double b = 0;
      if (!testing::exposition_reader_detail::parse_number(it->second, b)) {
        problems.push_back("le is not a number: " + it->second);
      }
      std::size_t i = 0;
      while (i < snap.wait_bucket_bounds.size() && !same(snap.wait_bucket_bounds[i], b)) ++i;
      it->second = "#" + std::to_string(i);
    }
    out.emplace(std::move(key), sample);
  }
  e.samples = std::move(out);
}

std::string show(const SeriesKey& k) {
  std::string s = k.first + "{";
  for (const auto& [n, v] : k.second) s += n + "=\"" + v + "\",";
  return s + "}";
}

TEST_CASE("generated snapshots: the text holds exactly the snapshot's values") {
  struct Case {
    std::uint32_t seed;
    int defined_percent;
    int series;
    int teams;
    bool malformed;
  };
  const Case cases[] = {
      {1, 100, 40, 5, false}, {2, 50, 80, 20, false}, {3, 0, 30, 3, false},
      {4, 70, 100, 25, true}, {5, 30, 60, 0, true},   {6, 90, 0, 12, true},
  };
  for (const Case& c : cases) {
    testing::SnapshotGenerator gen(c.seed, c.defined_percent);
    const Snapshot snap = gen.make(c.series, c.teams, c.malformed);
    INFO("seed " << c.seed);
    Exposition e = read_exposition(render(snap));
    std::vector<std::string> problems = e.errors;
    index_bounds(snap, e, problems);
    const Expected x = expected_from(snap);

    std::vector<std::pair<std::string, std::string>> families;
    for (const auto& f : e.families) families.emplace_back(f.name, f.type);
    CHECK(families == x.families);
    for (const auto& [key, v] : x.values) {
      auto it = e.samples.find(key);
      if (it == e.samples.end()) {
        problems.push_back("missing " + show(key));
      } else if (!same(it->second.value, v)) {
        problems.push_back(show(key) + " is " + it->second.text);
      }
    }
    for (const auto& [key, text] : x.texts) {
      auto it = e.samples.find(key);
      if (it == e.samples.end() || it->second.text != text) {
        problems.push_back(show(key) + " should be " + text);
      }
    }
    CHECK(e.samples.size() == x.values.size() + x.texts.size());
    std::string first;  // the first few, to read
    for (std::size_t i = 0; i < problems.size() && i < 10; ++i) first += problems[i] + "\n";
    INFO(first);
    CHECK(problems.empty());
  }
}

}  // namespace
}  // namespace ccmon::core
