#include "server/sla_log.hpp"

#include <spdlog/fmt/fmt.h>

#include "server/text_escape.hpp"

namespace ccmon::server {

std::string format_sla_transition(const core::SlaTransition& tr) {
  return fmt::format("SLA {}: rule={} queue={} channel={} value={} target={}",
                     tr.entered ? "breached" : "recovered", tr.sla, loggable(tr.queue),
                     loggable(tr.channel), tr.value ? fmt::format("{:g}", *tr.value) : "undefined",
                     tr.target);
}

SlaLog sla_log_lines(std::span<const core::SlaTransition> transitions, std::size_t max_lines) {
  SlaLog log;
  std::size_t breached = 0;
  for (std::size_t i = 0; i < transitions.size(); ++i) {
    const auto& tr = transitions[i];
    if (i < max_lines) {
      log.lines.push_back({tr.entered, format_sla_transition(tr)});
      continue;
    }
    ++log.suppressed;
    if (tr.entered) ++breached;
  }
  if (log.suppressed != 0) {
    log.lines.push_back(
        {breached != 0,
         fmt::format("{} more SLA transitions suppressed ({} breached, {} recovered) to keep the "
                     "log bounded; ccmon_sla_breached and /v1/kpis show every rule's state",
                     log.suppressed, breached, log.suppressed - breached)});
  }
  return log;
}

std::string format_at_risk_transition(const core::AtRiskTransition& tr) {
  if (!tr.entered) {
    return fmt::format("SLA no longer at risk: rule={} queue={} channel={}", tr.sla,
                       loggable(tr.queue), loggable(tr.channel));
  }
  return fmt::format("SLA at risk: rule={} queue={} channel={} breach_eta={}", tr.sla,
                     loggable(tr.queue), loggable(tr.channel),
                     !tr.breach_eta_seconds        ? std::string("unknown")
                     : *tr.breach_eta_seconds == 0 ? std::string("now")
                                                   : fmt::format("{:g}s", *tr.breach_eta_seconds));
}

SlaLog at_risk_log_lines(std::span<const core::AtRiskTransition> transitions,
                         std::size_t max_lines) {
  SlaLog log;
  std::size_t entered = 0;
  for (std::size_t i = 0; i < transitions.size(); ++i) {
    const auto& tr = transitions[i];
    if (i < max_lines) {
      log.lines.push_back({tr.entered, format_at_risk_transition(tr)});
      continue;
    }
    ++log.suppressed;
    if (tr.entered) ++entered;
  }
  if (log.suppressed != 0) {
    log.lines.push_back(
        {entered != 0,
         fmt::format("{} more SLA at-risk transitions suppressed ({} at risk, {} no longer) to "
                     "keep the log bounded; ccmon_sla_at_risk shows every rule's state",
                     log.suppressed, entered, log.suppressed - entered)});
  }
  return log;
}

}  // namespace ccmon::server
