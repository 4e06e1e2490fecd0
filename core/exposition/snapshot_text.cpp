#include "core/exposition/snapshot_text.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/exposition/engine_families.hpp"
#include "core/exposition/text_format.hpp"
#include "core/kpi_parts.hpp"

namespace ccmon::core {
namespace {

// Escaped label blocks kept in one buffer: block i is
// text[offsets[i], offsets[i + 1]). One allocation per kind, not per sample.
class Blocks {
 public:
  explicit Blocks(std::size_t n) {
    offsets_.reserve(n + 1);
    offsets_.push_back(0);
  }
  std::string& text() { return text_; }
  void close() { offsets_.push_back(text_.size()); }
  std::size_t size() const { return offsets_.size() - 1; }
  std::string_view operator[](std::size_t i) const {
    return std::string_view(text_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }

 private:
  std::string text_;
  std::vector<std::size_t> offsets_;
};

void append_label(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += "=\"";
  append_escaped_label_value(out, value);
  out += '"';
}

// Everything a scrape reuses across families, escaped once.
struct Prepared {
  Blocks series;   // queue="q",channel="c"
  Blocks teams;    // team="t"
  Blocks windows;  // ,window="5m"
  Blocks bounds;   // le values of the wait buckets

  explicit Prepared(const Snapshot& snap)
      : series(snap.series.size()),
        teams(snap.teams.size()),
        windows(snap.windows.size()),
        bounds(snap.wait_bucket_bounds.size()) {
    series.text().reserve(snap.series.size() * 40);
    for (const SeriesSnapshot& s : snap.series) {
      append_label(series.text(), "queue", s.queue);
      series.text() += ',';
      append_label(series.text(), "channel", s.channel);
      series.close();
    }
    for (const TeamSnapshot& t : snap.teams) {
      append_label(teams.text(), "team", t.team);
      teams.close();
    }
    for (const std::string& w : snap.windows) {
      windows.text() += ',';
      append_label(windows.text(), "window", w);
      windows.close();
    }
    for (double b : snap.wait_bucket_bounds) {
      append_value(bounds.text(), b);
      bounds.close();
    }
  }
};

std::size_t window_count(const Snapshot& snap, std::size_t carried) {
  return std::min(snap.windows.size(), carried);
}

// A family's HELP and TYPE lines, written before its samples and dropped
// again when no sample followed: a family without samples is left out.
class Family {
 public:
  Family(std::string& out, const KpiInfo& family, std::string_view type)
      : out_(out), start_(out.size()) {
    name_.reserve(6 + family.key.size());
    name_.append("ccmon_").append(family.key);
    out += "# HELP ";
    out += name_;
    out += ' ';
    append_escaped_help(out, family.help);
    out += "\n# TYPE ";
    out += name_;
    out += ' ';
    out += type;
    out += '\n';
    header_end_ = out.size();
  }
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;
  ~Family() {
    if (out_.size() == header_end_) out_.resize(start_);
  }

  // `name{` + labels; the caller adds the rest of the label block.
  void open(std::string_view labels) {
    out_ += name_;
    out_ += '{';
    out_ += labels;
  }
  void open(std::string_view suffix, std::string_view labels) {
    out_ += name_;
    out_ += suffix;
    out_ += '{';
    out_ += labels;
  }
  // `} value\n`
  void close(double v) {
    out_ += "} ";
    append_value(out_, v);
    out_ += '\n';
  }
  void unlabelled(double v) {
    out_ += name_;
    out_ += ' ';
    append_value(out_, v);
    out_ += '\n';
  }

