#include "core/exposition/text_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace ccmon::core {
namespace {

std::string_view type_name(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGauge:
      break;
  }
  return "gauge";
}

// Writes `{a="x",b="y"` without the closing brace, so that a histogram can
// add its `le` label; returns whether anything was opened.
bool open_labels(std::string& out, const Labels& labels) {
  if (labels.empty()) return false;
  char sep = '{';
  for (const auto& [name, value] : labels) {
    out += sep;
    out += name;
    out += "=\"";
    append_escaped_label_value(out, value);
    out += '"';
    sep = ',';
  }
  return true;
}

void append_labels(std::string& out, const Labels& labels) {
  if (open_labels(out, labels)) out += '}';
}

void append_header(std::string& out, const MetricFamily& f) {
  out += "# HELP ";
  out += f.name;
  out += ' ';
  append_escaped_help(out, f.help);
  out += "\n# TYPE ";
  out += f.name;
  out += ' ';
  out += type_name(f.type);
  out += '\n';
}

void append_bucket(std::string& out, const std::string& name, const Labels& labels,
                   std::string_view le, std::uint64_t count) {
  out += name;
  out += "_bucket";
  out += open_labels(out, labels) ? ',' : '{';
  out += "le=\"";
  out += le;
  out += "\"} ";
  append_uint(out, count);
  out += '\n';
}

void append_histogram(std::string& out, const std::string& name, const HistogramSample& h) {
  // A malformed sample (sizes differ) loses its extra bounds, never reads past an end.
  const std::size_t n = std::min(h.upper_bounds.size(), h.cumulative_counts.size());
  std::string le;
  for (std::size_t i = 0; i < n; ++i) {
    le.clear();
    append_value(le, h.upper_bounds[i]);
    append_bucket(out, name, h.labels, le, h.cumulative_counts[i]);
  }
  append_bucket(out, name, h.labels, "+Inf", h.count);
  out += name;
  out += "_sum";
  append_labels(out, h.labels);
  out += ' ';
  append_value(out, h.sum);
  out += '\n';
  out += name;
  out += "_count";
  append_labels(out, h.labels);
  out += ' ';
  append_uint(out, h.count);
  out += '\n';
}

}  // namespace

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  // 2^63 is exactly representable; every integral double below it fits int64.
  constexpr double kTwo63 = 9223372036854775808.0;
  char buf[32];
  std::to_chars_result res;
  if (v == std::trunc(v) && std::fabs(v) < kTwo63) {
    res = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
  } else {
    res = std::to_chars(buf, buf + sizeof buf, v);
  }
  out.append(buf, res.ptr);
}

namespace {

// Label values escape `\`, `"` and newline; HELP texts only `\` and newline.
void append_escaped(std::string& out, std::string_view v, bool quotes) {
  // Almost every value needs no escaping: copy it in one go.
  if (v.find_first_of(quotes ? std::string_view("\\\"\n") : std::string_view("\\\n")) ==
      std::string_view::npos) {
    out += v;
    return;
  }
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

}  // namespace

void append_escaped_label_value(std::string& out, std::string_view v) {
  append_escaped(out, v, true);
}

void append_escaped_help(std::string& out, std::string_view v) {
  append_escaped(out, v, false);
}

void append_text(std::string& out, const std::vector<MetricFamily>& families) {
  for (const MetricFamily& f : families) {
    append_header(out, f);
    if (f.type == MetricType::kHistogram) {
      for (const HistogramSample& h : f.histograms) append_histogram(out, f.name, h);
      continue;
    }
    for (const Sample& s : f.samples) {
      out += f.name;
      append_labels(out, s.labels);
      out += ' ';
      append_value(out, s.value);
      out += '\n';
    }
  }
}

}  // namespace ccmon::core
