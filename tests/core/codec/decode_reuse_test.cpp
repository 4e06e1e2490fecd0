// Decoding into reused events (Decoder::decode's `reuse`, Event::reset):
// the same batch as a fresh decode whatever the reused events held, and
// their strings' buffers serve again.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "codec_test_support.hpp"

namespace {

using namespace ccmon::core;
using ccmon::core::testing::event_json_with_id;
using ccmon::core::testing::kNow;
using ccmon::core::testing::kTime;

// Every member set to something other than its default.
Event full_event(int i) {
  const std::string n = std::to_string(i);
  Event e;
  e.id = "reused-event-id-that-is-long-" + n;
  e.type = EventType::kSurveyAnswered;
  e.time = 123 + i;
  e.contact = "reused-contact-id-long-" + n;
  e.case_id = "case-" + n;
  e.channel = "chat";
  e.queue = "queue-" + n;
  e.agent = "agent-" + n;
  e.team = "team-" + n;
  e.customer = "customer-" + n;
  e.to_queue = "to-queue-" + n;
  e.to_agent = "to-agent-" + n;
  e.to_channel = "email";
  e.reason = "reason-" + n;
  e.priority = 7;
  e.automated = true;
  e.value = 1.5;
  e.score = -0.25;
  e.csat = 5;
  e.nps = 10;
  e.ces = 7;
  e.contacts = 3;
  e.state = AgentState::kAway;
  return e;
}

std::vector<IndexedEvent> full_events(std::size_t n) {
  std::vector<IndexedEvent> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i].index = 1000 + i;
    out[i].event = full_event(static_cast<int>(i));
  }
  return out;
}

// One NDJSON line.
std::string line(std::string_view id, std::string_view type, std::string_view fields) {
  return event_json_with_id(id, type, fields) + "\n";
}

// Events that leave most members absent, between rejected lines: a field
// of a reused event, or of a rejected line's half-decoded event, would show.
std::string mixed_body() {
  std::string b;
  b += line("a-long-event-id-0001", "contact.held", R"(,"contact":"c1")");
  b += "{oops\n";
  b += line("a-long-event-id-0002", "agent.state", R"(,"agent":"a1","state":"available")");
  b += line("x", "survey.answered", R"(,"contact":"c1","csat":9)");  // csat out of range
  b += line("a-long-event-id-0003", "case.escalated", R"(,"case":"k1")");
  b += line("a-long-event-id-0004", "contact.queued",
            R"(,"contact":"c2","channel":"voice","queue":"q1")");
  b += line("a-long-event-id-0005", "message.sent", R"(,"contact":"c2","agent":"bot")");
  b += line("y", "contact.held", "");  // missing contact, the last line
  return b;
}

bool same_events(const DecodedBatch& a, const DecodedBatch& b) {
  if (a.events.size() != b.events.size()) return false;
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    if (a.events[i].index != b.events[i].index || !(a.events[i].event == b.events[i].event)) {
      return false;
    }
  }
  if (a.rejected != b.rejected || a.rejections.size() != b.rejections.size()) return false;
  for (std::size_t i = 0; i < a.rejections.size(); ++i) {
    if (a.rejections[i].index != b.rejections[i].index ||
        a.rejections[i].reason != b.rejections[i].reason ||
        a.rejections[i].message != b.rejections[i].message) {
      return false;
    }
  }
  return true;
}

TEST_CASE("Event::reset gives a default event", "[codec][reuse]") {
  Event e = full_event(1);
  // Fails to compile when Event gains or loses a member: reset() must then
  // be updated, and full_event() above with it.
  [[maybe_unused]] auto& [m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16,
                          m17, m18, m19, m20, m21, m22, m23] = e;
  REQUIRE_FALSE(e == Event{});
  e.reset();
  CHECK(e == Event{});
}

