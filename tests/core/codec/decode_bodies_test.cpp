// Body formats: NDJSON lines and JSON arrays with mixed valid and invalid
// events, unreadable bodies, too_large, and CloudEvents structured mode.
#include <algorithm>
#include <catch2/catch.hpp>

#include "codec_test_support.hpp"

namespace {

using namespace ccmon::core;
using ccmon::core::testing::event_json;
using ccmon::core::testing::kNow;

std::string held(std::string_view id) {
  return R"({"id":")" + std::string(id) +
         R"(","type":"contact.held","time":"2026-11-22T09:00:00Z","contact":"c1"})";
}

std::vector<std::size_t> event_indexes(const DecodedBatch& b) {
  std::vector<std::size_t> out;
  for (const auto& e : b.events) out.push_back(e.index);
  return out;
}

std::vector<std::pair<std::size_t, std::string_view>> rejected(const DecodedBatch& b) {
  std::vector<std::pair<std::size_t, std::string_view>> out;
  for (const auto& r : b.rejections) out.emplace_back(r.index, to_string(r.reason));
  return out;
}

using Rejected = std::vector<std::pair<std::size_t, std::string_view>>;

TEST_CASE("NDJSON: each non-empty line is one event, bad lines rejected alone", "[codec][body]") {
  // Non-empty lines, numbered from 0:
  //   0 valid (a)        1 not JSON          2 valid, CRLF (b)
  //   3 array            4 bad UTF-8         5 missing contact
  //   6 valid (c), last line with a trailing newline
  const std::string body = held("a") + "\n" +       //
                           "\n" +                   // blank
                           "{oops\n" +              //
                           held("b") + "\r\n" +     //
                           "   \t \r\n" +           // whitespace only
                           "[1]\n" +                //
                           "{\"id\":\"\xff\"}\n" +  //
                           R"({"id":"x","type":"contact.held","time":1795338000})" + "\n" +
                           held("c") + "\n";
  Decoder decoder;
  const DecodedBatch batch = decoder.decode(body, BodyFormat::kNdjson, kNow);
  CHECK_FALSE(batch.unreadable);
  CHECK(event_indexes(batch) == std::vector<std::size_t>{0, 2, 6});
  REQUIRE(batch.events.size() == 3);
  CHECK(batch.events[0].event.id == "a");
  CHECK(batch.events[1].event.id == "b");
  CHECK(batch.events[2].event.id == "c");
  CHECK(
      rejected(batch) ==
      Rejected{{1, "invalid_json"}, {3, "not_object"}, {4, "invalid_utf8"}, {5, "missing_field"}});
}

TEST_CASE("NDJSON in parts: together the events and rejections of the whole body",
          "[codec][body][parts]") {
  // The body of the test above behind a byte order mark, with blank lines at
  // the end: 7 non-empty lines, events at 0, 2 and 6.
  const std::string body = "\xEF\xBB\xBF" + held("a") + "\n\n{oops\n" + held("b") +
                           "\r\n   \t \r\n[1]\n{\"id\":\"\xff\"}\n" +
                           R"({"id":"x","type":"contact.held","time":1795338000})" + "\n" +
                           held("c") + "\n\n \n";
  Decoder decoder;
  const DecodedBatch whole = decoder.decode(body, BodyFormat::kNdjson, kNow);
  REQUIRE(event_indexes(whole) == std::vector<std::size_t>{0, 2, 6});
  for (std::size_t max_lines = 0; max_lines <= 8; ++max_lines) {
    INFO("max_lines " << max_lines);
    const std::size_t per_part = std::max<std::size_t>(max_lines, 1);
    NdjsonCursor cursor;
    std::vector<std::size_t> indexes;
    std::vector<std::string> ids;
    Rejected rejections;
    std::size_t parts = 0;
    while (!cursor.at_end(body)) {
      const DecodedBatch part = decoder.decode_ndjson_part(body, cursor, max_lines, kNow);
      ++parts;
      CHECK(part.events.size() + part.rejected <= per_part);
      for (const auto& e : part.events) {
        indexes.push_back(e.index);
        ids.push_back(e.event.id);
      }
      for (const auto& r : rejected(part)) rejections.push_back(r);
    }
    CHECK(indexes == std::vector<std::size_t>{0, 2, 6});
    CHECK(ids == std::vector<std::string>{"a", "b", "c"});
    CHECK(rejections ==
          Rejected{
              {1, "invalid_json"}, {3, "not_object"}, {4, "invalid_utf8"}, {5, "missing_field"}});
    // ceil(7 / per_part) parts, plus one empty part for the blank lines at
    // the end when the 7th line ends a part.
    const std::size_t full = (7 + per_part - 1) / per_part;
    CHECK(parts == full + (7 % per_part == 0 ? 1 : 0));
  }
}

