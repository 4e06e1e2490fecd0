// One or more rows per reason code: the event, its reason, and a part of the
// message that names the field. Rows are decoded as one NDJSON line so that
// parse errors are per-event rejections too.
#include <catch2/catch.hpp>

#include "codec_test_support.hpp"

namespace {

using namespace ccmon::core;
using ccmon::core::testing::event_json;
using ccmon::core::testing::kNow;

struct Row {
  std::string line;
  RejectReason reason;
  std::string message_part;
};

std::string with_time(std::string_view type, std::string_view time, std::string_view extra) {
  return std::string(R"({"id":"e1","type":")") + std::string(type) + R"(","time":)" +
         std::string(time) + std::string(extra) + "}";
}

const std::string kQueuedOk = R"(,"contact":"c1","channel":"voice","queue":"q")";

std::vector<Row> rows() {
  using R = RejectReason;
  return {
      // invalid_json
      {R"({"id":"e1",)", R::kInvalidJson, "line is not valid JSON"},
      {"not json", R::kInvalidJson, "not valid JSON"},
      {R"({"id":"e1"}})", R::kInvalidJson, "not valid JSON"},
      {"{'id':'e1'}", R::kInvalidJson, "not valid JSON"},
      // invalid_utf8: a bad byte, an overlong '/', a lone continuation, a
      // truncated 3-byte sequence, each inside a string value.
      {event_json("contact.held", ",\"contact\":\"c\xff\""), R::kInvalidUtf8, "not valid UTF-8"},
      {event_json("contact.held", ",\"contact\":\"\xc0\xaf\""), R::kInvalidUtf8, "UTF-8"},
      {event_json("contact.held", ",\"contact\":\"\x80\""), R::kInvalidUtf8, "UTF-8"},
      {event_json("contact.held", ",\"contact\":\"\xe2\x82\""), R::kInvalidUtf8, "UTF-8"},
      // not_object
      {"[1,2]", R::kNotObject, "event is an array, not an object"},
      {R"("contact.queued")", R::kNotObject, "a string"},
      {"42", R::kNotObject, "a number"},
      {"null", R::kNotObject, "null"},
      {"true", R::kNotObject, "a boolean"},
      // missing_field
      {R"({"type":"contact.held","time":"2026-11-22T09:00:00Z","contact":"c1"})", R::kMissingField,
       "missing required field `id`"},
      {R"({"id":null,"type":"contact.held","time":"2026-11-22T09:00:00Z","contact":"c1"})",
       R::kMissingField, "missing required field `id`"},
      {R"({"id":"e1","time":"2026-11-22T09:00:00Z","contact":"c1"})", R::kMissingField,
       "missing required field `type`"},
      {R"({"id":"e1","type":"contact.held","contact":"c1"})", R::kMissingField,
       "missing required field `time`"},
      {event_json("contact.queued", R"(,"channel":"voice","queue":"q")"), R::kMissingField,
       "missing required field `contact` for type contact.queued"},
      {event_json("contact.queued", R"(,"contact":"c1","channel":"voice")"), R::kMissingField,
       "missing required field `queue` for type contact.queued"},
      {event_json("contact.queued", R"(,"contact":"c1","queue":"q")"), R::kMissingField,
       "missing required field `channel` for type contact.queued"},
      {event_json("contact.created", R"(,"contact":"c1")"), R::kMissingField,
       "missing required field `channel` for type contact.created"},
      {event_json("contact.answered", R"(,"contact":"c1")"), R::kMissingField,
       "missing required field `agent` for type contact.answered"},
      {event_json("message.sent", ""), R::kMissingField,
       "missing required field `contact` for type message.sent"},
      {event_json("contact.deflected", R"(,"contact":"c1")"), R::kMissingField, "`to_channel`"},
      {event_json("contact.sentiment", R"(,"contact":"c1")"), R::kMissingField, "`score`"},
      {event_json("case.opened", R"(,"contact":"c1")"), R::kMissingField,
       "missing required field `case` for type case.opened"},
      {event_json("case.resolved", R"(,"case":"k1")"), R::kMissingField, "`contacts`"},
      {event_json("agent.state", R"(,"agent":"a1")"), R::kMissingField, "`state`"},
      {event_json("agent.state", R"(,"state":"busy")"), R::kMissingField, "`agent`"},
      {event_json("survey.answered", R"(,"contact":"c1")"), R::kMissingField,
       "at least one of `csat`, `nps`, `ces`"},
      {event_json("survey.answered", R"(,"csat":null)"), R::kMissingField, "`csat`"},
      {event_json("contact.queued", R"(,"contact":null,"channel":"voice","queue":"q")"),
       R::kMissingField, "`contact`"},
      // wrong_type
      {R"({"id":7,"type":"contact.held","time":"2026-11-22T09:00:00Z","contact":"c1"})",
       R::kWrongType, "field `id`: expected a string, got number"},
      {R"({"id":"e1","type":5,"time":"2026-11-22T09:00:00Z","contact":"c1"})", R::kWrongType,
       "field `type`: expected a string, got number"},
      {with_time("contact.held", "true", R"(,"contact":"c1")"), R::kWrongType,
       "field `time`: expected an RFC 3339 string or a number, got boolean"},
      {with_time("contact.held", "{}", R"(,"contact":"c1")"), R::kWrongType, "got object"},
      {event_json("contact.held", R"(,"contact":12)"), R::kWrongType,
       "field `contact`: expected a string, got number"},
      {event_json("contact.queued", R"(,"contact":"c1","channel":"voice","queue":["q"])"),
       R::kWrongType, "field `queue`: expected a string, got array"},
      {event_json("contact.queued", R"(,"contact":"c1","channel":1,"queue":"q")"), R::kWrongType,
       "field `channel`: expected a string"},
      {event_json("contact.queued", kQueuedOk + R"(,"priority":"high")"), R::kWrongType,
       "field `priority`: expected an integer, got string"},
      {event_json("contact.queued", kQueuedOk + R"(,"priority":1.5)"), R::kWrongType,
       "field `priority`: expected an integer, got 1.5"},
      {event_json("message.sent", R"(,"contact":"c1","automated":"yes")"), R::kWrongType,
       "field `automated`: expected a boolean, got string"},
      {event_json("message.sent", R"(,"contact":"c1","automated":1)"), R::kWrongType,
       "`automated`"},
      {event_json("survey.answered", R"(,"csat":"5")"), R::kWrongType,
       "field `csat`: expected an integer, got string"},
      {event_json("survey.answered", R"(,"csat":4.0)"), R::kWrongType,
       "field `csat`: expected an integer, got 4.0"},
      {event_json("survey.answered", R"(,"nps":9.5)"), R::kWrongType, "`nps`"},
      {event_json("contact.sentiment", R"(,"contact":"c1","score":"0.5")"), R::kWrongType,
       "field `score`: expected a number, got string"},
      {event_json("contact.converted", R"(,"contact":"c1","value":"12")"), R::kWrongType,
       "field `value`: expected a number"},
      {event_json("case.resolved", R"(,"case":"k1","contacts":true)"), R::kWrongType,
       "field `contacts`: expected an integer, got boolean"},
      {event_json("agent.state", R"(,"agent":"a1","state":3)"), R::kWrongType, "field `state`"},
      {event_json("case.escalated", R"(,"case":"k1","team":7)"), R::kWrongType,
       "field `team`: expected a string"},
      {event_json("contact.transferred", R"(,"contact":"c1","to_queue":false)"), R::kWrongType,
       "field `to_queue`"},
      // out_of_range
      {R"({"id":"","type":"contact.held","time":"2026-11-22T09:00:00Z","contact":"c1"})",
       R::kOutOfRange, "field `id`: length 0 bytes is outside 1..128"},
      {event_json("contact.held", R"(,"contact":"")"), R::kOutOfRange,
       "field `contact`: must not be empty"},
      {event_json("survey.answered", R"(,"csat":9)"), R::kOutOfRange,
       "field `csat`: 9 is outside 1..5"},
      {event_json("survey.answered", R"(,"nps":11)"), R::kOutOfRange,
       "field `nps`: 11 is outside 0..10"},
      {event_json("survey.answered", R"(,"ces":0)"), R::kOutOfRange,
       "field `ces`: 0 is outside 1..7"},
      {event_json("survey.answered", R"(,"csat":4,"nps":-1)"), R::kOutOfRange, "`nps`: -1"},
      {event_json("contact.sentiment", R"(,"contact":"c1","score":-1.5)"), R::kOutOfRange,
       "field `score`: -1.5 is outside -1..1"},
      {event_json("case.resolved", R"(,"case":"k1","contacts":0)"), R::kOutOfRange,
       "field `contacts`: 0 is below 1"},
      {event_json("case.resolved", R"(,"case":"k1","contacts":-3)"), R::kOutOfRange,
       "field `contacts`: -3 is below 1"},
      {event_json("case.resolved", R"(,"case":"k1","contacts":18446744073709551615)"),
       R::kOutOfRange, "field `contacts`: 18446744073709551615 is too large"},
      {event_json("agent.state", R"(,"agent":"a1","state":"lunch")"), R::kOutOfRange,
       R"(field `state`: "lunch" is not one of available, busy, wrap_up, away, offline)"},
      {with_time("contact.held", "-1", R"(,"contact":"c1")"), R::kOutOfRange,
       "field `time`: -1 is outside 0..253402300799 Unix seconds"},
      {with_time("contact.held", "-0.5", R"(,"contact":"c1")"), R::kOutOfRange, "`time`"},
      {with_time("contact.held", "1e300", R"(,"contact":"c1")"), R::kOutOfRange, "`time`"},
      {with_time("contact.held", "18446744073709551615", R"(,"contact":"c1")"), R::kOutOfRange,
       "`time`"},
      {with_time("contact.held", R"("1969-12-31T23:59:59Z")", R"(,"contact":"c1")"), R::kOutOfRange,
       "is before 1970-01-01T00:00:00Z"},
      // unknown_type
      {event_json("contact.foo", R"(,"contact":"c1")"), R::kUnknownType,
       R"(field `type`: "contact.foo" is not an event type)"},
      {event_json("CONTACT.QUEUED", kQueuedOk), R::kUnknownType, "field `type`"},
      {event_json("", ""), R::kUnknownType, "field `type`"},
      // unknown_channel
      {event_json("contact.queued", R"(,"contact":"c1","channel":"fax","queue":"q")"),
       R::kUnknownChannel, R"(field `channel`: "fax" is not an allowed channel)"},
      {event_json("contact.queued", R"(,"contact":"c1","channel":"Voice","queue":"q")"),
       R::kUnknownChannel, "`channel`"},
      {event_json("contact.queued", R"(,"contact":"c1","channel":"","queue":"q")"),
       R::kUnknownChannel, "`channel`"},
      {event_json("contact.deflected", R"(,"contact":"c1","to_channel":"pigeon")"),
       R::kUnknownChannel, "field `to_channel`"},
      {event_json("survey.answered", R"(,"csat":5,"channel":"fax")"), R::kUnknownChannel,
       "`channel`"},
      // invalid_time
      {with_time("contact.held", R"("2026-11-22T09:00:00")", R"(,"contact":"c1")"), R::kInvalidTime,
       R"(field `time`: "2026-11-22T09:00:00" is not an RFC 3339 date-time with offset)"},
      {with_time("contact.held", R"("yesterday")", R"(,"contact":"c1")"), R::kInvalidTime,
       "`time`"},
      {with_time("contact.held", R"("")", R"(,"contact":"c1")"), R::kInvalidTime, "`time`"},
      {with_time("contact.held", R"("1795338000")", R"(,"contact":"c1")"), R::kInvalidTime,
       "`time`"},
      // future_time: now is 09:15:00Z, the skew 60 s.
      {with_time("contact.held", R"("2026-11-22T09:16:01Z")", R"(,"contact":"c1")"), R::kFutureTime,
       "field `time`"},
      {with_time("contact.held", "1795342500", R"(,"contact":"c1")"), R::kFutureTime,
       "allowed clock skew of 60 s"},
  };
}

TEST_CASE("each reason code, with a message naming the field", "[codec][rejects]") {
  Decoder decoder;
  int seen[kRejectReasonCount] = {};
  for (const Row& row : rows()) {
    INFO(row.line);
    const DecodedBatch batch = decoder.decode(row.line, BodyFormat::kNdjson, kNow);
    CHECK_FALSE(batch.unreadable);
    CHECK(batch.events.empty());
    REQUIRE(batch.rejections.size() == 1);
    const Rejection& r = batch.rejections[0];
    CHECK(r.index == 0);
    CHECK(to_string(r.reason) == to_string(row.reason));
    CHECK_THAT(r.message, Catch::Contains(row.message_part));
    ++seen[static_cast<int>(row.reason)];
  }
  // too_large and past_time have their own tests (they need limits the
  // default options do not set: decode_limits_test.cpp); all others are here.
  for (int i = 0; i < kRejectReasonCount; ++i) {
    const auto reason = static_cast<RejectReason>(i);
    if (reason == RejectReason::kTooLarge || reason == RejectReason::kPastTime) continue;
    INFO(to_string(static_cast<RejectReason>(i)));
    CHECK(seen[i] > 0);
  }
}

TEST_CASE("a JSON body gives the same rejection for a single bad object", "[codec][rejects]") {
  Decoder decoder;
  const auto batch =
      decoder.decode(event_json("survey.answered", R"(,"csat":9)"), BodyFormat::kJson, kNow);
  CHECK_FALSE(batch.unreadable);
  REQUIRE(batch.rejections.size() == 1);
  CHECK(batch.rejections[0].reason == RejectReason::kOutOfRange);
  CHECK(batch.rejections[0].message == "field `csat`: 9 is outside 1..5");
}

TEST_CASE("long bad values are cut in messages", "[codec][rejects]") {
  Decoder decoder;
  const std::string channel(100, 'x');
  const auto batch = decoder.decode(
      event_json("contact.queued", R"(,"contact":"c1","queue":"q","channel":")" + channel + "\""),
      BodyFormat::kNdjson, kNow);
  REQUIRE(batch.rejections.size() == 1);
  // 64 bytes of the value, then "...".
  CHECK(batch.rejections[0].message ==
        "field `channel`: \"" + std::string(64, 'x') + "...\" is not an allowed channel");
}

}  // namespace
