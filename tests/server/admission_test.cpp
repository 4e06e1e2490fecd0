// The in-flight budget: who gets in, who waits, in which order, and what the
// observer (the ccmon_events_in_flight gauge) is told.
#include "server/admission.hpp"

#include <catch2/catch.hpp>
#include <vector>

namespace ccmon::server {
namespace {

TEST_CASE("try_admit refuses past the limit and release makes room", "[server][admission]") {
  std::vector<std::size_t> seen;
  Admission a(10, [&](std::size_t n) { seen.push_back(n); });
  CHECK(a.try_admit(6));
  CHECK(a.try_admit(4));        // 6 + 4 = 10: exactly full
  CHECK_FALSE(a.try_admit(1));  // 11 > 10
  a.release(6);
  CHECK(a.in_flight() == 4);
  CHECK(a.try_admit(6));
  a.release(4);
  a.release(6);
  CHECK(a.in_flight() == 0);
  // Every change reported in order, ending at 0: a refusal changes nothing.
  CHECK(seen == std::vector<std::size_t>{6, 10, 4, 10, 6, 0});
}

TEST_CASE("a batch larger than the limit passes alone", "[server][admission]") {
  Admission a(10);
  CHECK(a.try_admit(25));  // nothing in flight: admitted, or it could never pass
  CHECK_FALSE(a.try_admit(1));
  a.release(25);
  CHECK(a.try_admit(1));
}

TEST_CASE("waiters are woken in order as room appears", "[server][admission]") {
  std::vector<std::size_t> seen;
  Admission a(10, [&](std::size_t n) { seen.push_back(n); });
  std::vector<int> woken;
  CHECK_FALSE(a.wait(8, [&] { woken.push_back(1); }));  // room: runs inline
  CHECK(woken == std::vector<int>{1});
  CHECK(a.wait(5, [&] { woken.push_back(2); }));  // 8 + 5 > 10: waits
  CHECK(a.wait(1, [&] { woken.push_back(3); }));  // would fit, but keeps its turn
  // HTTP does not jump the queue of waiting WebSocket frames either.
  CHECK_FALSE(a.try_admit(1));
  a.release(8);  // 0 in flight: 5 then 1 fit (6 <= 10)
  CHECK(woken == std::vector<int>{1, 2, 3});
  CHECK(a.in_flight() == 6);
  a.release(5);
  a.release(1);
  CHECK(seen == std::vector<std::size_t>{8, 6, 1, 0});
}

TEST_CASE("a lower limit applies to the next admission", "[server][admission]") {
  Admission a(10);
  CHECK(a.try_admit(5));
  a.set_limit(6);
  CHECK_FALSE(a.try_admit(2));  // 5 + 2 > 6
  CHECK(a.try_admit(1));
}

}  // namespace
}  // namespace ccmon::server
