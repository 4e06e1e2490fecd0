// Adapter events written back to ccmon NDJSON decode, through the /v1/events
// codec, to the same events: the daemon's adapter path relies on it.
#include "core/adapters/event_ndjson.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <vector>

#include "core/codec/codec.hpp"

using namespace ccmon::core;

TEST_CASE("events_ndjson round-trips through the codec", "[adapters][ndjson]") {
  std::vector<Event> in(3);
  in[0].id = "pbx1:1700000000:00ff:0";
  in[0].type = EventType::kContactQueued;
  in[0].time = 1'700'000'000'000'250;  // a quarter of a millisecond past the second
  in[0].contact = "pbx1:1700000000.1";
  in[0].channel = "voice";
  in[0].queue = "support \"east\"";  // escaped in JSON
  in[1].id = "pbx1:x:1";
  in[1].type = EventType::kAgentState;
  in[1].time = 1'700'000'012'000'000;
  in[1].agent = "1001";
  in[1].state = AgentState::kAway;
  in[1].reason = "Lunch";
  in[2].id = "c:e:0";
  in[2].type = EventType::kContactOverflowed;
  in[2].time = 5;
  in[2].contact = "c:1";
  in[2].queue = "q";
  in[2].reason = std::string_view("timeout");

  const std::string text = adapters::events_ndjson(in);
  CHECK(std::count(text.begin(), text.end(), '\n') == 3);
  CodecOptions options;
  options.max_event_age = 0;
  Decoder decoder(options);
  const DecodedBatch out = decoder.decode(text, BodyFormat::kNdjson, 1'800'000'000'000'000);
  INFO(text);
  REQUIRE(out.rejected == 0);
  REQUIRE(out.events.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const Event& a = in[i];
    const Event& b = out.events[i].event;
    CHECK(out.events[i].index == i);
    CHECK(a.id == b.id);
    CHECK(a.type == b.type);
    CHECK(a.time == b.time);
    CHECK(a.contact == b.contact);
    CHECK(a.channel == b.channel);
    CHECK(a.queue == b.queue);
    CHECK(a.agent == b.agent);
    CHECK(a.reason == b.reason);
    CHECK(a.state == b.state);
  }
}

TEST_CASE("events_ndjson of nothing is empty", "[adapters][ndjson]") {
  CHECK(adapters::events_ndjson({}).empty());
}
