// The case book: open cases per series follow open / resolve / eviction.
#include "core/engine/case_book.hpp"

#include <catch2/catch.hpp>

using namespace ccmon::core;
using namespace ccmon::core::engine_detail;

TEST_CASE("case book: open cases per series", "[engine][case_book]") {
  CaseBook b;
  b.set_cap(2);
  const std::uint32_t k1 = b.insert("k1");
  b.open(k1, seconds(1), 0);
  const std::uint32_t k2 = b.insert("k2");
  b.open(k2, seconds(2), 3);
  CHECK(b.active(0) == 1);
  CHECK(b.active(3) == 1);
  CHECK(b.active(9) == 0);
  b.resolve(k1, seconds(5));
  CHECK(b.active(0) == 0);
  CHECK(b[k1].resolved);
  b.resolve(k1, seconds(6));  // a repeat changes no count
  CHECK(b.active(0) == 0);
  b.touch(k1);
  // At the cap: k2 is the least recently touched, open, and is evicted.
  const std::uint32_t k3 = b.insert("k3");
  b.resolve(k3, seconds(7));  // resolved without an opening: never open
  CHECK(b.find("k2") == kNil);
  CHECK(b.evicted_total() == 1);
  CHECK(b.active(3) == 0);
  b.evict_idle(seconds(10));
  CHECK(b.size() == 0);
  CHECK(b.evicted_total() == 3);
}