TEST_CASE("NDJSON: empty and blank bodies hold no events", "[codec][body]") {
  Decoder decoder;
  for (const char* body : {"", "\n", "\r\n\r\n", "  \n\t\n"}) {
    const auto batch = decoder.decode(body, BodyFormat::kNdjson, kNow);
    CHECK_FALSE(batch.unreadable);
    CHECK(batch.events.empty());
    CHECK(batch.rejections.empty());
  }
  // A last line without a newline is still a line.
  const auto batch = decoder.decode(held("a") + "\n" + held("b"), BodyFormat::kNdjson, kNow);
  CHECK(event_indexes(batch) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("ndjson_line_bound: newlines + 1 for a last unterminated line", "[codec][body]") {
  CHECK(ndjson_line_bound("") == 1);
  CHECK(ndjson_line_bound("a") == 1);
  CHECK(ndjson_line_bound("a\n") == 2);
  CHECK(ndjson_line_bound("a\nb") == 2);
  CHECK(ndjson_line_bound("\n\n") == 3);
  CHECK(ndjson_line_bound("a\r\nb\r\n") == 3);  // a CR is not a line end of its own
}

TEST_CASE("JSON array: elements indexed by position, bad ones rejected alone", "[codec][body]") {
  // 0 valid (a)  1 a number  2 csat 9  3 valid (b)  4 null  5 unknown type
  // '[' as a char: GCC 12 at -O2/-O3 reports a false -Wrestrict on "[" +
  // std::string&& (GCC bugs 105329, 105651); so below too.
  const std::string body = '[' + held("a") + ", 5, " +
                           event_json("survey.answered", R"(,"csat":9)") + ",\n" + held("b") +
                           ",null," + event_json("contact.nope") + "]";
  Decoder decoder;
  const DecodedBatch batch = decoder.decode(body, BodyFormat::kJson, kNow);
  CHECK_FALSE(batch.unreadable);
  CHECK(event_indexes(batch) == std::vector<std::size_t>{0, 3});
  CHECK(rejected(batch) ==
        Rejected{{1, "not_object"}, {2, "out_of_range"}, {4, "not_object"}, {5, "unknown_type"}});
  REQUIRE(batch.rejections.size() == 4);
  CHECK(batch.rejections[0].message == "event is a number, not an object");
}

TEST_CASE("JSON: an empty array is a readable body with no events", "[codec][body]") {
  Decoder decoder;
  const auto batch = decoder.decode(" [ ] ", BodyFormat::kJson, kNow);
  CHECK_FALSE(batch.unreadable);
  CHECK(batch.events.empty());
  CHECK(batch.rejections.empty());
}

TEST_CASE("JSON: unreadable bodies", "[codec][body]") {
  struct Row {
    std::string body;
    RejectReason reason;
    std::string message_part;
  };
  const Row rows[] = {
      {"", RejectReason::kInvalidJson, "body is not valid JSON"},
      {"{", RejectReason::kInvalidJson, "body is not valid JSON"},
      {"[1,", RejectReason::kInvalidJson, "body is not valid JSON"},
      {held("a") + "\n" + held("b"), RejectReason::kInvalidJson, "not valid JSON"},  // NDJSON
      {"[\"\xe9t\xe9\"]", RejectReason::kInvalidUtf8, "body is not valid UTF-8"},    // Latin-1
      {"42", RejectReason::kNotObject, "body is a number, not an event object or an array"},
      {"\"contact.queued\"", RejectReason::kNotObject, "body is a string"},
      {"null", RejectReason::kNotObject, "body is null"},
  };
  Decoder decoder;
  for (const Row& row : rows) {
    INFO(row.body);
    const auto batch = decoder.decode(row.body, BodyFormat::kJson, kNow);
    CHECK(batch.unreadable);
    CHECK(to_string(batch.unreadable_reason) == to_string(row.reason));
    CHECK_THAT(batch.unreadable_message, Catch::Contains(row.message_part));
    CHECK(batch.events.empty());
    CHECK(batch.rejections.empty());
  }
}

// An event of exactly `size` bytes: held("p") padded by an unknown field.
std::string event_of_size(std::size_t size) {
  const std::string head =
      R"({"id":"p","type":"contact.held","time":"2026-11-22T09:00:00Z","contact":"c1","pad":")";
  const std::string tail = "\"}";
  return head + std::string(size - head.size() - tail.size(), 'x') + tail;
}

TEST_CASE("too_large: one event over max_event_bytes, whatever the format", "[codec][body]") {
  CodecOptions options;
  options.max_event_bytes = 200;
  Decoder decoder(options);
  const std::string fits = event_of_size(200);
  const std::string over = event_of_size(201);
  REQUIRE(fits.size() == 200);
  REQUIRE(over.size() == 201);

  // Single object, surrounding whitespace not counted.
  CHECK(decoder.decode(" " + fits + "\n", BodyFormat::kJson, kNow).events.size() == 1);
  auto batch = decoder.decode(over, BodyFormat::kJson, kNow);
  CHECK(rejected(batch) == Rejected{{0, "too_large"}});
  REQUIRE(batch.rejections.size() == 1);
  CHECK(batch.rejections[0].message == "event of 201 bytes exceeds the limit of 200 bytes");

  // Array: only the oversized element goes; elements are measured raw.
  batch = decoder.decode('[' + held("a") + ",\n  " + over + " , " + fits + ",{\"x\":[\"]\"]}]",
                         BodyFormat::kJson, kNow);
  CHECK_FALSE(batch.unreadable);
  CHECK(event_indexes(batch) == std::vector<std::size_t>{0, 2});
  CHECK(rejected(batch) == Rejected{{1, "too_large"}, {3, "missing_field"}});

  // NDJSON: per line, the line terminator not counted.
  batch = decoder.decode(fits + "\r\n" + over + "\n" + held("b"), BodyFormat::kNdjson, kNow);
  CHECK(event_indexes(batch) == std::vector<std::size_t>{0, 2});
  CHECK(rejected(batch) == Rejected{{1, "too_large"}});
}

TEST_CASE("CloudEvents structured mode", "[codec][body][cloudevents]") {
  const std::string envelope =
      R"({"specversion":"1.0","id":"ce-1","source":"/pbx/7","type":"contact.queued",)"
      R"("time":"2026-11-22T09:00:00Z","datacontenttype":"application/json",)";
  Decoder decoder;

  SECTION("fields come from data") {
    const auto batch = decoder.decode(
        envelope + R"("data":{"contact":"c1","channel":"chat","queue":"q1","priority":2}})",
        BodyFormat::kJson, kNow);
    REQUIRE(batch.events.size() == 1);
    const Event& e = batch.events[0].event;
    CHECK(e.id == "ce-1");
    CHECK(e.type == EventType::kContactQueued);
    CHECK(e.time == ccmon::core::testing::kTimeMicros);
    CHECK(e.contact == "c1");
    CHECK(e.channel == "chat");
    CHECK(e.queue == "q1");
    CHECK(e.priority == 2);
  }
  SECTION("top-level payload fields are not read, data's envelope fields neither") {
    const auto batch = decoder.decode(
        envelope +
            R"("contact":"top","data":{"id":"inner","type":"agent.state","channel":"chat","queue":"q","contact":"c2"}})",
        BodyFormat::kJson, kNow);
    REQUIRE(batch.events.size() == 1);
    CHECK(batch.events[0].event.id == "ce-1");
    CHECK(batch.events[0].event.type == EventType::kContactQueued);
    CHECK(batch.events[0].event.contact == "c2");
    const auto missing =
        decoder.decode(envelope + R"("contact":"top","data":{"channel":"chat","queue":"q"}})",
                       BodyFormat::kJson, kNow);
    REQUIRE(missing.rejections.size() == 1);
    CHECK(missing.rejections[0].reason == RejectReason::kMissingField);
    CHECK_THAT(missing.rejections[0].message, Catch::Contains("`contact`"));
  }
  SECTION("data missing or not an object") {
    struct Row {
      std::string tail;
      RejectReason reason;
      std::string message;
    };
    const Row rows[] = {
        {R"("x":1})", RejectReason::kMissingField,
         "missing required field `data` (CloudEvents structured mode)"},
        {R"("data":null})", RejectReason::kMissingField,
         "missing required field `data` (CloudEvents structured mode)"},
        {R"("data":"c1"})", RejectReason::kWrongType,
         "field `data`: expected an object, got string"},
        {R"("data":[]})", RejectReason::kWrongType, "field `data`: expected an object, got array"},
    };
    for (const Row& row : rows) {
      INFO(row.tail);
      const auto batch = decoder.decode(envelope + row.tail, BodyFormat::kNdjson, kNow);
      REQUIRE(batch.rejections.size() == 1);
      CHECK(batch.rejections[0].reason == row.reason);
      CHECK(batch.rejections[0].message == row.message);
    }
  }
  SECTION("the envelope is still validated") {
    const auto batch = decoder.decode(
        R"({"specversion":"1.0","id":"ce-2","type":"contact.queued","data":{"contact":"c1"}})",
        BodyFormat::kJson, kNow);
    REQUIRE(batch.rejections.size() == 1);
    CHECK(batch.rejections[0].message == "missing required field `time`");
  }
  SECTION("without specversion, data is just an unknown field") {
    const auto batch =
        decoder.decode(event_json("contact.held", R"(,"contact":"c1","data":{"contact":"c2"})"),
                       BodyFormat::kJson, kNow);
    REQUIRE(batch.events.size() == 1);
    CHECK(batch.events[0].event.contact == "c1");
  }
}

TEST_CASE("a decoder is reusable; earlier results stay intact", "[codec][body]") {
  Decoder decoder;
  const auto first = decoder.decode(held("first"), BodyFormat::kJson, kNow);
  const auto second = decoder.decode('[' + held("second") + "]", BodyFormat::kJson, kNow);
  const auto third = decoder.decode("{", BodyFormat::kJson, kNow);
  REQUIRE(first.events.size() == 1);
  REQUIRE(second.events.size() == 1);
  CHECK(first.events[0].event.id == "first");
  CHECK(second.events[0].event.id == "second");
  CHECK(third.unreadable);
  Decoder moved = std::move(decoder);
  CHECK(moved.decode(held("fourth"), BodyFormat::kNdjson, kNow).events.size() == 1);
}

}  // namespace
