// Fine wait-time bins for the windowed p50/p90: 1 s wide below 2 min, 5 s to
// 10 min, 1 min to 1 h, 15 min to 24 h, then one open bin. A quantile is the
// midpoint of the bin holding its rank, so it is exact to +-0.5 s where most
// waits fall and never coarser than 1/14 of the value below 24 h.
#pragma once

#include <cstdint>

#include "core/time.hpp"

namespace ccmon::core::engine_detail {

struct WaitBins {
  static constexpr int kFine = 120;                // [0, 120) s by 1 s
  static constexpr int kMedium = (600 - 120) / 5;  // [120, 600) s by 5 s
  static constexpr int kCoarse = (3600 - 600) / 60;
  static constexpr int kHours = (86400 - 3600) / 900;
  static constexpr int kCount = kFine + kMedium + kCoarse + kHours + 1;

  static int bin_of(Duration wait) {
    const std::int64_t s = wait < 0 ? 0 : wait / kMicrosPerSecond;
    if (s < 120) return static_cast<int>(s);
    if (s < 600) return kFine + static_cast<int>((s - 120) / 5);
    if (s < 3600) return kFine + kMedium + static_cast<int>((s - 600) / 60);
    if (s < 86400) return kFine + kMedium + kCoarse + static_cast<int>((s - 3600) / 900);
    return kCount - 1;
  }

  // Lower edge and width of bin b, in seconds (the open bin has width 0).
  static double lower(int b) {
    if (b < kFine) return b;
    b -= kFine;
    if (b < kMedium) return 120.0 + 5.0 * b;
    b -= kMedium;
    if (b < kCoarse) return 600.0 + 60.0 * b;
    b -= kCoarse;
    if (b < kHours) return 3600.0 + 900.0 * b;
    return 86400.0;
  }
  static double width(int b) {
    if (b < kFine) return 1;
    if (b < kFine + kMedium) return 5;
    if (b < kFine + kMedium + kCoarse) return 60;
    if (b < kCount - 1) return 900;
    return 0;
  }
};

}  // namespace ccmon::core::engine_detail
