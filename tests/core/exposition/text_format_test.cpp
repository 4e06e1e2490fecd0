#include "core/exposition/text_format.hpp"

#include <catch2/catch.hpp>
#include <limits>

namespace ccmon::core {
namespace {

std::string value_text(double v) {
  std::string out;
  append_value(out, v);
  return out;
}

TEST_CASE("append_value prints integers exactly and other values in shortest round-trip form") {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  struct Case {
    double value;
    const char* text;
  };
  const Case cases[] = {
      {0.0, "0"},
      {-0.0, "0"},  // through int64: no "-0"
      {3.0, "3"},
      {-42.0, "-42"},
      {1e6, "1000000"},                          // not "1e+06"
      {9007199254740992.0, "9007199254740992"},  // 2^53
      {9.2e18, "9200000000000000000"},           // < 2^63 = 9.223...e18: still an integer
      {1e20, "1e+20"},                           // >= 2^63: shortest double form
      {0.5, "0.5"},
      {0.1, "0.1"},
      {31.5, "31.5"},
      {2.0 / 3.0, "0.6666666666666666"},  // 16 digits are needed to round-trip
      {1.5e-7, "1.5e-07"},                // "1.5e-07" (7 chars) beats "0.00000015" (10)
      {1e-5, "1e-05"},
      {kInf, "+Inf"},
      {-kInf, "-Inf"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const Case& c : cases) {
    INFO("expected " << c.text);
    CHECK(value_text(c.value) == c.text);
  }
}

TEST_CASE("label values escape backslash, double quote and newline only") {
  struct Case {
    const char* in;
    const char* out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"a\\b", "a\\\\b"},
      {"say \"hi\"", "say \\\"hi\\\""},
      {"two\nlines", "two\\nlines"},
      {"tab\tstays", "tab\tstays"},
      {"", ""},
      {"\\\"\n", "\\\\\\\"\\n"},
  };
  for (const Case& c : cases) {
    std::string out;
    append_escaped_label_value(out, c.in);
    CHECK(out == c.out);
  }
}

TEST_CASE("HELP text escapes backslash and newline but not double quote") {
  std::string out;
  append_escaped_help(out, "C:\\dir \"x\"\nnext");
  CHECK(out == "C:\\\\dir \"x\"\\nnext");
}

TEST_CASE("gauges, counters and label-less samples render with HELP and TYPE") {
  std::vector<MetricFamily> families(3);
  families[0].name = "ccmon_x";
  families[0].help = "An x.\nSecond line with \\.";
  families[0].type = MetricType::kGauge;
  families[0].samples = {{{{"queue", "q\"1"}, {"channel", "voice"}}, 1.5},
                         {{{"queue", "q2"}, {"channel", "chat"}}, 0}};
  families[1].name = "ccmon_y_total";
  families[1].help = "A y.";
  families[1].type = MetricType::kCounter;
  families[1].samples = {{{}, 7}};
  families[2].name = "ccmon_empty";  // no samples: HELP and TYPE only
  families[2].help = "Nothing yet.";

  std::string out = "prefix\n";  // appends, never overwrites
  append_text(out, families);
  CHECK(out ==
        "prefix\n"
        "# HELP ccmon_x An x.\\nSecond line with \\\\.\n"
        "# TYPE ccmon_x gauge\n"
        "ccmon_x{queue=\"q\\\"1\",channel=\"voice\"} 1.5\n"
        "ccmon_x{queue=\"q2\",channel=\"chat\"} 0\n"
        "# HELP ccmon_y_total A y.\n"
        "# TYPE ccmon_y_total counter\n"
        "ccmon_y_total 7\n"
        "# HELP ccmon_empty Nothing yet.\n"
        "# TYPE ccmon_empty gauge\n");
}

TEST_CASE("histograms render cumulative buckets, +Inf, _sum and _count") {
  MetricFamily f;
  f.name = "ccmon_wait_seconds";
  f.help = "Wait.";
  f.type = MetricType::kHistogram;
  HistogramSample labelled;
  labelled.labels = {{"queue", "q"}, {"outcome", "answered"}};
  labelled.upper_bounds = {0.5, 20, 60};
  labelled.cumulative_counts = {1, 6, 8};
  labelled.count = 9;  // one wait above 60 s: only in +Inf
  labelled.sum = 95.5;
  HistogramSample bare;
  bare.upper_bounds = {1};
  bare.cumulative_counts = {0};
  f.histograms = {labelled, bare};

  std::string out;
  append_text(out, {f});
  CHECK(out ==
        "# HELP ccmon_wait_seconds Wait.\n"
        "# TYPE ccmon_wait_seconds histogram\n"
        "ccmon_wait_seconds_bucket{queue=\"q\",outcome=\"answered\",le=\"0.5\"} 1\n"
        "ccmon_wait_seconds_bucket{queue=\"q\",outcome=\"answered\",le=\"20\"} 6\n"
        "ccmon_wait_seconds_bucket{queue=\"q\",outcome=\"answered\",le=\"60\"} 8\n"
        "ccmon_wait_seconds_bucket{queue=\"q\",outcome=\"answered\",le=\"+Inf\"} 9\n"
        "ccmon_wait_seconds_sum{queue=\"q\",outcome=\"answered\"} 95.5\n"
        "ccmon_wait_seconds_count{queue=\"q\",outcome=\"answered\"} 9\n"
        "ccmon_wait_seconds_bucket{le=\"1\"} 0\n"
        "ccmon_wait_seconds_bucket{le=\"+Inf\"} 0\n"
        "ccmon_wait_seconds_sum 0\n"
        "ccmon_wait_seconds_count 0\n");
}

TEST_CASE("a histogram with fewer counts than bounds renders only the buckets it has") {
  MetricFamily f;
  f.name = "h";
  // Appended, not = "H.": GCC 12 at -O3 reports a false -Wmaybe-uninitialized (bug 105329).
  f.help.append("H.");
  f.type = MetricType::kHistogram;
  HistogramSample h;
  h.upper_bounds = {1, 2, 3};
  h.cumulative_counts = {4};  // malformed: bounds 2 and 3 have no count
  h.count = 5;
  h.sum = 6;
  f.histograms = {h};
  std::string out;
  append_text(out, {f});
  CHECK(out ==
        "# HELP h H.\n# TYPE h histogram\n"
        "h_bucket{le=\"1\"} 4\nh_bucket{le=\"+Inf\"} 5\nh_sum 6\nh_count 5\n");
}

}  // namespace
}  // namespace ccmon::core
