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
  CHECK(w.team(t).windows[0].totals().v[kTimeAvailable] == 0);
  w.record_team_span(t, kDay + seconds(1), kDay + seconds(2), kTimeAvailable);  // the bound
  CHECK_FALSE(w.team(t).spans_pending);
  CHECK(w.team(t).windows[0].totals().v[kTimeAvailable] ==
        static_cast<std::int64_t>(WindowStore::kMaxPendingSpans) * seconds(1));
}

namespace {

// What a snapshot reads from a window: its sums, largest wait, wait bins and
// deflections.
template <std::size_t N>
struct Read {
  std::array<std::int64_t, N> sums{};
  std::int64_t wait_max = -1;
  std::vector<std::int64_t> bins, deflected;
  bool operator==(const Read&) const = default;
};

template <std::size_t N>
Read<N> read(Window<N>& w) {
  Read<N> r;
  const Totals<N>& t = w.totals();
  r.sums = t.v;
  r.wait_max = w.wait_max();
  r.bins.assign(WaitBins::kCount, 0);
  r.deflected.assign(8, 0);
  for (std::size_t b = 0; b < t.wait_bins.size(); ++b) r.bins[b] += t.wait_bins[b];
  for (std::size_t c = 0; c < t.deflected.size(); ++c) r.deflected[c] += t.deflected[c];
  return r;
}

// A seeded linear congruential generator: next(n) is in [0, n).
struct Random {
  std::uint64_t r;
  std::uint64_t operator()(std::uint64_t n) {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    return (r >> 33) % n;
  }
};

// The next event time: `now` mostly forward by 0-3 s, several deltas per
// 5 s bucket; one in 10 late by up to 10 minutes, one in 200 by up to 2
// days (older than every ring holds); some on bucket edges.
Timestamp next_time(Random& next, Timestamp& now) {
  now += seconds(static_cast<std::int64_t>(next(4)));
  Timestamp t = now;
  if (next(10) == 0) t -= seconds(static_cast<std::int64_t>(next(600)));
  if (next(200) == 0) t -= hours(static_cast<std::int64_t>(next(48)));
  if (next(5) == 0) t = t - t % seconds(5);
  return t;
}

// A read, as a snapshot makes it: flush, expire each window at `now`, and
// compare it with the oracle's.
template <std::size_t N>
void check_read(WindowStore& store, std::vector<Window<N>>& windows, std::vector<Window<N>>& oracle,
                const EngineConfig& c, Timestamp now, int event, int& reads) {
  store.flush_deferred();
  for (std::size_t w = 0; w < oracle.size(); ++w) {
    windows[w].expire(now);
    oracle[w].expire(now);
    INFO("event " << event << ", window " << c.windows[w].name);
    CHECK(read(windows[w]) == read(oracle[w]));
  }
  ++reads;
}

}  // namespace

