// Messaging KPIs: first response, response time, self-service, deflections.
#include "engine_test_util.hpp"

using namespace ccmon::core;
using namespace ccmon::core::test;

TEST_CASE("first response and response times", "[engine][messaging]") {
  Engine e(small_config());
  REQUIRE(e.apply(Ev(EventType::kContactCreated, at(0), "m1").queue("web").channel("chat")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactQueued, at(2), "m1").queue("web").channel("chat")) ==
          ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kMessageReceived, at(5), "m1")) == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kMessageReceived, at(8), "m1")) == ApplyResult::kApplied);
  // Automated replies never count.
  REQUIRE(e.apply(Ev(EventType::kMessageSent, at(9), "m1").automated(true)) ==
          ApplyResult::kApplied);
  // First agent reply at 20: first response = 20 - 2 (first queued) = 18;
  // response = 20 - 5 (oldest pending) = 15.
  REQUIRE(e.apply(Ev(EventType::kMessageSent, at(20), "m1").agent("a1")) == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kMessageReceived, at(30), "m1")) == ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kMessageSent, at(40), "m1").agent("a1")) ==
          ApplyResult::kApplied);  // response 10
  REQUIRE(e.apply(Ev(EventType::kMessageSent, at(45), "m1").agent("a1")) ==
          ApplyResult::kApplied);  // nothing pending: no response
  auto s = e.snapshot(at(60));
  CHECK(*val(*s, "web", "chat", "5m", Kpi::kAverageFirstResponse) == Approx(18));
  CHECK(kpi(*s, "web", "chat", "5m", Kpi::kAverageFirstResponse).volume == 1);
  CHECK(*val(*s, "web", "chat", "5m", Kpi::kAverageResponse) == Approx(12.5));  // (15 + 10) / 2
  CHECK(kpi(*s, "web", "chat", "5m", Kpi::kAverageResponse).volume == 2);
}

TEST_CASE("self-service ratio and deflections", "[engine][messaging]") {
  Engine e(small_config());
  for (const char* c : {"m1", "m2", "m3"})
    REQUIRE(e.apply(Ev(EventType::kContactCreated, at(0), c).queue("web").channel("chat")) ==
            ApplyResult::kApplied);
  REQUIRE(e.apply(Ev(EventType::kContactSelfServed, at(10), "m2")) == ApplyResult::kApplied);
  CHECK(e.apply(Ev(EventType::kContactSelfServed, at(11), "m2")) == ApplyResult::kOutOfSequence);
  REQUIRE(e.apply(Ev(EventType::kContactDeflected, at(5), "m3").to_channel("messaging")) ==
          ApplyResult::kApplied);
  // Created without a queue: attributed at once to queue "unknown".
  REQUIRE(e.apply(Ev(EventType::kContactCreated, at(1), "m4").channel("chat")) ==
          ApplyResult::kApplied);
  CHECK(e.apply(Ev(EventType::kContactCreated, at(2), "m4").channel("chat")) ==
        ApplyResult::kOutOfSequence);

  auto s = e.snapshot(at(60));
  CHECK(*val(*s, "web", "chat", "5m", Kpi::kSelfServiceRatio) == Approx(1.0 / 3));  // m2 / 3
  CHECK(kpi(*s, "web", "chat", "5m", Kpi::kSelfServiceRatio).volume == 3);
  const auto& defl = find_series(*s, "web", "chat")->windows[0].deflected;
  REQUIRE(defl.size() == 1);
  CHECK(defl[0].first == "messaging");
  CHECK(defl[0].second == 1);
  CHECK(*val(*s, "unknown", "chat", "5m", Kpi::kSelfServiceRatio) == Approx(0));  // 0 / 1
  CHECK(e.stats().out_of_sequence_total == 2);
}
