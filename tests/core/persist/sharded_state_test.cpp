// The sharded engine's state image (core/persist/sharded_state_codec.hpp):
// read back whole, routes included; one shard is the plain image; another
// shard count or a damaged image changes nothing.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/engine/snapshot.hpp"
#include "core/persist/sharded_state_codec.hpp"

using namespace ccmon::core;
using namespace ccmon::core::persist;

namespace {

constexpr Timestamp kT0 = seconds(1'800'000'000);

Event event(EventType type, double s, std::string contact) {
  Event e;
  e.type = type;
  e.time = kT0 + static_cast<Timestamp>(s * kMicrosPerSecond);
  e.contact = std::move(contact);
  return e;
}

// Part one: 40 contacts queued on 8 queues, agents available, the first
// half answered. Part two names no queue: answers and ends, which only
// reach the right shard if the router knows where each contact lives.
std::vector<Event> part_one() {
  std::vector<Event> out;
  for (int a = 0; a < 4; ++a) {
    Event e = event(EventType::kAgentState, 0, "");
    e.agent = 'a' + std::to_string(a);
    e.team = a < 2 ? "north" : "south";
    e.state = AgentState::kAvailable;
    out.push_back(e);
  }
  for (int i = 0; i < 40; ++i) {
    Event e = event(EventType::kContactQueued, 1 + i, 'c' + std::to_string(i));
    e.queue = 'q' + std::to_string(i % 8);
    e.channel = "voice";
    out.push_back(e);
  }
  for (int i = 0; i < 20; ++i) {
    Event e = event(EventType::kContactAnswered, 50 + i, 'c' + std::to_string(i));
    e.agent = 'a' + std::to_string(i % 4);
    out.push_back(e);
  }
  return out;
}

std::vector<Event> part_two() {
  std::vector<Event> out;
  for (int i = 0; i < 20; ++i)
    out.push_back(event(EventType::kContactEnded, 100 + i, 'c' + std::to_string(i)));
  for (int i = 20; i < 40; ++i) {
    Event e = event(EventType::kContactAnswered, 130 + i, 'c' + std::to_string(i));
    e.agent = 'a' + std::to_string(i % 4);
    out.push_back(e);
  }
  return out;
}

void feed(ShardedEngine& e, const std::vector<Event>& events) {
  std::vector<const Event*> ptrs;
  for (const Event& x : events) ptrs.push_back(&x);
  e.apply(ptrs);
}

// Every series and team KPI, live value and counter of a snapshot, as text.
std::string digest(const Snapshot& s) {
  std::ostringstream out;
  for (const auto& x : s.series) {
    out << x.queue << '/' << x.channel << ':' << x.offered_total << ',' << x.answered_total << ','
        << x.handled_total;
    for (double v : x.live) out << ',' << v;
    for (const auto& w : x.windows) {
      for (const auto& k : w.kpis) out << ',' << k.value.value_or(-1) << '/' << k.volume;
    }
    out << '\n';
  }
  for (const auto& t : s.teams) {
    out << t.team;
    for (const auto& w : t.windows) {
      for (const auto& k : w) out << ',' << k.value.value_or(-1) << '/' << k.volume;
    }
    out << '\n';
  }
  return out.str();
}

EngineConfig config() {
  EngineConfig c;
  c.windows = {{"5m", minutes(5)}};
  return c;
}

}  // namespace

TEST_CASE("a sharded state reads back whole, where each contact lives included",
          "[persist][shard]") {
  ShardedEngine original(config(), 3);
  feed(original, part_one());
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "x");
  REQUIRE(shard_count_of(image) == 3);

  EngineConfig other;
  other.windows = {{"15m", minutes(15)}};
  ShardedEngine copy(other, 3);
  Deduplicator dedup;
  SlaEvaluator sla({});
  REQUIRE(decode_sharded_state(image, copy, dedup, sla) == "x");
  REQUIRE(copy.config().windows.size() == 1);
  REQUIRE(copy.config().windows[0].name == "5m");  // the image's configuration

  feed(original, part_two());
  feed(copy, part_two());
  const Timestamp end = kT0 + seconds(200);
  const auto a = original.snapshot(end);
  const auto b = copy.snapshot(end);
  REQUIRE(digest(*b) == digest(*a));
  // By hand: every contact was answered, 20 of them ended (handled once
  // their after-contact work ends: not yet), none left out of sequence.
  std::uint64_t answered = 0;
  for (const auto& s : b->series) answered += s.answered_total;
  REQUIRE(answered == 40);
  REQUIRE(b->stats.out_of_sequence_total == 0);
}

TEST_CASE("one shard writes the plain state image", "[persist][shard]") {
  ShardedEngine one(config(), 1);
  feed(one, part_one());
  const Deduplicator dedup;
  const SlaEvaluator sla({});
  REQUIRE(encode_sharded_state(one, dedup, sla, "x") ==
          encode_state(one.shard(0), dedup, sla, "x"));
  REQUIRE(shard_count_of(encode_state(one.shard(0), dedup, sla, "x")) == 1);
}

TEST_CASE("another shard count or a damaged image changes nothing", "[persist][shard]") {
  ShardedEngine original(config(), 3);
  feed(original, part_one());
  const std::string image = encode_sharded_state(original, Deduplicator{}, SlaEvaluator({}), "");

  ShardedEngine two(config(), 2);
  feed(two, part_two());  // some state of its own
  const Timestamp end = kT0 + seconds(200);
  const std::string before = digest(*two.snapshot(end));
  Deduplicator dedup;
  SlaEvaluator sla({});
  try {
    decode_sharded_state(image, two, dedup, sla);
    FAIL("decoded a 3-shard image into 2 shards");
  } catch (const ShardCountError& e) {
    REQUIRE(e.written == 3);
    REQUIRE(e.configured == 2);
    REQUIRE_THAT(e.what(), Catch::Contains("written by 3 engine shard(s) and state.shards is 2"));
  }
  REQUIRE(digest(*two.snapshot(end)) == before);

  ShardedEngine three(config(), 3);
  feed(three, part_two());
  const std::string before3 = digest(*three.snapshot(end));
  for (std::size_t cut : {std::size_t{10}, image.size() / 2, image.size() - 1}) {
    INFO("cut at " << cut);
    REQUIRE_THROWS_AS(decode_sharded_state(image.substr(0, cut), three, dedup, sla), FormatError);
    REQUIRE(digest(*three.snapshot(end)) == before3);
  }
  REQUIRE_THROWS_WITH(decode_sharded_state(image + "z", three, dedup, sla),
                      Catch::Contains("trailing bytes"));
}
