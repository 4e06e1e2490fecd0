#include "tools/sim/sim_config.hpp"

#include <algorithm>
#include <set>

namespace ccmon::sim {

const char* channel_name(Channel c) {
  switch (c) {
    case Channel::kVoice:
      return "voice";
    case Channel::kChat:
      return "chat";
    case Channel::kMessaging:
      return "messaging";
    case Channel::kEmail:
      return "email";
  }
  return "voice";
}

std::vector<std::string> default_queue_names(int n) {
  static const char* const kNames[] = {"sales", "support", "billing", "vip"};
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(i < 4 ? std::string(kNames[i]) : "queue" + std::to_string(i + 1));
  }
  return out;
}

std::string validate(const SimConfig& config) {
  if (config.duration <= 0) return "the duration must be positive";
  if (config.agents < 1 || config.agents > 100'000) return "--agents must be in 1..100000";
  if (config.queues.empty() || config.queues.size() > 64) return "there must be 1..64 queues";
  std::set<std::string> seen;
  for (const auto& q : config.queues) {
    // Names go into JSON unescaped and into metric labels: keep them plain.
    const bool plain = !q.empty() && q.size() <= 64 && std::all_of(q.begin(), q.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_' || ch == '.';
    });
    if (!plain) return "queue name `" + q + "` must be 1..64 of [A-Za-z0-9._-]";
    if (!seen.insert(q).second) return "queue `" + q + "` is listed twice";
  }
  if (!(config.rate > 0) || config.rate > 1e6) return "--rate must be a positive number";
  if (const auto& s = config.steady) {
    const auto ok = [](double v) { return v > 0 && v < 1e9; };
    if (!ok(s->arrivals_per_second) || !ok(s->handle_seconds) || !ok(s->patience_seconds)) {
      return "--steady needs three positive numbers: RATE (per second), AHT and PATIENCE "
             "(seconds)";
    }
  }
  return {};
}

}  // namespace ccmon::sim
