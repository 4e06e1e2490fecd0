// Everything the KPI engine needs to know from the configuration. Plain data:
// config/ builds it from YAML, tests build it by hand.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/kpi.hpp"
#include "core/time.hpp"
#include "core/tz/time_zone.hpp"

namespace ccmon::core {

struct TrailingWindow {
  std::string name;  // label value, e.g. "5m"
  Duration length = 0;
};

// Service-level settings for the queue x channel pairs matching the globs.
// Later entries win over earlier ones.
struct ServiceLevelOverride {
  std::string queue = "*";    // glob: '*' and '?'
  std::string channel = "*";  // glob
  std::optional<double> threshold_s;
  std::optional<double> short_abandon_s;
};

// Bounds on label values coming from events. Empty allow-list = any value, up
// to the cap; values past the cap or outside the list fold into "other".
struct CardinalityLimits {
  std::vector<std::string> queues;  // allow-list
  std::size_t max_queues = 200;
  std::vector<std::string> teams;
  std::size_t max_teams = 100;
  std::size_t max_channels = 16;  // channels are already validated by the codec
  bool per_agent_series = false;  // reserved: `true` is refused by the loader
};

struct EngineConfig {
  std::vector<TrailingWindow> windows = {
      {"5m", minutes(5)}, {"15m", minutes(15)}, {"1h", hours(1)}, {"24h", hours(24)}};
  bool today_window = true;  // the "today" window
  TimeZone time_zone;        // UTC by default
  int day_start_hour = 0;    // 0..23
  // The length of /v1/intervals' fixed intervals when the query names none:
  // 15 or 30 minutes (rows are kept by 15 minutes either way).
  Duration interval_length = minutes(15);

  ServiceLevelFormula service_level_formula =
      ServiceLevelFormula::kDefault;      // switches, core/kpi.hpp
  double service_level_threshold_s = 20;  // T
  double short_abandon_threshold_s = 5;
  std::vector<ServiceLevelOverride> service_level_overrides;
  std::vector<double> extra_wait_buckets_s;  // added to ccmon_wait_seconds bounds

  double negative_sentiment_threshold = -0.25;

  // After-contact work with no contact.wrapped ends at the agent's next state
  // change or after this long past contact.ended.
  Duration acw_timeout = minutes(10);
  // Contacts/cases with no event for this long are evicted (and counted).
  Duration contact_idle_timeout = hours(12);
  Duration case_idle_timeout = hours(24 * 30);
  // Hard caps on tracked state; the least recently touched is evicted first.
  std::size_t max_tracked_contacts = 2'000'000;
  std::size_t max_tracked_cases = 2'000'000;
  std::size_t max_tracked_agents = 100'000;
  // Bound on the estimated bytes of tracked contacts, cases and agents
  // together (ContactBook/CaseBook/AgentBook::bytes_of): past it, the kind
  // holding the most bytes loses its least recently touched record.
  std::size_t max_tracked_bytes = std::size_t{1} << 30;

  // Unordered delivery (docs/events.md): a contact's or case's event that
  // does not fit its state yet (an answer before its queueing) is held this
  // long of event time, and applied in event-time order when the event it
  // waits for arrives; past it, what still does not fit is out of sequence.
  // 0 holds nothing (every such event is out of sequence at once).
  Duration lateness = seconds(30);
  // Bound on the events held at once; past it the one held longest (by
  // event time) is given up as out of sequence, and counted.
  std::size_t max_held_events = 100'000;
  // Whether an event that does not fit yet is held at all (else it is out
  // of sequence at once); one engine and the shard router ask alike.
  bool holds_events() const { return lateness > 0 && max_held_events > 0; }

  CardinalityLimits limits;
};

}  // namespace ccmon::core
