// What the simulated contact center looks like and when it runs. Plain data;
// the command line (options.cpp) and tests fill it in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace ccmon::sim {

enum class Channel : std::uint8_t { kVoice, kChat, kMessaging, kEmail };
inline constexpr int kChannelCount = 4;
const char* channel_name(Channel c);

// `--steady RATE,AHT,PATIENCE`: the M/M/N+M center of steady_center.hpp
// instead of the day model.
struct SteadyModel {
  double arrivals_per_second = 0;  // > 0
  double handle_seconds = 0;       // mean, > 0
  double patience_seconds = 0;     // mean, > 0
};

struct SimConfig {
  std::uint64_t seed = 1;
  core::Timestamp start = 0;  // simulated time of the first instant
  core::Duration duration = core::hours(8);
  int agents = 40;
  // Queue names; the first four get the profiles of sales, support, billing
  // and vip, further ones cycle through those profiles.
  std::vector<std::string> queues = {"sales", "support", "billing", "vip"};
  double rate = 1.0;  // scales every arrival rate (1 = about 80 % load at peak)
  core::Duration short_abandon = core::seconds(5);  // for the summary's short_abandoned
  std::optional<SteadyModel> steady;
};

// The built-in names for --queues N: sales, support, billing, vip, queue5, ...
std::vector<std::string> default_queue_names(int n);

// An empty string when the configuration is usable, else what is wrong.
std::string validate(const SimConfig& config);

}  // namespace ccmon::sim
