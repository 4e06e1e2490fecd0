// Window semantics: edges, bucket granularity, late / old / ahead events,
// expiry, and the "today" window across a DST change.
#include "core/engine/window.hpp"

#include "engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

namespace {

void offer(Engine& e, const std::string& c, Timestamp t) {
  REQUIRE(e.apply(Ev(EventType::kContactQueued, t, c).queue("q").channel("voice")) ==
          ApplyResult::kApplied);
}

double offered(Engine& e, Timestamp now, const std::string& w) {
  return *val(*e.snapshot(now), "q", "voice", w, Kpi::kOffered);
}

}  // namespace

TEST_CASE("window edges: now - W excluded, now - W + 1us included", "[engine][window]") {
  Engine e(small_config());
  offer(e, "c1", at(300));      // exactly now - 5m for now = 600
  offer(e, "c2", at(300) + 1);  // 1 us later
  CHECK(offered(e, at(600), "5m") == 1);
  CHECK(offered(e, at(600), "1h") == 2);
}

TEST_CASE("window start rounds up to a bucket edge (5 s for 5m)", "[engine][window]") {
  Engine e(small_config());
  // now = 602: newest bucket (600, 605], window = 60 buckets = (305, 605].
  offer(e, "c1", at(303));  // inside (302, 602] but in bucket (300, 305]: out
  offer(e, "c2", at(306));  // in bucket (305, 310]: in
  CHECK(offered(e, at(602), "5m") == 1);
  // At now = 605 the window is exactly (305, 605].
  CHECK(offered(e, at(605), "5m") == 1);
  // At 605 s + 1 us the newest bucket is (605, 610], the window (310, 610]:
  // c2 (bucket (305, 310]) has left.
  CHECK(offered(e, at(605) + 1, "5m") == 0);
}

TEST_CASE("late events land in their bucket; events older than a window skip only it",
          "[engine][window]") {
  Engine e(small_config());
  offer(e, "c1", at(500));
  CHECK(offered(e, at(600), "5m") == 1);
  offer(e, "c2", at(400));  // late, still inside (300, 600]
  offer(e, "c3", at(200));  // older than 5m, inside 1h
  CHECK(offered(e, at(600), "5m") == 2);
  CHECK(offered(e, at(600), "1h") == 3);
  // Expiry: (400, 700] drops c2 (exactly at now - W) and keeps c1.
  CHECK(offered(e, at(700), "5m") == 1);
  // (500, 800]: nothing left; a count is 0, not undefined.
  auto s = e.snapshot(at(800));
  CHECK(val(*s, "q", "voice", "5m", Kpi::kOffered) == 0);
  CHECK(val(*s, "q", "voice", "1h", Kpi::kOffered) == 3);
}

TEST_CASE("events slightly ahead of now count in the newest bucket", "[engine][window]") {
  Engine e(small_config());
  offer(e, "c1", at(400));
  CHECK(offered(e, at(600), "5m") == 1);
  offer(e, "c2", at(605));                // 5 s ahead
  offer(e, "c3", at(660));                // 60 s ahead (the allowed skew)
  CHECK(offered(e, at(600), "5m") == 3);  // c1 still in (300, 600]
}

TEST_CASE("wait max and quantiles follow expiry", "[engine][window]") {
  Engine e(small_config());
  queue_answer(e, "c1", "q", "voice", 50, 100);   // wait 50 at t = 100
  queue_answer(e, "c2", "q", "voice", 390, 400);  // wait 10 at t = 400
  auto s = e.snapshot(at(450));                   // (150, 450]... 5m holds c2 only; 1h both
  CHECK(*val(*s, "q", "voice", "5m", Kpi::kWaitMax) == Approx(10));
  CHECK(*val(*s, "q", "voice", "1h", Kpi::kWaitMax) == Approx(50));
  // 1h p90: rank ceil(0.9 * 2) = 2 -> 50 s, bin [50, 51) midpoint 50.5 capped at 50.
  CHECK(*val(*s, "q", "voice", "1h", Kpi::kWaitP90) == Approx(50));
  // 1h p50: rank 1 -> 10 s -> 10.5
  CHECK(*val(*s, "q", "voice", "1h", Kpi::kWaitP50) == Approx(10.5));
  // 5m p50: only 10 s -> 10.5 capped at max 10.
  CHECK(*val(*s, "q", "voice", "5m", Kpi::kWaitP50) == Approx(10));
  auto later = e.snapshot(at(700));  // (400, 700]: c2's answer at 400 left
  CHECK_FALSE(val(*later, "q", "voice", "5m", Kpi::kWaitMax).has_value());
  CHECK_FALSE(val(*later, "q", "voice", "5m", Kpi::kWaitP50).has_value());
}

