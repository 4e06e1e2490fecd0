// The event pool's bound: vectors are kept while their capacities add up to
// at most kMaxEvents events, handed out newest first, and refused (left to
// the caller) past the bound.
#include "server/event_pool.hpp"

#include <catch2/catch.hpp>
#include <vector>

namespace ccmon::server {
namespace {

std::vector<core::IndexedEvent> events(std::size_t size, std::size_t capacity) {
  std::vector<core::IndexedEvent> v;
  v.reserve(capacity);
  v.resize(size);
  if (size != 0) v[0].event.id = "first-" + std::to_string(capacity);
  return v;
}

TEST_CASE("the event pool keeps vectors up to its bound, by capacity", "[server][event_pool]") {
  EventPool pool;
  CHECK(pool.take().empty());

  auto a = events(500, 500);
  const core::IndexedEvent* const a_data = a.data();
  pool.give(std::move(a));
  CHECK(pool.slots_kept() == 500);
  // One valid event in a vector reserved for a long body: counted whole.
  auto b = events(1, 4000);
  pool.give(std::move(b));
  CHECK(pool.slots_kept() == 4500);

  // Past the bound (4500 + 4000 > 8192): refused, still the caller's.
  auto c = events(10, 4000);
  pool.give(std::move(c));
  CHECK(c.size() == 10);
  CHECK(pool.slots_kept() == 4500);
  // Larger than the whole bound, and empty: never kept.
  auto huge = events(1, EventPool::kMaxEvents + 1);
  pool.give(std::move(huge));
  CHECK(huge.size() == 1);
  pool.give(events(0, 100));
  CHECK(pool.slots_kept() == 4500);

  // Newest first, contents and buffers as given.
  const auto first = pool.take();
  CHECK(first.size() == 1);
  CHECK(first.capacity() == 4000);
  CHECK(first[0].event.id == "first-4000");
  CHECK(pool.slots_kept() == 500);
  const auto second = pool.take();
  CHECK(second.size() == 500);
  CHECK(second.data() == a_data);
  CHECK(pool.slots_kept() == 0);
  CHECK(pool.take().empty());
  // Room again once taken.
  pool.give(std::move(c));
  CHECK(pool.slots_kept() == 4000);
}

}  // namespace
}  // namespace ccmon::server
