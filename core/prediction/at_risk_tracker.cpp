// See at_risk_tracker.hpp.
#include "core/prediction/at_risk_tracker.hpp"

namespace ccmon::core {
namespace {

std::string key(const std::string& sla, const std::string& queue, const std::string& channel) {
  std::string k;
  for (const std::string* part : {&sla, &queue}) {
    k.append(std::to_string(part->size())).append(":").append(*part);
  }
  k.append(channel);
  return k;
}

// Inverse of key() for the departed rules' transitions.
AtRiskTransition from_key(const std::string& k, Timestamp at) {
  AtRiskTransition t;
  std::size_t pos = 0;
  for (std::string* part : {&t.sla, &t.queue}) {
    const std::size_t colon = k.find(':', pos);
    const std::size_t n = std::stoul(k.substr(pos, colon - pos));
    *part = k.substr(colon + 1, n);
    pos = colon + 1 + n;
  }
  t.channel = k.substr(pos);
  t.at = at;
  return t;
}

}  // namespace

std::vector<AtRiskTransition> AtRiskTracker::update(const Forecast& f) {
  std::vector<AtRiskTransition> out;
  std::unordered_set<std::string> now;
  for (const RuleRisk& r : f.rules) {
    if (!r.at_risk) continue;
    std::string k = key(r.sla, r.queue, r.channel);
    if (!at_risk_.contains(k)) {
      out.push_back({r.sla, r.queue, r.channel, true, r.breach_eta_seconds, f.at});
    }
    now.insert(std::move(k));
  }
  for (const std::string& k : at_risk_) {
    if (!now.contains(k)) out.push_back(from_key(k, f.at));
  }
  at_risk_ = std::move(now);
  return out;
}

}  // namespace ccmon::core