TEST_CASE("a coarse window: 24h buckets are 24 min wide", "[engine][window]") {
  EngineConfig c = small_config();
  c.windows = {{"24h", hours(24)}};
  Engine e(c);
  offer(e, "c1", at(1));
  // now = 24 h + 1 s: newest bucket (24h, 24h24m], window (24m, 24h24m]:
  // c1 at 1 s is out although inside (1 s, 24h + 1 s].
  CHECK(offered(e, at(86400) + seconds(1), "24h") == 0);
  CHECK(offered(e, at(86400), "24h") == 1);  // (0, 24h] exactly
}

TEST_CASE("today starts at the local day start and resets", "[engine][window][today]") {
  EngineConfig c = small_config();
  c.windows = {{"5m", minutes(5)}};
  c.today_window = true;
  c.day_start_hour = 6;  // UTC
  Engine e(c);
  // kT0 is 08:00Z; today started at 06:00Z = kT0 - 2 h.
  offer(e, "c1", at(-7200) - 1);  // 05:59:59.999999: yesterday
  offer(e, "c2", at(-7200));      // 06:00:00: today
  offer(e, "c3", at(0));
  auto s = e.snapshot(at(10));
  REQUIRE(s->windows == std::vector<std::string>{"5m", "today"});
  CHECK(val(*s, "q", "voice", "today", Kpi::kOffered) == 2);
  // Next day starts at kT0 + 22 h.
  CHECK(val(*e.snapshot(at(22 * 3600)), "q", "voice", "today", Kpi::kOffered) == 0);
  offer(e, "c4", at(22 * 3600 + 1));
  offer(e, "c5", at(3600));  // late, from the previous day: not today
  CHECK(val(*e.snapshot(at(22 * 3600 + 5)), "q", "voice", "today", Kpi::kOffered) == 1);
}

TEST_CASE("today across a spring-forward day is 23 h long", "[engine][window][today]") {
  // Europe/Paris-like: +01:00, then +02:00 from 2027-03-28T01:00:00Z.
  EngineConfig c = small_config();
  c.windows = {{"5m", minutes(5)}};
  c.today_window = true;
  c.time_zone.name = "Test/Paris";
  c.time_zone.initial_offset_s = 3600;
  c.time_zone.transitions = {{seconds(1806195600), 7200}};  // 2027-03-28T01:00:00Z
  Engine e(c);
  // 2027-03-28T00:00Z = 1806192000. Local 28 March 00:00 (+01:00) =
  // 1806192000 - 3600 = 1806188400. Local 29 March 00:00 (+02:00) =
  // 1806192000 + 86400 - 7200 = 1806271200: 23 h later.
  auto t = [](std::int64_t s) { return seconds(s); };
  offer(e, "c1", t(1806188399));  // 27 March 23:59:59 local
  offer(e, "c2", t(1806188400));  // 28 March 00:00:00 local
  offer(e, "c3", t(1806271199));  // 28 March 23:59:59 local (+02:00)
  CHECK(val(*e.snapshot(t(1806271199)), "q", "voice", "today", Kpi::kOffered) == 2);
  offer(e, "c4", t(1806271200));  // 29 March 00:00 local
  CHECK(val(*e.snapshot(t(1806271200)), "q", "voice", "today", Kpi::kOffered) == 1);
}

