// Delta::add is bounded: a delta holds at most kCapacity fields, and one
// more is an engine bug, caught where assertions are compiled in and never
// written out of bounds anywhere.
#include <catch2/catch.hpp>

#include "assertion_test_util.hpp"
#include "core/engine/fields.hpp"
#include "core/engine/window.hpp"

using namespace ccmon::core;
using namespace ccmon::core::engine_detail;
using ccmon::core::test::AssertionFailure;
using ccmon::core::test::kAssertionsOn;
using ccmon::core::test::ThrowingAssertions;

TEST_CASE("a delta with one field too many is caught", "[engine][delta][assertions]") {
  ThrowingAssertions assertions;
  Delta d;
  for (int i = 0; i < Delta::kCapacity; ++i) d.add(kOffered, 1);  // a full survey: 8 fields
  CHECK(d.size == Delta::kCapacity);
  if (kAssertionsOn) {
    CHECK_THROWS_AS(d.add(kAnswered, 1), AssertionFailure);
  } else {
    d.add(kAnswered, 1);  // dropped, not written past the array
  }
  CHECK(d.size == Delta::kCapacity);
  CHECK(d.wait == -1);  // the member after the array is untouched
}
