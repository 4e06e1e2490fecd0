// The event pool's bounds: vectors are kept while their capacities add up
// to at most kMaxEvents events, handed out newest first to a decode of at
// most half their capacity, and their long strings are not kept.
#include "server/event_pool.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ccmon::server {
namespace {

std::vector<core::IndexedEvent> events(std::size_t size, std::size_t capacity) {
  std::vector<core::IndexedEvent> v;
  v.reserve(capacity);
  v.resize(size);
  if (size != 0) v[0].event.id = "first-of-capacity-" + std::to_string(capacity);
  return v;
}

TEST_CASE("the event pool keeps vectors up to its bound, by capacity", "[server][event_pool]") {
  EventPool pool;
  CHECK(pool.take(500).empty());

  auto a = events(500, 500);
  const core::IndexedEvent* const a_data = a.data();
  pool.give(std::move(a));
  CHECK(pool.slots_kept() == 500);
  // One valid event in a vector reserved for a long body: counted whole.
  pool.give(events(1, 3000));
  CHECK(pool.slots_kept() == 3500);
  // Past the bound (3500 + 1000 > 4096): freed, not kept.
  pool.give(events(10, 1000));
  CHECK(pool.slots_kept() == 3500);
  // Larger than the whole bound, and empty: never kept.
  pool.give(events(1, EventPool::kMaxEvents + 1));
  pool.give(events(0, 100));
  CHECK(pool.slots_kept() == 3500);

  // A decode of 500 events gets no vector of more than twice that room: the
  // 3000 one stays, the older 500 one is handed out, buffers as given.
  const auto first = pool.take(500);
  CHECK(first.size() == 500);
  CHECK(first.data() == a_data);
  CHECK(pool.slots_kept() == 3000);
  CHECK(pool.take(500).empty());
  const auto second = pool.take(1500);
  CHECK(second.capacity() == 3000);
  CHECK(second[0].event.id == "first-of-capacity-3000");
  CHECK(pool.slots_kept() == 0);
  // At least 64 of room for the smallest decodes.
  pool.give(events(3, 64));
  CHECK(pool.take(1).size() == 3);
}

TEST_CASE("the event pool frees string buffers past its bound", "[server][event_pool]") {
  EventPool pool;
  auto v = events(2, 2);
  v[0].event.contact = std::string(EventPool::kMaxStringBytes + 1, 'c');
  v[1].event.reason = std::string(EventPool::kMaxStringBytes, 'r');
  const char* const kept_buffer = v[1].event.reason.data();
  pool.give(std::move(v));
  const auto back = pool.take(2);
  REQUIRE(back.size() == 2);
  CHECK(back[0].event.contact.capacity() <= EventPool::kMaxStringBytes);
  CHECK(back[0].event.id == "first-of-capacity-2");  // short strings untouched
  CHECK(back[1].event.reason.data() == kept_buffer);
}

}  // namespace
}  // namespace ccmon::server
