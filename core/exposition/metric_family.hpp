// A dependency-free model of Prometheus metric families: the SLA states are
// turned into these (core/sla/sla_exposition.hpp) and append_text writes them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ccmon::core {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Sample {
  Labels labels;
  double value = 0;
};

struct HistogramSample {
  Labels labels;
  std::vector<double> upper_bounds;              // ascending, +Inf implied
  std::vector<std::uint64_t> cumulative_counts;  // same size as upper_bounds
  std::uint64_t count = 0;                       // the +Inf bucket
  double sum = 0;
};

enum class MetricType { kGauge, kCounter, kHistogram };

struct MetricFamily {
  std::string name;  // for counters, without the `_total` suffix is NOT stripped: the full name
  std::string help;
  MetricType type = MetricType::kGauge;
  std::vector<Sample> samples;              // gauge, counter
  std::vector<HistogramSample> histograms;  // histogram
};

}  // namespace ccmon::core
