// Prometheus text exposition format 0.0.4: numbers and escaping for every
// writer, and append_text over MetricFamily for the SLA families (snapshots
// have their own writer, snapshot_text.hpp). Allocation-light (std::to_chars
// into one growing string) because /metrics renders every series on every
// scrape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/exposition/metric_family.hpp"

namespace ccmon::core {

// The Content-Type a server must send with append_text's output.
inline constexpr std::string_view kTextFormatContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Appends `families` to `out` in order, each with its HELP and TYPE lines,
// even one without samples (promtool accepts it; the SLA families keep theirs
// so that their HELP and TYPE lines stay stable). A histogram renders its `histograms`, other types
// their `samples`. No timestamps: the scrape time is the sample time.
// Numbers are printed by append_value.
void append_text(std::string& out, const std::vector<MetricFamily>& families);

// Appends a sample value (and `le` bound): integral values with |v| < 2^63
// exactly as integers ("20", "0", "1000000"), other finite values in the
// shortest form that parses back to the same double ("0.5", "1.5e-07"),
// and "+Inf", "-Inf", "NaN".
void append_value(std::string& out, double v);

// Appends `v` in decimal ("0", "1234"), with no allocation beyond `out`'s.
void append_uint(std::string& out, std::uint64_t v);

// Label value escaping: `\` -> `\\`, `"` -> `\"`, newline -> `\n`.
void append_escaped_label_value(std::string& out, std::string_view v);

// HELP escaping: `\` -> `\\`, newline -> `\n`.
void append_escaped_help(std::string& out, std::string_view v);

}  // namespace ccmon::core
