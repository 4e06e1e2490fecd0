// The window store: series and teams by label, deltas in every window and
// in today, the local day roll, and team time spans cut at the day start.
#include "core/engine/window_store.hpp"

#include <catch2/catch.hpp>

using namespace ccmon::core;
using namespace ccmon::core::engine_detail;

namespace {

EngineConfig config() {
  EngineConfig c;
  c.windows = {{"5m", minutes(5)}, {"1h", hours(1)}};
  c.today_window = true;  // UTC days
  return c;
}

constexpr Timestamp kDay = seconds(1'800'000'000 - 1'800'000'000 % 86400);  // a UTC midnight

}  // namespace

TEST_CASE("window store: a series per (queue, channel), unknown for absent labels",
          "[engine][window_store]") {
  WindowStore w;
  w.configure(config());
  bool folded = false;
  const LabelId q = w.labels().queues.resolve("sales", folded);
  const LabelId ch = w.labels().channels.resolve("voice", folded);
  const std::uint32_t s = w.series_for(q, ch);
  CHECK(w.series_for(q, ch) == s);
  const std::uint32_t u = w.series_for(kNoLabel, kNoLabel);
  CHECK(u != s);
  CHECK(w.series(u).queue == LabelSet::kUnknown);
  CHECK(w.series(s).windows.size() == 2);
  CHECK(w.series(s).threshold == seconds(20));
  const std::uint32_t t = w.team_for(kNoLabel);
  CHECK(w.team_of(kNoLabel) == t);
  CHECK(w.team(t).label == LabelSet::kUnknown);
}

TEST_CASE("window store: today holds the current local day only", "[engine][window_store]") {
  WindowStore w;
  w.configure(config());
  const std::uint32_t s = w.series_for(kNoLabel, kNoLabel);
  Delta d;
  d.add(kOffered, 1);
  w.record(s, kDay + hours(23), d);
  CHECK(w.series(s).today.totals.v[kOffered] == 1);
  CHECK(w.day_start() == kDay);
  w.record(s, kDay + hours(1), d);  // same day, earlier
  CHECK(w.series(s).today.totals.v[kOffered] == 2);
  w.record(s, kDay - hours(1), d);  // yesterday: windows only
  CHECK(w.series(s).today.totals.v[kOffered] == 2);
  w.roll_day_if_due(kDay + hours(24));  // midnight: today restarts
  CHECK(w.day_start() == kDay + hours(24));
  CHECK(w.series(s).today.totals.v[kOffered] == 0);
}

TEST_CASE("window store: a team span counts in today from the day start only",
          "[engine][window_store]") {
  WindowStore w;
  w.configure(config());
  const std::uint32_t t = w.team_for(kNoLabel);
  // Available from 23:00 yesterday to 01:00: 1 h of it is today.
  w.record_team_span(t, kDay - hours(1), kDay + hours(1), kTimeAvailable);
  CHECK(w.team(t).today.totals.v[kTimeAvailable] == hours(1));
  w.record_team_span(t, kDay, kDay + minutes(30), kTimeAvailable, -1);  // taken back
  CHECK(w.team(t).today.totals.v[kTimeAvailable] == minutes(30));
}

TEST_CASE("window store: noted spans are split by themselves at the bound",
          "[engine][window_store]") {
  WindowStore w;
  w.configure(config());
  const std::uint32_t t = w.team_for(kNoLabel);
  for (std::size_t i = 0; i + 1 < WindowStore::kMaxPendingSpans; ++i) {
    w.record_team_span(t, kDay + seconds(1), kDay + seconds(2), kTimeAvailable);
  }
  CHECK(w.team(t).spans_pending);
  CHECK(w.team(t).windows[0].view().sums()[kTimeAvailable] == 0);
  w.record_team_span(t, kDay + seconds(1), kDay + seconds(2), kTimeAvailable);  // the bound
  CHECK_FALSE(w.team(t).spans_pending);
  CHECK(w.team(t).windows[0].view().sums()[kTimeAvailable] ==
        static_cast<std::int64_t>(WindowStore::kMaxPendingSpans) * seconds(1));
}
