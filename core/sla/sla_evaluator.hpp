// Evaluates the configured SLA rules (docs/kpis.md "SLA rules") against KPI
// snapshots. Pure: time is an argument, nothing is logged here; breach
// transitions are queued for the server to log. Not thread-safe: one owner
// (the engine runner) calls evaluate/reconfigure and publishes copies of
// states(). Semantics are documented in docs/sla.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engine/persist_access.hpp"
#include "core/engine/snapshot.hpp"
#include "core/sla/sla_rule.hpp"
#include "core/time.hpp"

namespace ccmon::core {

// One rule applied to one queue x channel series of the snapshot.
struct SlaState {
  std::string sla;
  std::string queue;
  std::string channel;
  // Copied from the rule so that exposition needs nothing else.
  std::string kpi;
  std::string window;  // empty for live KPIs
  Comparison comparison = Comparison::kGreaterEqual;
  // The value last judged; absent when the last evaluation was skipped
  // (undefined KPI or volume below the rule's min_volume).
  std::optional<double> value;
  double target = 0;
  bool breached = false;
  std::uint64_t breaches_total = 0;  // transitions into breach
  Timestamp since = 0;               // when `breached` took its current value
};

struct SlaTransition {
  std::string sla;
  std::string queue;
  std::string channel;
  std::optional<double> value;  // absent when the series or rule went away
  double target = 0;
  bool entered = false;  // true: entered breach; false: left it
  Timestamp at = 0;
};

// ">=", ">", "<=", "<".
std::string_view to_string(Comparison c);

class SlaEvaluator {
 public:
  explicit SlaEvaluator(std::vector<SlaRule> rules);

  // Judges every rule against every matching series of `snapshot` as of
  // `now`. Series present before but gone from the snapshot lose their state
  // (a breach among them is reported as left).
  void evaluate(const Snapshot& snapshot, Timestamp now);

  // Ordered by rule (configuration order), then by (queue, channel).
  const std::vector<SlaState>& states() const { return states_; }

  // Transitions since the last call, oldest first. At most
  // kMaxPendingTransitions are kept; older ones are dropped and counted.
  std::vector<SlaTransition> take_transitions();
  std::uint64_t transitions_dropped() const { return transitions_dropped_; }
  static constexpr std::size_t kMaxPendingTransitions = 10'000;

  // Swaps in a new rule set. States of rules whose name and definition are
  // unchanged are kept (breach, counters, pending "for" timer); the others
  // start afresh at the next evaluate. Breaches that disappear are reported
  // as left at the time of the last evaluate.
  void reconfigure(std::vector<SlaRule> rules);

  const std::vector<SlaRule>& rules() const { return rules_; }

 private:
  friend struct persist::Access;  // the state codec (core/persist)

  // Bookkeeping beside each state (parallel to states_).
  struct Track {
    std::size_t rule = 0;           // index into rules_
    bool violating = false;         // last judged value broke the rule
    Timestamp violating_since = 0;  // start of the current unbroken violation
  };

  void judge(const SlaRule& rule, SlaState& state, Track& track, std::optional<double> value,
             Timestamp now);
  void push(const SlaState& state, bool entered, Timestamp at);
  void report_left(const SlaState& state, Timestamp at);

  std::vector<SlaRule> rules_;
  std::vector<SlaState> states_;
  std::vector<Track> tracks_;
  std::vector<SlaTransition> transitions_;
  std::uint64_t transitions_dropped_ = 0;
  Timestamp last_now_ = 0;
};

}  // namespace ccmon::core