TEST_CASE("window store: staged deltas read as if each had reached every window at once",
          "[engine][window_store]") {
  // The oracle: a plain window per length, fed every delta at its time in
  // arrival order (what record() did before it staged). 7m has 7 s buckets,
  // not a multiple of 5m's 5 s: it takes every delta at once.
  EngineConfig c;
  c.windows = {{"5m", minutes(5)},
               {"7m", minutes(7)},
               {"15m", minutes(15)},
               {"1h", hours(1)},
               {"24h", hours(24)}};
  c.today_window = false;
  WindowStore store;
  store.configure(c);
  std::vector<Window<kFieldCount>> oracle;
  for (const auto& w : c.windows) oracle.emplace_back(w.length, WindowStore::kHeadroom);

  const std::uint32_t s = store.series_for(kNoLabel, kNoLabel);
  // Read about every 50 deltas (75 s), as a busy daemon's ticks and scrapes
  // do, or every 2,500 (about an hour): the windows then go that long without
  // an expiry, late deltas meeting buckets that have left the window.
  const std::uint64_t read_every = GENERATE(50u, 2500u);
  Random next{12345};
  Timestamp now = kDay;
  int staged_seen = 0, reads = 0;
  for (int i = 0; i < 20000; ++i) {
    const Timestamp t = next_time(next, now);
    Delta d;
    d.add(static_cast<std::uint8_t>(next(kFieldCount)), static_cast<std::int64_t>(next(100)) + 1);
    if (next(2) == 0) d.add(kOffered, 1);
    if (next(3) == 0) d.wait = seconds(static_cast<std::int64_t>(next(300)));
    if (next(7) == 0) d.deflect = static_cast<std::int32_t>(next(8));
    store.record(s, t, d);
    for (auto& w : oracle) w.add(t, d);
    // Joined the staged bucket (5 s, 5m's), rather than gone to the windows.
    if (store.series(s).staged.k == Window<kFieldCount>::bucket_index(t, seconds(5))) ++staged_seen;
    if (next(read_every) == 0) check_read(store, store.series(s).windows, oracle, c, now, i, reads);
  }
  check_read(store, store.series(s).windows, oracle, c, now, 20000, reads);
  CHECK(staged_seen > 15000);  // the staged path was the usual one
  // About 20000 / read_every reads and the last one: rare reads stay rare.
  CHECK(reads > static_cast<int>(20000 / read_every / 4));
  CHECK(reads <= static_cast<int>(2 * 20000 / read_every + 1));
}

TEST_CASE("window store: a team's staged deltas read as if each had reached every window at once",
          "[engine][window_store]") {
  // As above for a team, whose windows also take time spans: the oracle
  // gets each delta at once and each span split at once.
  EngineConfig c;
  c.windows = {{"5m", minutes(5)}, {"7m", minutes(7)}, {"1h", hours(1)}, {"24h", hours(24)}};
  c.today_window = false;
  WindowStore store;
  store.configure(c);
  std::vector<Window<kTeamFieldCount>> oracle;
  for (const auto& w : c.windows) oracle.emplace_back(w.length, WindowStore::kHeadroom);

  const std::uint32_t t = store.team_for(kNoLabel);
  const std::uint64_t read_every = GENERATE(50u, 2500u);  // as above; spans wait as long
  Random next{54321};
  Timestamp now = kDay;
  int staged_seen = 0, reads = 0;
  for (int i = 0; i < 20000; ++i) {
    const Timestamp at = next_time(next, now);
    if (next(4) == 0) {  // a state's time, up to 10 minutes back, sometimes taken back
      const Timestamp from = at - seconds(static_cast<std::int64_t>(next(600)) + 1);
      const auto f = static_cast<std::uint8_t>(next(3));  // kTimeAvailable .. kTimeWrapUp
      const std::int64_t sign = next(8) == 0 ? -1 : 1;
      store.record_team_span(t, from, at, f, sign);
      for (auto& w : oracle) {
        w.add_span(from, at, f, sign);
        w.flush_spans();
      }
    } else {
      Delta d;
      d.add(static_cast<std::uint8_t>(kTeamHandled + next(3)),
            static_cast<std::int64_t>(next(100)) + 1);
      if (next(2) == 0) d.add(kTeamHandled, 1);
      store.record_team(t, at, d);
      for (auto& w : oracle) w.add(at, d);
      if (store.team(t).staged.k == Window<kTeamFieldCount>::bucket_index(at, seconds(5))) {
        ++staged_seen;
      }
    }
    if (next(read_every) == 0) check_read(store, store.team(t).windows, oracle, c, now, i, reads);
  }
  check_read(store, store.team(t).windows, oracle, c, now, 20000, reads);
  CHECK(staged_seen > 11000);  // the staged path was the usual one
  // About 20000 / read_every reads and the last one: rare reads stay rare.
  CHECK(reads > static_cast<int>(20000 / read_every / 4));
  CHECK(reads <= static_cast<int>(2 * 20000 / read_every + 1));
}
