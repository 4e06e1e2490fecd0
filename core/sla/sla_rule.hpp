// An SLA rule of docs/kpis.md ("SLA rules"), as configured.
#pragma once

#include <string>

#include "core/time.hpp"

namespace ccmon::core {

enum class Comparison { kGreaterEqual, kGreater, kLessEqual, kLess };

struct SlaRule {
  std::string name;  // the `sla` label
  std::string kpi;   // a key of core/kpi.hpp: "service_level_ratio", "oldest_waiting_seconds"...
  Comparison comparison = Comparison::kGreaterEqual;  // the rule holds while value <cmp> target
  double target = 0;
  std::string window = "15m";  // ignored for live KPIs
  std::string queue = "*";     // glob
  std::string channel = "*";   // glob
  double min_volume = 0;       // skip windows whose volume is below this
  Duration for_duration = 0;   // breach only after the condition held this long
  double clear_margin = 0;     // hysteresis: leave breach only once past target by this much
};

}  // namespace ccmon::core
