// The log lines of SLA transitions (docs/sla.md, "Log lines"). Transitions
// are evaluated on the engine tick only, once a second; each tick logs at
// most kMaxSlaLogLines of them, then one summary line, so 200 flapping
// queues cannot write megabytes a second. Client-supplied text (the queue
// name) is escaped and cut by loggable(). Pure: the caller writes the lines.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "core/prediction/at_risk_tracker.hpp"
#include "core/sla/sla_evaluator.hpp"

namespace ccmon::server {

// Transition lines per tick before the rest are summarised (docs/security.md).
inline constexpr std::size_t kMaxSlaLogLines = 10;

struct SlaLogLine {
  bool warning = false;  // a breach (or a summary with one): warn, else info
  std::string text;
};

struct SlaLog {
  std::vector<SlaLogLine> lines;  // at most max_lines + 1
  std::size_t suppressed = 0;     // transitions folded into the summary line
};

// "SLA breached: rule=… queue=… channel=… value=… target=…" (or "SLA
// recovered: …"); queue and channel through loggable().
std::string format_sla_transition(const core::SlaTransition& tr);

// The lines for one tick's transitions, oldest first: the first `max_lines`
// one each, then, if more, "K more SLA transitions suppressed (B breached, R
// recovered) …" naming how many of each.
SlaLog sla_log_lines(std::span<const core::SlaTransition> transitions,
                     std::size_t max_lines = kMaxSlaLogLines);

// "SLA at risk: rule=… queue=… channel=… breach_eta=42s" (a warning; "now"
// when the rule fails already) or "SLA no longer at risk: rule=… queue=…
// channel=…" (info); queue and channel through loggable().
std::string format_at_risk_transition(const core::AtRiskTransition& tr);

// As sla_log_lines, for at-risk transitions (their own budget of
// `max_lines` a tick, then "K more SLA at-risk transitions suppressed (A at
// risk, N no longer) …").
SlaLog at_risk_log_lines(std::span<const core::AtRiskTransition> transitions,
                         std::size_t max_lines = kMaxSlaLogLines);

}  // namespace ccmon::server
