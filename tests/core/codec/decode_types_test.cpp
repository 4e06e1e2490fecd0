// One valid event of every type of docs/events.md, with the fields each
// type carries copied into the Event.
#include <catch2/catch.hpp>
#include <functional>

#include "codec_test_support.hpp"

namespace {

using namespace ccmon::core;
using ccmon::core::testing::event_json;
using ccmon::core::testing::kNow;
using ccmon::core::testing::kTimeMicros;

struct Row {
  EventType type;
  std::string extra;
  std::function<void(const Event&)> check;
};

TEST_CASE("one valid event of every type", "[codec][types]") {
  const std::vector<Row> rows = {
      {EventType::kContactCreated, R"(,"contact":"c1","channel":"voice","queue":"sales")",
       [](const Event& e) {
         CHECK(e.contact == "c1");
         CHECK(e.channel == "voice");
         CHECK(e.queue == "sales");
       }},
      {EventType::kContactQueued, R"(,"contact":"c1","channel":"chat","queue":"q1","priority":3)",
       [](const Event& e) {
         CHECK(e.channel == "chat");
         CHECK(e.queue == "q1");
         CHECK(e.priority == 3);
       }},
      {EventType::kContactAnswered, R"(,"contact":"c1","agent":"a1","team":"t1")",
       [](const Event& e) {
         CHECK(e.agent == "a1");
         CHECK(e.team == "t1");
       }},
      {EventType::kContactAbandoned, R"(,"contact":"c1")",
       [](const Event& e) { CHECK(e.contact == "c1"); }},
      {EventType::kContactOverflowed, R"(,"contact":"c1","reason":"timeout")",
       [](const Event& e) { CHECK(e.reason == "timeout"); }},
      {EventType::kContactHeld, R"(,"contact":"c1")",
       [](const Event& e) { CHECK(e.contact == "c1"); }},
      {EventType::kContactResumed, R"(,"contact":"c1")",
       [](const Event& e) { CHECK(e.contact == "c1"); }},
      {EventType::kContactTransferred, R"(,"contact":"c1","to_queue":"q2","to_agent":"a2")",
       [](const Event& e) {
         CHECK(e.to_queue == "q2");
         CHECK(e.to_agent == "a2");
       }},
      {EventType::kContactEnded, R"(,"contact":"c1")",
       [](const Event& e) { CHECK(e.contact == "c1"); }},
      {EventType::kContactWrapped, R"(,"contact":"c1","agent":"a1")",
       [](const Event& e) { CHECK(e.agent == "a1"); }},
      {EventType::kContactSelfServed, R"(,"contact":"c1","channel":"social")",
       [](const Event& e) { CHECK(e.channel == "social"); }},
      {EventType::kContactDeflected, R"(,"contact":"c1","to_channel":"messaging")",
       [](const Event& e) { CHECK(e.to_channel == "messaging"); }},
      {EventType::kContactConverted, R"(,"contact":"c1","value":125.5)",
       [](const Event& e) { CHECK(e.value == 125.5); }},
      {EventType::kContactSentiment, R"(,"contact":"c1","score":-0.5)",
       [](const Event& e) { CHECK(e.score == -0.5); }},
      {EventType::kMessageReceived, R"(,"contact":"c1","channel":"email")",
       [](const Event& e) {
         CHECK(e.contact == "c1");
         CHECK(e.channel == "email");
       }},
      {EventType::kMessageSent, R"(,"contact":"c1","agent":"bot","automated":true)",
       [](const Event& e) {
         CHECK(e.agent == "bot");
         CHECK(e.automated);
       }},
      {EventType::kCaseOpened, R"(,"case":"k1","queue":"billing","channel":"email")",
       [](const Event& e) {
         CHECK(e.case_id == "k1");
         CHECK(e.queue == "billing");
         CHECK(e.channel == "email");
       }},
      {EventType::kCaseEscalated, R"(,"case":"k1")",
       [](const Event& e) { CHECK(e.case_id == "k1"); }},
      {EventType::kCaseResolved, R"(,"case":"k1","contacts":1)",
       [](const Event& e) { CHECK(e.contacts == 1); }},
      {EventType::kSurveyAnswered, R"(,"contact":"c1","csat":4,"nps":9,"ces":2,"queue":"q1")",
       [](const Event& e) {
         CHECK(e.contact == "c1");
         CHECK(e.csat == 4);
         CHECK(e.nps == 9);
         CHECK(e.ces == 2);
         CHECK(e.queue == "q1");
       }},
      {EventType::kCustomerChurned, R"(,"customer":"cust-9","channel":"voice")",
       [](const Event& e) {
         CHECK(e.customer == "cust-9");
         CHECK(e.channel == "voice");
       }},
      {EventType::kAgentState, R"(,"agent":"a1","state":"wrap_up","team":"t1","reason":"acw")",
       [](const Event& e) {
         CHECK(e.agent == "a1");
         CHECK(e.state == AgentState::kWrapUp);
         CHECK(e.team == "t1");
         CHECK(e.reason == "acw");
       }},
      {EventType::kCaseReopened, R"(,"case":"k1")",
       [](const Event& e) { CHECK(e.case_id == "k1"); }},
  };
  REQUIRE(rows.size() == static_cast<std::size_t>(kEventTypeCount));
  Decoder decoder;
  for (const Row& row : rows) {
    const std::string json = event_json(to_string(row.type), row.extra);
    INFO(json);
    const DecodedBatch batch = decoder.decode(json, BodyFormat::kJson, kNow);
    REQUIRE_FALSE(batch.unreadable);
    REQUIRE(batch.rejections.empty());
    REQUIRE(batch.events.size() == 1);
    const Event& e = batch.events[0].event;
    CHECK(batch.events[0].index == 0);
    CHECK(e.id == "e1");
    CHECK(e.type == row.type);
    CHECK(e.time == kTimeMicros);
    row.check(e);
  }
}

TEST_CASE("optional fields default to absent", "[codec][types]") {
  Decoder decoder;
  const auto batch =
      decoder.decode(event_json("message.sent", R"(,"contact":"c1")"), BodyFormat::kJson, kNow);
  REQUIRE(batch.events.size() == 1);
  const Event& e = batch.events[0].event;
  CHECK_FALSE(e.automated);
  CHECK(e.agent.empty());
  CHECK(e.channel.empty());
  CHECK_FALSE(e.priority.has_value());
  CHECK_FALSE(e.csat.has_value());
}

TEST_CASE("fields a type does not use, and unknown fields, are ignored", "[codec][types]") {
  struct IgnoredRow {
    const char* type;
    const char* extra;
  };
  // Each value would be rejected if the type used the field.
  const IgnoredRow rows[] = {
      {"contact.held", R"(,"contact":"c1","csat":9,"score":"x","contacts":0)"},
      {"case.opened", R"(,"case":"k1","contact":17,"to_channel":"fax","automated":"no")"},
      {"agent.state", R"(,"agent":"a1","state":"away","contact":[],"priority":"high")"},
      {"contact.abandoned", R"(,"contact":"c1","vendor":{"x":[1,2]},"source":"pbx")"},
  };
  Decoder decoder;
  for (const IgnoredRow& row : rows) {
    const std::string json = event_json(row.type, row.extra);
    INFO(json);
    const auto batch = decoder.decode(json, BodyFormat::kJson, kNow);
    REQUIRE(batch.rejections.empty());
    REQUIRE(batch.events.size() == 1);
    const Event& e = batch.events[0].event;
    CHECK_FALSE(e.csat.has_value());
    CHECK_FALSE(e.score.has_value());
    CHECK_FALSE(e.contacts.has_value());
    CHECK(e.to_channel.empty());
    CHECK_FALSE(e.priority.has_value());
  }
}

TEST_CASE("null counts as absent; the first of duplicate keys wins", "[codec][types]") {
  Decoder decoder;
  auto batch = decoder.decode(event_json("contact.abandoned", R"(,"contact":"c1","queue":null)"),
                              BodyFormat::kJson, kNow);
  REQUIRE(batch.events.size() == 1);
  CHECK(batch.events[0].event.queue.empty());

  batch = decoder.decode(event_json("contact.abandoned", R"(,"contact":"c1","contact":"c2")"),
                         BodyFormat::kJson, kNow);
  REQUIRE(batch.events.size() == 1);
  CHECK(batch.events[0].event.contact == "c1");
}

TEST_CASE("numeric time is Unix seconds with an optional fraction", "[codec][types]") {
  struct TimeRow {
    const char* time;
    Timestamp micros;
  };
  const TimeRow rows[] = {
      {"1795338000", ccmon::core::testing::kTimeMicros},  // 09:00:00Z
      {"1795338000.5", ccmon::core::testing::kTimeMicros + 500'000},
      {"1795338000.000001", ccmon::core::testing::kTimeMicros + 1},
      {"0", 0},
      {"0.25", 250'000},
  };
  CodecOptions options;
  options.max_event_age = 0;  // 0 and 0.25 are long past: parsing only here
  Decoder decoder(options);
  for (const TimeRow& row : rows) {
    const std::string json =
        std::string(R"({"id":"e1","type":"contact.held","contact":"c1","time":)") + row.time + "}";
    INFO(json);
    const auto batch = decoder.decode(json, BodyFormat::kJson, kNow);
    REQUIRE(batch.events.size() == 1);
    CHECK(batch.events[0].event.time == row.micros);
  }
}

TEST_CASE("channels come from the options", "[codec][types]") {
  CodecOptions options;
  options.channels = {"voice", "video"};
  Decoder decoder(options);
  CHECK(decoder.options().channels.size() == 2);
  auto batch = decoder.decode(
      event_json("contact.queued", R"(,"contact":"c1","channel":"video","queue":"q")"),
      BodyFormat::kJson, kNow);
  REQUIRE(batch.events.size() == 1);
  CHECK(batch.events[0].event.channel == "video");
  batch = decoder.decode(
      event_json("contact.queued", R"(,"contact":"c1","channel":"chat","queue":"q")"),
      BodyFormat::kJson, kNow);
  REQUIRE(batch.rejections.size() == 1);
  CHECK(batch.rejections[0].reason == RejectReason::kUnknownChannel);
}

}  // namespace
