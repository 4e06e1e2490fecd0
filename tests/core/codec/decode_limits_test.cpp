// The codec's bounds against hostile input (docs/security.md): rejections
// listed per body, label and id lengths, event age, and the byte order mark
// and leap-second rules of docs/events.md.
#include <catch2/catch.hpp>
#include <string>

#include "codec_test_support.hpp"
#include "core/codec/codec.hpp"

namespace ccmon::core {
namespace {

using testing::event_json;
using testing::kNow;

std::string with_time(std::string_view type, std::string_view time, std::string_view extra) {
  std::string s = R"({"id":"e1","type":")";
  s += type;
  s += R"(","time":)";
  s += time;
  s += extra;
  s += '}';
  return s;
}

TEST_CASE("only the first rejections are listed; all are counted by reason", "[codec][limits]") {
  CodecOptions options;
  options.max_rejection_details = 100;
  Decoder decoder(options);
  // 1,000 lines of `1`: each a number, not an object (the probe's 8 MiB body
  // of "1\n" scaled down; the count, not the size, is what is bounded).
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "1\n";
  body += event_json("contact.held", R"(,"contact":"c1")") + "\n";
  const DecodedBatch batch = decoder.decode(body, BodyFormat::kNdjson, kNow);
  CHECK(batch.events.size() == 1);
  CHECK(batch.events[0].index == 1000);
  CHECK(batch.rejected == 1000);
  REQUIRE(batch.rejections.size() == 100);
  CHECK(batch.rejections.front().index == 0);
  CHECK(batch.rejections.back().index == 99);
  CHECK(batch.rejected_by_reason[static_cast<std::size_t>(RejectReason::kNotObject)] == 1000);
  std::size_t all = 0;
  for (const std::size_t n : batch.rejected_by_reason) all += n;
  CHECK(all == 1000);
}

TEST_CASE("label values and ids longer than their limit are out_of_range", "[codec][limits]") {
  CodecOptions options;
  options.max_label_bytes = 16;
  options.max_id_bytes = 32;
  Decoder decoder(options);
  const std::string label_ok(16, 'q');
  const std::string label_long(17, 'q');
  const std::string id_ok(32, 'c');
  const std::string id_long(33, 'c');
  auto queued = [](const std::string& contact, const std::string& queue) {
    return event_json("contact.queued", R"(,"contact":")" + contact + R"(","queue":")" + queue +
                                            R"(","channel":"voice")");
  };
  CHECK(decoder.decode(queued(id_ok, label_ok), BodyFormat::kJson, kNow).events.size() == 1);

  auto b = decoder.decode(queued("c1", label_long), BodyFormat::kJson, kNow);
  REQUIRE(b.rejections.size() == 1);
  CHECK(b.rejections[0].reason == RejectReason::kOutOfRange);
  CHECK(b.rejections[0].message == "field `queue`: length 17 bytes is over the limit of 16");

  b = decoder.decode(queued(id_long, "q"), BodyFormat::kJson, kNow);
  REQUIRE(b.rejections.size() == 1);
  CHECK(b.rejections[0].message == "field `contact`: length 33 bytes is over the limit of 32");

  // team is a label, agent an id.
  b = decoder.decode(
      event_json("agent.state",
                 R"(,"agent":")" + id_ok + R"(","state":"busy","team":")" + label_long + "\""),
      BodyFormat::kJson, kNow);
  REQUIRE(b.rejections.size() == 1);
  CHECK(b.rejections[0].message == "field `team`: length 17 bytes is over the limit of 16");
  b = decoder.decode(event_json("agent.state", R"(,"agent":")" + id_long + R"(","state":"busy")"),
                     BodyFormat::kJson, kNow);
  REQUIRE(b.rejections.size() == 1);
  CHECK(b.rejections[0].message == "field `agent`: length 33 bytes is over the limit of 32");
}

TEST_CASE("an event older than max_event_age is past_time; 0 turns it off", "[codec][limits]") {
  Decoder decoder;  // the default: 72 h
  // kNow = 1795338900 s; 72 h = 259200 s; now - 72 h = 1795079700 s.
  const std::string held = R"(,"contact":"c1")";
  CHECK(decoder.decode(with_time("contact.held", "1795079700", held), BodyFormat::kJson, kNow)
            .events.size() == 1);
  auto b = decoder.decode(with_time("contact.held", "1795079699", held), BodyFormat::kJson, kNow);
  REQUIRE(b.rejections.size() == 1);
  CHECK(b.rejections[0].reason == RejectReason::kPastTime);
  CHECK(
      b.rejections[0].message ==
      "field `time`: 1795079699 is older than now by more than the maximum event age of 259200 s");
  b = decoder.decode(with_time("contact.queued", "0", held + R"(,"queue":"q","channel":"voice")"),
                     BodyFormat::kJson, kNow);
  REQUIRE(b.rejections.size() == 1);
  CHECK(b.rejections[0].reason == RejectReason::kPastTime);

  CodecOptions options;
  options.max_event_age = 0;  // replays of history
  Decoder unbounded(options);
  CHECK(unbounded.decode(with_time("contact.held", "0", held), BodyFormat::kJson, kNow)
            .events.size() == 1);
}

TEST_CASE("a UTF-8 byte order mark before a body is skipped", "[codec][limits]") {
  Decoder decoder;
  const std::string bom = "\xEF\xBB\xBF";
  const std::string held = event_json("contact.held", R"(,"contact":"c1")");
  CHECK(decoder.decode(bom + held, BodyFormat::kJson, kNow).events.size() == 1);
  CHECK(decoder.decode(bom + "[" + held + "]", BodyFormat::kJson, kNow).events.size() == 1);
  const auto nd = decoder.decode(bom + held + "\n" + held + "\n", BodyFormat::kNdjson, kNow);
  CHECK(nd.events.size() == 2);
  CHECK(nd.rejected == 0);
}

TEST_CASE("second 60 only where UTC inserts a leap second", "[codec][limits]") {
  // 2016-12-31T23:59:60Z folds into 2017-01-01T00:00:00Z: 17167 days since
  // 1970 (as in rfc3339_test.cpp).
  const Timestamp new_year_2017 = 17'167LL * 86'400 * 1'000'000;
  Timestamp t = 0;
  CHECK(parse_rfc3339("2016-12-31T23:59:60Z", t));
  CHECK(t == new_year_2017);
  // The same instant written at +01:00 is 00:59:60 local.
  CHECK(parse_rfc3339("2017-01-01T00:59:60+01:00", t));
  CHECK(t == new_year_2017);
  CHECK(parse_rfc3339("2016-12-31T18:59:60.5-05:00", t));
  CHECK(t == new_year_2017 + 500'000);
  // Any other minute has no second 60.
  CHECK_FALSE(parse_rfc3339("2026-11-22T09:15:60Z", t));
  CHECK_FALSE(parse_rfc3339("2016-12-31T22:59:60Z", t));
  CHECK_FALSE(parse_rfc3339("2016-12-31T23:59:60+01:00", t));
}

}  // namespace
}  // namespace ccmon::core