TEST_CASE("wait max drops when the bucket holding it leaves", "[engine][window]") {
  Engine e(small_config());
  queue_answer(e, "c1", "q", "voice", 50, 100);   // wait 50, bucket (95, 100]
  queue_answer(e, "c2", "q", "voice", 190, 200);  // wait 10
  CHECK(*val(*e.snapshot(at(300)), "q", "voice", "5m", Kpi::kWaitMax) == Approx(50));  // (0, 300]
  // now 401: newest bucket (400, 405], window (105, 405]: c1's bucket left.
  CHECK(*val(*e.snapshot(at(401)), "q", "voice", "5m", Kpi::kWaitMax) == Approx(10));
  queue_answer(e, "c3", "q", "voice", 380, 410);  // wait 30 arrives later: new max
  CHECK(*val(*e.snapshot(at(411)), "q", "voice", "5m", Kpi::kWaitMax) == Approx(30));
}

// Agent-state spans are noted by their ends and split into buckets at
// flush_spans() (a difference array). Expected values by hand: 1 s buckets
// (a 60 s window), shares of [a, b) per bucket [k s, k + 1 s).
TEST_CASE("spans: pending until flushed, then split as if added one by one",
          "[engine][window][span]") {
  using engine_detail::Window;
  Window<6> w(seconds(60), 0);
  w.add_span(at(0) + 500'000, at(3) + 500'000, 2);  // 0.5 + 1 + 1 + 0.5 s
  w.add_span(at(1), at(2), 2, -1);                  // takes bucket 1 back
  w.add_span(at(2), at(3), 4);                      // another field, one bucket
  CHECK(w.spans_pending());
  CHECK(w.totals().v[2] == 0);  // nothing written before the flush
  w.flush_spans();
  CHECK_FALSE(w.spans_pending());
  w.expire(at(4));
  const auto v = w.totals().v;
  CHECK(v[2] == seconds(2));  // 3 s less the 1 s taken back
  CHECK(v[4] == seconds(1));
  CHECK(v[0] == 0);
}

TEST_CASE("spans: a span longer than the ring keeps only the buckets it holds",
          "[engine][window][span]") {
  using engine_detail::Window;
  Window<6> w(seconds(60), 0);  // 61 slots of 1 s
  w.add_span(at(0), at(100), 1);
  w.flush_spans();
  // Buckets 39..99 hold 1 s each; at now = 100 s the window is (40 s, 100 s]:
  // buckets 40..99, 60 s.
  w.expire(at(100));
  CHECK(w.totals().v[1] == seconds(60));
  // A cancelling pair in one flush leaves the totals unchanged.
  w.add_span(at(95), at(97), 1);
  w.add_span(at(95), at(97), 1, -1);
  w.flush_spans();
  CHECK(w.totals().v[1] == seconds(60));
}

// Spans noted over a range longer than 4 rings (many batches between
// flushes, or late events) are swept one run of overlapping spans at a time,
// in time order whatever order they were noted in. Expected by hand: 1 s
// buckets, no expiry yet (every bucket written is in the totals).
TEST_CASE("spans: runs far apart, noted out of order, sum as if added one by one",
          "[engine][window][span]") {
  using engine_detail::Window;
  Window<6> w(seconds(60), 0);                // 61 slots of 1 s: 300 s is past 4 rings
  w.add_span(at(300), at(301) + 500'000, 1);  // 1.5 s, far run
  w.add_span(at(10) + 500'000, at(12), 1);    // 1.5 s
  w.add_span(at(11), at(13), 1);              // 2 s, overlaps the one before
  w.add_span(at(14), at(15), 3);              // 1 s, adjacent: same run
  w.add_span(at(11), at(12), 1, -1);          // takes 1 s back
  w.flush_spans();
  CHECK_FALSE(w.spans_pending());
  const auto v = w.totals().v;
  CHECK(v[1] == seconds(4));  // 1.5 + 1.5 + 2 - 1
  CHECK(v[3] == seconds(1));
  // Only the far run's bucket stays inside the window.
  w.expire(at(302));  // window (242 s, 302 s]: only the far run is left
  CHECK(w.totals().v[1] == seconds(1) + 500'000);
  CHECK(w.totals().v[3] == 0);
}
