// Transitions of SLA rules into and out of "at risk" (docs/sla.md), found by
// comparing each tick's forecast with the last one, for the log. Pure; not
// thread-safe (one owner, the engine runner). Not part of the state image:
// after a restart, rules still at risk are announced again.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/prediction/prediction.hpp"
#include "core/time.hpp"

namespace ccmon::core {

struct AtRiskTransition {
  std::string sla;
  std::string queue;
  std::string channel;
  bool entered = false;                      // true: now at risk; false: no longer
  std::optional<double> breach_eta_seconds;  // when entered
  Timestamp at = 0;
};

class AtRiskTracker {
 public:
  // Transitions from the previous call's forecast to `f` (a rule or series
  // that disappeared while at risk leaves it), in the order of f.rules then
  // the departed ones.
  std::vector<AtRiskTransition> update(const Forecast& f);

 private:
  std::unordered_set<std::string> at_risk_;  // length-prefixed sla, queue, channel
};

}  // namespace ccmon::core