 private:
  std::string& out_;
  std::size_t start_;
  std::size_t header_end_;
  std::string name_;
};

void windowed_kpis(std::string& out, const Snapshot& snap, const Prepared& p) {
  for (int k = 0; k < kKpiCount; ++k) {
    Family f(out, info(static_cast<Kpi>(k)), "gauge");
    for (std::size_t i = 0; i < snap.series.size(); ++i) {
      const SeriesSnapshot& s = snap.series[i];
      for (std::size_t w = 0; w < window_count(snap, s.windows.size()); ++w) {
        const KpiValue& v = s.windows[w].kpis[static_cast<std::size_t>(k)];
        if (!v.value) continue;
        f.open(p.series[i]);
        out += p.windows[w];
        f.close(*v.value);
      }
    }
  }

  // The parts of the ratios and means, beside them (core/kpi_parts.hpp).
  for (const WindowKpiPart& part : kKpiParts) {
    Family f(out, part.info, "gauge");
    for (std::size_t i = 0; i < snap.series.size(); ++i) {
      const SeriesSnapshot& s = snap.series[i];
      for (std::size_t w = 0; w < window_count(snap, s.windows.size()); ++w) {
        const WindowKpis& wk = s.windows[w];
        const double v = part_value(part, wk.sums, snap.service_level_formula);
        if (v == 0 && !wk.kpis[static_cast<std::size_t>(part.kpi)].value) continue;
        f.open(p.series[i]);
        out += p.windows[w];
        f.close(v);
      }
    }
  }

  {
    Family f(out, engine_families::kDeflected, "gauge");
    for (std::size_t i = 0; i < snap.series.size(); ++i) {
      const SeriesSnapshot& s = snap.series[i];
      for (std::size_t w = 0; w < window_count(snap, s.windows.size()); ++w) {
        for (const auto& [to_channel, n] : s.windows[w].deflected) {
          f.open(p.series[i]);
          out += p.windows[w];
          out += ',';
          append_label(out, "to_channel", to_channel);
          f.close(static_cast<double>(n));
        }
      }
    }
  }

  Family f(out, engine_families::kServiceLevelThreshold, "gauge");
  for (std::size_t i = 0; i < snap.series.size(); ++i) {
    f.open(p.series[i]);
    f.close(snap.series[i].service_level_threshold_s);
  }
}

void team_kpis(std::string& out, const Snapshot& snap, const Prepared& p) {
  for (int k = 0; k < kTeamKpiCount; ++k) {
    Family f(out, info(static_cast<TeamKpi>(k)), "gauge");
    for (std::size_t i = 0; i < snap.teams.size(); ++i) {
      const TeamSnapshot& t = snap.teams[i];
      for (std::size_t w = 0; w < window_count(snap, t.windows.size()); ++w) {
        const KpiValue& v = t.windows[w][static_cast<std::size_t>(k)];
        if (!v.value) continue;
        f.open(p.teams[i]);
        out += p.windows[w];
        f.close(*v.value);
      }
    }
  }

  for (const TeamKpiPart& part : kTeamKpiParts) {
    Family f(out, part.info, "gauge");
    for (std::size_t i = 0; i < snap.teams.size(); ++i) {
      const TeamSnapshot& t = snap.teams[i];
      const std::size_t n = std::min(window_count(snap, t.windows.size()), t.sums.size());
      for (std::size_t w = 0; w < n; ++w) {
        const double v = part_value(part, t.sums[w], snap.service_level_formula);
        if (v == 0 && !t.windows[w][static_cast<std::size_t>(part.kpi)].value) continue;
        f.open(p.teams[i]);
        out += p.windows[w];
        f.close(v);
      }
    }
  }
}

void live(std::string& out, const Snapshot& snap, const Prepared& p) {
  for (int k = 0; k < kLiveKpiCount; ++k) {
    Family f(out, info(static_cast<LiveKpi>(k)), "gauge");
    for (std::size_t i = 0; i < snap.series.size(); ++i) {
      f.open(p.series[i]);
      f.close(snap.series[i].live[static_cast<std::size_t>(k)]);
    }
  }

  Family f(out, engine_families::kAgents, "gauge");
  for (std::size_t i = 0; i < snap.teams.size(); ++i) {
    for (int st = 0; st < kAgentStateCount; ++st) {
      f.open(p.teams[i]);
      out += ',';
      append_label(out, "state", to_string(static_cast<AgentState>(st)));
      f.close(static_cast<double>(snap.teams[i].agents[static_cast<std::size_t>(st)]));
    }
  }
}

void histogram(std::string& out, Family& f, const Prepared& p, std::string_view series,
               std::string_view outcome, const Histogram& h) {
  // Extra bounds or counts of a malformed histogram are dropped, never read past.
  const std::size_t n = std::min(p.bounds.size(), h.cumulative_counts.size());
  auto open_bucket = [&] {
    f.open("_bucket", series);
    out += ",outcome=\"";
    out += outcome;
    out += "\",le=\"";
  };
  for (std::size_t i = 0; i < n; ++i) {
    open_bucket();
    out += p.bounds[i];
    out += "\"} ";
    append_uint(out, h.cumulative_counts[i]);
    out += '\n';
  }
  open_bucket();
  out += "+Inf\"} ";
  append_uint(out, h.count);
  out += '\n';
  f.open("_sum", series);
  out += ",outcome=\"";
  out += outcome;
  out += '"';
  f.close(h.sum);
  f.open("_count", series);
  out += ",outcome=\"";
  out += outcome;
  out += "\"} ";
  append_uint(out, h.count);
  out += '\n';
}

void since_start(std::string& out, const Snapshot& snap, const Prepared& p) {
  for (const engine_families::SeriesCounter& c : engine_families::kSeriesCounters) {
    Family f(out, c.info, "counter");
    for (std::size_t i = 0; i < snap.series.size(); ++i) {
      f.open(p.series[i]);
      f.close(static_cast<double>(snap.series[i].*c.member));
    }
  }

  Family f(out, engine_families::kWaitSeconds, "histogram");
  for (std::size_t i = 0; i < snap.series.size(); ++i) {
    histogram(out, f, p, p.series[i], "answered", snap.series[i].wait_answered);
    histogram(out, f, p, p.series[i], "abandoned", snap.series[i].wait_abandoned);
  }
}

void stats(std::string& out, const EngineStats& st) {
  for (const engine_families::EngineStat& s : engine_families::kEngineStats) {
    Family(out, s.info, s.counter ? "counter" : "gauge")
        .unlabelled(static_cast<double>(st.*s.member));
  }
  Family f(out, engine_families::kByteBoundEvictions, "counter");
  for (const engine_families::KindCount& k : engine_families::kByteBoundEvictionKinds) {
    f.open("kind=\"");
    out += k.kind;
    out += '"';
    f.close(static_cast<double>(st.*k.member));
  }
}

}  // namespace

void append_snapshot_text(std::string& out, const Snapshot& snapshot) {
  const Prepared p(snapshot);
  windowed_kpis(out, snapshot, p);
  team_kpis(out, snapshot, p);
  live(out, snapshot, p);
  since_start(out, snapshot, p);
  stats(out, snapshot.stats);
}

}  // namespace ccmon::core