TEST_CASE("decoding into reused events gives the batch a fresh decode gives", "[codec][reuse]") {
  const std::string body = mixed_body();
  Decoder decoder;
  const DecodedBatch fresh = decoder.decode(body, BodyFormat::kNdjson, kNow);
  REQUIRE(fresh.events.size() == 5);
  REQUIRE(fresh.rejected == 3);
  CHECK(fresh.events[1].event.state == AgentState::kAvailable);
  CHECK_FALSE(fresh.events[1].event.csat.has_value());

  SECTION("more reused events than the body holds: the rest are dropped") {
    const DecodedBatch reused = decoder.decode(body, BodyFormat::kNdjson, kNow, full_events(9));
    CHECK(same_events(fresh, reused));
  }
  SECTION("fewer: the others are added") {
    const DecodedBatch reused = decoder.decode(body, BodyFormat::kNdjson, kNow, full_events(2));
    CHECK(same_events(fresh, reused));
  }
  SECTION("a JSON array") {
    std::string array = "[";
    for (std::size_t pos = 0; pos < body.size();) {
      const std::size_t end = body.find('\n', pos);
      const std::string_view one(body.data() + pos, end - pos);
      pos = end + 1;
      if (one == "{oops") continue;  // would make the whole array unreadable
      if (array.size() > 1) array += ',';
      array += one;
    }
    array += ']';
    const DecodedBatch a = decoder.decode(array, BodyFormat::kJson, kNow);
    REQUIRE(a.events.size() == 5);
    const DecodedBatch reused = decoder.decode(array, BodyFormat::kJson, kNow, full_events(4));
    CHECK(same_events(a, reused));
  }
  SECTION("one object, and CloudEvents structured mode") {
    const std::string one = event_json_with_id("a-long-event-id-0006", "case.opened",
                                               R"(,"case":"k2","queue":"q1","channel":"email")");
    const std::string cloud =
        R"({"specversion":"1.0","id":"a-long-event-id-0007","type":"contact.ended","source":"x",)"
        R"("time":")" +
        std::string(kTime) + R"(","data":{"contact":"c3"}})";
    for (const std::string& body1 : {one, cloud}) {
      INFO(body1);
      const DecodedBatch a = decoder.decode(body1, BodyFormat::kJson, kNow);
      REQUIRE(a.events.size() == 1);
      CHECK(same_events(a, decoder.decode(body1, BodyFormat::kJson, kNow, full_events(3))));
    }
  }
  SECTION("in parts") {
    NdjsonCursor cursor;
    std::vector<IndexedEvent> spare = full_events(3);
    std::vector<IndexedEvent> all;
    while (!cursor.at_end(body)) {
      DecodedBatch part = decoder.decode_ndjson_part(body, cursor, 2, kNow, std::move(spare));
      for (const auto& e : part.events) all.push_back(e);
      spare = std::move(part.events);
    }
    REQUIRE(all.size() == fresh.events.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      CHECK(all[i].index == fresh.events[i].index);
      CHECK(all[i].event == fresh.events[i].event);
    }
  }
}

TEST_CASE("a reused event's string buffers serve again", "[codec][reuse]") {
  Decoder decoder;
  std::vector<IndexedEvent> reuse = full_events(1);
  // Longer than any small-string buffer: on the heap.
  const char* const id_buffer = reuse[0].event.id.data();
  const char* const contact_buffer = reuse[0].event.contact.data();
  const std::string body =
      line("an-event-id-of-20-ch", "contact.held", R"(,"contact":"a-contact-id-of-22-ch")");
  const DecodedBatch b = decoder.decode(body, BodyFormat::kNdjson, kNow, std::move(reuse));
  REQUIRE(b.events.size() == 1);
  CHECK(b.events[0].event.id == "an-event-id-of-20-ch");
  CHECK(b.events[0].event.contact == "a-contact-id-of-22-ch");
  CHECK(b.events[0].event.id.data() == id_buffer);
  CHECK(b.events[0].event.contact.data() == contact_buffer);
}

}  // namespace
