// The direct /metrics path: a KPI snapshot rendered straight to Prometheus
// text, without building MetricFamily vectors. A scrape of ~50k samples is
// dominated by per-sample label vectors and escaping, so this path escapes
// each series' labels once and reuses the block for every sample.
#pragma once

#include <string>

#include "core/engine/snapshot.hpp"

namespace ccmon::core {

// Appends exactly the bytes of append_text(out, snapshot_families(snapshot)).
void append_snapshot_text(std::string& out, const Snapshot& snapshot);

}  // namespace ccmon::core
